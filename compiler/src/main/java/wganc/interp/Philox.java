package wganc.interp;

/**
 * Philox4x32-10 (Salmon et al., SC'11): ten rounds of two 32x32->64 multiplies and a Weyl key
 * schedule. TODO: switch to wganc.runtime.rng.Philox once the runtime branch lands; both must give
 * the known answer counter=0, key=0 -> 6627e8d5 e169c58d bc57ac4c 9b00dbd8.
 */
final class Philox {
  private static final long M0 = 0xD2511F53L;
  private static final long M1 = 0xCD9E8D57L;
  private static final int W0 = 0x9E3779B9;
  private static final int W1 = 0xBB67AE85;

  private Philox() {}

  static int[] block(int[] counter, int[] key) {
    int c0 = counter[0];
    int c1 = counter[1];
    int c2 = counter[2];
    int c3 = counter[3];
    int k0 = key[0];
    int k1 = key[1];
    for (int round = 0; round < 10; round++) {
      long p0 = M0 * (c0 & 0xFFFFFFFFL);
      long p1 = M1 * (c2 & 0xFFFFFFFFL);
      int n0 = (int) (p1 >>> 32) ^ c1 ^ k0;
      int n1 = (int) p1;
      int n2 = (int) (p0 >>> 32) ^ c3 ^ k1;
      int n3 = (int) p0;
      c0 = n0;
      c1 = n1;
      c2 = n2;
      c3 = n3;
      k0 += W0;
      k1 += W1;
    }
    return new int[] {c0, c1, c2, c3};
  }
}

package wganc.runtime.kernels;

import static org.junit.jupiter.api.Assertions.fail;

import java.util.SplittableRandom;

/** Double-precision references and comparison helpers for the kernel tests. */
final class Ref {
  private Ref() {}

  /** Unit roundoff of float32. */
  static final double U = Math.ulp(1.0f) / 2;

  static float[] random(SplittableRandom r, int n) {
    float[] x = new float[n];
    for (int i = 0; i < n; i++) x[i] = (float) (r.nextDouble() * 2 - 1);
    return x;
  }

  /**
   * Asserts |got - want| <= tol * scale + 1e-30 elementwise, where scale is the sum of |terms| of
   * each output (error bound of a float32 sum of k products computed with fused multiply-adds in
   * any order: gamma_k * sum |a_i b_i|, gamma_k ~ k u); tol = factor * u.
   */
  static void assertClose(String what, double[] want, double[] scale, float[] got, int off, int[] idx, double factor) {
    for (int t = 0; t < want.length; t++) {
      double g = got[off + idx[t]];
      double err = Math.abs(g - want[t]);
      double bound = factor * U * scale[t] + 1e-30;
      if (!(err <= bound))
        fail(what + ": element " + t + " (index " + idx[t] + ") got " + g + " want " + want[t]
            + " err " + err + " > bound " + bound);
    }
  }
}

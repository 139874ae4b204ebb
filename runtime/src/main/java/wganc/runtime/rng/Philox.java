package wganc.runtime.rng;

/**
 * Philox4x32-10, the counter-based generator of Salmon, Moraes, Dror and Shaw, "Parallel random
 * numbers: as easy as 1, 2, 3" (SC 2011), as in Random123, cuRAND, JAX and NumPy. Every draw is a
 * pure function of (seed, stream, step, index): there is no state, so the JVM kernels, the
 * reference interpreter and GPU kernels produce the same noise, dropout masks and interpolation
 * weights whatever their thread layout.
 *
 * <h2>Block function</h2>
 * A 128-bit counter {@code (c0, c1, c2, c3)} and a 64-bit key {@code (k0, k1)} go through 10
 * rounds; each round computes the 64-bit products {@code p0 = 0xD2511F53 * c0} and
 * {@code p1 = 0xCD9E8D57 * c2} (unsigned) and sets
 * {@code (c0, c1, c2, c3) = (hi(p1) ^ c1 ^ k0, lo(p1), hi(p0) ^ c3 ^ k1, lo(p0))}, then bumps the
 * key by {@code (0x9E3779B9, 0xBB67AE85)} (mod 2^32). The output is the final counter,
 * {@code x0..x3}.
 *
 * <h2>Key and counter of a draw</h2>
 * <ul>
 * <li>{@code k0 = (int) seed}, {@code k1 = (int) (seed >>> 32)} (low word first);</li>
 * <li>{@code c0 = index} (element index within the draw, e.g. the flat C-order position in the
 *     noise tensor), {@code c1 = (int) step}, {@code c2 = (int) (step >>> 32)},
 *     {@code c3 = stream} (an id the compiler gives each random source: {@code z}, {@code alpha},
 *     each dropout layer, the toy data).</li>
 * </ul>
 * Each element uses its own block; unused words are discarded.
 *
 * <h2>Conversions (every backend must compute exactly these)</h2>
 * Words are read as unsigned 32-bit integers.
 * <ul>
 * <li>{@link #uniform}: {@code (x0 >>> 8) * 2^-24}, a float in [0, 1) (exact in float).</li>
 * <li>{@link #uniformDouble}: {@code ((x0 >>> 5) * 2^26 + (x1 >>> 6)) * 2^-53}, a double in
 *     [0, 1) (exact), the same construction as {@code java.util.Random.nextDouble} and NumPy.</li>
 * <li>{@link #below}: {@code (x0 * n) >>> 32} with a 64-bit product, an int in [0, n) (the
 *     multiply-shift map; its bias is below n / 2^32).</li>
 * <li>{@link #normal} (Box–Muller, cosine branch, in double precision, then rounded to float):
 *     {@code u1 = ((x0 >>> 8) + 1) * 2^-24} in (0, 1], {@code u2 = (x1 >>> 8) * 2^-24} in [0, 1),
 *     {@code z = (float) (sqrt(-2.0 * log(u1)) * cos(TWO_PI * u2))} with
 *     {@code TWO_PI = 6.283185307179586} (the double nearest 2π), evaluated left to right in IEEE
 *     double with {@link StrictMath} (fdlibm) {@code log}, {@code cos} and {@code sqrt}.</li>
 * <li>{@link #normalDouble}: the same formula with 53-bit uniforms:
 *     {@code u1 = ((x0 >>> 5) * 2^26 + (x1 >>> 6) + 1) * 2^-53} in (0, 1],
 *     {@code u2 = ((x2 >>> 5) * 2^26 + (x3 >>> 6)) * 2^-53} in [0, 1), no final rounding.</li>
 * </ul>
 * The raw words, the uniforms and {@code below} are bit-exact on any backend. The normals are
 * bit-exact on any JVM (StrictMath); a GPU backend computing the same double expression with its
 * own {@code log}/{@code cos} (a few ulps from fdlibm) gets the same float except when the double
 * result lies within those ulps of a float rounding boundary (about one draw in 10^8).
 */
public final class Philox {
    private Philox() {}

    public static final int M0 = 0xD2511F53;
    public static final int M1 = 0xCD9E8D57;
    public static final int W0 = 0x9E3779B9;
    public static final int W1 = 0xBB67AE85;
    public static final int ROUNDS = 10;

    /** The double nearest 2π used by the Box–Muller step. */
    public static final double TWO_PI = 6.283185307179586;
    private static final float TWO_POW_M24F = 0x1.0p-24f;
    private static final double TWO_POW_M24 = 0x1.0p-24;
    private static final double TWO_POW_M53 = 0x1.0p-53;
    private static final long MASK = 0xffffffffL;

    /**
     * The raw Philox4x32-10 block function: writes {@code x0..x3} for counter {@code (c0..c3)} and
     * key {@code (k0, k1)} into {@code out[0..3]}.
     */
    public static void block(int c0, int c1, int c2, int c3, int k0, int k1, int[] out) {
        for (int r = 0; r < ROUNDS; r++) {
            long p0 = (M0 & MASK) * (c0 & MASK);
            long p1 = (M1 & MASK) * (c2 & MASK);
            int n0 = (int) (p1 >>> 32) ^ c1 ^ k0;
            int n2 = (int) (p0 >>> 32) ^ c3 ^ k1;
            c0 = n0;
            c1 = (int) p1;
            c2 = n2;
            c3 = (int) p0;
            k0 += W0;
            k1 += W1;
        }
        out[0] = c0;
        out[1] = c1;
        out[2] = c2;
        out[3] = c3;
    }

    /** The block function on arrays: {@code counter} has 4 words, {@code key} 2; returns 4 words. */
    public static int[] block(int[] counter, int[] key) {
        if (counter.length != 4 || key.length != 2) {
            throw new IllegalArgumentException("philox4x32 needs a 4-word counter and a 2-word key");
        }
        int[] out = new int[4];
        block(counter[0], counter[1], counter[2], counter[3], key[0], key[1], out);
        return out;
    }

    /** The block of a draw: key from {@code seed}, counter from (stream, step, index) as documented. */
    public static void draw(long seed, int stream, long step, int index, int[] out) {
        block(index, (int) step, (int) (step >>> 32), stream, (int) seed, (int) (seed >>> 32), out);
    }

    private static int word0(long seed, int stream, long step, int index) {
        int[] x = new int[4];
        draw(seed, stream, step, index, x);
        return x[0];
    }

    /** A float in [0, 1): the top 24 bits of {@code x0} times 2^-24. */
    public static float uniform(long seed, int stream, long step, int index) {
        return (word0(seed, stream, step, index) >>> 8) * TWO_POW_M24F;
    }

    /** A double in [0, 1) from 27 bits of {@code x0} and 26 bits of {@code x1}. */
    public static double uniformDouble(long seed, int stream, long step, int index) {
        int[] x = new int[4];
        draw(seed, stream, step, index, x);
        return bits53(x[0], x[1]) * TWO_POW_M53;
    }

    /** An int in [0, n) by multiply-shift on {@code x0}; {@code n} must be positive. */
    public static int below(long seed, int stream, long step, int index, int n) {
        if (n <= 0) {
            throw new IllegalArgumentException("bound must be positive, got " + n);
        }
        return (int) (((word0(seed, stream, step, index) & MASK) * n) >>> 32);
    }

    /** A standard normal float by Box–Muller on {@code x0, x1} (see the class comment). */
    public static float normal(long seed, int stream, long step, int index) {
        int[] x = new int[4];
        draw(seed, stream, step, index, x);
        double u1 = ((x[0] >>> 8) + 1) * TWO_POW_M24;
        double u2 = (x[1] >>> 8) * TWO_POW_M24;
        return (float) boxMuller(u1, u2);
    }

    /** A standard normal double by Box–Muller on 53-bit uniforms from all four words. */
    public static double normalDouble(long seed, int stream, long step, int index) {
        int[] x = new int[4];
        draw(seed, stream, step, index, x);
        double u1 = (bits53(x[0], x[1]) + 1) * TWO_POW_M53;
        double u2 = bits53(x[2], x[3]) * TWO_POW_M53;
        return boxMuller(u1, u2);
    }

    /** {@code sqrt(-2 ln u1) * cos(2π u2)}, in this order, with fdlibm. */
    public static double boxMuller(double u1, double u2) {
        return StrictMath.sqrt(-2.0 * StrictMath.log(u1)) * StrictMath.cos(TWO_PI * u2);
    }

    private static long bits53(int hi, int lo) {
        return ((long) (hi >>> 5) << 26) | (lo >>> 6);
    }

    /** {@code out[i] = uniform(seed, stream, step, i)}. */
    public static void fillUniform(float[] out, long seed, int stream, long step) {
        for (int i = 0; i < out.length; i++) {
            out[i] = uniform(seed, stream, step, i);
        }
    }

    /** {@code out[i] = lo + (hi - lo) * uniform(seed, stream, step, i)}, computed in float. */
    public static void fillUniform(float[] out, long seed, int stream, long step, float lo, float hi) {
        float width = hi - lo;
        for (int i = 0; i < out.length; i++) {
            out[i] = lo + width * uniform(seed, stream, step, i);
        }
    }

    /** {@code out[i] = mean + std * normal(seed, stream, step, i)}, computed in float. */
    public static void fillNormal(float[] out, long seed, int stream, long step, float mean, float std) {
        for (int i = 0; i < out.length; i++) {
            out[i] = mean + std * normal(seed, stream, step, i);
        }
    }

    /** {@code out[i] = mean + std * normalDouble(seed, stream, step, i)}. */
    public static void fillNormal(double[] out, long seed, int stream, long step, double mean, double std) {
        for (int i = 0; i < out.length; i++) {
            out[i] = mean + std * normalDouble(seed, stream, step, i);
        }
    }
}

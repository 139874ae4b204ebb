package wganc.runtime.data;

import wganc.runtime.rng.Philox;

/**
 * The toy 2-D distributions of the WGAN-GP paper (Gulrajani et al. 2017, {@code gan_toy.py}),
 * sampled from a {@link Philox} stream so that a batch is a pure function of (seed, stream, step)
 * and identical on every backend. Sample {@code i} of a batch uses Philox draws {@code 3i},
 * {@code 3i+1} and {@code 3i+2} of the stream at that step; the arithmetic is in double (with
 * {@link StrictMath}) and each coordinate is rounded to float at the end. The result is
 * {@code [n, 2]}, row-major.
 *
 * <ul>
 * <li><b>8gaussians</b>: centre {@code k = below(3i, 8)} at {@code radius * (cos 2πk/8, sin 2πk/8)},
 *     plus {@code std * (normalDouble(3i+1), normalDouble(3i+2))}. The paper's code uses radius 2
 *     and std 0.02, then divides the whole dataset by 1.414: {@link #wganGp8()} is radius
 *     2/1.414, std 0.02/1.414.</li>
 * <li><b>25gaussians</b>: centre {@code k = below(3i, 25)}, grid point
 *     {@code scale * (k / 5 - 2, k % 5 - 2)}, so coordinates in {@code scale * {-2,-1,0,1,2}}, plus
 *     {@code std * (normal, normal)}. The paper's code places points at {@code 2 * {-2..2}} with noise
 *     0.05 and divides the dataset by 2.828: {@link #wganGp25()} is scale 2/2.828, std 0.05/2.828.
 *     (It also draws a fixed dataset of 100000 points once and cycles through it; here every batch
 *     is fresh.)</li>
 * <li><b>swissroll</b>: scikit-learn's {@code make_swiss_roll} projected on its x and z columns:
 *     {@code t = 1.5π (1 + 2 uniformDouble(3i))},
 *     {@code (t cos t + noise * normalDouble(3i+1), t sin t + noise * normalDouble(3i+2)) / divisor};
 *     {@link #wganGpSwissRoll()} is noise 0.25, divisor 7.5.</li>
 * </ul>
 */
public final class Toy2d {
    /** The shape of the distribution. */
    public enum Kind { EIGHT_GAUSSIANS, TWENTY_FIVE_GAUSSIANS, SWISS_ROLL }

    private final Kind kind;
    private final double scale;
    private final double std;

    private Toy2d(Kind kind, double scale, double std) {
        if (!(scale > 0) || !(std >= 0)) {
            throw new IllegalArgumentException("toy distribution needs scale > 0 and std >= 0, got "
                    + scale + " and " + std);
        }
        this.kind = kind;
        this.scale = scale;
        this.std = std;
    }

    /** Eight Gaussians on a circle of {@code radius}, each with standard deviation {@code std}. */
    public static Toy2d eightGaussians(double radius, double std) {
        return new Toy2d(Kind.EIGHT_GAUSSIANS, radius, std);
    }

    /** A 5x5 grid at {@code scale * {-2..2}} in each coordinate, noise {@code std}. */
    public static Toy2d twentyFiveGaussians(double scale, double std) {
        return new Toy2d(Kind.TWENTY_FIVE_GAUSSIANS, scale, std);
    }

    /** The swiss roll with noise {@code noise} (before division) divided by {@code divisor}. */
    public static Toy2d swissRoll(double noise, double divisor) {
        return new Toy2d(Kind.SWISS_ROLL, divisor, noise);
    }

    /** 8gaussians as the WGAN-GP toy code produces it (after its division by 1.414). */
    public static Toy2d wganGp8() {
        return eightGaussians(2 / 1.414, 0.02 / 1.414);
    }

    /** 25gaussians as the WGAN-GP toy code produces it (after its division by 2.828). */
    public static Toy2d wganGp25() {
        return twentyFiveGaussians(2 / 2.828, 0.05 / 2.828);
    }

    /** swissroll as the WGAN-GP toy code produces it. */
    public static Toy2d wganGpSwissRoll() {
        return swissRoll(0.25, 7.5);
    }

    /** {@code 8gaussians}, {@code 25gaussians} or {@code swissroll} with the WGAN-GP settings. */
    public static Toy2d byName(String name) {
        return switch (name) {
            case "8gaussians" -> wganGp8();
            case "25gaussians" -> wganGp25();
            case "swissroll" -> wganGpSwissRoll();
            default -> throw new IllegalArgumentException("unknown toy distribution `" + name
                    + "`; expected `8gaussians`, `25gaussians` or `swissroll`");
        };
    }

    public Kind kind() {
        return kind;
    }

    /** The radius (8gaussians), grid spacing (25gaussians) or divisor (swiss roll). */
    public double scale() {
        return scale;
    }

    /** The standard deviation of each mode (the swiss roll's noise before division). */
    public double std() {
        return std;
    }

    /** The mode centres as {@code [k][2]} (none for the swiss roll). */
    public double[][] centres() {
        return switch (kind) {
            case EIGHT_GAUSSIANS -> {
                double[][] c = new double[8][];
                for (int k = 0; k < 8; k++) c[k] = centre(k);
                yield c;
            }
            case TWENTY_FIVE_GAUSSIANS -> {
                double[][] c = new double[25][];
                for (int k = 0; k < 25; k++) c[k] = centre(k);
                yield c;
            }
            case SWISS_ROLL -> new double[0][];
        };
    }

    private double[] centre(int k) {
        if (kind == Kind.EIGHT_GAUSSIANS) {
            double a = Philox.TWO_PI * k / 8;
            return new double[] {scale * StrictMath.cos(a), scale * StrictMath.sin(a)};
        }
        return new double[] {scale * (k / 5 - 2), scale * (k % 5 - 2)};
    }

    /**
     * How generated points cover a mixture's modes: {@code covered} of {@code modes} modes have at
     * least 1 % of the points within 3 standard deviations ({@code radius}) of their centre, and
     * {@code within} is the share of points within 3 standard deviations of their nearest centre.
     */
    public record Coverage(int modes, int covered, int n, double within, double radius) {
        public String summary() {
            return String.format(java.util.Locale.ROOT,
                    "%d of %d modes covered; %.1f %% of %d samples within 3 std (%s) of a mode",
                    covered, modes, 100 * within, n, new java.math.BigDecimal(radius)
                            .round(new java.math.MathContext(3)).stripTrailingZeros().toPlainString());
        }
    }

    /** The coverage of {@code n} points {@code [n, 2]}; null for the swiss roll, which has no modes. */
    public Coverage coverage(float[] xy, int n) {
        double[][] c = centres();
        if (c.length == 0) return null;
        double radius = 3 * std;
        int[] near = new int[c.length];
        int inside = 0;
        for (int i = 0; i < n; i++) {
            double x = xy[2 * i], y = xy[2 * i + 1];
            int best = -1;
            double bestD = Double.POSITIVE_INFINITY;
            for (int k = 0; k < c.length; k++) {
                double d = Math.hypot(x - c[k][0], y - c[k][1]);
                if (d < bestD) {
                    bestD = d;
                    best = k;
                }
            }
            if (bestD <= radius) {
                inside++;
                near[best]++;
            }
        }
        int covered = 0;
        for (int count : near) if (count > 0 && count >= 0.01 * n) covered++;
        return new Coverage(c.length, covered, n, n == 0 ? 0 : (double) inside / n, radius);
    }

    /** {@code n} samples, {@code [n, 2]} row-major. */
    public float[] sample(int n, long seed, int stream, long step) {
        float[] out = new float[2 * n];
        sample(out, n, seed, stream, step);
        return out;
    }

    /** Writes {@code n} samples into {@code out[0 .. 2n)}. */
    public void sample(float[] out, int n, long seed, int stream, long step) {
        for (int i = 0; i < n; i++) {
            int d = 3 * i;
            double nx = Philox.normalDouble(seed, stream, step, d + 1);
            double ny = Philox.normalDouble(seed, stream, step, d + 2);
            double x;
            double y;
            switch (kind) {
                case EIGHT_GAUSSIANS, TWENTY_FIVE_GAUSSIANS -> {
                    double[] c = centre(Philox.below(seed, stream, step, d, kind == Kind.EIGHT_GAUSSIANS ? 8 : 25));
                    x = c[0] + std * nx;
                    y = c[1] + std * ny;
                }
                case SWISS_ROLL -> {
                    double t = 1.5 * Math.PI * (1 + 2 * Philox.uniformDouble(seed, stream, step, d));
                    x = (t * StrictMath.cos(t) + std * nx) / scale;
                    y = (t * StrictMath.sin(t) + std * ny) / scale;
                }
                default -> throw new AssertionError(kind);
            }
            out[2 * i] = (float) x;
            out[2 * i + 1] = (float) y;
        }
    }
}

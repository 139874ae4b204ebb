package wganc.runtime.data;

import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;

class Toy2dTest {
    static final int N = 20_000;

    /** Assigns each sample to its nearest centre; checks every mode is hit evenly and tightly. */
    static void checkModes(Toy2d toy, double std) {
        double[][] c = toy.centres();
        float[] s = toy.sample(N, 7, 3, 0);
        int[] hits = new int[c.length];
        double[] sq = new double[c.length];
        for (int i = 0; i < N; i++) {
            int best = 0;
            double bestD = Double.MAX_VALUE;
            for (int k = 0; k < c.length; k++) {
                double dx = s[2 * i] - c[k][0];
                double dy = s[2 * i + 1] - c[k][1];
                double d = dx * dx + dy * dy;
                if (d < bestD) {
                    bestD = d;
                    best = k;
                }
            }
            hits[best]++;
            sq[best] += bestD;
        }
        double expect = (double) N / c.length;
        for (int k = 0; k < c.length; k++) {
            assertEquals(expect, hits[k], 5 * Math.sqrt(expect), "mode " + k);
            // E|x - c|^2 = 2 std^2
            assertEquals(2 * std * std, sq[k] / hits[k], 0.15 * 2 * std * std, "spread of mode " + k);
        }
    }

    @Test
    void eightGaussiansCoverEveryModeWithTheRightSpread() {
        Toy2d toy = Toy2d.wganGp8();
        double[][] c = toy.centres();
        assertEquals(8, c.length);
        for (double[] p : c) assertEquals(2 / 1.414, Math.hypot(p[0], p[1]), 1e-12);
        checkModes(toy, 0.02 / 1.414);
        checkModes(Toy2d.eightGaussians(2, 0.1), 0.1);
    }

    @Test
    void twentyFiveGaussiansFormTheGrid() {
        Toy2d toy = Toy2d.wganGp25();
        double[][] c = toy.centres();
        assertEquals(25, c.length);
        double unit = 2 / 2.828;
        assertArrayEquals(new double[] {-2 * unit, -2 * unit}, c[0], 1e-12);
        assertArrayEquals(new double[] {2 * unit, 2 * unit}, c[24], 1e-12);
        assertArrayEquals(new double[] {0, unit}, c[13], 1e-12);
        checkModes(toy, 0.05 / 2.828);
    }

    @Test
    void swissRollLiesOnTheSpiral() {
        float[] s = Toy2d.wganGpSwissRoll().sample(N, 1, 2, 3);
        double maxR = 0;
        double minR = Double.MAX_VALUE;
        double residual = 0;
        for (int i = 0; i < N; i++) {
            double x = s[2 * i] * 7.5;
            double y = s[2 * i + 1] * 7.5;
            double r = Math.hypot(x, y);
            maxR = Math.max(maxR, r);
            minR = Math.min(minR, r);
            // on the spiral r = t with angle t (mod 2π): distance to the nearest turn
            double best = Double.MAX_VALUE;
            for (int turn = 0; turn < 4; turn++) {
                double t = Math.atan2(y, x) + 2 * Math.PI * turn;
                if (t < 0) t += 2 * Math.PI;
                best = Math.min(best, Math.abs(r - t));
            }
            residual += best * best;
        }
        assertTrue(minR > 1.5 * Math.PI - 1.5 && minR < 1.5 * Math.PI + 0.5, "min radius " + minR);
        assertTrue(maxR > 4.5 * Math.PI - 0.5 && maxR < 4.5 * Math.PI + 1.5, "max radius " + maxR);
        // the noise 0.25 per coordinate gives a mean squared radial residual near 0.25^2
        assertEquals(0.0625, residual / N, 0.02);
    }

    @Test
    void samplingIsAPureFunctionOfSeedStreamStep() {
        Toy2d toy = Toy2d.byName("8gaussians");
        assertArrayEquals(toy.sample(100, 5, 1, 9), toy.sample(100, 5, 1, 9));
        assertFalse(java.util.Arrays.equals(toy.sample(100, 5, 1, 9), toy.sample(100, 5, 1, 10)));
        float[] big = toy.sample(100, 5, 1, 9);
        float[] prefix = toy.sample(10, 5, 1, 9);
        assertArrayEquals(prefix, java.util.Arrays.copyOf(big, 20));
        assertThrows(IllegalArgumentException.class, () -> Toy2d.byName("moons"));
    }
}

package wganc.runtime.rng;

import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;

class PhiloxTest {
    private static void kat(int[] counter, int[] key, int[] expected) {
        assertArrayEquals(expected, Philox.block(counter, key));
    }

    /** Random123's kat_vectors for philox4x32_10. */
    @Test
    void knownAnswerVectors() {
        kat(new int[] {0, 0, 0, 0}, new int[] {0, 0},
                new int[] {0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8});
        kat(new int[] {-1, -1, -1, -1}, new int[] {-1, -1},
                new int[] {0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd});
        kat(new int[] {0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344}, new int[] {0xa4093822, 0x299f31d0},
                new int[] {0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1});
    }

    @Test
    void drawMapsSeedStreamStepIndexToKeyAndCounter() {
        long seed = 0x299f31d0a4093822L;
        long step = 0x85a308d3L | (0x13198a2eL << 32);
        int[] x = new int[4];
        Philox.draw(seed, 0x03707344, step, 0x243f6a88, x);
        assertArrayEquals(new int[] {0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1}, x);
    }

    @Test
    void conversionsFollowTheDocumentedFormulas() {
        // counter 0, key 0 gives x0 = 0x6627e8d5, x1 = 0xe169c58d, x2 = 0xbc57ac4c, x3 = 0x9b00dbd8
        assertEquals((0x6627e8d5 >>> 8) / 16777216f, Philox.uniform(0, 0, 0, 0));
        double u53 = ((long) (0x6627e8d5 >>> 5) * (1L << 26) + (0xe169c58d >>> 6)) / 9007199254740992.0;
        assertEquals(u53, Philox.uniformDouble(0, 0, 0, 0));
        assertEquals((int) ((0x6627e8d5L * 10) >>> 32), Philox.below(0, 0, 0, 0, 10));
        double u1 = ((0x6627e8d5 >>> 8) + 1) / 16777216.0;
        double u2 = (0xe169c58d >>> 8) / 16777216.0;
        float z = (float) (Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2));
        assertEquals(z, Philox.normal(0, 0, 0, 0), Math.ulp(z));
        double v1 = ((long) (0x6627e8d5 >>> 5) * (1L << 26) + (0xe169c58d >>> 6) + 1) / 9007199254740992.0;
        double v2 = ((long) (0xbc57ac4c >>> 5) * (1L << 26) + (0x9b00dbd8 >>> 6)) / 9007199254740992.0;
        assertEquals(Math.sqrt(-2 * Math.log(v1)) * Math.cos(2 * Math.PI * v2), Philox.normalDouble(0, 0, 0, 0), 1e-14);
    }

    @Test
    void sameInputsSameOutputsDifferentInputsDiffer() {
        assertEquals(Philox.normal(42, 3, 7, 11), Philox.normal(42, 3, 7, 11));
        float[] a = new float[64];
        float[] b = new float[64];
        Philox.fillNormal(a, 42, 3, 7, 0f, 1f);
        Philox.fillNormal(b, 42, 3, 7, 0f, 1f);
        assertArrayEquals(a, b);
        assertNotEquals(Philox.uniform(42, 3, 7, 11), Philox.uniform(43, 3, 7, 11));
        assertNotEquals(Philox.uniform(42, 3, 7, 11), Philox.uniform(42, 4, 7, 11));
        assertNotEquals(Philox.uniform(42, 3, 7, 11), Philox.uniform(42, 3, 8, 11));
        assertNotEquals(Philox.uniform(42, 3, 7, 11), Philox.uniform(42, 3, 7, 12));
        assertNotEquals(Philox.uniform(42, 3, 1L << 32, 11), Philox.uniform(42, 3, 0, 11));
    }

    @Test
    void normalsHaveMeanZeroAndVarianceOne() {
        int n = 100_000;
        float[] z = new float[n];
        Philox.fillNormal(z, 1234, 1, 5, 0f, 1f);
        double sum = 0, sq = 0, cube = 0;
        int beyond2 = 0;
        for (float v : z) {
            assertTrue(Float.isFinite(v));
            sum += v;
            sq += v * v;
            cube += v * v * v;
            if (Math.abs(v) > 2) beyond2++;
        }
        double mean = sum / n;
        double var = sq / n - mean * mean;
        // standard errors: mean 1/sqrt(n) = 0.0032, variance sqrt(2/n) = 0.0045; allow about 4 of them
        assertEquals(0, mean, 0.013);
        assertEquals(1, var, 0.018);
        assertEquals(0, cube / n, 0.04);
        assertEquals(0.0455, beyond2 / (double) n, 0.003);
        double[] d = new double[n];
        Philox.fillNormal(d, 1234, 2, 5, 3.0, 2.0);
        double m = 0, s = 0;
        for (double v : d) m += v;
        m /= n;
        for (double v : d) s += (v - m) * (v - m);
        assertEquals(3.0, m, 0.026);
        assertEquals(4.0, s / n, 0.08);
    }

    @Test
    void uniformsAreInRangeAndFlat() {
        int n = 100_000;
        int[] bins = new int[10];
        float[] u = new float[n];
        Philox.fillUniform(u, 99, 0, 0);
        for (float v : u) {
            assertTrue(v >= 0f && v < 1f);
            bins[(int) (v * 10)]++;
        }
        for (int b : bins) assertEquals(n / 10.0, b, 450); // sd about 95
        int[] counts = new int[7];
        for (int i = 0; i < 70_000; i++) counts[Philox.below(5, 1, 2, i, 7)]++;
        for (int c : counts) assertEquals(10_000, c, 450);
    }
}

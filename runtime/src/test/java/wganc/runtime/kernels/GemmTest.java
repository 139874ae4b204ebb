package wganc.runtime.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

class GemmTest {
  @AfterAll
  static void restore() {
    Parallel.setThreads(Runtime.getRuntime().availableProcessors());
  }

  /** Runs sgemm on padded storage and checks against a double reference, C outside untouched. */
  static float[] check(SplittableRandom r, boolean ta, boolean tb, int m, int n, int k, float alpha, float beta) {
    int lda = (ta ? m : k) + r.nextInt(3), ldb = (tb ? k : n) + r.nextInt(3), ldc = n + r.nextInt(3);
    int aOff = r.nextInt(5), bOff = r.nextInt(5), cOff = r.nextInt(5);
    float[] a = Ref.random(r, aOff + (ta ? k : m) * lda + 3);
    float[] b = Ref.random(r, bOff + (tb ? n : k) * ldb + 3);
    float[] c = Ref.random(r, cOff + m * ldc + 3);
    if (beta == 0f && m > 0 && n > 0) c[cOff] = Float.NaN; // beta 0 must not propagate NaN
    float[] c0 = c.clone();
    Gemm.sgemm(ta, tb, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
    double[] want = new double[m * n], scale = new double[m * n];
    int[] idx = new int[m * n];
    for (int i = 0; i < m; i++)
      for (int j = 0; j < n; j++) {
        double s = 0, sa = 0;
        for (int p = 0; p < k; p++) {
          double x = a[aOff + (ta ? p * lda + i : i * lda + p)], y = b[bOff + (tb ? j * ldb + p : p * ldb + j)];
          s += x * y;
          sa += Math.abs(x * y);
        }
        int t = i * n + j, o = cOff + i * ldc + j;
        double old = beta == 0f ? 0 : (double) beta * c0[o];
        want[t] = alpha * s + old;
        scale[t] = Math.abs(alpha) * sa * (k + 2) + Math.abs(old) * 2;
        idx[t] = i * ldc + j;
      }
    Ref.assertClose("sgemm " + ta + tb + " " + m + "x" + n + "x" + k, want, scale, c, cOff, idx, 2.0);
    // outside C untouched
    for (int o = 0; o < c.length; o++) {
      int rel = o - cOff;
      boolean inside = rel >= 0 && rel / ldc < m && rel % ldc < n;
      if (!inside) assertEquals(Float.floatToIntBits(c0[o]), Float.floatToIntBits(c[o]), "outside C at " + o);
    }
    return c;
  }

  @Test
  void smallAndOddShapesAllTransposes() {
    SplittableRandom r = new SplittableRandom(42);
    int[][] shapes = {{1, 1, 1}, {1, 17, 3}, {13, 1, 5}, {2, 3, 0}, {5, 7, 9}, {12, 32, 16}, {13, 33, 17},
        {11, 31, 257}, {25, 5, 40}, {30, 16, 1}, {7, 4, 100}, {40, 2, 33}, {3, 50, 600}, {64, 48, 2},
        {100, 130, 70}, {37, 65, 513}, {2, 70, 40}, {4, 33, 19}, {3, 17, 1}, {70, 40, 3}, {21, 19, 4}};
    for (int[] s : shapes)
      for (int t = 0; t < 4; t++) {
        boolean ta = (t & 1) != 0, tb = (t & 2) != 0;
        check(r, ta, tb, s[0], s[1], s[2], 1f, 0f);
        check(r, ta, tb, s[0], s[1], s[2], -0.5f, 1f);
        check(r, ta, tb, s[0], s[1], s[2], 2f, 0.25f);
      }
  }

  @Test
  void alphaZeroOnlyScales() {
    float[] c = {1, 2, 3, 4};
    Gemm.sgemm(false, false, 2, 2, 3, 0f, new float[6], 0, 3, new float[6], 0, 2, 2f, c, 0, 2);
    assertArrayEquals(new float[] {2, 4, 6, 8}, c);
  }

  @Test
  void rejectsTooSmallArrays() {
    assertThrows(IllegalArgumentException.class,
        () -> Gemm.sgemm(false, false, 2, 2, 3, 1f, new float[5], 0, 3, new float[6], 0, 2, 0f, new float[4], 0, 2));
  }

  @Test
  void bitIdenticalForOneTwoThreeThreads() {
    int[][] shapes = {{100, 130, 70}, {256, 2, 512}, {64, 300, 600}, {200, 1, 700}, {3, 512, 256}, {2, 512, 256}, {256, 512, 2}, {512, 2, 256}};
    for (int[] s : shapes)
      for (int t = 0; t < 4; t++) {
        boolean ta = (t & 1) != 0, tb = (t & 2) != 0;
        float[] ref = null;
        for (int th = 1; th <= 3; th++) {
          Parallel.setThreads(th);
          float[] got = check(new SplittableRandom(7), ta, tb, s[0], s[1], s[2], 1.5f, 0.5f);
          if (ref == null) ref = got;
          else if (!Arrays.equals(ref, got))
            throw new AssertionError("threads " + th + " differ for " + Arrays.toString(s) + " t=" + t);
        }
      }
  }

  /** The epilogue sees every element of C exactly once, after C is final, whatever path and thread count. */
  @Test
  void epilogueRunsOncePerElementOnFinishedBlocks() {
    int[][] shapes = {{256, 512, 512}, {100, 130, 70}, {256, 2, 512}, {2, 512, 256}, {256, 512, 2}, {3, 5, 0}};
    for (int[] s : shapes)
      for (int th = 1; th <= 3; th++) {
        Parallel.setThreads(th);
        int m = s[0], n = s[1], k = s[2];
        SplittableRandom r = new SplittableRandom(11);
        float[] a = Ref.random(r, m * k + 1), b = Ref.random(r, k * n + 1);
        float[] plain = new float[m * n], fused = new float[m * n];
        Gemm.sgemm(false, false, m, n, k, 1f, a, 0, k, b, 0, n, 0f, plain, 0, n);
        int[] seen = new int[m * n];
        Gemm.sgemm(false, false, m, n, k, 1f, a, 0, k, b, 0, n, 0f, fused, 0, n, (r0, r1, c0, c1) -> {
          for (int i = r0; i < r1; i++)
            for (int j = c0; j < c1; j++) {
              synchronized (seen) { seen[i * n + j]++; }
              fused[i * n + j] = Math.max(0f, fused[i * n + j] + 0.5f);
            }
        });
        for (int e = 0; e < m * n; e++) {
          assertEquals(1, seen[e], "shape " + Arrays.toString(s) + " element " + e);
          assertEquals(Math.max(0f, plain[e] + 0.5f), fused[e], "shape " + Arrays.toString(s) + " element " + e);
        }
      }
  }
}

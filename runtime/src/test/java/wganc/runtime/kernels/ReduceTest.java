package wganc.runtime.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

class ReduceTest {
  @AfterAll
  static void restore() {
    Parallel.setThreads(Runtime.getRuntime().availableProcessors());
  }

  static int[] iota(int n) {
    int[] a = new int[n];
    for (int i = 0; i < n; i++) a[i] = i;
    return a;
  }

  static float[][] run(int rows, int cols, int N, int C, int HW, long seed, boolean check) {
    SplittableRandom r = new SplittableRandom(seed);
    int ld = cols + 3, off = 2;
    float[] x = Ref.random(r, off + rows * ld);
    float[] cs = new float[cols + 1], rs = new float[rows + 1];
    Reduce.sumRows(x, off, rows, cols, ld, cs, 1, false);
    Reduce.sumCols(x, off, rows, cols, ld, rs, 1, false);
    float[] t = Ref.random(r, off + N * C * HW);
    for (int i = 0; i < t.length; i++) t[i] = t[i] * 2 + 3; // mean far from 0
    float[] ch = new float[C], mean = new float[C], var = new float[C];
    Reduce.sumChannels(t, off, N, C, HW, ch, 0, false);
    Reduce.meanVarChannels(t, off, N, C, HW, mean, 0, var, 0);
    if (check) {
      double[] wc = new double[cols], sc = new double[cols], wr = new double[rows], sr = new double[rows];
      for (int i = 0; i < rows; i++)
        for (int j = 0; j < cols; j++) {
          double v = x[off + i * ld + j];
          wc[j] += v; sc[j] += Math.abs(v) * (rows + 2);
          wr[i] += v; sr[i] += Math.abs(v) * (cols + 2);
        }
      Ref.assertClose("sumRows", wc, sc, cs, 1, iota(cols), 1.0);
      Ref.assertClose("sumCols", wr, sr, rs, 1, iota(rows), 1.0);
      double[] wch = new double[C], sch = new double[C], wm = new double[C], wv = new double[C], sv = new double[C];
      int cnt = N * HW;
      for (int c = 0; c < C; c++) {
        for (int n = 0; n < N; n++)
          for (int p = 0; p < HW; p++) {
            double v = t[off + (n * C + c) * HW + p];
            wch[c] += v; sch[c] += Math.abs(v) * (cnt + 2);
          }
        wm[c] = wch[c] / cnt;
        for (int n = 0; n < N; n++)
          for (int p = 0; p < HW; p++) {
            double d = t[off + (n * C + c) * HW + p] - wm[c];
            wv[c] += d * d / cnt;
          }
        // error of var: rounding of mean (relative cnt u) enters squared deviations; bound generously
        sv[c] = (cnt + 4) * (wv[c] + Math.abs(wm[c]) * Math.sqrt(wv[c]) + 1e-3);
      }
      Ref.assertClose("sumChannels", wch, sch, ch, 0, iota(C), 1.0);
      double[] sm = new double[C];
      for (int c = 0; c < C; c++) sm[c] = sch[c] / cnt + Math.abs(wm[c]);
      Ref.assertClose("mean", wm, sm, mean, 0, iota(C), 2.0);
      Ref.assertClose("var", wv, sv, var, 0, iota(C), 4.0);
    }
    return new float[][] {cs, rs, ch, mean, var};
  }

  @Test
  void againstDoubleReference() {
    int[][] shapes = {{1, 1, 1, 1, 1}, {3, 17, 2, 3, 5}, {64, 33, 5, 7, 49}, {256, 512, 64, 12, 16}, {7, 100, 33, 65, 1}};
    for (int[] s : shapes) run(s[0], s[1], s[2], s[3], s[4], 9, true);
  }

  @Test
  void bitIdenticalForOneTwoThreeThreads() {
    float[][] ref = null;
    for (int th = 1; th <= 3; th++) {
      Parallel.setThreads(th);
      float[][] got = run(300, 700, 64, 64, 64, 4, false);
      if (ref == null) ref = got;
      else for (int i = 0; i < ref.length; i++) assertArrayEquals(ref[i], got[i], "output " + i + " threads " + th);
    }
  }
}

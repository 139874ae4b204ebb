package wganc.runtime.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Deterministic reductions for bias gradients and batch statistics. Every output element is
 * reduced by one task in an order fixed by the shape alone: vector lanes accumulate their
 * elements in ascending order, then the 16 lane sums are added in a fixed pairwise tree
 * ({@link Gemm#sumLanes}); elements that do not fill a vector are added last, in ascending order.
 * Results are therefore bit-identical for any thread count.
 */
public final class Reduce {
  private Reduce() {}

  private static final VectorSpecies<Float> S = FloatVector.SPECIES_512;
  private static final long SERIAL = 1L << 16;

  /**
   * Column sums of a rows x cols matrix (row-major, leading dimension ld): {@code out[j] (+)= sum_i
   * x[i][j]}, i ascending per column (e.g. a dense layer's bias gradient, summed over the batch).
   */
  public static void sumRows(float[] x, int off, int rows, int cols, int ld, float[] out, int outOff, boolean accumulate) {
    Gemm.checkMatrix("x", x, off, ld, rows, cols);
    int blocks = (cols + 63) / 64;
    Parallel.Task t = blk -> {
      int j0 = blk * 64, j1 = Math.min(cols, j0 + 64);
      int j = j0;
      for (; j + 16 <= j1; j += 16) {
        FloatVector s = accumulate ? FloatVector.fromArray(S, out, outOff + j) : FloatVector.zero(S);
        for (int i = 0; i < rows; i++) s = FloatVector.fromArray(S, x, off + i * ld + j).add(s);
        s.intoArray(out, outOff + j);
      }
      for (; j < j1; j++) {
        float s = accumulate ? out[outOff + j] : 0f;
        for (int i = 0; i < rows; i++) s += x[off + i * ld + j];
        out[outOff + j] = s;
      }
    };
    run(blocks, (long) rows * cols, t);
  }

  /** Row sums: {@code out[i] (+)= sum_j x[i][j]} (16 lane sums, j ascending, then the lane tree, then the tail). */
  public static void sumCols(float[] x, int off, int rows, int cols, int ld, float[] out, int outOff, boolean accumulate) {
    Gemm.checkMatrix("x", x, off, ld, rows, cols);
    int blocks = (rows + 15) / 16;
    run(blocks, (long) rows * cols, blk -> {
      float[] lanes = new float[16];
      for (int i = blk * 16, e = Math.min(rows, i + 16); i < e; i++) {
        float s = sum(x, off + i * ld, cols, lanes);
        out[outOff + i] = accumulate ? out[outOff + i] + s : s;
      }
    });
  }

  /**
   * Per-channel sums of an (N, C, HW) tensor: {@code out[c] (+)= sum_{n, p} x[n][c][p]} (e.g. a
   * conv bias gradient): per image the contiguous run of HW is summed as in {@link #sumCols}, and
   * the images' sums are added in ascending n.
   */
  public static void sumChannels(float[] x, int off, int N, int C, int HW, float[] out, int outOff, boolean accumulate) {
    Conv.check("x", x, off, (long) N * C * HW);
    run(C, (long) N * C * HW, c -> {
      float[] lanes = new float[16];
      float s = 0f;
      for (int n = 0; n < N; n++) s += sum(x, off + (n * C + c) * HW, HW, lanes);
      out[outOff + c] = accumulate ? out[outOff + c] + s : s;
    });
  }

  /**
   * Batch statistics per channel of an (N, C, HW) tensor, in two passes: {@code mean[c] = sum / (N
   * HW)}, then {@code var[c] = sum (x - mean)^2 / (N HW)} (biased, as batch normalisation uses in
   * training); both sums in the order of {@link #sumChannels}. A dense layer's features are the case
   * HW = 1, C = features.
   */
  public static void meanVarChannels(float[] x, int off, int N, int C, int HW, float[] mean, int meanOff,
      float[] var, int varOff) {
    Conv.check("x", x, off, (long) N * C * HW);
    float inv = 1f / ((float) N * HW);
    if (HW == 1) { // (N, C): vectors along channels
      sumRows(x, off, N, C, C, mean, meanOff, false);
      for (int c = 0; c < C; c++) mean[meanOff + c] *= inv;
      int blocks = (C + 63) / 64;
      run(blocks, (long) N * C, blk -> {
        for (int c = blk * 64, e = Math.min(C, c + 64); c < e; c++) {
          float m = mean[meanOff + c], s = 0f;
          for (int n = 0; n < N; n++) {
            float d = x[off + n * C + c] - m;
            s = Math.fma(d, d, s);
          }
          var[varOff + c] = s * inv;
        }
      });
      return;
    }
    run(C, 2L * N * C * HW, c -> {
      float[] lanes = new float[16];
      float s = 0f;
      for (int n = 0; n < N; n++) s += sum(x, off + (n * C + c) * HW, HW, lanes);
      float m = s * inv;
      float q = 0f;
      FloatVector mv = FloatVector.broadcast(S, m);
      for (int n = 0; n < N; n++) {
        int b = off + (n * C + c) * HW, pv = HW - HW % 16;
        FloatVector acc = FloatVector.zero(S);
        for (int p = 0; p < pv; p += 16) {
          FloatVector d = FloatVector.fromArray(S, x, b + p).sub(mv);
          acc = d.fma(d, acc);
        }
        float t = pv > 0 ? Gemm.sumLanes(acc, lanes) : 0f;
        for (int p = pv; p < HW; p++) {
          float d = x[b + p] - m;
          t = Math.fma(d, d, t);
        }
        q += t;
      }
      mean[meanOff + c] = m;
      var[varOff + c] = q * inv;
    });
  }

  /** Sum of x[o .. o+len): 16 lane sums ascending, the lane tree, then the tail ascending. */
  static float sum(float[] x, int o, int len, float[] lanes) {
    int v = len - len % 16;
    float s = 0f;
    if (v > 0) {
      FloatVector acc = FloatVector.zero(S);
      for (int p = 0; p < v; p += 16) acc = FloatVector.fromArray(S, x, o + p).add(acc);
      s = Gemm.sumLanes(acc, lanes);
    }
    for (int p = v; p < len; p++) s += x[o + p];
    return s;
  }

  private static void run(int tasks, long work, Parallel.Task t) {
    if (work < SERIAL || Parallel.threads() == 1) {
      for (int i = 0; i < tasks; i++) t.run(i);
    } else {
      Parallel.run(tasks, t);
    }
  }
}

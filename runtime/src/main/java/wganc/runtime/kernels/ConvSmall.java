package wganc.runtime.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Convolutions with very few output channels (O at most {@link #MAX_O}, e.g. the last conv of a
 * generator): im2col would pack one element per multiply-add, so these run directly on the
 * phase-split padded buffer of {@link Conv.Geo}, vectorised along "flat" output positions
 * {@code q = i * Wq + j} (j >= Wo are computed and dropped): every tap is a contiguous run there.
 * Orders of summation are fixed by the shape (taps ascending; 16 lanes of q, then a fixed lane tree),
 * not by the machine's vector width: narrower vectors ({@link Gemm#L}) cover the same lanes in passes.
 */
final class ConvSmall {
  private ConvSmall() {}

  static final int MAX_O = 4;
  private static final VectorSpecies<Float> S = Gemm.S;
  private static final int L = Gemm.L;
  /** Positions per block (the padding of the flat buffers), whatever the vector width. */
  private static final int QB = 128;
  /** Positions per pass of eight accumulators: QB on 16-float vectors, QB / 2 on 8-float ones. */
  private static final int QA = 8 * L;

  /** Flat positions per image, rounded up to a whole block. */
  static int flatLen(Conv.Geo g) {
    return (g.Ho * g.Wq + QB - 1) / QB * QB;
  }

  /** Room to leave after an image's phase buffer so that whole blocks can be read. */
  static int slack(Conv.Geo g) {
    return flatLen(g) + QB;
  }

  static void forward(Conv.Geo g, float[] x, int xOff, float[] w, int wOff, float[] y, int yOff, boolean accumulate) {
    int[] phaseOff = g.phaseOffsets();
    int K = g.K, Q = flatLen(g);
    Parallel.run(g.N, n -> {
      Bufs b = BUFS.get();
      float[] xph = b.xph = Gemm.grow(b.xph, (long) g.imgQ + slack(g));
      g.buildPhase(x, xOff, n, 1, xph, 0);
      java.util.Arrays.fill(xph, g.imgQ, g.imgQ + slack(g), 0f);
      float[] out = b.out = Gemm.grow(b.out, QB);
      for (int o = 0; o < g.O; o++) {
        int wo = wOff + o * K;
        for (int q0 = 0; q0 < Q; q0 += QB) {
          for (int h = 0; h < QB; h += QA) {
            FloatVector a0 = FloatVector.zero(S), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
            for (int kk = 0; kk < K; kk++) {
              FloatVector wv = FloatVector.broadcast(S, w[wo + kk]);
              int base = phaseOff[kk] + q0 + h;
              a0 = wv.fma(FloatVector.fromArray(S, xph, base), a0);
              a1 = wv.fma(FloatVector.fromArray(S, xph, base + L), a1);
              a2 = wv.fma(FloatVector.fromArray(S, xph, base + 2 * L), a2);
              a3 = wv.fma(FloatVector.fromArray(S, xph, base + 3 * L), a3);
              a4 = wv.fma(FloatVector.fromArray(S, xph, base + 4 * L), a4);
              a5 = wv.fma(FloatVector.fromArray(S, xph, base + 5 * L), a5);
              a6 = wv.fma(FloatVector.fromArray(S, xph, base + 6 * L), a6);
              a7 = wv.fma(FloatVector.fromArray(S, xph, base + 7 * L), a7);
            }
            a0.intoArray(out, h);
            a1.intoArray(out, h + L);
            a2.intoArray(out, h + 2 * L);
            a3.intoArray(out, h + 3 * L);
            a4.intoArray(out, h + 4 * L);
            a5.intoArray(out, h + 5 * L);
            a6.intoArray(out, h + 6 * L);
            a7.intoArray(out, h + 7 * L);
          }
          int dst = yOff + (n * g.O + o) * g.HoWo;
          for (int t = 0; t < QB; t++) {
            int q = q0 + t, i = q / g.Wq, j = q - i * g.Wq;
            if (i >= g.Ho || j >= g.Wo) continue;
            int d = dst + i * g.Wo + j;
            y[d] = accumulate ? y[d] + out[t] : out[t];
          }
        }
      }
    });
  }

  /** dyq[o][q] = dy[n, o, i, j] for j < Wo, 0 elsewhere (flat layout with row pitch Wq). */
  static void flatDy(Conv.Geo g, float[] dy, int dyOff, int n, float[] dyq, int dOff) {
    int Q = flatLen(g);
    for (int o = 0; o < g.O; o++) {
      int d = dOff + o * Q, s = dyOff + (n * g.O + o) * g.HoWo;
      java.util.Arrays.fill(dyq, d, d + Q, 0f);
      for (int i = 0; i < g.Ho; i++) System.arraycopy(dy, s + i * g.Wo, dyq, d + i * g.Wq, g.Wo);
    }
  }

  /** Zero rows in front of the flat dy so that taps reaching before the first output read zeros. */
  static int margin(Conv.Geo g) {
    int m = ((g.kh - 1) / g.sh) * g.Wq + (g.kw - 1) / g.sw;
    return (m + 15) / 16 * 16;
  }

  /**
   * dx as a gather: each plane (c, pu, pv) of the phase buffer is computed in blocks of QB positions,
   * {@code sum over o, u = pu + a sh, v = pv + b sw of w[o,c,u,v] * dyq[o][p - a Wq - b]}, in that
   * order (dyq has zero margins, and columns j >= Wo are zero, so out-of-range taps read zeros).
   */
  static void backwardInput(Conv.Geo g, float[] dy, int dyOff, float[] w, int wOff, float[] dx, int dxOff, boolean accumulate) {
    int K = g.K, O = g.O, P = g.planeQ;
    int M = margin(g);
    int QD = M + (P + QB - 1) / QB * QB + QB; // per-o length of the padded flat dy
    Parallel.run(g.N, n -> {
      Bufs b = BUFS.get();
      float[] xph = b.xph = Gemm.grow(b.xph, (long) g.imgQ + QB);
      float[] dyq = b.out = Gemm.grow(b.out, (long) O * QD);
      for (int o = 0; o < O; o++) {
        int d = o * QD, s = dyOff + (n * O + o) * g.HoWo;
        java.util.Arrays.fill(dyq, d, d + QD, 0f);
        for (int i = 0; i < g.Ho; i++) System.arraycopy(dy, s + i * g.Wo, dyq, d + M + i * g.Wq, g.Wo);
      }
      for (int c = 0; c < g.C; c++)
        for (int pu = 0; pu < g.sh; pu++)
          for (int pv = 0; pv < g.sw; pv++) {
            int plane = ((c * g.sh + pu) * g.sw + pv) * P;
            for (int p0 = 0; p0 < P; p0 += QA) {
              FloatVector a0 = FloatVector.zero(S), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
              for (int o = 0; o < O; o++)
                for (int u = pu; u < g.kh; u += g.sh)
                  for (int v = pv; v < g.kw; v += g.sw) {
                    FloatVector wv = FloatVector.broadcast(S, w[wOff + o * K + (c * g.kh + u) * g.kw + v]);
                    int src = o * QD + M + p0 - (u / g.sh) * g.Wq - v / g.sw;
                    a0 = wv.fma(FloatVector.fromArray(S, dyq, src), a0);
                    a1 = wv.fma(FloatVector.fromArray(S, dyq, src + L), a1);
                    a2 = wv.fma(FloatVector.fromArray(S, dyq, src + 2 * L), a2);
                    a3 = wv.fma(FloatVector.fromArray(S, dyq, src + 3 * L), a3);
                    a4 = wv.fma(FloatVector.fromArray(S, dyq, src + 4 * L), a4);
                    a5 = wv.fma(FloatVector.fromArray(S, dyq, src + 5 * L), a5);
                    a6 = wv.fma(FloatVector.fromArray(S, dyq, src + 6 * L), a6);
                    a7 = wv.fma(FloatVector.fromArray(S, dyq, src + 7 * L), a7);
                  }
              // blocks run past the plane into the next one, which is written afterwards
              a0.intoArray(xph, plane + p0);
              a1.intoArray(xph, plane + p0 + L);
              a2.intoArray(xph, plane + p0 + 2 * L);
              a3.intoArray(xph, plane + p0 + 3 * L);
              a4.intoArray(xph, plane + p0 + 4 * L);
              a5.intoArray(xph, plane + p0 + 5 * L);
              a6.intoArray(xph, plane + p0 + 6 * L);
              a7.intoArray(xph, plane + p0 + 7 * L);
            }
          }
      g.unbuildPhase(xph, n, 1, dx, dxOff, accumulate);
    });
  }

  /**
   * dw: per image (a split fixed by the shape), dot products of the flat dy with each tap's run
   * (two lane accumulators alternating over q, summed, then the fixed lane tree); then the images'
   * partials are added in ascending image order.
   */
  static void backwardWeight(Conv.Geo g, float[] x, int xOff, float[] dy, int dyOff, float[] dw, int dwOff, boolean accumulate) {
    int[] phaseOff = g.phaseOffsets();
    int K = g.K, Q = flatLen(g), O = g.O, N = g.N;
    float[] part = new float[N * O * K];
    Parallel.run(N, n -> {
      Bufs b = BUFS.get();
      float[] xph = b.xph = Gemm.grow(b.xph, (long) g.imgQ + slack(g));
      g.buildPhase(x, xOff, n, 1, xph, 0);
      java.util.Arrays.fill(xph, g.imgQ, g.imgQ + slack(g), 0f);
      float[] dyq = b.out = Gemm.grow(b.out, (long) O * Q);
      flatDy(g, dy, dyOff, n, dyq, 0);
      float[] lanes = b.lanes;
      for (int o = 0; o < O; o++) {
        int db = o * Q, kk = 0;
        // four taps at a time share each load of dy; every tap keeps its own two accumulators
        for (; kk + 4 <= K; kk += 4) {
          int xa = phaseOff[kk], xb = phaseOff[kk + 1], xc = phaseOff[kk + 2], xd = phaseOff[kk + 3];
          for (int h = 0; h < 16; h += L) { // lanes h .. h + L of the 16
            FloatVector a0 = FloatVector.zero(S), a1 = a0, b0 = a0, b1 = a0, c0 = a0, c1 = a0, d0 = a0, d1 = a0;
            for (int q = h; q < Q; q += 32) {
              FloatVector y0 = FloatVector.fromArray(S, dyq, db + q), y1 = FloatVector.fromArray(S, dyq, db + q + 16);
              a0 = FloatVector.fromArray(S, xph, xa + q).fma(y0, a0);
              a1 = FloatVector.fromArray(S, xph, xa + q + 16).fma(y1, a1);
              b0 = FloatVector.fromArray(S, xph, xb + q).fma(y0, b0);
              b1 = FloatVector.fromArray(S, xph, xb + q + 16).fma(y1, b1);
              c0 = FloatVector.fromArray(S, xph, xc + q).fma(y0, c0);
              c1 = FloatVector.fromArray(S, xph, xc + q + 16).fma(y1, c1);
              d0 = FloatVector.fromArray(S, xph, xd + q).fma(y0, d0);
              d1 = FloatVector.fromArray(S, xph, xd + q + 16).fma(y1, d1);
            }
            a0.add(a1).intoArray(lanes, h);
            b0.add(b1).intoArray(lanes, 16 + h);
            c0.add(c1).intoArray(lanes, 32 + h);
            d0.add(d1).intoArray(lanes, 48 + h);
          }
          int at = (n * O + o) * K + kk;
          for (int t = 0; t < 4; t++) part[at + t] = Gemm.sumLanes(lanes, 16 * t);
        }
        for (; kk < K; kk++) {
          int xa = phaseOff[kk];
          for (int h = 0; h < 16; h += L) {
            FloatVector a0 = FloatVector.zero(S), a1 = a0;
            for (int q = h; q < Q; q += 32) {
              a0 = FloatVector.fromArray(S, xph, xa + q).fma(FloatVector.fromArray(S, dyq, db + q), a0);
              a1 = FloatVector.fromArray(S, xph, xa + q + 16).fma(FloatVector.fromArray(S, dyq, db + q + 16), a1);
            }
            a0.add(a1).intoArray(lanes, h);
          }
          part[(n * O + o) * K + kk] = Gemm.sumLanes(lanes, 0);
        }
      }
    });
    int OK = O * K;
    int tasks = Math.max(1, Math.min(16, OK / 256));
    Parallel.run(tasks, t -> {
      for (int e = t * OK / tasks, end = (t + 1) * OK / tasks; e < end; e++) {
        float s = accumulate ? dw[dwOff + e] : 0f;
        for (int n = 0; n < N; n++) s += part[n * OK + e];
        dw[dwOff + e] = s;
      }
    });
  }

  private static final class Bufs {
    float[] xph = new float[0], out = new float[0], lanes = new float[64];
  }

  private static final ThreadLocal<Bufs> BUFS = ThreadLocal.withInitial(Bufs::new);
}

package wganc.runtime.kernels;

import jdk.incubator.vector.FloatVector;

/**
 * 2-D convolution (cross-correlation, as every framework computes it), NCHW activations and
 * OIHW weights, float32: the forward pass and both backward passes, with strides and explicit
 * (possibly asymmetric) zero padding.
 *
 * <p>{@code y[n,o,i,j] = sum_{c,u,v} w[o,c,u,v] * x[n,c, i*sh+u-padTop, j*sw+v-padLeft]} (terms outside
 * x are zero); {@code Ho = (H + padTop + padBottom - kh) / sh + 1}, likewise Wo.
 *
 * <h2>Method</h2>
 * Each pass is a matrix product computed by {@link Gemm}'s micro-kernels on packed panels. The
 * input of a group of images is first copied into a zero-padded, stride-phase-split buffer
 * ({@code xph[img][c][u%sh][v%sw][hq][wq]}), so that the im2col matrix is never formed: its packed
 * panels are gathered straight from that buffer with precomputed offsets and no bounds tests. The
 * backward-input pass accumulates the column matrix back (col2im) into the same kind of buffer.
 * <ul>
 * <li>forward: {@code Y_g[O, cols] = W[O, K] * col_g[K, cols]}, K = C kh kw, per group of images
 *     (parallel over groups and blocks of output channels);</li>
 * <li>backwardInput: {@code dcol_g = W^T * dY_g}, then col2im, per group of images;</li>
 * <li>backwardWeight: {@code dW = sum over chunks of images of dY_chunk * col_chunk^T}, parallel
 *     over tiles of dW inside each chunk.</li>
 * </ul>
 *
 * <h2>Determinism</h2>
 * Image groups and chunks depend only on the shape; each output element is computed by one task
 * with the fixed operation order of {@link Gemm}; so results are bit-identical for any thread
 * count. {@code conv_transpose} is {@link #backwardInput} with the transposed layer's sizes: its
 * output (here dx, H x W) may be larger than the plain transpose needs; positions that no term
 * reaches are zero.
 */
public final class Conv {
  private Conv() {}

  /** How backwardInput runs: by phases ({@link #byPhases}) where it pays, always, or never (col2im); tests compare them. */
  enum Phases { AUTO, ALWAYS, NEVER }

  static volatile Phases phases = Phases.AUTO;

  /** Positions per phase of dx below which backwardInput keeps col2im (AUTO). */
  static final int MIN_PHASE = 36;

  /** Output size {@code (in + padBefore + padAfter - k) / s + 1}. */
  public static int outSize(int in, int k, int s, int padBefore, int padAfter) {
    int o = (in + padBefore + padAfter - k) / s + 1;
    if (in + padBefore + padAfter < k || o < 1)
      throw new IllegalArgumentException("kernel " + k + " larger than padded input " + (in + padBefore + padAfter));
    return o;
  }

  /** TensorFlow 'same' padding {before, after}: total = max((ceil(in/s)-1)*s + k - in, 0), before = total/2. */
  public static int[] samePadding(int in, int k, int s) {
    int out = (in + s - 1) / s;
    int total = Math.max((out - 1) * s + k - in, 0);
    return new int[] {total / 2, total - total / 2};
  }

  // ---- public API ---------------------------------------------------------------------------

  /** y[N,O,Ho,Wo] = conv(x[N,C,H,W], w[O,C,kh,kw]); Ho, Wo from the padding. y is overwritten. */
  public static void forward(float[] x, int N, int C, int H, int W, float[] w, int O, int kh, int kw,
      int sh, int sw, int padTop, int padBottom, int padLeft, int padRight, float[] y) {
    forward(x, 0, N, C, H, W, w, 0, O, kh, kw, sh, sw, padTop, padLeft,
        outSize(H, kh, sh, padTop, padBottom), outSize(W, kw, sw, padLeft, padRight), y, 0, false);
  }

  /** dx[N,C,H,W] = the gradient of {@link #forward} w.r.t. x, from dy[N,O,Ho,Wo]. dx is overwritten. */
  public static void backwardInput(float[] dy, int N, int C, int H, int W, float[] w, int O, int kh, int kw,
      int sh, int sw, int padTop, int padBottom, int padLeft, int padRight, float[] dx) {
    backwardInput(dy, 0, N, C, H, W, w, 0, O, kh, kw, sh, sw, padTop, padLeft,
        outSize(H, kh, sh, padTop, padBottom), outSize(W, kw, sw, padLeft, padRight), dx, 0, false);
  }

  /** dw[O,C,kh,kw] = the gradient of {@link #forward} w.r.t. w (summed over the batch). dw is overwritten. */
  public static void backwardWeight(float[] x, float[] dy, int N, int C, int H, int W, int O, int kh, int kw,
      int sh, int sw, int padTop, int padBottom, int padLeft, int padRight, float[] dw) {
    backwardWeight(x, 0, dy, 0, N, C, H, W, O, kh, kw, sh, sw, padTop, padLeft,
        outSize(H, kh, sh, padTop, padBottom), outSize(W, kw, sw, padLeft, padRight), dw, 0, false);
  }

  /**
   * Forward with offsets and explicit output size: x at xOff (N,C,H,W), w at wOff (O,C,kh,kw), y at
   * yOff (N,O,Ho,Wo); {@code y = conv} or, with accumulate, {@code y += conv}.
   */
  public static void forward(float[] x, int xOff, int N, int C, int H, int W, float[] w, int wOff,
      int O, int kh, int kw, int sh, int sw, int padTop, int padLeft, int Ho, int Wo,
      float[] y, int yOff, boolean accumulate) {
    Geo g = new Geo(N, C, H, W, O, kh, kw, sh, sw, padTop, padLeft, Ho, Wo);
    check("x", x, xOff, (long) N * C * H * W);
    check("w", w, wOff, (long) O * g.K);
    check("y", y, yOff, (long) N * O * g.HoWo);
    if (N == 0 || O == 0) return;
    if (O <= ConvSmall.MAX_O) {
      ConvSmall.forward(g, x, xOff, w, wOff, y, yOff, accumulate);
      return;
    }
    int K = g.K, panelsA = (O + Gemm.MR - 1) / Gemm.MR;
    float[] ap = SHARED.get().a = Gemm.grow(SHARED.get().a, (long) panelsA * Gemm.MR * K);
    int[] phaseOff = g.phaseOffsets();
    int G = g.groupSize(128);
    int groups = (N + G - 1) / G;
    int threads = Parallel.threads();
    int oBlocks = Math.max(1, Math.min(panelsA / 2, (3 * threads + groups - 1) / groups));
    if (threads == 1 || Parallel.inTask()) oBlocks = 1;
    final int ob = oBlocks;
    Parallel.run(Math.min(panelsA, 8), t -> {
      for (int q = t * panelsA / Math.min(panelsA, 8), e = (t + 1) * panelsA / Math.min(panelsA, 8); q < e; q++)
        Gemm.packA(q, O, K, w, wOff, K, 1, ap);
    });
    Parallel.run(groups * ob, task -> {
      int grp = task / ob, blk = task % ob;
      int n0 = grp * G, gn = Math.min(G, N - n0);
      int cols = gn * g.HoWo;
      Work wk = WORK.get();
      float[] xph = wk.xph = Gemm.grow(wk.xph, (long) gn * g.imgQ);
      g.buildPhase(x, xOff, n0, gn, xph);
      int[] rel = wk.rel = growInt(wk.rel, cols + 32);
      g.columnOffsets(gn, rel);
      int panelsB = (cols + Gemm.NR - 1) / Gemm.NR;
      float[] bp = wk.bp = Gemm.grow(wk.bp, (long) panelsB * Gemm.NR * K);
      int qa0 = blk * panelsA / ob, qa1 = (blk + 1) * panelsA / ob;
      boolean direct = gn == 1;
      float[] cs = direct ? y : (wk.c = Gemm.grow(wk.c, (long) O * cols));
      int cOff = direct ? yOff + n0 * O * g.HoWo : 0, ldc = direct ? g.HoWo : cols;
      float beta = direct && accumulate ? 1f : 0f;
      // each k block of the im2col panels is gathered just before its products, while in cache
      int nkb = Gemm.kBlocks(K);
      for (int kb = 0; kb < nkb; kb++) {
        int p0 = Gemm.kBlockStart(kb, K, nkb), p1 = Gemm.kBlockStart(kb + 1, K, nkb);
        for (int q = 0; q < panelsB; q++) packGather(q, cols, K, p0, p1, xph, phaseOff, rel, bp);
        Gemm.tileBlock(O, cols, K, kb, 1f, ap, bp, beta, cs, cOff, ldc, qa0, qa1, 0, panelsB);
      }
      if (!direct) {
        int o1 = Math.min(O, qa1 * Gemm.MR);
        for (int gi = 0; gi < gn; gi++)
          for (int o = qa0 * Gemm.MR; o < o1; o++) {
            int dst = yOff + ((n0 + gi) * O + o) * g.HoWo, src = o * cols + gi * g.HoWo;
            if (accumulate) for (int t = 0; t < g.HoWo; t++) y[dst + t] += cs[src + t];
            else System.arraycopy(cs, src, y, dst, g.HoWo);
          }
      }
    });
  }

  /**
   * Gradient w.r.t. the input, with offsets and explicit sizes: dy at dyOff (N,O,Ho,Wo), w at wOff
   * (O,C,kh,kw), dx at dxOff (N,C,H,W); {@code dx = grad} or, with accumulate, {@code dx += grad}.
   * Also the forward pass of conv_transpose (x of the transposed layer = dy here, its output = dx).
   */
  public static void backwardInput(float[] dy, int dyOff, int N, int C, int H, int W, float[] w, int wOff,
      int O, int kh, int kw, int sh, int sw, int padTop, int padLeft, int Ho, int Wo,
      float[] dx, int dxOff, boolean accumulate) {
    Geo g = new Geo(N, C, H, W, O, kh, kw, sh, sw, padTop, padLeft, Ho, Wo);
    check("dy", dy, dyOff, (long) N * O * g.HoWo);
    check("w", w, wOff, (long) O * g.K);
    check("dx", dx, dxOff, (long) N * C * H * W);
    if (N == 0 || C == 0) return;
    if (O <= ConvSmall.MAX_O) {
      ConvSmall.backwardInput(g, dy, dyOff, w, wOff, dx, dxOff, accumulate);
      return;
    }
    if (phases != Phases.NEVER && byPhases(g, dy, dyOff, w, wOff, dx, dxOff, accumulate)) return;
    int K = g.K, panelsA = (K + Gemm.MR - 1) / Gemm.MR;
    float[] ap = SHARED.get().a = Gemm.grow(SHARED.get().a, (long) panelsA * Gemm.MR * O);
    int[] phaseOff = g.phaseOffsets();
    int G = g.groupSize(64);
    int groups = (N + G - 1) / G;
    Parallel.run(Math.min(panelsA, 8), t -> {
      for (int q = t * panelsA / Math.min(panelsA, 8), e = (t + 1) * panelsA / Math.min(panelsA, 8); q < e; q++)
        Gemm.packA(q, K, O, w, wOff, 1, K, ap); // W^T: K x O
    });
    Parallel.run(groups, grp -> {
      int n0 = grp * G, gn = Math.min(G, N - n0);
      int cols = gn * g.HoWo;
      Work wk = WORK.get();
      int panelsB = (cols + Gemm.NR - 1) / Gemm.NR;
      float[] bp = wk.bp = Gemm.grow(wk.bp, (long) panelsB * Gemm.NR * O);
      for (int q = 0; q < panelsB; q++) packDy(q, cols, O, g.HoWo, dy, dyOff + n0 * O * g.HoWo, bp);
      float[] dcol = wk.c = Gemm.grow(wk.c, (long) K * cols);
      Gemm.tile(K, cols, O, 1f, ap, bp, 0f, dcol, 0, cols, 0, panelsA, 0, panelsB);
      float[] xph = wk.xph = Gemm.grow(wk.xph, (long) gn * g.imgQ);
      java.util.Arrays.fill(xph, 0, gn * g.imgQ, 0f);
      int[] rel = wk.rel = growInt(wk.rel, cols + 32);
      g.columnOffsets(gn, rel);
      // col2im: for one tap p the positions rel[j] are distinct, so gather-add-scatter is exact
      int cv = cols - cols % 16;
      for (int p = 0; p < K; p++) {
        int base = phaseOff[p], row = p * cols;
        for (int j = 0; j < cv; j += Gemm.L)
          FloatVector.fromArray(Gemm.S, xph, base, rel, j).add(FloatVector.fromArray(Gemm.S, dcol, row + j))
              .intoArray(xph, base, rel, j);
        for (int j = cv; j < cols; j++) xph[base + rel[j]] += dcol[row + j];
      }
      g.unbuildPhase(xph, n0, gn, dx, dxOff, accumulate);
    });
  }

  /**
   * Gradient w.r.t. the weights, with offsets and explicit sizes: x at xOff, dy at dyOff, dw at
   * dwOff (O,C,kh,kw); {@code dw = grad} or, with accumulate, {@code dw += grad}.
   */
  public static void backwardWeight(float[] x, int xOff, float[] dy, int dyOff, int N, int C, int H, int W,
      int O, int kh, int kw, int sh, int sw, int padTop, int padLeft, int Ho, int Wo,
      float[] dw, int dwOff, boolean accumulate) {
    Geo g = new Geo(N, C, H, W, O, kh, kw, sh, sw, padTop, padLeft, Ho, Wo);
    check("x", x, xOff, (long) N * C * H * W);
    check("dy", dy, dyOff, (long) N * O * g.HoWo);
    check("dw", dw, dwOff, (long) O * g.K);
    if (O == 0 || C == 0) return;
    int K = g.K;
    if (N == 0) {
      if (!accumulate) java.util.Arrays.fill(dw, dwOff, dwOff + O * K, 0f);
      return;
    }
    if (O <= ConvSmall.MAX_O) {
      ConvSmall.backwardWeight(g, x, xOff, dy, dyOff, dw, dwOff, accumulate);
      return;
    }
    int[] phaseOff = g.phaseOffsets();
    // chunk of images: the packed im2col^T chunk stays below ~2M floats; fixed by the shape alone
    int G = (int) Math.max(1, Math.min(N, (2L << 20) / K / g.HoWo));
    int chunks = (N + G - 1) / G;
    int panelsA = (O + Gemm.MR - 1) / Gemm.MR, panelsB = (K + Gemm.NR - 1) / Gemm.NR;
    Shared sh0 = SHARED.get();
    boolean par = Parallel.threads() > 1 && !Parallel.inTask();
    for (int ch = 0; ch < chunks; ch++) {
      int n0 = ch * G, gn = Math.min(G, N - n0);
      int R = gn * g.HoWo;
      float[] xph = sh0.xph = Gemm.grow(sh0.xph, (long) gn * g.imgQ);
      float[] ap = sh0.a = Gemm.grow(sh0.a, (long) panelsA * Gemm.MR * R);
      float[] bp = sh0.b = Gemm.grow(sh0.b, (long) panelsB * Gemm.NR * R);
      int[] rel = sh0.rel = growInt(sh0.rel, R + 32);
      g.columnOffsets(gn, rel);
      int dyBase = dyOff + n0 * O * g.HoWo;
      Parallel.run(gn + panelsA, t -> {
        if (t < gn) g.buildPhase(x, xOff, n0 + t, 1, xph, t * g.imgQ);
        else packDyT(t - gn, O, R, g.HoWo, dy, dyBase, ap);
      });
      Parallel.run(panelsB, q -> packGatherT(q, K, R, xph, phaseOff, rel, bp));
      float beta = ch == 0 && !accumulate ? 0f : 1f;
      Gemm.multiplyPacked(O, K, R, 1f, ap, bp, beta, dw, dwOff, K, par);
    }
  }

  /**
   * {@link #backwardInput} as {@code sh * sw} stride-1 forward convolutions of dy, one per phase
   * {@code (h % sh, w % sw)} of dx: only the taps {@code u = r, r + sh, ..} ({@code r = (ph + pt) % sh})
   * reach rows of phase ph, at dy row {@code hq + (ph + pt) / sh - a} for tap {@code r + a sh}, so the
   * phase is a correlation of dy with those taps flipped, as weights {@code [C, O, ka, kb]}, written to
   * its strided positions of dx. No column matrix and no col2im: the forward pass's packing and tiles
   * (its sums over (o, a, b) in that order). False, having done nothing, where a phase would need
   * negative padding (a padding of a stride or more beyond the kernel), which the col2im path handles,
   * and where phases are small or dx has few channels, where col2im is faster.
   */
  private static boolean byPhases(Geo g, float[] dy, int dyOff, float[] w, int wOff, float[] dx, int dxOff,
      boolean accumulate) {
    int[] ka = new int[g.sh], top = new int[g.sh], kb = new int[g.sw], left = new int[g.sw];
    for (int ph = 0; ph < g.sh; ph++) {
      ka[ph] = Math.max(0, ceilDiv(g.kh - (ph + g.pt) % g.sh, g.sh));
      top[ph] = ka[ph] - 1 - (ph + g.pt) / g.sh;
      if (ka[ph] > 0 && top[ph] < 0) return false;
    }
    for (int pw = 0; pw < g.sw; pw++) {
      kb[pw] = Math.max(0, ceilDiv(g.kw - (pw + g.pl) % g.sw, g.sw));
      left[pw] = kb[pw] - 1 - (pw + g.pl) / g.sw;
      if (kb[pw] > 0 && left[pw] < 0) return false;
    }
    int N = g.N, C = g.C, O = g.O, H = g.H, W = g.W;
    // measured (in-process A/B, 2 threads): phases of fewer than ~36 positions, or of at most
    // ConvSmall.MAX_O channels (its direct loops), run slower than one large col2im product
    if (phases == Phases.AUTO && (C <= ConvSmall.MAX_O || (H / g.sh) * (W / g.sw) < MIN_PHASE)) return false;
    Shared sd = SHARED.get();
    for (int ph = 0; ph < g.sh; ph++) {
      int hph = ceilDiv(H - ph, g.sh), r = (ph + g.pt) % g.sh;
      for (int pw = 0; pw < g.sw; pw++) {
        int wph = ceilDiv(W - pw, g.sw), q = (pw + g.pl) % g.sw;
        if (hph <= 0 || wph <= 0) continue;
        int a = ka[ph], b = kb[pw];
        float[] y = null;
        if (a > 0 && b > 0) {
          float[] wp = sd.phaseW = Gemm.grow(sd.phaseW, (long) C * O * a * b);
          for (int c = 0; c < C; c++)
            for (int o = 0; o < O; o++)
              for (int i = 0; i < a; i++)
                for (int j = 0; j < b; j++)
                  wp[((c * O + o) * a + i) * b + j] =
                      w[wOff + ((o * C + c) * g.kh + r + (a - 1 - i) * g.sh) * g.kw + q + (b - 1 - j) * g.sw];
          y = sd.phaseY = Gemm.grow(sd.phaseY, (long) N * C * hph * wph);
          forward(dy, dyOff, N, O, g.Ho, g.Wo, wp, 0, C, a, b, 1, 1, top[ph], left[pw], hph, wph, y, 0, false);
        } else if (accumulate) {
          continue; // no tap reaches this phase
        }
        final float[] ys = y;
        final int p0 = ph, p1 = pw;
        Parallel.run(N, n -> {
          for (int c = 0; c < C; c++)
            for (int hq = 0; hq < hph; hq++) {
              int d = dxOff + ((n * C + c) * H + hq * g.sh + p0) * W + p1, src = ((n * C + c) * hph + hq) * wph;
              if (ys == null) for (int wq = 0; wq < wph; wq++) dx[d + wq * g.sw] = 0f;
              else if (accumulate) for (int wq = 0; wq < wph; wq++) dx[d + wq * g.sw] += ys[src + wq];
              else for (int wq = 0; wq < wph; wq++) dx[d + wq * g.sw] = ys[src + wq];
            }
        });
      }
    }
    return true;
  }

  // ---- packing -------------------------------------------------------------------------------

  /** Rows [p0, p1) of B panel q (columns = output positions) for the forward pass: (p, j) = xph[phaseOff[p] + rel[j]]. */
  static void packGather(int q, int cols, int K, int p0, int p1, float[] xph, int[] phaseOff, int[] rel, float[] bp) {
    int j0 = q * Gemm.NR, wd = Gemm.panelWidth(q, cols);
    int d = q * Gemm.NR * K;
    // vector gathers (vgatherdps), about twice the speed of scalar loads; rel is padded to whole
    // panels with valid offsets, and the columns past the real ones are never stored into C
    for (int p = p0; p < p1; p++) {
      int base = phaseOff[p], o = d + p * wd;
      for (int h = 0; h < wd; h += Gemm.L) FloatVector.fromArray(Gemm.S, xph, base, rel, j0 + h).intoArray(bp, o + h);
    }
  }

  /** B panel q (columns = kernel taps kk) for backwardWeight: (r, kk) = xph[rel[r] + phaseOff[kk]]. */
  static void packGatherT(int q, int K, int R, float[] xph, int[] phaseOff, int[] rel, float[] bp) {
    int k0 = q * Gemm.NR, wd = Gemm.panelWidth(q, K);
    int d = q * Gemm.NR * R;
    for (int r = 0; r < R; r++) {
      int base = rel[r], o = d + r * wd;
      for (int h = 0; h < wd; h += Gemm.L) FloatVector.fromArray(Gemm.S, xph, base, phaseOff, k0 + h).intoArray(bp, o + h);
    }
  }

  /** B panel q for backwardInput: (o, j = (img, pos)) = dy[img*O*HoWo + o*HoWo + pos]. */
  static void packDy(int q, int cols, int O, int HoWo, float[] dy, int dyBase, float[] bp) {
    int j0 = q * Gemm.NR, nc = Gemm.panelCols(q, cols), wd = Gemm.panelWidth(q, cols);
    int d = q * Gemm.NR * O;
    if (nc == Gemm.NR && HoWo % 16 == 0) {
      for (int o = 0; o < O; o++)
        for (int h = 0; h < Gemm.NR; h += Gemm.L) {
          int j = j0 + h, img = j / HoWo, pos = j - img * HoWo;
          FloatVector.fromArray(Gemm.S, dy, dyBase + (img * O + o) * HoWo + pos).intoArray(bp, d + o * Gemm.NR + h);
        }
      return;
    }
    int img0 = j0 / HoWo, pos0 = j0 - img0 * HoWo;
    for (int o = 0; o < O; o++) {
      int dst = d + o * wd;
      int img = img0, pos = pos0, s = dyBase + (img * O + o) * HoWo + pos;
      for (int jj = 0; jj < nc; jj++) {
        bp[dst + jj] = dy[s++];
        if (++pos == HoWo) {
          pos = 0;
          img++;
          s = dyBase + (img * O + o) * HoWo;
        }
      }
      for (int jj = nc; jj < wd; jj++) bp[dst + jj] = 0f;
    }
  }

  /** A panel q for backwardWeight: rows o, reduction index r = (img, pos): dy[img*O*HoWo + o*HoWo + pos]. */
  static void packDyT(int q, int O, int R, int HoWo, float[] dy, int dyBase, float[] ap) {
    int rows = Gemm.panelRows(q, O), o0 = q * Gemm.MR;
    int d = q * Gemm.MR * R;
    int imgs = R / HoWo;
    for (int i = 0; i < rows; i++)
      for (int img = 0; img < imgs; img++) {
        int s = dyBase + (img * O + o0 + i) * HoWo, r0 = img * HoWo;
        for (int pos = 0; pos < HoWo; pos++) ap[d + (r0 + pos) * rows + i] = dy[s + pos];
      }
  }

  // ---- geometry ------------------------------------------------------------------------------

  static final class Geo {
    final int N, C, H, W, O, kh, kw, sh, sw, pt, pl, Ho, Wo, HoWo, K, Hq, Wq, planeQ, imgQ;

    Geo(int N, int C, int H, int W, int O, int kh, int kw, int sh, int sw, int pt, int pl, int Ho, int Wo) {
      if (N < 0 || C < 0 || H < 1 || W < 1 || O < 0 || kh < 1 || kw < 1 || sh < 1 || sw < 1 || Ho < 1 || Wo < 1)
        throw new IllegalArgumentException("bad conv geometry N=" + N + " C=" + C + " H=" + H + " W=" + W
            + " O=" + O + " k=" + kh + "x" + kw + " s=" + sh + "x" + sw + " out=" + Ho + "x" + Wo);
      if (pt < 0 || pl < 0) throw new IllegalArgumentException("negative padding");
      this.N = N; this.C = C; this.H = H; this.W = W; this.O = O; this.kh = kh; this.kw = kw;
      this.sh = sh; this.sw = sw; this.pt = pt; this.pl = pl; this.Ho = Ho; this.Wo = Wo;
      HoWo = Ho * Wo;
      K = C * kh * kw;
      int hp = (Ho - 1) * sh + kh, wp = (Wo - 1) * sw + kw; // padded extent that the taps reach
      Hq = (hp + sh - 1) / sh;
      Wq = (wp + sw - 1) / sw;
      planeQ = Hq * Wq;
      long img = (long) C * sh * sw * planeQ;
      if (img * Math.max(1, N) > Integer.MAX_VALUE / 2) throw new IllegalArgumentException("conv too large");
      imgQ = (int) img;
    }

    /** Images per group so that a group has at least about {@code minCols} output positions. */
    int groupSize(int minCols) {
      return Math.max(1, Math.min(N, (minCols + HoWo - 1) / HoWo));
    }

    /** Offset in xph of tap kk = (c, u, v) relative to an output position's base. */
    int[] phaseOffsets() {
      int[] off = new int[(K + 31) / 32 * 32]; // padded with 0 (a valid offset) for whole-panel gathers
      for (int c = 0; c < C; c++)
        for (int u = 0; u < kh; u++)
          for (int v = 0; v < kw; v++)
            off[(c * kh + u) * kw + v] = c * sh * sw * planeQ + ((u % sh) * sw + v % sw) * planeQ
                + (u / sh) * Wq + v / sw;
      return off;
    }

    /** Base offset in xph of output position j = (img, i, jj) for the images of a group. */
    void columnOffsets(int gn, int[] rel) {
      for (int img = 0, j = 0; img < gn; img++)
        for (int i = 0; i < Ho; i++)
          for (int jj = 0; jj < Wo; jj++) rel[j++] = img * imgQ + i * Wq + jj;
      for (int j = gn * HoWo, e = (gn * HoWo + 31) / 32 * 32; j < e; j++) rel[j] = 0;
    }

    void buildPhase(float[] x, int xOff, int n0, int gn, float[] xph) {
      buildPhase(x, xOff, n0, gn, xph, 0);
    }

    /** xph[img][c][pu][pv][hq][wq] = x[n0+img, c, hq*sh+pu-pt, wq*sw+pv-pl], zero outside x. */
    void buildPhase(float[] x, int xOff, int n0, int gn, float[] xph, int dOff) {
      for (int img = 0; img < gn; img++)
        for (int c = 0; c < C; c++) {
          int src = xOff + ((n0 + img) * C + c) * H * W;
          for (int pu = 0; pu < sh; pu++)
            for (int pv = 0; pv < sw; pv++) {
              int d = dOff + img * imgQ + ((c * sh + pu) * sw + pv) * planeQ;
              // valid wq: 0 <= wq*sw + pv - pl < W
              int wq0 = Math.max(0, ceilDiv(pl - pv, sw)), wq1 = Math.min(Wq, ceilDiv(W + pl - pv, sw));
              for (int hq = 0; hq < Hq; hq++) {
                int h = hq * sh + pu - pt, row = d + hq * Wq;
                if (h < 0 || h >= H || wq0 >= wq1) {
                  java.util.Arrays.fill(xph, row, row + Wq, 0f);
                  continue;
                }
                for (int wq = 0; wq < wq0; wq++) xph[row + wq] = 0f;
                int s = src + h * W + pv - pl;
                if (sw == 1) System.arraycopy(x, s + wq0, xph, row + wq0, wq1 - wq0);
                else for (int wq = wq0; wq < wq1; wq++) xph[row + wq] = x[s + wq * sw];
                for (int wq = wq1; wq < Wq; wq++) xph[row + wq] = 0f;
              }
            }
        }
    }

    /** dx[n0+img, c, h, w] (+)= xph at the position of (h, w); positions in the padding are dropped. */
    void unbuildPhase(float[] xph, int n0, int gn, float[] dx, int dxOff, boolean accumulate) {
      for (int img = 0; img < gn; img++)
        for (int c = 0; c < C; c++) {
          int dst = dxOff + ((n0 + img) * C + c) * H * W;
          if (!accumulate) java.util.Arrays.fill(dx, dst, dst + H * W, 0f); // positions no tap reaches
          for (int pu = 0; pu < sh; pu++)
            for (int pv = 0; pv < sw; pv++) {
              int d = img * imgQ + ((c * sh + pu) * sw + pv) * planeQ;
              int wq0 = Math.max(0, ceilDiv(pl - pv, sw)), wq1 = Math.min(Wq, ceilDiv(W + pl - pv, sw));
              if (wq0 >= wq1) continue;
              for (int hq = 0; hq < Hq; hq++) {
                int h = hq * sh + pu - pt;
                if (h < 0 || h >= H) continue;
                int row = d + hq * Wq, o = dst + h * W + pv - pl;
                if (sw == 1 && !accumulate) System.arraycopy(xph, row + wq0, dx, o + wq0, wq1 - wq0);
                else if (accumulate) for (int wq = wq0; wq < wq1; wq++) dx[o + wq * sw] += xph[row + wq];
                else for (int wq = wq0; wq < wq1; wq++) dx[o + wq * sw] = xph[row + wq];
              }
            }
        }
    }
  }

  static int ceilDiv(int a, int b) {
    return Math.floorDiv(a + b - 1, b);
  }

  static void check(String name, float[] a, int off, long len) {
    if (off < 0 || off + len > a.length)
      throw new IllegalArgumentException(name + ": " + len + " elements at offset " + off + " exceed length " + a.length);
  }

  static int[] growInt(int[] a, int n) {
    return a.length >= n ? a : new int[Math.max(n, a.length + (a.length >> 1))];
  }

  /** Per-thread scratch of the tasks. */
  private static final class Work {
    float[] xph = new float[0], bp = new float[0], c = new float[0];
    int[] rel = new int[0];
  }

  /** Per-calling-thread buffers shared by the tasks of one call. */
  private static final class Shared {
    float[] a = new float[0], b = new float[0], xph = new float[0], phaseW = new float[0], phaseY = new float[0];
    int[] rel = new int[0];
  }

  private static final ThreadLocal<Work> WORK = ThreadLocal.withInitial(Work::new);
  private static final ThreadLocal<Shared> SHARED = ThreadLocal.withInitial(Shared::new);
}

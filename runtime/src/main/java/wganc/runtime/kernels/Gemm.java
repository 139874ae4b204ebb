package wganc.runtime.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/**
 * Single-precision matrix multiply, {@code C = alpha * op(A) * op(B) + beta * C}, row-major, as
 * BLAS {@code sgemm} with row-major storage.
 *
 * <h2>Method</h2>
 * op(A) is packed into panels of {@value #MR} rows and op(B) into panels of {@value #NR} columns
 * (each panel holding all of k, p-major), in parallel; then tiles of C are computed in parallel by
 * register-blocked micro-kernels ({@link MicroKernels}, 8 x 32, with FMA on the machine's vectors of
 * 16, 8 or 4 floats), with k cut into
 * blocks of at most {@value #KC}. Very skinny products (n or m at most {@value #SKINNY}) take a
 * direct dot-product / axpy path instead, and very shallow ones (k at most {@value #SKINNY}) a
 * row-by-row outer-product path: packing would cost more than the arithmetic.
 *
 * <h2>Order of operations (determinism)</h2>
 * C is first multiplied by beta unless beta is 1. Then, for each k block in ascending order,
 * {@code acc = fma chain over the block's p ascending, from 0} and {@code C = fma(alpha, acc, C)};
 * when beta is 0 the first block writes {@code C = alpha * acc} without reading C (so NaNs in C do
 * not survive). The k blocks depend only on k. Every element of C is computed by
 * exactly this sequence whatever the tiling or the thread that computes it, so results are
 * bit-identical for any thread count. The skinny path also fixes its order by the shape alone. Sums
 * are defined on 16 lanes whatever the machine's vector width ({@link #L}): 8- or 4-float vectors
 * compute the same lanes in passes, so results are also bit-identical across AVX-512, AVX2 and NEON.
 */
public final class Gemm {
  private Gemm() {}

  /**
   * The machine's vectors (SPECIES_PREFERRED) of 16, 8 or 4 floats; -Dwganc.vector.lanes=16|8|4
   * overrides it (tests check that every width gives the same bits; a width the CPU lacks is correct
   * but runs the Vector API's slow Java fallback).
   */
  static final VectorSpecies<Float> S = species(Integer.getInteger("wganc.vector.lanes",
      FloatVector.SPECIES_PREFERRED.length()));
  /** Floats per vector: 16, 8 or 4; every vector loop below covers 16 lanes in 16 / L passes. */
  static final int L = S.length();

  private static VectorSpecies<Float> species(int lanes) {
    return lanes >= 16 ? FloatVector.SPECIES_512 : lanes >= 8 ? FloatVector.SPECIES_256 : FloatVector.SPECIES_128;
  }
  /** Rows of an A panel (micro-kernel height). */
  static final int MR = MicroKernels.MAXR;
  /** Columns of a B panel (micro-kernel width). */
  static final int NR = 32;
  /** Longest k block. */
  static final int KC = 256;
  /** Largest n (after choosing orientation) handled by the direct skinny path. */
  static final int SKINNY = 4;
  /** Below this many multiply-adds a product runs on the calling thread alone. */
  static final long SERIAL_MACS = 1L << 18;

  private static final ThreadLocal<float[]> TILE = ThreadLocal.withInitial(() -> new float[MR * NR]);
  private static final ThreadLocal<float[][]> WORK = ThreadLocal.withInitial(() -> new float[2][0]);

  /**
   * {@code C = alpha * op(A) * op(B) + beta * C}, op(A) m x k, op(B) k x n, C m x n; all row-major
   * with leading dimensions lda, ldb, ldc; {@code op(X) = X^T} when the flag is set (then A is
   * stored k x m, B n x k).
   */
  public static void sgemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
      float[] a, int aOff, int lda, float[] b, int bOff, int ldb, float beta,
      float[] c, int cOff, int ldc) {
    sgemm(transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc, null);
  }

  /**
   * An elementwise pass over a finished block of C, rows [r0, r1) and columns [c0, c1), run by the
   * thread that computed the block while it is in cache (a bias and an activation). It must touch
   * only that block of C; it is called once per element of C, so results do not depend on the tiling.
   */
  @FunctionalInterface
  public interface Epilogue {
    void apply(int r0, int r1, int c0, int c1);
  }

  /** As {@link #sgemm(boolean, boolean, int, int, int, float, float[], int, int, float[], int, int, float, float[], int, int)}, then {@code epilogue} (if not null) over every block of C. */
  public static void sgemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
      float[] a, int aOff, int lda, float[] b, int bOff, int ldb, float beta,
      float[] c, int cOff, int ldc, Epilogue epilogue) {
    if (m < 0 || n < 0 || k < 0) throw new IllegalArgumentException("negative size " + m + "x" + n + "x" + k);
    if (m == 0 || n == 0) return;
    checkMatrix("A", a, aOff, lda, transA ? k : m, transA ? m : k);
    checkMatrix("B", b, bOff, ldb, transB ? n : k, transB ? k : n);
    checkMatrix("C", c, cOff, ldc, m, n);
    int rsA = transA ? 1 : lda, csA = transA ? lda : 1;
    int rsB = transB ? 1 : ldb, csB = transB ? ldb : 1;
    if (k == 0 || alpha == 0f) {
      scaleBlock(beta, c, cOff, ldc, 0, m, 0, n);
      if (epilogue != null) epilogue.apply(0, m, 0, n);
      return;
    }
    if (n <= SKINNY) {
      skinny(m, n, k, alpha, a, aOff, rsA, csA, b, bOff, rsB, csB, beta, c, cOff, ldc, 1);
      if (epilogue != null) epilogue.apply(0, m, 0, n);
      return;
    }
    if (m <= SKINNY) {
      // C^T = op(B)^T op(A)^T: the skinny path with the roles of A and B (and C's strides) swapped
      skinny(n, m, k, alpha, b, bOff, csB, rsB, a, aOff, csA, rsA, beta, c, cOff, 1, ldc);
      if (epilogue != null) epilogue.apply(0, m, 0, n);
      return;
    }
    if (k <= SKINNY) {
      shallow(m, n, k, alpha, a, aOff, rsA, csA, b, bOff, rsB, csB, beta, c, cOff, ldc, epilogue);
      return;
    }
    boolean parallel = (long) m * n * k >= SERIAL_MACS && Parallel.threads() > 1 && !Parallel.inTask();
    int panelsA = (m + MR - 1) / MR, panelsB = (n + NR - 1) / NR;
    float[][] w = WORK.get();
    float[] ap = w[0] = grow(w[0], (long) panelsA * MR * k);
    float[] bp = w[1] = grow(w[1], (long) panelsB * NR * k);
    if (parallel) {
      int groupsA = Math.min(panelsA, 8), groupsB = Math.min(panelsB, 8);
      Parallel.run(groupsA + groupsB, t -> {
        if (t < groupsA) {
          for (int q = t * panelsA / groupsA, e = (t + 1) * panelsA / groupsA; q < e; q++)
            packA(q, m, k, a, aOff, rsA, csA, ap);
        } else {
          int u = t - groupsA;
          for (int q = u * panelsB / groupsB, e = (u + 1) * panelsB / groupsB; q < e; q++)
            packB(q, n, k, b, bOff, rsB, csB, bp);
        }
      });
    } else {
      for (int q = 0; q < panelsA; q++) packA(q, m, k, a, aOff, rsA, csA, ap);
      for (int q = 0; q < panelsB; q++) packB(q, n, k, b, bOff, rsB, csB, bp);
    }
    multiplyPacked(m, n, k, alpha, ap, bp, beta, c, cOff, ldc, parallel, epilogue);
  }

  static void checkMatrix(String name, float[] x, int off, int ld, int rows, int cols) {
    if (rows == 0 || cols == 0) return;
    if (ld < cols) throw new IllegalArgumentException("ld" + name.toLowerCase() + " " + ld + " < " + cols);
    long last = off + (long) (rows - 1) * ld + cols;
    if (off < 0 || last > x.length)
      throw new IllegalArgumentException(name + ": " + rows + "x" + cols + " at offset " + off
          + " with ld " + ld + " exceeds length " + x.length);
  }

  static float[] grow(float[] buf, long size) {
    if (size > Integer.MAX_VALUE - 64) throw new IllegalArgumentException("workspace too large: " + size);
    return buf.length >= size ? buf : new float[(int) Math.max(size, buf.length + (buf.length >> 1))];
  }

  /** C[r0..r1, c0..c1) *= beta, or = 0 when beta is 0. */
  static void scaleBlock(float beta, float[] c, int cOff, int ldc, int r0, int r1, int c0, int c1) {
    if (beta == 1f) return;
    for (int i = r0; i < r1; i++) {
      int o = cOff + i * ldc;
      if (beta == 0f) java.util.Arrays.fill(c, o + c0, o + c1, 0f);
      else for (int j = c0; j < c1; j++) c[o + j] *= beta;
    }
  }

  // ---- packing ---------------------------------------------------------------------------------

  /**
   * Whether transposing copies use gathers: on 16-float vectors (AVX-512) they were the fastest;
   * on Zen 3's AVX2 plain scalar copies in cache-sized blocks are faster (a 512 x 512 transposed B:
   * 0.16 ms against 0.38 ms by gathers; a 256 x 512 A: 0.061 against 0.080 ms, one thread).
   * Packing only copies, so the choice never changes a result.
   */
  static final boolean GATHER_PACKS = L == 16;

  /** Rows in A panel q. */
  static int panelRows(int q, int m) {
    return Math.min(MR, m - q * MR);
  }

  /** Width (16 or 32) of B panel q, whose real column count is {@link #panelCols}. */
  static int panelWidth(int q, int n) {
    return panelCols(q, n) <= 16 ? 16 : 32;
  }

  static int panelCols(int q, int n) {
    return Math.min(NR, n - q * NR);
  }

  /** Packs rows [q MR, q MR + R) of op(A), all k, at ap[q MR k]: element (r, p) at p R + r. */
  static void packA(int q, int m, int k, float[] a, int aOff, int rsA, int csA, float[] ap) {
    int rows = panelRows(q, m);
    int d = q * MR * k;
    int src = aOff + q * MR * rsA;
    if (csA == 1 && rows == MR && k > 1 && GATHER_PACKS) {
      // gathers of the panel's MR rows (lanes from MR on repeat row 0), MR rounded up to whole
      // vectors; a store past MR spills into the next p, which overwrites it; the last p by hand.
      int[] idx = gatherIndex(rsA, MR);
      for (int p = 0; p < k - 1; p++)
        for (int h = 0; h < MR; h += L)
          FloatVector.fromArray(S, a, src + p, idx, h).intoArray(ap, d + p * MR + h);
      for (int r = 0; r < MR; r++) ap[d + (k - 1) * MR + r] = a[src + r * rsA + k - 1];
    } else if (csA == 1) {
      // row by row, k in blocks, so that the panel's stores stay in L1
      for (int p0 = 0; p0 < k; p0 += 128)
        for (int r = 0, p1 = Math.min(k, p0 + 128); r < rows; r++) {
          int s = src + r * rsA, o = d + r;
          for (int p = p0; p < p1; p++) ap[o + p * rows] = a[s + p];
        }
    } else if (rsA == 1) {
      for (int p = 0; p < k; p++) {
        int s = src + p * csA, o = d + p * rows;
        for (int r = 0; r < rows; r++) ap[o + r] = a[s + r];
      }
    } else {
      for (int p = 0; p < k; p++)
        for (int r = 0; r < rows; r++) ap[d + p * rows + r] = a[src + r * rsA + p * csA];
    }
  }

  /** Packs columns [q NR, q NR + cols) of op(B), all k, at bp[q NR k]: (p, j) at p W + j, zero padded to W. */
  static void packB(int q, int n, int k, float[] b, int bOff, int rsB, int csB, float[] bp) {
    int cols = panelCols(q, n), wd = panelWidth(q, n);
    int d = q * NR * k;
    int src = bOff + q * NR * csB;
    if (csB == 1) {
      if (cols == wd) {
        for (int p = 0; p < k; p++) {
          int s = src + p * rsB, o = d + p * wd;
          for (int h = 0; h < wd; h += L) FloatVector.fromArray(S, b, s + h).intoArray(bp, o + h);
        }
      } else {
        for (int h = 0; h < wd; h += L) {
          VectorMask<Float> m = S.indexInRange(h, cols);
          for (int p = 0; p < k; p++) {
            int s = src + p * rsB, o = d + p * wd;
            FloatVector.fromArray(S, b, s + h, m).intoArray(bp, o + h);
          }
        }
      }
    } else if (cols == wd && GATHER_PACKS) {
      int[] idx = gatherIndex(csB, 32);
      for (int p = 0; p < k; p++) {
        int s = src + p * rsB, o = d + p * wd;
        for (int h = 0; h < wd; h += L) FloatVector.fromArray(S, b, s, idx, h).intoArray(bp, o + h);
      }
    } else if (rsB == 1) {
      // op(B) = B^T with k contiguous: 8 columns x 64 p at a time, so that the stores stay in L1
      for (int j0 = 0; j0 < cols; j0 += 8)
        for (int p0 = 0; p0 < k; p0 += 64)
          for (int j = j0, j1 = Math.min(cols, j0 + 8), p1 = Math.min(k, p0 + 64); j < j1; j++) {
            int s = src + j * csB, o = d + j;
            for (int p = p0; p < p1; p++) bp[o + p * wd] = b[s + p];
          }
      for (int j = cols; j < wd; j++)
        for (int p = 0; p < k; p++) bp[d + j + p * wd] = 0f;
    } else {
      for (int j = 0; j < cols; j++) {
        int s = src + j * csB, o = d + j;
        for (int p = 0; p < k; p++) bp[o + p * wd] = b[s + p * rsB];
      }
      for (int j = cols; j < wd; j++)
        for (int p = 0; p < k; p++) bp[d + j + p * wd] = 0f;
    }
  }

  private static final ThreadLocal<int[]> GATHER = ThreadLocal.withInitial(() -> new int[34]);

  /** {0, stride, 2 stride, ...} for lanes below {@code valid}, 0 after (32 entries); cached per thread. */
  static int[] gatherIndex(int stride, int valid) {
    int[] idx = GATHER.get();
    if (idx[32] != stride || idx[33] != valid) {
      for (int j = 0; j < 32; j++) idx[j] = j < valid ? j * stride : 0;
      idx[32] = stride;
      idx[33] = valid;
    }
    return idx;
  }

  // ---- the blocked product of packed panels ----------------------------------------------------

  /** Number of k blocks for a given k; blocks are near-equal, at most KC long. */
  static int kBlocks(int k) {
    return (k + KC - 1) / KC;
  }

  static int kBlockStart(int kb, int k, int nkb) {
    return (int) ((long) kb * k / nkb);
  }

  /**
   * C = alpha * A B + beta C from packed panels (A panels as {@link #packA}, B as {@link #packB}),
   * over all of C, parallel over tiles when asked.
   */
  static void multiplyPacked(int m, int n, int k, float alpha, float[] ap, float[] bp, float beta,
      float[] c, int cOff, int ldc, boolean parallel) {
    multiplyPacked(m, n, k, alpha, ap, bp, beta, c, cOff, ldc, parallel, null);
  }

  /** As above, with the epilogue run on each tile once its last k block is done. */
  static void multiplyPacked(int m, int n, int k, float alpha, float[] ap, float[] bp, float beta,
      float[] c, int cOff, int ldc, boolean parallel, Epilogue epilogue) {
    int panelsA = (m + MR - 1) / MR, panelsB = (n + NR - 1) / NR;
    int ta = tilesA(panelsA, panelsB, parallel ? Parallel.threads() : 1), tb = panelsB;
    Parallel.Task task = id -> {
      int ia = id / tb, qb = id % tb;
      int qa0 = ia * panelsA / ta, qa1 = (ia + 1) * panelsA / ta;
      tile(m, n, k, alpha, ap, bp, beta, c, cOff, ldc, qa0, qa1, qb, qb + 1);
      if (epilogue != null && qa0 < qa1)
        epilogue.apply(qa0 * MR, Math.min(m, qa1 * MR), qb * NR, Math.min(n, qb * NR + NR));
    };
    if (parallel) Parallel.run(ta * tb, task);
    else for (int id = 0; id < ta * tb; id++) task.run(id);
  }

  /** Most A panels in one tile: their k block (8 KB each) stays in a core's L2 while B's streams through L1. */
  static final int TILE_PANELS_A = 32;

  /**
   * Tiles along m for the blocked product; along n every B panel is a tile of its own, so that its
   * k block (32 KB) stays in L1 while the tile's A panels stream from L2. A is cut into runs of at
   * most {@link #TILE_PANELS_A} panels, then further until each thread has about 8 tiles: with
   * dynamic hand-out, many small tiles keep both cores busy when one of them is slowed (measured on
   * a 2-core Zen 3: 256x512x512 at 124 GFLOP/s against 78-92 with 6 tiles of 11 x 8 panels).
   */
  static int tilesA(int panelsA, int panelsB, int threads) {
    int ta = (panelsA + TILE_PANELS_A - 1) / TILE_PANELS_A;
    while (ta < panelsA && (long) ta * panelsB < 8L * threads) ta++;
    return ta;
  }

  /** One tile of C: A panels [qa0, qa1) x B panels [qb0, qb1). */
  static void tile(int m, int n, int k, float alpha, float[] ap, float[] bp, float beta,
      float[] c, int cOff, int ldc, int qa0, int qa1, int qb0, int qb1) {
    if (qa0 >= qa1 || qb0 >= qb1) return;
    int nkb = kBlocks(k);
    for (int kb = 0; kb < nkb; kb++) tileBlock(m, n, k, kb, alpha, ap, bp, beta, c, cOff, ldc, qa0, qa1, qb0, qb1);
  }

  /**
   * Block kb of k (of {@link #kBlocks}) of one tile; blocks must be run in ascending order (block 0
   * applies beta). Lets a caller pack each k block of B just before it is used, while it is in cache.
   */
  static void tileBlock(int m, int n, int k, int kb, float alpha, float[] ap, float[] bp, float beta,
      float[] c, int cOff, int ldc, int qa0, int qa1, int qb0, int qb1) {
    if (qa0 >= qa1 || qb0 >= qb1) return;
    float[] tileBuf = TILE.get();
    if (kb == 0 && beta != 0f)
      scaleBlock(beta, c, cOff, ldc, qa0 * MR, Math.min(m, qa1 * MR), qb0 * NR, Math.min(n, qb1 * NR));
    int nkb = kBlocks(k);
    int p0 = kBlockStart(kb, k, nkb), kc = kBlockStart(kb + 1, k, nkb) - p0;
    for (int qb = qb0; qb < qb1; qb++) {
      int cols = panelCols(qb, n), wd = panelWidth(qb, n);
      int bo = qb * NR * k + p0 * wd;
      int v = wd / 16;
      for (int qa = qa0; qa < qa1; qa++) {
        int rows = panelRows(qa, m);
        MicroKernels.run(rows, v, kc, ap, qa * MR * k + p0 * rows, bp, bo,
            c, cOff + qa * MR * ldc + qb * NR, ldc, alpha, cols, kb == 0 && beta == 0f, tileBuf);
      }
    }
  }

  // ---- skinny products (n <= SKINNY) -----------------------------------------------------------

  /**
   * n at most {@link #SKINNY}: B's few columns are gathered contiguously, then each C element is a
   * dot product with 16 lane-partial sums (p ascending within each lane), reduced in a fixed tree
   * order, or, when op(A) is stored column-wise, vectors along m accumulate p ascending. C element
   * (i, j) is {@code c[cOff + i * rsC + j * csC]} (the caller swaps A and B to serve small m).
   */
  static void skinny(int m, int n, int k, float alpha, float[] a, int aOff, int rsA, int csA,
      float[] b, int bOff, int rsB, int csB, float beta, float[] c, int cOff, int rsC, int csC) {
    float[][] w = WORK.get();
    float[] bt = w[1] = grow(w[1], (long) n * k);
    for (int j = 0; j < n; j++)
      for (int p = 0; p < k; p++) bt[j * k + p] = b[bOff + p * rsB + j * csB];
    boolean parallel = (long) m * n * k >= 2 * SERIAL_MACS && Parallel.threads() > 1 && !Parallel.inTask();
    int block = 64;
    int blocks = (m + block - 1) / block;
    Parallel.Task task = blk -> {
      int i0 = blk * block, i1 = Math.min(m, i0 + block);
      if (rsA == 1 && csA != 1) skinnyAxpy(i0, i1, n, k, alpha, a, aOff, csA, bt, beta, c, cOff, rsC, csC);
      else skinnyDot(i0, i1, n, k, alpha, a, aOff, rsA, csA, bt, beta, c, cOff, rsC, csC);
    };
    if (parallel) Parallel.run(blocks, task);
    else for (int blk = 0; blk < blocks; blk++) task.run(blk);
  }

  /** C[i][j] = fma(alpha, dot, beta C[i][j]); the dot keeps 16 lane sums (p ascending), then a fixed lane tree, then the tail p. */
  private static void skinnyDot(int i0, int i1, int n, int k, float alpha, float[] a, int aOff,
      int rsA, int csA, float[] bt, float beta, float[] c, int cOff, int rsC, int csC) {
    float[] lanes = TILE.get();
    int kv = csA == 1 ? k - k % 16 : 0;
    for (int i = i0; i < i1; i++) {
      int ar = aOff + i * rsA;
      for (int j = 0; j < n; j++) {
        int bj = j * k;
        float s = 0f;
        if (kv > 0) {
          for (int h = 0; h < 16; h += L) {
            FloatVector acc = FloatVector.zero(S);
            for (int p = h; p < kv; p += 16)
              acc = FloatVector.fromArray(S, a, ar + p).fma(FloatVector.fromArray(S, bt, bj + p), acc);
            acc.intoArray(lanes, h);
          }
          s = sumLanes(lanes, 0);
        }
        for (int p = kv; p < k; p++) s = Math.fma(a[ar + p * csA], bt[bj + p], s);
        int o = cOff + i * rsC + j * csC;
        c[o] = beta == 0f ? alpha * s : Math.fma(alpha, s, beta == 1f ? c[o] : c[o] * beta);
      }
    }
  }

  /** A stored k x m (rsA == 1): 16 rows at a time as vector lanes, p ascending. */
  private static void skinnyAxpy(int i0, int i1, int n, int k, float alpha, float[] a, int aOff,
      int csA, float[] bt, float beta, float[] c, int cOff, int rsC, int csC) {
    float[] acc = TILE.get();
    for (int i = i0; i < i1; i += 16) {
      int len = Math.min(16, i1 - i);
      for (int j = 0; j < n; j++) {
        int bj = j * k;
        if (len == 16) {
          boolean direct = rsC == 1 && beta == 0f;
          for (int h = 0; h < 16; h += L) {
            FloatVector s = FloatVector.zero(S);
            for (int p = 0; p < k; p++)
              s = FloatVector.fromArray(S, a, aOff + p * csA + i + h).fma(FloatVector.broadcast(S, bt[bj + p]), s);
            if (direct) s.mul(alpha).intoArray(c, cOff + i + h + j * csC);
            else s.intoArray(acc, j * 16 + h);
          }
          if (direct) continue;
        } else {
          for (int ii = 0; ii < len; ii++) {
            float s = 0f;
            for (int p = 0; p < k; p++) s = Math.fma(a[aOff + p * csA + i + ii], bt[bj + p], s);
            acc[j * 16 + ii] = s;
          }
        }
        for (int ii = 0; ii < len; ii++) {
          int o = cOff + (i + ii) * rsC + j * csC;
          float s = acc[j * 16 + ii];
          c[o] = beta == 0f ? alpha * s : Math.fma(alpha, s, beta == 1f ? c[o] : c[o] * beta);
        }
      }
    }
  }

  /**
   * k at most {@link #SKINNY} (and m, n larger): op(B) is copied row-major, then every row of C is
   * an fma chain over p ascending from 0 of a(i, p) times B's row p, a vector of columns at a time.
   */
  static void shallow(int m, int n, int k, float alpha, float[] a, int aOff, int rsA, int csA,
      float[] b, int bOff, int rsB, int csB, float beta, float[] c, int cOff, int ldc, Epilogue epilogue) {
    float[][] w = WORK.get();
    float[] bt = w[1] = grow(w[1], (long) n * k);
    for (int p = 0; p < k; p++)
      for (int j = 0; j < n; j++) bt[p * n + j] = b[bOff + p * rsB + j * csB];
    boolean parallel = (long) m * n >= SERIAL_MACS / 2 && Parallel.threads() > 1 && !Parallel.inTask();
    int block = 16;
    int blocks = (m + block - 1) / block;
    int nv = n - n % 16;
    Parallel.Task task = blk -> {
      for (int i = blk * block, i1 = Math.min(m, i + block); i < i1; i++) {
        int ar = aOff + i * rsA, o = cOff + i * ldc;
        for (int j = 0; j < nv; j += L) {
          FloatVector acc = FloatVector.zero(S);
          for (int p = 0; p < k; p++)
            acc = FloatVector.broadcast(S, a[ar + p * csA]).fma(FloatVector.fromArray(S, bt, p * n + j), acc);
          if (beta == 0f) acc.mul(alpha).intoArray(c, o + j);
          else {
            FloatVector old = FloatVector.fromArray(S, c, o + j);
            acc.fma(FloatVector.broadcast(S, alpha), beta == 1f ? old : old.mul(beta)).intoArray(c, o + j);
          }
        }
        for (int j = nv; j < n; j++) {
          float s = 0f;
          for (int p = 0; p < k; p++) s = Math.fma(a[ar + p * csA], bt[p * n + j], s);
          c[o + j] = beta == 0f ? alpha * s : Math.fma(alpha, s, beta == 1f ? c[o + j] : c[o + j] * beta);
        }
      }
      if (epilogue != null) epilogue.apply(blk * block, Math.min(m, blk * block + block), 0, n);
    };
    if (parallel) Parallel.run(blocks, task);
    else for (int blk = 0; blk < blocks; blk++) task.run(blk);
  }

  /** Sum of t[o..o+16) in a fixed pairwise order (overwritten). */
  static float sumLanes(float[] t, int o) {
    for (int w = 8; w >= 1; w >>= 1)
      for (int l = o; l < o + w; l++) t[l] += t[l + w];
    return t[o];
  }
}

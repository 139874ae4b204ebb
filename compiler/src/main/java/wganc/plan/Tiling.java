package wganc.plan;

import java.util.List;
import java.util.Locale;
import java.util.Optional;
import wganc.loop.LoopKernel;
import wganc.ops.ReduceSum;

/**
 * How a kernel runs on a device with work-groups and local memory (TornadoVM's {@code KernelContext}),
 * as data: whether it is tiled, in which form, and its launch grid. A pure function of the kernel's
 * {@link LoopKernel} and the {@link Mode}; the TornadoVM printer prints what it says.
 *
 * <p>The rules: with tiles on, every GEMM and convolution loop kernel (the product a matmul or a
 * convolution makes, with or without its epilogue) is a {@link Plain} tiled GEMM, TILE x TILE threads
 * computing a TILE x TILE block of the output; {@link Mode#BLOCKED} makes a GEMM with at least a
 * BLOCK of rows and of columns {@link Blocked} instead (PER_THREAD x PER_THREAD outputs per thread);
 * a sum over at least GROUP elements is a {@link GroupSum}, one work-group per output reducing in
 * local memory. Every other kernel runs one thread per output element. Every form's work-groups are
 * TILE x TILE threads, and each output is summed in the same order as the one-thread-per-output
 * kernel, so the forms agree.
 */
public sealed interface Tiling {
  /** Side of a square tile: work-groups are TILE x TILE threads. */
  int TILE = 16;
  /** Outputs per thread along each axis of a register-blocked tile. */
  int PER_THREAD = 4;
  /** Side of the output block a register-blocked work-group computes. */
  int BLOCK = TILE * PER_THREAD;
  /** Threads of a reduction's work-group (one TILE x TILE group per output). */
  int GROUP = TILE * TILE;

  /** The launch: {@code x} by {@code y} threads in work-groups of {@code localX} by {@code localY}. */
  Grid grid();

  /** A 2-D launch grid: global threads {@code x, y}, work-group {@code localX, localY}. */
  record Grid(int x, int y, int localX, int localY) {}

  /** A contraction as a GEMM: {@code out[row, col] = sum over k of A(row, k) B(k, col)}. */
  record GemmSize(int rows, int cols, int k) {}

  /** TILE x TILE outputs per work-group, one per thread, through TILE x TILE tiles of A and B. */
  record Plain(GemmSize gemm, Grid grid) implements Tiling {}

  /** BLOCK x BLOCK outputs per work-group, PER_THREAD x PER_THREAD per thread (register-blocked). */
  record Blocked(GemmSize gemm, Grid grid) implements Tiling {}

  /** One work-group of GROUP threads per output, each summing every GROUP-th of {@code reduced} elements. */
  record GroupSum(long reduced, Grid grid) implements Tiling {}

  /** Which tiled forms are used (TornadoVM's {@code -Dwganc.tornado.tiles}). */
  enum Mode {
    /** One thread per output element, as every other kernel. */
    NONE,
    /** {@code KernelContext} kernels over 16 x 16 local-memory tiles, one output per thread (the default). */
    PLAIN,
    /**
     * As PLAIN, and GEMMs of at least 64 x 64 register-blocked: 4 x 4 outputs per thread, 64 x 64 per
     * work-group. The same results; on PoCL's CPU device 1.6 times slower than PLAIN, untried on a GPU.
     */
    BLOCKED;

    /** {@code true}, {@code false} or {@code blocked} (as {@code -Dwganc.tornado.tiles} takes it). */
    public static Mode parse(String value) {
      return switch (value.trim().toLowerCase(Locale.ROOT)) {
        case "true", "plain" -> PLAIN;
        case "false", "none" -> NONE;
        case "blocked" -> BLOCKED;
        default -> throw new IllegalArgumentException("tiles: `" + value + "`; expected true, false or blocked");
      };
    }
  }

  /** How {@code k} runs under {@code mode}; empty: one thread per output element. */
  static Optional<Tiling> of(Schedule.Kernel k, Mode mode) {
    if (mode == Mode.NONE || !(k instanceof Schedule.Kernel.Primitive p)) return Optional.empty();
    return switch (p.loops()) {
      case LoopKernel.Gemm g -> Optional.of(gemm(gemmSize(g), mode));
      case LoopKernel.Conv c -> Optional.of(gemm(gemmSize(c), mode));
      case LoopKernel.Gather g -> p.apply().op() instanceof ReduceSum && reduced(p) >= GROUP
          ? Optional.of(new GroupSum(reduced(p), new Grid(TILE, TILE * p.out().type().size(), TILE, TILE)))
          : Optional.empty();
      case LoopKernel.Draw d -> Optional.empty();
      case LoopKernel.AllSum a -> Optional.empty();
    };
  }

  /**
   * A GEMM's sizes as its loop kernel states them. A convolution with {@code x [N,C,H,W]},
   * {@code w [O,C,kh,kw]}, {@code y [N,O,Ho,Wo]}: forward, rows O, columns N Ho Wo, k C kh kw;
   * backward input, rows C, columns N H W, k O kh kw; backward weight, rows O, columns C kh kw,
   * k N Ho Wo.
   */
  static GemmSize gemmSize(LoopKernel.Gemm g) {
    return new GemmSize(g.m(), g.n(), g.k());
  }

  /** See {@link #gemmSize(LoopKernel.Gemm)}. */
  static GemmSize gemmSize(LoopKernel.Conv c) {
    List<Integer> x = c.x(), w = c.w(), y = c.y();
    int n = x.get(0), ch = x.get(1), h = x.get(2), wd = x.get(3), o = w.get(0), kh = w.get(2), kw = w.get(3);
    int oh = y.get(2), ow = y.get(3);
    return switch (c.direction()) {
      case FORWARD -> new GemmSize(o, n * oh * ow, ch * kh * kw);
      case BACKWARD_INPUT -> new GemmSize(ch, n * h * wd, o * kh * kw);
      case BACKWARD_WEIGHT -> new GemmSize(o, ch * kh * kw, n * oh * ow);
    };
  }

  /** A GEMM's tiling: register-blocked when asked for and at least a block each way, else plain. */
  private static Tiling gemm(GemmSize g, Mode mode) {
    if (mode == Mode.BLOCKED && g.rows() >= BLOCK && g.cols() >= BLOCK) {
      return new Blocked(g, new Grid(blocks(g.cols()) * TILE, blocks(g.rows()) * TILE, TILE, TILE));
    }
    return new Plain(g, new Grid(roundUp(g.cols()), roundUp(g.rows()), TILE, TILE));
  }

  /** The number of elements a sum adds into each output. */
  private static long reduced(Schedule.Kernel.Primitive k) {
    List<Integer> in = k.apply().inputs().getFirst().type().dims();
    long n = 1;
    for (int a : k.apply().attrs().intArray("axes")) n *= in.get(a);
    return n;
  }

  /** Register blocks covering {@code n}. */
  private static int blocks(int n) {
    return (n + BLOCK - 1) / BLOCK;
  }

  /** {@code n} rounded up to whole tiles. */
  private static int roundUp(int n) {
    return (n + TILE - 1) / TILE * TILE;
  }
}

package wganc.loop;

import java.util.ArrayList;
import java.util.List;
import wganc.ir.Attrs;
import wganc.ir.TensorType;
import wganc.ops.Binary;
import wganc.ops.BroadcastTo;
import wganc.ops.Compare;
import wganc.ops.Conv2d;
import wganc.ops.Conv2dBackwardInput;
import wganc.ops.Conv2dBackwardWeight;
import wganc.ops.ConvGeometry;
import wganc.ops.Matmul;
import wganc.ops.Op;
import wganc.ops.Pad;
import wganc.ops.Pow;
import wganc.ops.RandomDraw;
import wganc.ops.ReduceSum;
import wganc.ops.Reshape;
import wganc.ops.Resample;
import wganc.ops.Select;
import wganc.ops.Transpose;
import wganc.ops.Unary;

/**
 * What one kernel computes, as data, before any backend decides how: a loop nest over the output's
 * elements ({@link Gather}), a counter-based random draw, or a library call (a GEMM, a convolution)
 * together with the same computation as a loop nest for a backend without that library. Each op
 * produces its own (its {@code kernel} method, beside its shape rule and derivative); the JVM and
 * TornadoVM printers turn these into code, and the plan's choices (threads, tiles, grids) are theirs.
 * Fused elementwise loops are {@link wganc.plan.Schedule.Expr} trees, printed through each op's
 * {@code java} form.
 */
public sealed interface LoopKernel {
  /**
   * For every element of an output of shape {@code space} (row-major, coordinates {@code i0, i1, ..}),
   * {@code value}.
   */
  record Gather(List<Integer> space, Val value) implements LoopKernel {
    public Gather {
      space = List.copyOf(space);
    }

    public int size() {
      int n = 1;
      for (int d : space) n *= d;
      return n;
    }

    /** Loads per output element times the output's size: what the nest costs. */
    public long work() {
      return (long) size() * steps(value);
    }

    private static long steps(Val v) {
      return switch (v) {
        case Val.Load l -> 1;
        case Val.Product p -> steps(p.a()) + steps(p.b());
        case Val.Sum s -> s.axes().stream().mapToLong(Val.Axis::extent).reduce(1, (a, b) -> a * b) * steps(s.body());
        case Val.Where w -> steps(w.then());
        case Val.Let l -> steps(l.body());
      };
    }

    /** Coordinate {@code d} of the output: {@code i<d>}. */
    public static Ix coordinate(int d) {
      return Ix.var("i" + d);
    }

    /** The coordinates {@code i0 .. i<rank-1>}. */
    public static List<Ix> coordinates(int rank) {
      List<Ix> out = new ArrayList<>();
      for (int d = 0; d < rank; d++) out.add(coordinate(d));
      return out;
    }
  }

  /**
   * {@code size} draws of {@code kind} from Philox stream {@code stream} keyed by {@code seed} and the
   * step; {@code sharded}: this rank's share of a draw over the global batch, element e keyed as
   * {@code rank * size + e} (a graph compiled for several ranks, docs/distributed.md).
   */
  record Draw(RandomDraw kind, long seed, int stream, int size, boolean sharded) implements LoopKernel {}

  /**
   * The operands, of these sizes, concatenated into the output and summed over the ranks of a
   * data-parallel run: a call of the runtime's all-reduce ({@link wganc.ops.AllSum}).
   */
  record AllSum(List<Integer> sizes) implements LoopKernel {
    public AllSum {
      sizes = List.copyOf(sizes);
    }
  }

  /**
   * {@code out[m, n] = sum over k of A[m, k] B[k, n]}, A stored {@code [k, m]} when {@code ta}, B
   * {@code [n, k]} when {@code tb}; operand 0 is A, 1 is B.
   */
  record Gemm(boolean ta, boolean tb, int m, int n, int k, Gather loops) implements LoopKernel {}

  /** Which tensor a convolution kernel computes from the other two. */
  enum Direction { FORWARD, BACKWARD_INPUT, BACKWARD_WEIGHT }

  /**
   * A convolution with {@code x [N,C,H,W]}, {@code w [O,C,kh,kw]}, {@code y [N,O,Ho,Wo]}, computing
   * y (forward; operand 0 = x, 1 = w), x (backward input; 0 = dy, 1 = w) or w (backward weight;
   * 0 = x, 1 = dy).
   */
  record Conv(Direction direction, List<Integer> x, List<Integer> w, List<Integer> y, ConvGeometry geometry,
              Gather loops) implements LoopKernel {}

  /**
   * The kernel of one application of {@code op}. Elementwise ops, broadcasts and reshapes have none of
   * their own: the schedule fuses them into loops ({@link wganc.plan.Schedule.Expr}) or aliases them.
   */
  static LoopKernel of(Op op, List<TensorType> inputs, Attrs attrs, TensorType out) {
    return switch (op) {
      case Matmul m -> m.kernel(inputs, attrs, out);
      case Conv2d c -> c.kernel(inputs, attrs, out);
      case Conv2dBackwardInput c -> c.kernel(inputs, attrs, out);
      case Conv2dBackwardWeight c -> c.kernel(inputs, attrs, out);
      case ReduceSum r -> r.kernel(inputs, attrs, out);
      case Transpose t -> t.kernel(inputs, attrs, out);
      case Pad p -> p.kernel(inputs, attrs, out);
      case Resample r -> r.kernel(inputs, attrs, out);
      case RandomDraw r -> r.kernel(inputs, attrs, out);
      case wganc.ops.AllSum s -> s.kernel(inputs, attrs, out);
      case Unary u -> throw fused(op);
      case Binary b -> throw fused(op);
      case Compare c -> throw fused(op);
      case Pow p -> throw fused(op);
      case Select s -> throw fused(op);
      case BroadcastTo b -> throw fused(op);
      case Reshape r -> throw fused(op);
    };
  }

  private static IllegalArgumentException fused(Op op) {
    return new IllegalArgumentException("`" + op.opName() + "` has no kernel of its own: it is fused into loops");
  }

  /** The one-line text form, as the goldens hold it. */
  default String text() {
    return switch (this) {
      case Gather g -> "gather " + g.space() + " = " + text(g.value());
      case Draw d -> "draw " + d.kind().opName() + " [" + d.size() + "] seed " + d.seed() + " stream " + d.stream()
          + (d.sharded() ? " sharded" : "");
      case AllSum a -> "all_sum " + a.sizes();
      case Gemm g -> "gemm m=" + g.m() + " n=" + g.n() + " k=" + g.k() + (g.ta() ? " ta" : "") + (g.tb() ? " tb" : "");
      case Conv c -> "conv " + c.direction().name().toLowerCase(java.util.Locale.ROOT) + " x=" + c.x() + " w=" + c.w()
          + " y=" + c.y() + " stride=" + c.geometry().sh() + "x" + c.geometry().sw() + " pad=" + c.geometry().top() + ","
          + c.geometry().bottom() + "," + c.geometry().left() + "," + c.geometry().right();
    };
  }

  private static String text(Val v) {
    return switch (v) {
      case Val.Load l -> "in" + l.operand() + "[" + l.at().java() + "]";
      case Val.Product p -> text(p.a()) + " * " + text(p.b());
      case Val.Sum s -> "sum(" + String.join(", ", s.axes().stream().map(a -> a.name() + "<" + a.extent()).toList()) + "; "
          + s.precision().name().toLowerCase(java.util.Locale.ROOT) + ") " + text(s.body());
      case Val.Where w -> "where(" + String.join(" && ", w.conds().stream().map(Val.Cond::java).toList()) + ") "
          + text(w.then());
      case Val.Let l -> "let " + l.name() + " = " + l.value().java() + " in " + text(l.body());
    };
  }
}

package wganc.plan;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import wganc.ir.Graph;
import wganc.ir.Node;
import wganc.ir.Value;

/**
 * The kernels of a graph and the buffers they use, for code generation: the result of the passes
 * of {@code plan}, which {@link #of} runs as a flat list over a {@link Plan}.
 *
 * <p>Fusion ({@link InlineElementwise}, {@link FormKernels}): an elementwise value (or a broadcast)
 * used once by an elementwise consumer is inlined into it; broadcasts and masks are recomputed in
 * every loop that reads them. Each remaining elementwise or broadcast value roots a
 * {@link Kernel.Fused} loop whose expression tree reads materialised values through per-leaf index
 * maps (identity, or broadcast from a smaller shape). Reshapes never compute: they alias their
 * input's buffer. Everything else (contractions, reductions, layout moves, draws) is one
 * {@link Kernel.Primitive} per binding, and a contraction may take its elementwise consumer as an
 * epilogue ({@link FuseEpilogues}). Two optional {@link Rule}s go further: {@code GROUPS}
 * ({@link GroupLoops}) and {@code SCALARS} ({@link RecomputeScalars}).
 *
 * <p>Memory ({@link PlanBuffers}): inputs and parameters are the caller's arrays; every other
 * materialised value gets a buffer, reused after its last use by a later value of the same length.
 *
 * @param buffer the buffer of each materialised value and each alias of one
 * @param bufferSizes each buffer's length in floats
 * @param inlined the values computed inside the loops that read them
 */
public record Schedule(Graph graph, List<Kernel> kernels, Map<Integer, Integer> buffer, List<Integer> bufferSizes,
                       Set<Integer> inlined) {

  /** A piece of work: computes the value {@code out}. */
  public sealed interface Kernel permits Kernel.Fused, Kernel.Primitive, Kernel.Group {
    Value out();

    /** Every value the kernel writes ({@link Group} writes several). */
    default List<Value> outs() { return List.of(out()); }

    /**
     * The distinct materialised values the kernel reads, in first-read order: a primitive's tensor
     * inputs (not the step counter that keys draws), then its epilogue's other leaves; a group's
     * leaves other than its own parts' values (read from the loop's locals).
     */
    default List<Value> reads() {
      List<Value> out = new ArrayList<>();
      switch (this) {
        case Fused f -> f.expr().addReads(out);
        case Group g -> {
          for (Fused f : g.parts()) f.expr().addReads(out);
          out.removeIf(v -> g.outs().stream().anyMatch(o -> o.id() == v.id()));
        }
        case Primitive p -> {
          for (Value v : p.apply().inputs()) if (v.type().dtype() != wganc.ir.ElementType.I64) out.add(v);
          if (p.epilogue() != null) {
            List<Value> rest = new ArrayList<>();
            p.epilogue().addReads(rest);
            for (Value v : rest) if (v.id() != p.inner().id() && out.stream().noneMatch(x -> x.id() == v.id())) out.add(v);
          }
        }
      }
      return out;
    }

    /** An elementwise loop over {@code out}'s shape. */
    record Fused(Value out, Expr expr) implements Kernel {}

    /**
     * One op application, lowered by the backend; for a contraction, optionally followed in the same
     * kernel by an elementwise {@code epilogue} applied in place to its result {@code inner} (bias,
     * activation), {@code out} then being the epilogue's value.
     */
    record Primitive(Value out, Node.Apply apply, Expr epilogue, Value inner) implements Kernel {
      public Primitive(Value out, Node.Apply apply) { this(out, apply, null, null); }

      /** The op's own loop kernel; with an epilogue, of the value before it. */
      public wganc.loop.LoopKernel loops() {
        return wganc.loop.LoopKernel.of(apply.op(), apply.inputs().stream().map(Value::type).toList(), apply.attrs(),
            (inner != null ? inner : out).type());
      }
    }

    /**
     * Flat fused loops of one length run as one loop that writes each part's value; a part reads an
     * earlier part's value from the same iteration instead of from memory (an optimiser's moments
     * and its parameter update: one pass over the gradient and the state instead of three).
     */
    record Group(List<Fused> parts) implements Kernel {
      public Value out() { return parts.getLast().out(); }
      public List<Value> outs() { return parts.stream().map(Fused::out).toList(); }
    }
  }

  /** The expression of a fused loop. */
  public sealed interface Expr permits Expr.Leaf, Expr.Literal, Expr.Apply {
    /** Adds the values this expression reads to {@code out}, each once, in first-read order. */
    default void addReads(List<Value> out) {
      switch (this) {
        case Leaf l -> { if (out.stream().noneMatch(v -> v.id() == l.source().id())) out.add(l.source()); }
        case Literal l -> {}
        case Apply a -> a.args().forEach(x -> x.addReads(out));
      }
    }

    /** Reads materialised value {@code source}; {@code from} is null (same shape as the loop) or the
     * shape it is broadcast from (same rank as the loop; axes of 1 repeat). */
    record Leaf(Value source, List<Integer> from) implements Expr {}

    record Literal(double value) implements Expr {}

    record Apply(wganc.ops.Op op, wganc.ir.Attrs attrs, List<Expr> args) implements Expr {}

    /** Every leaf, left to right (a value read twice appears twice). */
    default List<Leaf> leaves() {
      List<Leaf> out = new ArrayList<>();
      collect(this, out);
      return out;
    }

    private static void collect(Expr e, List<Leaf> out) {
      switch (e) {
        case Leaf l -> out.add(l);
        case Literal l -> {}
        case Apply a -> a.args().forEach(x -> collect(x, out));
      }
    }
  }

  /** Optional scheduling rules, beyond the fusion every backend gets. */
  public enum Rule {
    /** Flat loops of one length are merged into {@link Kernel.Group}s ({@link GroupLoops}). */
    GROUPS,
    /**
     * A one-element elementwise value computed only from constants and the phase's inputs and
     * parameters (Adam's bias corrections {@code 1 - b^t}, a decaying learning rate) is recomputed
     * in every loop that reads it instead of by a kernel of its own: a few scalar operations per
     * element in place of a launch, for backends where launches cost more than arithmetic.
     */
    SCALARS
  }

  /**
   * The schedule of {@code g}: the passes of {@code plan} in order, each a pure function of a
   * {@link Plan}; {@code rules} switch on the optional ones.
   */
  public static Schedule of(Graph g, Rule... rules) {
    Set<Rule> on = Set.of(rules);
    Plan p = Plan.of(g);
    if (on.contains(Rule.SCALARS)) p = RecomputeScalars.run(p);
    p = InlineElementwise.run(p);
    p = FormKernels.run(p);
    p = FuseEpilogues.run(p);
    if (on.contains(Rule.GROUPS)) p = GroupLoops.run(p);
    p = PlanBuffers.run(p);
    return new Schedule(g, p.kernels(), p.buffers().slot(), p.buffers().sizes(), p.inlined().keySet());
  }

  /** Whether every leaf of a loop has the loop's shape or is a single element. */
  public static boolean flat(Kernel.Fused f) {
    List<Expr.Leaf> leaves = f.expr().leaves();
    return leaves.stream().allMatch(l -> l.from() == null || scalar(l));
  }

  /** A leaf broadcast from one element. */
  public static boolean scalar(Expr.Leaf l) {
    return l.from() != null && l.from().stream().allMatch(d -> d == 1);
  }

  /** The values a kernel reads (leaves of a fused loop, operands of an op). */
  public static List<Integer> reads(Kernel k) {
    List<Integer> out = new ArrayList<>();
    switch (k) {
      case Kernel.Fused f -> collect(f.expr(), out);
      case Kernel.Group g -> {
        Set<Integer> inside = new HashSet<>();
        for (Kernel.Fused f : g.parts()) {
          List<Integer> r = new ArrayList<>();
          collect(f.expr(), r);
          for (int v : r) if (!inside.contains(v)) out.add(v);
          inside.add(f.out().id());
        }
      }
      case Kernel.Primitive o -> {
        o.apply().inputs().forEach(v -> out.add(v.id()));
        if (o.epilogue() != null) {
          collect(o.epilogue(), out);
          out.removeIf(id -> id == o.inner().id());
        }
      }
    }
    return out;
  }

  private static void collect(Expr e, List<Integer> out) {
    switch (e) {
      case Expr.Leaf l -> out.add(l.source().id());
      case Expr.Literal l -> {}
      case Expr.Apply a -> a.args().forEach(x -> collect(x, out));
    }
  }

  /**
   * The schedule as text, one kernel per line: a fused loop's expression, a group's parts, an op's
   * loop kernel (with its epilogue); then the buffers. The goldens of every model hold this form.
   */
  public String text() {
    return text(kernels) + "buffers " + bufferSizes + "\n";
  }

  /** The kernels as text, one a line, as in {@link #text()}. */
  static String text(List<Kernel> kernels) {
    StringBuilder b = new StringBuilder();
    for (Kernel k : kernels) {
      switch (k) {
        case Kernel.Fused f -> b.append(head(f.out())).append("loop ").append(text(f.expr())).append('\n');
        case Kernel.Group g -> {
          b.append("group\n");
          for (Kernel.Fused f : g.parts()) b.append("  ").append(head(f.out())).append(text(f.expr())).append('\n');
        }
        case Kernel.Primitive p -> {
          Node.Apply a = p.apply();
          b.append(head(p.out())).append(p.loops().text());
          if (p.epilogue() != null) b.append(" then %").append(p.inner().id()).append(" <- ").append(text(p.epilogue()));
          b.append('\n');
        }
      }
    }
    return b.toString();
  }

  private static String head(Value v) {
    return "%" + v.id() + " : " + v.type() + " = ";
  }

  private static String text(Expr e) {
    return switch (e) {
      case Expr.Leaf l -> "%" + l.source().id() + (l.from() == null ? "" : "<" + l.from() + ">");
      case Expr.Literal l -> l.value() == Math.rint(l.value()) && Math.abs(l.value()) < 1e15
          ? Long.toString((long) l.value()) : Double.toString(l.value());
      case Expr.Apply a -> a.op().opName() + "(" + String.join(", ", a.args().stream().map(Schedule::text).toList())
          + (a.attrs().isEmpty() ? "" : "; " + a.attrs()) + ")";
    };
  }

  /** Total float32 bytes of the buffers (peak memory of the phase's intermediates). */
  public long bufferBytes() {
    return bufferSizes.stream().mapToLong(Integer::longValue).sum() * 4;
  }
}

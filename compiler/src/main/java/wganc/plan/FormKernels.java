package wganc.plan;

import java.util.ArrayList;
import java.util.List;
import wganc.ir.Binding;
import wganc.ir.Node;
import wganc.ir.Value;
import wganc.plan.Schedule.Expr;
import wganc.plan.Schedule.Kernel;

/**
 * One kernel per value that is computed and stored, in program order, from the decisions of
 * {@link InlineElementwise} and {@link RecomputeScalars}.
 *
 * <p>Algorithm: every application that is neither inlined nor an alias ({@link wganc.ops.Op#aliases}:
 * a reshape never computes) becomes a kernel. A fused value roots a {@link Kernel.Fused} loop whose
 * expression tree is built top-down: a constant is a literal, an inlined application is expanded
 * (a broadcast by reading its operand through an index map from the operand's shape, an inlined
 * one-element reshape by reading its operand), anything else is a leaf that reads memory under the
 * index map in force. Everything else (contractions, reductions, layout moves, draws) is one
 * {@link Kernel.Primitive} per binding. Epilogues and groups are left to {@link FuseEpilogues} and
 * {@link GroupLoops}.
 */
final class FormKernels {
  private FormKernels() {}

  static Plan run(Plan in) {
    List<Kernel> kernels = new ArrayList<>();
    for (Binding b : in.graph().bindings()) {
      if (!(b.node() instanceof Node.Apply a) || in.inlined().containsKey(b.value().id()) || a.op().aliases()) continue;
      if (Plan.fusible(a)) kernels.add(new Kernel.Fused(b.value(), expr(in, b.value(), null, true)));
      else kernels.add(new Kernel.Primitive(b.value(), a));
    }
    return kernels.equals(in.kernels()) ? in : in.withKernels(kernels);
  }

  /** The expression of {@code v} read under index map {@code from}; {@code root} expands it even if stored. */
  private static Expr expr(Plan in, Value v, List<Integer> from, boolean root) {
    Node n = in.byId().get(v.id()).node();
    if (n instanceof Node.Constant c) return new Expr.Literal(c.value());
    if (n instanceof Node.Apply a && (root || in.inlined().containsKey(v.id()))) {
      if (a.op().aliases()) return expr(in, a.inputs().getFirst(), from, false);  // one element
      if (a.op().broadcasts()) {
        Value operand = a.inputs().getFirst();
        return expr(in, operand, operand.type().dims(), false);
      }
      List<Expr> args = new ArrayList<>();
      for (Value operand : a.inputs()) args.add(expr(in, operand, from, false));
      return new Expr.Apply(a.op(), a.attrs(), args);
    }
    return new Expr.Leaf(v, from);
  }
}

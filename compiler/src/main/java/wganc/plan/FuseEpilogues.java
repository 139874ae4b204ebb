package wganc.plan;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import wganc.ops.Fusion;
import wganc.plan.Schedule.Expr;
import wganc.plan.Schedule.Kernel;

/**
 * Epilogue fusion: a contraction whose result is read only by one fused elementwise loop, at the
 * loop's own index, runs that loop in place right after it, in the same kernel (bias and activation:
 * on the JVM, on each finished GEMM tile by the thread that computed it, while it is in cache).
 *
 * <p>Algorithm: for each {@link Kernel.Primitive} of a {@link Fusion#CONTRACTION} op without an
 * epilogue, in order: its value must not be an output and must have one user; the loop computing
 * that user ({@link Plan#loopOf}, through inlining) must be a {@link Kernel.Fused} not yet absorbed,
 * of the contraction's length, reading the result only at its own index (no index map), and reading
 * nothing else that is computed at or after the contraction. The primitive then becomes
 * {@code Primitive(loop's value, op, loop's expression, inner = the contraction's value)} and the
 * loop disappears. Saves a buffer and a pass over memory; the buffer of {@code inner} is the
 * epilogue's ({@link PlanBuffers}).
 */
final class FuseEpilogues {
  private FuseEpilogues() {}

  static Plan run(Plan in) {
    List<Kernel> kernels = in.kernels();
    Map<Integer, Integer> producedAt = new HashMap<>();
    for (int i = 0; i < kernels.size(); i++) producedAt.put(kernels.get(i).out().id(), i);
    List<Kernel> out = new ArrayList<>(kernels);
    Set<Integer> absorbed = new HashSet<>();
    for (int i = 0; i < kernels.size(); i++) {
      if (!(kernels.get(i) instanceof Kernel.Primitive op) || op.epilogue() != null
          || op.apply().op().fusion() != Fusion.CONTRACTION) continue;
      int v = op.out().id();
      List<Integer> us = in.usersOf(v);
      if (in.outputs().contains(v) || us.size() != 1) continue;
      int loop = in.loopOf(us.getFirst());
      if (!producedAt.containsKey(loop)) continue;
      int j = producedAt.get(loop);
      if (!(kernels.get(j) instanceof Kernel.Fused f) || absorbed.contains(j)) continue;
      List<Expr.Leaf> leaves = f.expr().leaves();
      boolean ok = leaves.stream().anyMatch(l -> l.source().id() == v);
      for (Expr.Leaf l : leaves) {
        if (l.source().id() == v) ok &= l.from() == null;
        else ok &= producedAt.getOrDefault(in.owner(l.source().id()), -1) < i;
      }
      if (!ok || f.out().type().size() != op.out().type().size()) continue;
      out.set(i, new Kernel.Primitive(f.out(), op.apply(), f.expr(), op.out()));
      absorbed.add(j);
    }
    if (absorbed.isEmpty()) return in;
    List<Kernel> result = new ArrayList<>();
    for (int i = 0; i < out.size(); i++) if (!absorbed.contains(i)) result.add(out.get(i));
    return in.withKernels(result);
  }
}

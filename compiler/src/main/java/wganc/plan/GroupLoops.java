package wganc.plan;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import wganc.plan.Schedule.Expr;
import wganc.plan.Schedule.Kernel;
import wganc.plan.Schedule.Kernel.Fused;

/**
 * The {@link Schedule.Rule#GROUPS} rule: flat fused loops of one length that share operands or feed
 * each other run as one {@link Kernel.Group} (an optimiser's moments and its parameter update read
 * the gradient and the state once instead of three times).
 *
 * <p>Algorithm: greedy, in kernel order. A flat loop ({@link Schedule#flat}: every leaf has the
 * loop's shape or one element) joins the nearest earlier group (or lone flat loop), at most 12
 * kernels back, of the same length, when it reads one of the group's values or shares a non-scalar
 * operand with it, no kernel in between reads a value of the group, it reads no value of the group
 * through a reshape (that would be loaded before the loop stores it), and the group stays within
 * {@value #PARTS} parts and {@value #READS} distinct operands. The group then runs where its last
 * part was. Moving parts later is safe because everything they read is ready earlier and nothing in
 * between needs them. Leaves buffers to {@link PlanBuffers}.
 */
final class GroupLoops {
  private GroupLoops() {}

  /** Parts per group at most, distinct values a group may read, and how far back a loop looks. */
  private static final int PARTS = 4, READS = 10, WINDOW = 12;

  static Plan run(Plan in) {
    List<Kernel> kernels = in.kernels();
    List<List<Fused>> groups = new ArrayList<>();   // per output position: the parts, or null
    List<Kernel> order = new ArrayList<>();
    for (Kernel k : kernels) {
      order.add(k);
      groups.add(k instanceof Kernel.Fused f && Schedule.flat(f) ? new ArrayList<>(List.of(f)) : null);
    }
    boolean changed = false;
    for (int j = 0; j < order.size(); j++) {
      if (groups.get(j) == null || groups.get(j).size() != 1) continue;
      Kernel.Fused f = groups.get(j).getFirst();
      Set<Integer> fReads = new HashSet<>(Schedule.reads(f));
      Set<Integer> fAliased = new HashSet<>();   // what f reads through a reshape
      for (int r : fReads) if (in.aliasRoot().containsKey(r)) fAliased.add(in.aliasRoot().get(r));
      Set<Integer> fShared = nonScalarLeaves(f);
      for (int i = j - 1; i >= 0 && i >= j - WINDOW; i--) {
        List<Fused> g = groups.get(i);
        if (g == null || g.isEmpty() || g.size() >= PARTS
            || g.getFirst().out().type().size() != f.out().type().size()) continue;
        Set<Integer> gOuts = new HashSet<>();
        g.forEach(p -> gOuts.add(p.out().id()));
        Set<Integer> gLeaves = new HashSet<>();
        g.forEach(p -> gLeaves.addAll(nonScalarLeaves(p)));
        boolean related = fReads.stream().anyMatch(gOuts::contains) || fShared.stream().anyMatch(gLeaves::contains);
        if (!related || fAliased.stream().anyMatch(gOuts::contains)) continue;
        boolean clear = true;
        for (int q = i + 1; q < j && clear; q++) {
          if (order.get(q) == null) continue;
          for (int r : readsOf(order.get(q), groups.get(q))) clear &= !gOuts.contains(in.owner(r));
        }
        Set<Integer> all = new HashSet<>(gLeaves);
        all.addAll(fShared);
        if (!clear || all.size() > READS) continue;
        g.add(f);
        groups.set(j, g);
        groups.set(i, List.of());
        order.set(i, null);
        changed = true;
        break;
      }
    }
    if (!changed) return in;
    List<Kernel> out = new ArrayList<>();
    for (int j = 0; j < order.size(); j++) {
      if (order.get(j) == null) continue;
      List<Fused> g = groups.get(j);
      out.add(g != null && g.size() > 1 ? new Kernel.Group(List.copyOf(g)) : order.get(j));
    }
    return in.withKernels(out);
  }

  private static List<Integer> readsOf(Kernel k, List<Fused> group) {
    if (group == null || group.size() <= 1) return Schedule.reads(k);
    return Schedule.reads(new Kernel.Group(group));
  }

  private static Set<Integer> nonScalarLeaves(Kernel.Fused f) {
    Set<Integer> out = new HashSet<>();
    for (Expr.Leaf l : f.expr().leaves()) if (!Schedule.scalar(l)) out.add(l.source().id());
    return out;
  }
}

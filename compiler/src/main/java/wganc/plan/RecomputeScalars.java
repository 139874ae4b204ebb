package wganc.plan;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import wganc.ir.Binding;
import wganc.ir.Node;

/**
 * The {@link Schedule.Rule#SCALARS} rule: a one-element value computed only from the phase's reads
 * is recomputed in every loop that reads it instead of by a kernel of its own.
 *
 * <p>Algorithm: first, in program order, the scalars of reads: one-element elementwise values,
 * broadcasts and reshapes whose operands are all constants, inputs, parameters or scalars of reads
 * (Adam's bias corrections {@code 1 - b^t}, a decaying learning rate). Then, consumers before
 * producers, such a value (not an output) is inlined into every consumer, as replicated, when each
 * consumer is computed in a loop: a fused op, or a reshape inlined this way. Every leaf below a
 * scalar is one element, so any index map (or none, in a one-element loop) reads it: the value is
 * marked as under a broadcast, which keeps further broadcasts out of it.
 *
 * <p>A few scalar operations per element replace a launch, for backends where launches cost more
 * than arithmetic. Its decisions depend on each other only, so it runs first;
 * {@link InlineElementwise} decides the rest and leaves these values as they are.
 */
final class RecomputeScalars {
  private RecomputeScalars() {}

  static Plan run(Plan in) {
    List<Binding> bindings = in.graph().bindings();
    Set<Integer> scalars = scalarsOfReads(in);
    Map<Integer, Plan.Inlined> inlined = new HashMap<>(in.inlined());
    boolean changed = false;
    for (int i = bindings.size() - 1; i >= 0; i--) {
      int id = bindings.get(i).value().id();
      List<Integer> us = in.usersOf(id);
      if (!scalars.contains(id) || in.outputs().contains(id) || us.isEmpty() || inlined.containsKey(id)) continue;
      if (us.stream().allMatch(u -> recomputes(in.byId().get(u), inlined))) {
        inlined.put(id, new Plan.Inlined(null, true, true));
        changed = true;
      }
    }
    return changed ? in.withInlined(inlined) : in;
  }

  /**
   * The one-element elementwise values (and broadcasts and reshapes) whose operands are all constants,
   * inputs, parameters or such values themselves, in program order.
   */
  static Set<Integer> scalarsOfReads(Plan in) {
    Set<Integer> out = new HashSet<>();
    for (Binding b : in.graph().bindings()) {
      if (!(b.node() instanceof Node.Apply a) || !(Plan.fusible(a) || a.op().aliases())
          || b.value().type().size() != 1) continue;
      boolean ofReads = a.inputs().stream().allMatch(v -> out.contains(v.id())
          || !(in.byId().get(v.id()).node() instanceof Node.Apply));
      if (ofReads) out.add(b.value().id());
    }
    return out;
  }

  /** Whether {@code user} computes in a loop, or is a one-element reshape recomputed in its users' loops. */
  private static boolean recomputes(Binding user, Map<Integer, Plan.Inlined> inlined) {
    if (!(user.node() instanceof Node.Apply ua)) return false;
    return Plan.fusible(ua) || ua.op().aliases() && inlined.containsKey(user.value().id());
  }
}

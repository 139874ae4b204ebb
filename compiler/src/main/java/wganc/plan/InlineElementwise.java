package wganc.plan;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import wganc.ir.Binding;
import wganc.ir.Node;

/**
 * Decides which elementwise values (and broadcasts) the loops that read them compute in place
 * instead of reading them from memory; {@link FormKernels} then builds the loops.
 *
 * <p>Algorithm: one walk over the bindings, consumers before producers, so each decision sees its
 * consumers' final ones. A fused value ({@link Plan#fusible}) that is not an output and is read:
 * <ul>
 *   <li>once, by a fused op, is inlined into it, unless the consumer is replicated and the value is
 *       not {@link wganc.ops.Op#replicable} (work would be repeated), or both it and something above
 *       it are broadcasts (a leaf has at most one index map, so a broadcast below another broadcast
 *       is materialised);
 *   <li>several times, by fused ops none of which is a broadcast or under one, is replicated into
 *       all of them when it is {@link wganc.ops.Op#replicable} with at most one non-constant operand
 *       (a broadcast, a ReLU mask {@code x > 0}); or, when at most three uses all land in the same
 *       loop (the {@code x} of {@code select(x > 0, x, 0)}), recomputed at each use in that loop. Its
 *       own operands stay materialised, so only the one op is repeated.
 * </ul>
 * Values already decided (by {@link RecomputeScalars}) are left as they are. The op is asked, never
 * named: its {@link wganc.ops.Op#fusion}, {@link wganc.ops.Op#broadcasts} and
 * {@link wganc.ops.Op#replicable}.
 */
final class InlineElementwise {
  private InlineElementwise() {}

  /** At most this many uses are recomputed in one loop. */
  private static final int USES_IN_ONE_LOOP = 3;

  static Plan run(Plan in) {
    List<Binding> bindings = in.graph().bindings();
    Map<Integer, Plan.Inlined> inlined = new HashMap<>(in.inlined());
    boolean changed = false;
    for (int i = bindings.size() - 1; i >= 0; i--) {
      Binding b = bindings.get(i);
      int id = b.value().id();
      List<Integer> us = in.usersOf(id);
      if (!(b.node() instanceof Node.Apply a) || !Plan.fusible(a) || in.outputs().contains(id) || us.isEmpty()
          || inlined.containsKey(id)) continue;
      Plan.Inlined decision = us.size() > 1 ? shared(in, a, us, inlined) : single(in, a, us.getFirst(), inlined);
      if (decision != null) {
        inlined.put(id, decision);
        changed = true;
      }
    }
    return changed ? in.withInlined(inlined) : in;
  }

  /** A value read once, by {@code user}: inlined into it, or null. */
  private static Plan.Inlined single(Plan in, Node.Apply a, int user, Map<Integer, Plan.Inlined> inlined) {
    Plan.Inlined consumer = inlined.get(user);
    if (consumer != null && consumer.replicated() && !replicable(in, a)) return null;
    if (!(in.byId().get(user).node() instanceof Node.Apply ca) || !Plan.fusible(ca)) return null;
    boolean below = consumer != null && consumer.underBroadcast() || ca.op().broadcasts();
    if (a.op().broadcasts() && below) return null;
    return new Plan.Inlined(user, false, below);
  }

  /** A value read several times: replicated into every loop, recomputed in the one loop, or null. */
  private static Plan.Inlined shared(Plan in, Node.Apply a, List<Integer> us, Map<Integer, Plan.Inlined> inlined) {
    if (!us.stream().allMatch(u -> readsInLoop(in.byId().get(u), inlined))) return null;
    if (replicable(in, a)) return new Plan.Inlined(null, true, a.op().broadcasts());
    if (us.size() > USES_IN_ONE_LOOP) return null;
    Integer loop = oneLoop(inlined, us);
    return loop == null ? null : new Plan.Inlined(loop, true, false);
  }

  /** A replicable op with at most one operand that is not a constant. */
  private static boolean replicable(Plan in, Node.Apply a) {
    if (!a.op().replicable()) return false;
    return a.inputs().stream().filter(v -> !(in.byId().get(v.id()).node() instanceof Node.Constant)).count() <= 1;
  }

  /** The loop (root value) that all {@code users} are computed in, or null when they are in several. */
  private static Integer oneLoop(Map<Integer, Plan.Inlined> inlined, List<Integer> users) {
    Integer root = null;
    for (int u : users) {
      int r = Plan.loopOf(inlined, u);
      if (root != null && root != r) return null;
      root = r;
    }
    return root;
  }

  /** Whether {@code user} reads its operands inside a fused loop, not under a broadcast. */
  private static boolean readsInLoop(Binding user, Map<Integer, Plan.Inlined> inlined) {
    if (!(user.node() instanceof Node.Apply ua) || !Plan.fusible(ua) || ua.op().broadcasts()) return false;
    Plan.Inlined u = inlined.get(user.value().id());
    return u == null || !u.underBroadcast();
  }
}

package wganc.plan;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import wganc.ir.Binding;
import wganc.ir.Graph;
import wganc.ir.Node;
import wganc.ops.Fusion;

/**
 * A schedule in the making: what the passes of {@code plan} read and return. It holds the graph
 * with its uses indexed, the values that fused loops compute in place ({@link Inlined}), the
 * kernels so far and their buffers. Immutable: a pass returns a new plan, or its input when it
 * changes nothing. {@link Schedule#of} runs the passes in order:
 * {@link RecomputeScalars} (optional), {@link InlineElementwise}, {@link FormKernels},
 * {@link FuseEpilogues}, {@link GroupLoops} (optional), {@link PlanBuffers}.
 *
 * @param byId every binding by value id
 * @param users for each value, the values of the bindings that read it, once per operand
 * @param outputs the graph's outputs
 * @param aliasRoot for a value that aliases another's buffer (a reshape, through chains of them),
 *     the value that owns the buffer
 * @param inlined the values computed inside the loops that read them, with how
 * @param kernels the kernels in execution order
 * @param buffers the buffer of each materialised value
 */
record Plan(Graph graph, Map<Integer, Binding> byId, Map<Integer, List<Integer>> users, Set<Integer> outputs,
            Map<Integer, Integer> aliasRoot, Map<Integer, Inlined> inlined, List<Schedule.Kernel> kernels,
            Buffers buffers) {

  Plan {
    inlined = Map.copyOf(inlined);
    kernels = List.copyOf(kernels);
  }

  /**
   * How a loop computes an inlined value.
   *
   * @param into the value whose loop computes it (its one consumer, or the root of the one loop all
   *     its consumers are in), or null when every loop that reads it recomputes it
   * @param replicated whether it may be computed more than once (each loop, or each use in one loop)
   * @param underBroadcast whether a broadcast is above it, so its leaves already have an index map
   */
  record Inlined(Integer into, boolean replicated, boolean underBroadcast) {}

  /**
   * The buffers: {@code slot} gives each materialised value (and each alias of one) its buffer,
   * {@code sizes} each buffer's length in floats.
   */
  record Buffers(Map<Integer, Integer> slot, List<Integer> sizes) {
    static final Buffers NONE = new Buffers(Map.of(), List.of());

    Buffers {
      slot = Collections.unmodifiableMap(new LinkedHashMap<>(slot));
      sizes = List.copyOf(sizes);
    }
  }

  /** A plan of {@code g} with nothing decided: no value inlined, no kernels, no buffers. */
  static Plan of(Graph g) {
    Map<Integer, Binding> byId = new HashMap<>();
    Map<Integer, List<Integer>> users = new HashMap<>();
    Map<Integer, Integer> root = new HashMap<>();
    for (Binding b : g.bindings()) {
      int id = b.value().id();
      byId.put(id, b);
      for (var in : b.node().inputs()) users.computeIfAbsent(in.id(), k -> new ArrayList<>()).add(id);
      if (b.node() instanceof Node.Apply a && a.op().aliases()) {
        int src = a.inputs().getFirst().id();
        root.put(id, root.getOrDefault(src, src));
      }
    }
    users.replaceAll((k, v) -> List.copyOf(v));
    Set<Integer> outputs = new HashSet<>();
    g.outputs().values().forEach(v -> outputs.add(v.id()));
    return new Plan(g, Collections.unmodifiableMap(byId), Collections.unmodifiableMap(users),
        Collections.unmodifiableSet(outputs), Collections.unmodifiableMap(root), Map.of(), List.of(), Buffers.NONE);
  }

  Plan withInlined(Map<Integer, Inlined> inlined) {
    return new Plan(graph, byId, users, outputs, aliasRoot, inlined, kernels, buffers);
  }

  Plan withKernels(List<Schedule.Kernel> kernels) {
    return new Plan(graph, byId, users, outputs, aliasRoot, inlined, kernels, buffers);
  }

  Plan withBuffers(Buffers buffers) {
    return new Plan(graph, byId, users, outputs, aliasRoot, inlined, kernels, buffers);
  }

  /** The values that read {@code id}, once per operand (empty for a value nothing reads). */
  List<Integer> usersOf(int id) {
    return users.getOrDefault(id, List.of());
  }

  /** The value whose buffer {@code id} uses: itself, or the value a reshape of it aliases. */
  int owner(int id) {
    return aliasRoot.getOrDefault(id, id);
  }

  /** The loop (root value) that computes {@code id}: follows {@link Inlined#into} to its end. */
  int loopOf(int id) {
    return loopOf(inlined, id);
  }

  /** {@link #loopOf(int)} under the decisions {@code inlined}, while a pass is still making them. */
  static int loopOf(Map<Integer, Inlined> inlined, int id) {
    int r = id;
    while (inlined.containsKey(r) && inlined.get(r).into() != null) r = inlined.get(r).into();
    return r;
  }

  /** Whether a fused loop computes the op: elementwise ops and broadcasts (an index map). */
  static boolean fusible(Node.Apply a) {
    return a.op().fusion() == Fusion.ELEMENTWISE || a.op().broadcasts();
  }
}

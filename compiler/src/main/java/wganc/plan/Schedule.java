package wganc.plan;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import wganc.ir.Binding;
import wganc.ir.Graph;
import wganc.ir.Node;
import wganc.ir.Value;
import wganc.ops.BroadcastTo;
import wganc.ops.Fusion;
import wganc.ops.Reshape;
import wganc.plan.Schedule.Kernel.Fused;

/**
 * The kernels of a graph and the buffers they use, for code generation.
 *
 * <p>Fusion: an elementwise value (or a broadcast) is inlined into its consumer when it is used once,
 * by an elementwise op or a broadcast, and is not an output; a broadcast, or a comparison with
 * constants (a ReLU mask), is inlined into every consumer when all of them are such loops (see
 * {@link #replicable}); a value read by a replicated one stays materialised. Each remaining elementwise or broadcast
 * value roots a {@link Kernel.Fused} loop whose expression tree reads materialised values through
 * per-leaf index maps (identity, or broadcast from a smaller shape). A broadcast below another
 * broadcast is materialised, so a leaf needs at most one index map. Reshapes never compute: they
 * alias their input's buffer. Everything else (contractions, reductions, layout moves, draws) is one
 * kernel per binding; fusing bias and activation epilogues into contractions is left to a later pass.
 * Two optional {@link Rule}s go further: {@code GROUPS} runs flat loops of one length as one loop,
 * and {@code SCALARS} recomputes one-element values of the phase's reads (Adam's bias corrections) in
 * every loop that reads them.
 *
 * <p>Memory: inputs and parameters are the caller's arrays; every other materialised value gets a
 * buffer, reused after its last use by a later value of the same length (greedy, in program order).
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
    /** Flat loops of one length are merged into {@link Kernel.Group}s (see {@link #group}). */
    GROUPS,
    /**
     * A one-element elementwise value computed only from constants and the phase's inputs and
     * parameters (Adam's bias corrections {@code 1 - b^t}, a decaying learning rate) is recomputed
     * in every loop that reads it instead of by a kernel of its own: a few scalar operations per
     * element in place of a launch, for backends where launches cost more than arithmetic.
     */
    SCALARS
  }

  public static Schedule of(Graph g, Rule... rules) {
    Set<Rule> on = Set.of(rules);
    Map<Integer, Binding> byId = new HashMap<>();
    Map<Integer, List<Integer>> users = new HashMap<>();
    for (Binding b : g.bindings()) {
      byId.put(b.value().id(), b);
      for (Value in : b.node().inputs()) users.computeIfAbsent(in.id(), k -> new ArrayList<>()).add(b.value().id());
    }
    Set<Integer> outputs = new HashSet<>();
    g.outputs().values().forEach(v -> outputs.add(v.id()));
    Set<Integer> scalars = on.contains(Rule.SCALARS) ? scalarsOfReads(g.bindings(), byId) : Set.of();

    // decide inlining, consumers before producers; underBroadcast[v] for inlined v: a broadcast is above
    Set<Integer> inlined = new HashSet<>();
    Set<Integer> replicated = new HashSet<>();
    Map<Integer, Integer> into = new HashMap<>();   // inlined value -> its one consumer
    Map<Integer, Boolean> underBroadcast = new HashMap<>();
    List<Binding> bindings = g.bindings();
    for (int i = bindings.size() - 1; i >= 0; i--) {
      Binding b = bindings.get(i);
      if (!(b.node() instanceof Node.Apply a)) continue;
      int id = b.value().id();
      List<Integer> us = users.getOrDefault(id, List.of());
      if (outputs.contains(id) || us.isEmpty()) continue;
      if (scalars.contains(id) && us.stream().allMatch(u -> recomputes(byId.get(u), inlined))) {
        // every leaf below is one element, so any index map (or none, in a one-element loop) reads it
        inlined.add(id);
        replicated.add(id);
        underBroadcast.put(id, true);
        continue;
      }
      if (!fusible(a)) continue;
      if (us.size() > 1 || us.stream().distinct().count() > 1) {
        boolean inLoops = us.stream().allMatch(u -> readsInLoop(byId.get(u), inlined, underBroadcast));
        if (replicable(a, byId) && inLoops) {
          inlined.add(id);
          replicated.add(id);
          underBroadcast.put(id, a.op() instanceof BroadcastTo);
        } else if (inLoops && !(a.op() instanceof BroadcastTo) && us.size() <= 3 && oneLoop(us, into) != null) {
          // every use ends up in the same loop (e.g. x in `select(x > 0, x, 0)`): recompute it there;
          // its own operands stay materialised, so only this one op is repeated
          inlined.add(id);
          replicated.add(id);
          into.put(id, oneLoop(us, into));
          underBroadcast.put(id, false);
        }
        continue;
      }
      if (replicated.contains(us.getFirst()) && !replicable(a, byId)) continue;
      Binding consumer = byId.get(us.getFirst());
      if (!(consumer.node() instanceof Node.Apply ca) || !fusible(ca)) continue;
      if (consumer.node().inputs().stream().filter(v -> v.id() == id).count() != 1) continue;
      boolean above = inlined.contains(consumer.value().id()) ? underBroadcast.get(consumer.value().id()) : false;
      boolean below = above || ca.op() instanceof BroadcastTo;
      if (a.op() instanceof BroadcastTo && below) continue;
      inlined.add(id);
      into.put(id, us.getFirst());
      underBroadcast.put(id, below);
    }

    List<Kernel> kernels = new ArrayList<>();
    for (Binding b : bindings) {
      if (!(b.node() instanceof Node.Apply a) || inlined.contains(b.value().id())) continue;
      if (a.op() instanceof Reshape) continue;
      if (fusible(a)) kernels.add(new Kernel.Fused(b.value(), expr(b.value(), null, byId, inlined, true)));
      else kernels.add(new Kernel.Primitive(b.value(), a));
    }

    // buffers: reshapes alias; the rest get a buffer, reused after the last use
    Map<Integer, Integer> root = new HashMap<>();
    for (Binding b : bindings) {
      int id = b.value().id();
      if (b.node() instanceof Node.Apply a && a.op() instanceof Reshape) {
        int src = a.inputs().getFirst().id();
        root.put(id, root.getOrDefault(src, src));
      }
    }
    kernels = fuseEpilogues(kernels, users, outputs, into, root);
    if (on.contains(Rule.GROUPS)) kernels = group(kernels, root);
    Map<Integer, Integer> lastUse = new HashMap<>();
    for (int k = 0; k < kernels.size(); k++) {
      for (int leaf : reads(kernels.get(k))) lastUse.put(root.getOrDefault(leaf, leaf), k);
    }
    Map<Integer, Integer> buffer = new LinkedHashMap<>();
    List<Integer> sizes = new ArrayList<>();
    Map<Integer, List<Integer>> free = new HashMap<>();
    for (int k = 0; k < kernels.size(); k++) {
      Kernel kernel = kernels.get(k);
      List<int[]> written = new ArrayList<>();  // (value, slot) of each value the kernel writes
      for (Value o : kernel.outs()) {
        int id = o.id();
        int size = o.type().size();
        List<Integer> pool = free.getOrDefault(size, new ArrayList<>());
        int slot;
        if (!pool.isEmpty() && !outputs.contains(id)) {
          slot = pool.removeLast();
        } else {
          slot = sizes.size();
          sizes.add(size);
        }
        buffer.put(id, slot);
        written.add(new int[] {id, slot});
      }
      // release what this kernel read for the last time (never outputs: they are copied at the end)
      for (int r : reads(kernel).stream().map(leaf -> root.getOrDefault(leaf, leaf)).distinct().toList()) {
        if (lastUse.get(r) == k && buffer.containsKey(r) && !outputs.contains(r) && !aliasOfOutput(r, root, outputs)) {
          free.computeIfAbsent(sizes.get(buffer.get(r)), s -> new ArrayList<>()).add(buffer.get(r));
        }
      }
      for (int[] w : written) {
        int id = w[0];
        if ((lastUse.getOrDefault(id, -1) <= k) && !outputs.contains(id) && !aliasOfOutput(id, root, outputs)) {
          free.computeIfAbsent(sizes.get(w[1]), s -> new ArrayList<>()).add(w[1]);
        }
      }
    }
    for (var e : root.entrySet()) if (buffer.containsKey(e.getValue())) buffer.put(e.getKey(), buffer.get(e.getValue()));
    for (Kernel k : kernels) {
      if (k instanceof Kernel.Primitive o && o.inner() != null) buffer.put(o.inner().id(), buffer.get(o.out().id()));
    }
    return new Schedule(g, kernels, buffer, sizes, inlined);
  }

  /**
   * Epilogue fusion: a contraction whose result is read only by one fused elementwise loop, at the
   * loop's own index, runs that loop in place right after it, in the same kernel, when every other
   * value the loop reads is ready by then. Saves a buffer and a pass over memory while the result is
   * still in cache.
   */
  private static List<Kernel> fuseEpilogues(List<Kernel> kernels, Map<Integer, List<Integer>> users, Set<Integer> outputs,
                                            Map<Integer, Integer> into, Map<Integer, Integer> root) {
    Map<Integer, Integer> producedAt = new HashMap<>();
    for (int i = 0; i < kernels.size(); i++) producedAt.put(kernels.get(i).out().id(), i);
    List<Kernel> out = new ArrayList<>(kernels);
    Set<Integer> absorbed = new HashSet<>();
    for (int i = 0; i < kernels.size(); i++) {
      if (!(kernels.get(i) instanceof Kernel.Primitive op) || op.apply().op().fusion() != Fusion.CONTRACTION) continue;
      int v = op.out().id();
      List<Integer> us = users.getOrDefault(v, List.of());
      if (outputs.contains(v) || us.size() != 1) continue;
      int loop = us.getFirst();
      while (into.containsKey(loop)) loop = into.get(loop);   // the loop its one user is computed in
      if (!producedAt.containsKey(loop)) continue;
      int j = producedAt.get(loop);
      if (!(kernels.get(j) instanceof Kernel.Fused f) || absorbed.contains(j)) continue;
      List<Expr.Leaf> leaves = f.expr().leaves();
      boolean ok = leaves.stream().anyMatch(l -> l.source().id() == v);
      for (Expr.Leaf l : leaves) {
        if (l.source().id() == v) ok &= l.from() == null;
        else ok &= producedAt.getOrDefault(root.getOrDefault(l.source().id(), l.source().id()), -1) < i;
      }
      if (!ok || f.out().type().size() != op.out().type().size()) continue;
      out.set(i, new Kernel.Primitive(f.out(), op.apply(), f.expr(), op.out()));
      absorbed.add(j);
    }
    List<Kernel> result = new ArrayList<>();
    for (int i = 0; i < out.size(); i++) if (!absorbed.contains(i)) result.add(out.get(i));
    return result;
  }

  /** Parts per group at most, and distinct values a group may read. */
  private static final int GROUP_PARTS = 4, GROUP_READS = 10;

  /**
   * Loop grouping: a flat fused loop joins an earlier group (or loop) of the same length when it
   * reads one of the group's values or shares a non-scalar operand with it, and no kernel in
   * between reads a value of the group; the group then runs where its last part was. Moving parts
   * later is safe because everything they read is ready earlier and nothing in between needs them.
   */
  static List<Kernel> group(List<Kernel> kernels, Map<Integer, Integer> root) {
    List<List<Fused>> groups = new ArrayList<>();   // per output position: the parts, or null
    List<Kernel> order = new ArrayList<>();
    for (Kernel k : kernels) {
      order.add(k);
      groups.add(k instanceof Kernel.Fused f && flat(f) ? new ArrayList<>(List.of(f)) : null);
    }
    for (int j = 0; j < order.size(); j++) {
      if (groups.get(j) == null || groups.get(j).size() != 1) continue;
      Kernel.Fused f = groups.get(j).getFirst();
      Set<Integer> fReads = new HashSet<>(reads(f));
      Set<Integer> fAliased = new HashSet<>();   // what f reads through a reshape
      for (int r : fReads) if (root.containsKey(r)) fAliased.add(root.get(r));
      Set<Integer> fShared = nonScalarLeaves(f);
      for (int i = j - 1; i >= 0 && i >= j - 12; i--) {
        List<Fused> g = groups.get(i);
        if (g == null || g.isEmpty() || g.size() >= GROUP_PARTS
            || g.getFirst().out().type().size() != f.out().type().size()) continue;
        Set<Integer> gOuts = new HashSet<>();
        g.forEach(p -> gOuts.add(p.out().id()));
        Set<Integer> gLeaves = new HashSet<>();
        g.forEach(p -> gLeaves.addAll(nonScalarLeaves(p)));
        boolean related = fReads.stream().anyMatch(gOuts::contains) || fShared.stream().anyMatch(gLeaves::contains);
        // a group value read through a reshape would be loaded before the loop stores it
        if (!related || fAliased.stream().anyMatch(gOuts::contains)) continue;
        boolean clear = true;
        for (int q = i + 1; q < j && clear; q++) {
          if (order.get(q) == null) continue;
          for (int r : readsOf(order.get(q), groups.get(q))) clear &= !gOuts.contains(root.getOrDefault(r, r));
        }
        Set<Integer> all = new HashSet<>(gLeaves);
        all.addAll(fShared);
        if (!clear || all.size() > GROUP_READS) continue;
        g.add(f);
        groups.set(j, g);
        groups.set(i, List.of());
        order.set(i, null);
        break;
      }
    }
    List<Kernel> out = new ArrayList<>();
    for (int j = 0; j < order.size(); j++) {
      if (order.get(j) == null) continue;
      List<Fused> g = groups.get(j);
      out.add(g != null && g.size() > 1 ? new Kernel.Group(List.copyOf(g)) : order.get(j));
    }
    return out;
  }

  private static List<Integer> readsOf(Kernel k, List<Fused> group) {
    if (group == null || group.size() <= 1) return reads(k);
    return reads(new Kernel.Group(group));
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

  private static Set<Integer> nonScalarLeaves(Kernel.Fused f) {
    List<Expr.Leaf> leaves = f.expr().leaves();
    Set<Integer> out = new HashSet<>();
    for (Expr.Leaf l : leaves) if (!scalar(l)) out.add(l.source().id());
    return out;
  }

  private static boolean aliasOfOutput(int r, Map<Integer, Integer> root, Set<Integer> outputs) {
    for (int o : outputs) if (root.getOrDefault(o, o) == r) return true;
    return false;
  }

  /**
   * The one-element elementwise values (and broadcasts and reshapes) whose operands are all constants,
   * inputs, parameters or such values themselves, in program order.
   */
  private static Set<Integer> scalarsOfReads(List<Binding> bindings, Map<Integer, Binding> byId) {
    Set<Integer> out = new HashSet<>();
    for (Binding b : bindings) {
      if (!(b.node() instanceof Node.Apply a) || !(fusible(a) || a.op() instanceof Reshape)
          || b.value().type().size() != 1) continue;
      boolean ofReads = a.inputs().stream().allMatch(v -> out.contains(v.id())
          || !(byId.get(v.id()).node() instanceof Node.Apply));
      if (ofReads) out.add(b.value().id());
    }
    return out;
  }

  /**
   * Values recomputed inside each consumer's loop instead of stored once: a broadcast (an index map,
   * no arithmetic) and a comparison of one value with constants (a ReLU mask: reading its operand
   * costs what reading a stored mask would, and saves a kernel and a write).
   */
  private static boolean replicable(Node.Apply a, Map<Integer, Binding> byId) {
    if (a.op() instanceof BroadcastTo) return true;
    if (!(a.op() instanceof wganc.ops.Compare)) return false;
    long values = a.inputs().stream().filter(v -> !(byId.get(v.id()).node() instanceof Node.Constant)).count();
    return values <= 1;
  }

  /** Whether {@code user} computes in a loop, or is a one-element reshape recomputed in its users' loops. */
  private static boolean recomputes(Binding user, Set<Integer> inlined) {
    if (!(user.node() instanceof Node.Apply ua)) return false;
    return fusible(ua) || ua.op() instanceof Reshape && inlined.contains(user.value().id());
  }

  /** The loop (root value) that all {@code users} are computed in, or null when they are in several. */
  private static Integer oneLoop(List<Integer> users, Map<Integer, Integer> into) {
    Integer root = null;
    for (int u : users) {
      int r = u;
      while (into.containsKey(r)) r = into.get(r);
      if (root != null && root != r) return null;
      root = r;
    }
    return root;
  }

  /** Whether {@code user} reads its operands inside a fused loop, not under a broadcast. */
  private static boolean readsInLoop(Binding user, Set<Integer> inlined, Map<Integer, Boolean> underBroadcast) {
    if (!(user.node() instanceof Node.Apply ua) || !fusible(ua) || ua.op() instanceof BroadcastTo) return false;
    return !inlined.contains(user.value().id()) || !underBroadcast.get(user.value().id());
  }

  static boolean fusible(Node.Apply a) {
    return a.op().fusion() == Fusion.ELEMENTWISE || a.op() instanceof BroadcastTo;
  }

  private static Expr expr(Value v, List<Integer> from, Map<Integer, Binding> byId, Set<Integer> inlined, boolean root) {
    Node n = byId.get(v.id()).node();
    if (n instanceof Node.Constant c) return new Expr.Literal(c.value());
    if (n instanceof Node.Apply a && (root || inlined.contains(v.id()))) {
      if (a.op() instanceof Reshape) return expr(a.inputs().getFirst(), from, byId, inlined, false);  // one element
      if (a.op() instanceof BroadcastTo) {
        Value in = a.inputs().getFirst();
        return expr(in, in.type().dims(), byId, inlined, false);
      }
      List<Expr> args = new ArrayList<>();
      for (Value in : a.inputs()) args.add(expr(in, from, byId, inlined, false));
      return new Expr.Apply(a.op(), a.attrs(), args);
    }
    return new Expr.Leaf(v, from);
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

  /** Total float32 bytes of the buffers (peak memory of the phase's intermediates). */
  /**
   * The schedule as text, one kernel per line: a fused loop's expression, a group's parts, an op's
   * loop kernel (with its epilogue); then the buffers. The goldens of every model hold this form.
   */
  public String text() {
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
          b.append(head(p.out())).append(wganc.loop.LoopKernel.of(a.op(), a.inputs().stream().map(Value::type).toList(),
              a.attrs(), (p.inner() != null ? p.inner() : p.out()).type()).text());
          if (p.epilogue() != null) b.append(" then %").append(p.inner().id()).append(" <- ").append(text(p.epilogue()));
          b.append('\n');
        }
      }
    }
    b.append("buffers ").append(bufferSizes).append('\n');
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

  public long bufferBytes() {
    return bufferSizes.stream().mapToLong(Integer::longValue).sum() * 4;
  }
}

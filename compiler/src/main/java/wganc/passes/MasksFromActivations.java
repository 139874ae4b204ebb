package wganc.passes;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import wganc.ir.Binding;
import wganc.ir.Graph;
import wganc.ir.Node;
import wganc.ir.Value;
import wganc.ops.Binary;
import wganc.ops.Compare;
import wganc.ops.Select;

/**
 * Reads a (leaky) ReLU's mask off its output instead of its input.
 *
 * <p>Pattern: {@code m = greater(x, 0)} and {@code h = select(m, x, z)} with {@code z} the constant 0
 * (ReLU) or {@code x * k} with a constant {@code k >= 0} (leaky ReLU). Then {@code h > 0} exactly when
 * {@code x > 0} (NaN included: both are false), so every use of {@code m} after {@code h} reads
 * {@code m' = greater(h, 0)}, a new binding right after {@code h}. The backward and double-backward
 * passes then no longer keep the pre-activation {@code x} alive: it is read only by {@code h}, so the
 * bias add and the activation fuse into the producing matmul or convolution and {@code x} is never
 * stored. The results are bit-identical.
 */
public final class MasksFromActivations implements Pass {
  @Override
  public String name() {
    return "masks-from-activations";
  }

  @Override
  public Graph run(Graph in) {
    Map<Integer, Binding> byId = new HashMap<>();
    for (Binding b : in.bindings()) byId.put(b.value().id(), b);
    int next = 0;
    for (Binding b : in.bindings()) next = Math.max(next, b.value().id() + 1);
    // mask id -> the mask read off the activation, once the activation is bound
    Map<Integer, Value> replaced = new HashMap<>();
    Map<Integer, Integer> lastUse = new HashMap<>();   // value id -> index of its last user
    List<Binding> bindings = in.bindings();
    for (int i = 0; i < bindings.size(); i++) {
      for (Value v : bindings.get(i).node().inputs()) lastUse.put(v.id(), i);
    }
    for (Value v : in.outputs().values()) lastUse.put(v.id(), bindings.size());
    List<Binding> out = new ArrayList<>();
    boolean changed = false;
    for (int i = 0; i < bindings.size(); i++) {
      Binding b = bindings.get(i);
      Binding renamed = b;
      if (b.node() instanceof Node.Apply a && a.inputs().stream().anyMatch(v -> replaced.containsKey(v.id()))) {
        List<Value> inputs = new ArrayList<>();
        for (Value v : a.inputs()) inputs.add(replaced.getOrDefault(v.id(), v));
        renamed = new Binding(b.value(), Rewriter.withInputs(a, inputs));
        changed = true;
      }
      out.add(renamed);
      Value zero = activationMask(b, byId);
      // only when the mask is read after the activation (else there is nothing to move)
      if (zero != null && lastUse.getOrDefault(((Node.Apply) b.node()).inputs().getFirst().id(), -1) > i) {
        Node.Apply mask = (Node.Apply) byId.get(((Node.Apply) b.node()).inputs().getFirst().id()).node();
        Value m = ((Node.Apply) b.node()).inputs().getFirst();
        Value fromOutput = new Value(next++, m.type());
        out.add(new Binding(fromOutput, new Node.Apply(Compare.GREATER, List.of(b.value(), zero), mask.attrs(),
            m.type(), mask.source())));
        replaced.put(m.id(), fromOutput);
        changed = true;
      }
    }
    if (!changed) return in;
    Map<String, Value> outputs = new LinkedHashMap<>();
    in.outputs().forEach((k, v) -> outputs.put(k, replaced.getOrDefault(v.id(), v)));
    return new EliminateDeadCode().run(new Graph(out, outputs));
  }

  /** For {@code h = select(greater(x, 0), x, z)} of the pattern, the constant 0 that m compares with; else null. */
  private static Value activationMask(Binding h, Map<Integer, Binding> byId) {
    if (!(h.node() instanceof Node.Apply s) || s.op() != Select.INSTANCE) return null;
    Value m = s.inputs().get(0), x = s.inputs().get(1), z = s.inputs().get(2);
    if (!(byId.get(m.id()).node() instanceof Node.Apply g) || g.op() != Compare.GREATER) return null;
    if (!g.inputs().get(0).equals(x) || !isConstant(g.inputs().get(1), byId, 0)) return null;
    boolean relu = isConstant(z, byId, 0);
    boolean leaky = byId.get(z.id()).node() instanceof Node.Apply k && k.op() == Binary.MUL
        && k.inputs().get(0).equals(x) && byId.get(k.inputs().get(1).id()).node() instanceof Node.Constant c
        && c.value() >= 0;
    return relu || leaky ? g.inputs().get(1) : null;
  }

  private static boolean isConstant(Value v, Map<Integer, Binding> byId, double value) {
    return byId.get(v.id()).node() instanceof Node.Constant c && c.value() == value;
  }
}

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

/**
 * A forward rewrite of a graph: bindings are emitted in order, uses are renamed through a
 * substitution, and the graph is rebuilt only if something changed.
 */
final class Rewriter {
  private final Graph in;
  private final List<Binding> out = new ArrayList<>();
  private final Map<Integer, Value> subst = new HashMap<>();
  private final Map<Integer, Node> emitted = new HashMap<>();
  private boolean changed;

  Rewriter(Graph in) {
    this.in = in;
  }

  Value renamed(Value v) {
    return subst.getOrDefault(v.id(), v);
  }

  List<Value> renamed(List<Value> vs) {
    List<Value> r = new ArrayList<>(vs.size());
    for (Value v : vs) {
      r.add(renamed(v));
    }
    return r;
  }

  /** The node an emitted value is bound to. */
  Node node(Value v) {
    return emitted.get(v.id());
  }

  /** Emits {@code node} under {@code b}'s value. */
  void emit(Binding b, Node node) {
    if (!node.equals(b.node())) {
      changed = true;
    }
    out.add(node.equals(b.node()) ? b : new Binding(b.value(), node));
    emitted.put(b.value().id(), node);
  }

  /** Drops {@code b}: its uses read {@code replacement} instead. */
  void replace(Binding b, Value replacement) {
    if (!replacement.type().equals(b.value().type())) {
      throw new IllegalStateException("replacing " + b.value() + " : " + b.value().type()
          + " by " + replacement + " : " + replacement.type());
    }
    subst.put(b.value().id(), replacement);
    changed = true;
  }

  /** Drops {@code b} with no replacement (it must be unused). */
  void drop(Binding b) {
    changed = true;
  }

  Graph result() {
    if (!changed) {
      return in;
    }
    Map<String, Value> outputs = new LinkedHashMap<>();
    for (Map.Entry<String, Value> e : in.outputs().entrySet()) {
      outputs.put(e.getKey(), renamed(e.getValue()));
    }
    return new Graph(out, outputs);
  }

  /** Applications with their uses renamed. */
  static Node.Apply withInputs(Node.Apply a, List<Value> inputs) {
    return inputs.equals(a.inputs()) ? a
        : new Node.Apply(a.op(), inputs, a.attrs(), a.type(), a.source());
  }
}

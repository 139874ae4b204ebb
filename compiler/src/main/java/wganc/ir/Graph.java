package wganc.ir;

import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An SSA graph in A-normal form: an ordered list of bindings and named outputs (insertion-ordered).
 * Immutable; well-formedness is checked by {@link IrVerifier}, not here.
 */
public final class Graph {
  private final List<Binding> bindings;
  private final Map<String, Value> outputs;
  private final Map<Integer, Binding> byId;

  public Graph(List<Binding> bindings, Map<String, Value> outputs) {
    this.bindings = List.copyOf(bindings);
    this.outputs = Collections.unmodifiableMap(new LinkedHashMap<>(outputs));
    Map<Integer, Binding> index = new HashMap<>();
    for (Binding b : this.bindings) {
      if (index.put(b.value().id(), b) != null) {
        throw new IrException("value " + b.value() + " is bound twice");
      }
    }
    this.byId = index;
  }

  public List<Binding> bindings() {
    return bindings;
  }

  public Map<String, Value> outputs() {
    return outputs;
  }

  public Value output(String name) {
    Value v = outputs.get(name);
    if (v == null) {
      throw new IrException("no output named `" + name + "`; outputs are " + outputs.keySet());
    }
    return v;
  }

  /** The binding of {@code value}, or null when it is not bound here. */
  public Binding binding(Value value) {
    return byId.get(value.id());
  }

  public Node node(Value value) {
    Binding b = byId.get(value.id());
    if (b == null) {
      throw new IrException("value " + value + " is not bound in this graph");
    }
    return b.node();
  }

  public int size() {
    return bindings.size();
  }

  /** Number of op applications (bindings that compute). */
  public int applyCount() {
    int n = 0;
    for (Binding b : bindings) {
      if (b.node() instanceof Node.Apply) {
        n++;
      }
    }
    return n;
  }

  public int maxId() {
    int max = -1;
    for (Binding b : bindings) {
      max = Math.max(max, b.value().id());
    }
    return max;
  }

  public Graph withOutputs(Map<String, Value> newOutputs) {
    return new Graph(bindings, newOutputs);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Graph g && bindings.equals(g.bindings) && outputs.equals(g.outputs);
  }

  @Override
  public int hashCode() {
    return bindings.hashCode() * 31 + outputs.hashCode();
  }

  @Override
  public String toString() {
    return IrPrinter.print(this);
  }
}

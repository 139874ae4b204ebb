package wganc.ir;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Checks a graph: every value bound once and defined before use, each use typed as its definition,
 * every application's type equal to its op's shape rule (re-run here), input and parameter names
 * unique, outputs bound. A failure names the binding and shows the IR around it.
 */
public final class IrVerifier {
  private IrVerifier() {}

  public static void verify(Graph g) {
    Map<Integer, Value> defined = new HashMap<>();
    Set<String> names = new HashSet<>();
    List<Binding> bs = g.bindings();
    for (int i = 0; i < bs.size(); i++) {
      Binding b = bs.get(i);
      Value v = b.value();
      if (defined.containsKey(v.id())) {
        throw failure(g, i, v + " is bound twice");
      }
      switch (b.node()) {
        case Node.Input in -> {
          if (!names.add(in.name())) {
            throw failure(g, i, "name \"" + in.name() + "\" is declared twice");
          }
        }
        case Node.Parameter p -> {
          if (!names.add(p.name())) {
            throw failure(g, i, "name \"" + p.name() + "\" is declared twice");
          }
        }
        case Node.Constant c -> { }
        case Node.Apply a -> {
          List<TensorType> types = new ArrayList<>();
          for (Value in : a.inputs()) {
            Value def = defined.get(in.id());
            if (def == null) {
              throw failure(g, i, in + " is used before it is defined");
            }
            if (!def.type().equals(in.type())) {
              throw failure(g, i, in + " is used as " + in.type() + " but defined as "
                  + def.type());
            }
            types.add(in.type());
          }
          TensorType inferred;
          try {
            inferred = a.op().infer(types, a.attrs());
          } catch (IrException e) {
            throw failure(g, i, e.getMessage());
          }
          if (!inferred.equals(a.type())) {
            throw failure(g, i, "declared " + a.type() + " but `" + a.op().opName()
                + "` gives " + inferred);
          }
        }
      }
      defined.put(v.id(), v);
    }
    for (Map.Entry<String, Value> e : g.outputs().entrySet()) {
      Value def = defined.get(e.getValue().id());
      if (def == null || !def.type().equals(e.getValue().type())) {
        throw new IrException("output \"" + e.getKey() + "\" refers to " + e.getValue()
            + ", which is not bound with type " + e.getValue().type());
      }
    }
  }

  private static IrException failure(Graph g, int index, String message) {
    StringBuilder sb = new StringBuilder("at ").append(g.bindings().get(index).value())
        .append(": ").append(message).append('\n');
    int from = Math.max(0, index - 3);
    int to = Math.min(g.size(), index + 2);
    for (int i = from; i < to; i++) {
      sb.append(i == index ? " -> " : "    ").append(IrPrinter.line(g.bindings().get(i)))
          .append('\n');
    }
    return new IrException(sb.toString());
  }
}

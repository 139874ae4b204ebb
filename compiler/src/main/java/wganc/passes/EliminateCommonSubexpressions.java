package wganc.passes;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import wganc.ir.Attrs;
import wganc.ir.Binding;
import wganc.ir.Graph;
import wganc.ir.Node;
import wganc.ir.TensorType;
import wganc.ir.Value;

/**
 * Merges bindings that compute the same thing.
 *
 * <p>Algorithm: one forward sweep with a table from a structural key to the first value that
 * computed it. The key of an application is (op, renamed inputs, attributes, type); of a constant,
 * (value bits, type). Source tags are not part of the key: the first binding's tag survives.
 * Every op is a pure function (random draws are keyed by their attributes and step), so equal keys
 * mean equal values. Inputs and parameters are never merged. The replaced bindings are dropped;
 * commutative operands are not reordered (left to Simplify if it ever canonicalises).
 */
public final class EliminateCommonSubexpressions implements Pass {
  private record ApplyKey(String op, List<Value> inputs, Attrs attrs, TensorType type) {}

  private record ConstantKey(long bits, TensorType type) {}

  @Override
  public String name() {
    return "eliminate-common-subexpressions";
  }

  @Override
  public Graph run(Graph in) {
    Rewriter r = new Rewriter(in);
    Map<Object, Value> seen = new HashMap<>();
    for (Binding b : in.bindings()) {
      Node node = b.node();
      Object key = switch (node) {
        case Node.Input x -> null;
        case Node.Parameter x -> null;
        case Node.Constant c -> new ConstantKey(Double.doubleToLongBits(c.value()), c.type());
        case Node.Apply a -> {
          node = Rewriter.withInputs(a, r.renamed(a.inputs()));
          yield new ApplyKey(a.op().opName(), node.inputs(), a.attrs(), a.type());
        }
      };
      Value first = key == null ? null : seen.get(key);
      if (first != null) {
        r.replace(b, first);
      } else {
        if (key != null) {
          seen.put(key, b.value());
        }
        r.emit(b, node);
      }
    }
    return r.result();
  }
}

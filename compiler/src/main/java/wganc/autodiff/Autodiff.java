package wganc.autodiff;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import wganc.ir.Binding;
import wganc.ir.Graph;
import wganc.ir.GraphBuilder;
import wganc.ir.IrException;
import wganc.ir.IrPrinter;
import wganc.ir.Node;
import wganc.ir.Value;

/**
 * Reverse-mode differentiation as an IR-to-IR transform.
 *
 * <p>Algorithm: (1) mark the values that depend on a {@code wrt} value through differentiable
 * operands (a forward sweep; comparison masks, {@code sign} and random draws stop it) and the
 * values {@code y} depends on (a backward sweep); only bindings in both sets get cotangents.
 * (2) Seed {@code y}'s cotangent with ones and walk the bindings in reverse, calling each op's
 * {@code vjp} with a {@code need} mask for the relevant operands, and summing cotangents with
 * {@code add}. A cotangent never created is a symbolic zero; only a {@code wrt} value with no path
 * to {@code y} gets a zero constant, because an output needs a value.
 *
 * <p>The result is ordinary IR appended after the original bindings, so it can be differentiated
 * again: a gradient used inside a loss gets its second-order terms from the VJPs of the backward
 * ops, with nothing special-cased.
 */
public final class Autodiff {
  private Autodiff() {}

  /**
   * Appends to {@code b} the gradients of {@code y} (the sum of its elements, when not a scalar)
   * with respect to each of {@code wrt}, and returns them in order.
   */
  public static List<Value> grad(GraphBuilder b, Value y, List<Value> wrt) {
    List<Binding> bindings = b.bindings();
    Map<Integer, Integer> position = new HashMap<>();
    for (int i = 0; i < bindings.size(); i++) {
      position.put(bindings.get(i).value().id(), i);
    }
    if (!position.containsKey(y.id())) {
      throw new IrException("autodiff: " + y + " is not bound");
    }
    Set<Integer> depends = new HashSet<>();
    for (Value w : wrt) {
      if (!position.containsKey(w.id())) {
        throw new IrException("autodiff: " + w + " is not bound");
      }
      depends.add(w.id());
    }
    for (Binding bd : bindings) {
      if (bd.node() instanceof Node.Apply a) {
        for (int i = 0; i < a.inputs().size(); i++) {
          if (a.op().differentiable(i) && depends.contains(a.inputs().get(i).id())) {
            depends.add(bd.value().id());
            break;
          }
        }
      }
    }
    Set<Integer> needed = new HashSet<>();
    needed.add(y.id());
    for (int i = position.get(y.id()); i >= 0; i--) {
      Binding bd = bindings.get(i);
      if (needed.contains(bd.value().id())) {
        for (Value in : bd.node().inputs()) {
          needed.add(in.id());
        }
      }
    }

    Map<Integer, Value> cotangent = new HashMap<>();
    if (depends.contains(y.id())) {
      cotangent.put(y.id(), b.fill(1.0, y));
    }
    for (int i = position.get(y.id()); i >= 0; i--) {
      Binding bd = bindings.get(i);
      Value dout = cotangent.get(bd.value().id());
      if (dout == null || !(bd.node() instanceof Node.Apply a)) {
        continue;
      }
      List<Value> inputs = a.inputs();
      boolean[] need = new boolean[inputs.size()];
      boolean any = false;
      for (int k = 0; k < inputs.size(); k++) {
        int id = inputs.get(k).id();
        need[k] = a.op().differentiable(k) && depends.contains(id) && needed.contains(id);
        any |= need[k];
      }
      if (!any) {
        continue;
      }
      Value[] vjps = a.op().vjp(b, inputs, a.attrs(), bd.value(), dout, need);
      for (int k = 0; k < inputs.size(); k++) {
        Value c = vjps[k];
        if (c == null || !need[k]) {
          continue;
        }
        Value in = inputs.get(k);
        if (!c.type().equals(in.type())) {
          throw new IrException("autodiff: the vjp of `" + a.op().opName() + "` gives "
              + c.type() + " for operand " + k + " of type " + in.type() + "\n  "
              + IrPrinter.line(bd));
        }
        Value prev = cotangent.get(in.id());
        cotangent.put(in.id(), prev == null ? c : b.add(prev, c));
      }
    }
    List<Value> grads = new ArrayList<>(wrt.size());
    for (Value w : wrt) {
      Value gw = cotangent.get(w.id());
      grads.add(gw != null ? gw : b.fill(0.0, w));
    }
    return grads;
  }

  /**
   * The graph transform: {@code g}'s bindings and outputs plus the gradients of {@code y} with
   * respect to {@code wrt}, exposed as outputs named {@code names}.
   */
  public static Graph grad(Graph g, Value y, List<Value> wrt, List<String> names) {
    if (names.size() != wrt.size()) {
      throw new IllegalArgumentException("one name per gradient");
    }
    GraphBuilder b = GraphBuilder.from(g);
    List<Value> grads = grad(b, y, wrt);
    for (int i = 0; i < names.size(); i++) {
      b.output(names.get(i), grads.get(i));
    }
    return b.build();
  }
}

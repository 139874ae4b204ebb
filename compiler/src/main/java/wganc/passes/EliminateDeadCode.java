package wganc.passes;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import wganc.ir.Binding;
import wganc.ir.Graph;
import wganc.ir.Node;
import wganc.ir.Value;

/**
 * Removes constants and applications that no output depends on.
 *
 * <p>Algorithm: mark the outputs live, then walk the bindings backwards marking the inputs of every
 * live binding; keep the live ones in their order. Inputs and parameters are the graph's interface
 * and are always kept, even when unused (a later pass that lowers the interface may drop them).
 */
public final class EliminateDeadCode implements Pass {
  @Override
  public String name() {
    return "eliminate-dead-code";
  }

  @Override
  public Graph run(Graph in) {
    Set<Integer> live = new HashSet<>();
    for (Value v : in.outputs().values()) {
      live.add(v.id());
    }
    List<Binding> bs = in.bindings();
    for (int i = bs.size() - 1; i >= 0; i--) {
      if (live.contains(bs.get(i).value().id())) {
        for (Value v : bs.get(i).node().inputs()) {
          live.add(v.id());
        }
      }
    }
    Rewriter r = new Rewriter(in);
    for (Binding b : bs) {
      boolean keep = switch (b.node()) {
        case Node.Input x -> true;
        case Node.Parameter x -> true;
        case Node.Constant x -> live.contains(b.value().id());
        case Node.Apply x -> live.contains(b.value().id());
      };
      if (keep) {
        r.emit(b, b.node());
      } else {
        r.drop(b);
      }
    }
    return r.result();
  }
}

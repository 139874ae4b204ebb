package wganc.passes;

import java.util.ArrayList;
import java.util.List;
import wganc.ir.Graph;
import wganc.ir.IrException;
import wganc.ir.IrVerifier;

/**
 * A flat list of passes run in order, with {@link IrVerifier} before the first and after every
 * pass; a failure names the pass. Records bindings and applications before and after each pass.
 */
public record Pipeline(List<Pass> passes) {
  public Pipeline {
    passes = List.copyOf(passes);
  }

  /**
   * Simplify, CSE, Simplify again (CSE exposes equal select branches), activation masks read off
   * the activations (after CSE has merged each mask's copies), dead code.
   */
  public static Pipeline standard() {
    return new Pipeline(List.of(new Simplify(), new EliminateCommonSubexpressions(),
        new Simplify(), new MasksFromActivations(), new EliminateDeadCode()));
  }

  public record Step(String pass, int bindingsBefore, int bindingsAfter, int appliesBefore,
      int appliesAfter) {}

  public record Result(Graph graph, List<Step> steps) {
    /** e.g. {@code simplify 120->98 (apply 100->80); ...; total 120->60 (apply 100->45)}. */
    public String report() {
      StringBuilder sb = new StringBuilder();
      for (Step s : steps) {
        sb.append(s.pass()).append(' ').append(s.bindingsBefore()).append("->")
            .append(s.bindingsAfter()).append(" (apply ").append(s.appliesBefore()).append("->")
            .append(s.appliesAfter()).append("); ");
      }
      if (!steps.isEmpty()) {
        Step first = steps.getFirst();
        Step last = steps.getLast();
        sb.append("total ").append(first.bindingsBefore()).append("->")
            .append(last.bindingsAfter()).append(" (apply ").append(first.appliesBefore())
            .append("->").append(last.appliesAfter()).append(')');
      }
      return sb.toString();
    }
  }

  public Result run(Graph in) {
    IrVerifier.verify(in);
    Graph g = in;
    List<Step> steps = new ArrayList<>();
    for (Pass p : passes) {
      Graph next = p.run(g);
      try {
        IrVerifier.verify(next);
      } catch (IrException e) {
        throw new IrException("after pass `" + p.name() + "`: " + e.getMessage());
      }
      steps.add(new Step(p.name(), g.size(), next.size(), g.applyCount(), next.applyCount()));
      g = next;
    }
    return new Result(g, steps);
  }
}

package wganc.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import wganc.ir.Graph;
import wganc.ir.IrParser;
import wganc.ir.IrPrinter;
import wganc.ir.IrVerifier;

/** Plans of IR text for the pass tests, and their decisions and kernels as text. */
final class Plans {
  private Plans() {}

  /** A graph that computes nothing: its output is its input. */
  static final String NOTHING = """
      %0 : f32[4] = input "x"
      output "y" = %0
      """;

  /** A plan of {@code ir} with nothing decided. */
  static Plan of(String ir) {
    Graph g = IrParser.parse(ir);
    IrVerifier.verify(g);
    return Plan.of(g);
  }

  /**
   * Runs {@code pass} and checks it is pure: the input plan is the same afterwards (its graph prints
   * the same, its decisions and kernels are equal).
   */
  static Plan run(UnaryOperator<Plan> pass, Plan in) {
    String graph = IrPrinter.print(in.graph());
    var inlined = in.inlined();
    var kernels = in.kernels();
    var buffers = in.buffers();
    Plan out = pass.apply(in);
    assertEquals(graph, IrPrinter.print(in.graph()));
    assertEquals(inlined, in.inlined());
    assertEquals(kernels, in.kernels());
    assertEquals(buffers, in.buffers());
    return out;
  }

  /**
   * Runs {@code pass} on {@code in} (purely), checks what {@code show} prints of the result, and that
   * a second run changes nothing and returns its input; returns the result.
   */
  static Plan assertRun(UnaryOperator<Plan> pass, Plan in, Function<Plan, String> show, String expected) {
    Plan out = run(pass, in);
    assertEquals(expected, show.apply(out));
    assertSame(out, pass.apply(out), "a second run changes nothing");
    return out;
  }

  /** Runs {@code pass} on {@code in} (purely) and checks that it returns {@code in} itself. */
  static void assertUnchanged(UnaryOperator<Plan> pass, Plan in) {
    assertSame(in, run(pass, in), "nothing to do returns the input");
  }

  /**
   * The inlining decisions, one a line by value: {@code %3 in %5} (computed in the loop of %5),
   * {@code %3 replicated} (in every loop that reads it) or {@code %3 replicated in %5} (at each use
   * in that one loop), then {@code , under broadcast} where a broadcast is above it.
   */
  static String inlined(Plan p) {
    StringBuilder b = new StringBuilder();
    for (Map.Entry<Integer, Plan.Inlined> e : new TreeMap<>(p.inlined()).entrySet()) {
      Plan.Inlined d = e.getValue();
      b.append('%').append(e.getKey()).append(d.replicated() ? " replicated" : "");
      if (d.into() != null) b.append(" in %").append(d.into());
      b.append(d.underBroadcast() ? ", under broadcast" : "").append('\n');
    }
    return b.toString();
  }

  /** The kernels as {@link Schedule#text()} prints them. */
  static String kernels(Plan p) {
    return Schedule.text(p.kernels());
  }

  /** The plan after fusion: the decisions of {@link InlineElementwise} and their kernels. */
  static Plan fused(String ir) {
    return FormKernels.run(InlineElementwise.run(of(ir)));
  }
}

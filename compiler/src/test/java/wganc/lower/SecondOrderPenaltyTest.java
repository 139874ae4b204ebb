package wganc.lower;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import wganc.autodiff.Autodiff;
import wganc.check.Model;
import wganc.interp.Interpreter;
import wganc.interp.Float64Tensor;
import wganc.ir.Binding;
import wganc.ir.Graph;
import wganc.ir.Node;
import wganc.ir.Value;

/**
 * The pure second-order part of the penalised critic losses: the gradient of the penalty alone
 * (`gp`, `r1`) with respect to the critic's parameters. The penalty is a function of
 * {@code grad(D(x), x)}, so this gradient exists only through the VJPs of the backward ops (the
 * relu masks, the transposed matmuls and convolutions, the norm's safe square root). It is built by
 * applying {@link Autodiff} to the lowered critic graph's penalty output and checked against central
 * differences of the interpreter's penalty, as in {@link WholeUpdateGradcheckTest} (same directions,
 * coordinates, kink redraws and tolerance).
 */
class SecondOrderPenaltyTest {
  @ParameterizedTest
  @CsvSource({"toy8-wgan-gp, gp", "toy8-r1, r1", "mnist-wgan-gp-paper, gp"})
  void penaltyGradientWithRespectToTheCriticMatchesCentralDifferences(String name, String penalty)
      throws Exception {
    Model model = Shrunk.model(name);
    Lowering.PhaseGraph critic = Lowering.lower(model, Lowering.Draws.INPUTS).stream()
        .filter(pg -> pg.graph().outputs().containsKey(penalty)).findFirst().orElseThrow();
    Graph g = critic.graph();
    List<String> names = critic.update().trains();
    List<Value> params = new ArrayList<>();
    for (String p : names) params.add(parameter(g, p));
    List<String> outs = names.stream().map(p -> "dpenalty." + p).toList();
    Graph withGrad = Autodiff.grad(g, g.output(penalty), params, outs);

    Random r = new Random(77);
    Map<String, Float64Tensor> feeds = Shrunk.feeds(model, g, r, 1, 1.3);
    Interpreter.Result res = Interpreter.run(withGrad, feeds);
    assertTrue(res.output(penalty).item() > 0.01, name + ": the penalty is 0");
    Map<String, double[]> grads = new LinkedHashMap<>();
    Map<String, Double> scales = new LinkedHashMap<>();
    for (int i = 0; i < names.size(); i++) {
      double[] d = res.output(outs.get(i)).data();
      grads.put(names.get(i), d);
      scales.put(names.get(i), WholeUpdateGradcheckTest.rmsAtLeast(feeds.get(names.get(i)).data(), 0.1));
      // D is piecewise linear in x (relu, leaky relu), so grad(D(x), x) is a product of weights and
      // activation masks: the biases move only the masks, and get an exact zero; every weight counts
      double s = 0;
      for (double x : d) s += Math.abs(x);
      if (names.get(i).endsWith(".bias")) assertEquals(0.0, s, name + ": d" + penalty + "/d" + names.get(i));
      else assertTrue(s > 0, name + ": d" + penalty + "/d" + names.get(i) + " is zero");
    }
    var check = new WholeUpdateGradcheckTest.Check(Shrunk.only(g, penalty), penalty, feeds, name + " " + penalty);
    check.directions(grads, scales, r, 3);
    check.coordinates(grads, scales, r, Math.max(10, names.size()));
  }

  static Value parameter(Graph g, String name) {
    for (Binding b : g.bindings()) {
      if (b.node() instanceof Node.Parameter p && p.name().equals(name)) return b.value();
    }
    throw new AssertionError("no parameter " + name);
  }
}

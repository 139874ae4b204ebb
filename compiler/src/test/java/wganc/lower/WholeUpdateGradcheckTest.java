package wganc.lower;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import wganc.check.Model;
import wganc.interp.Interpreter;
import wganc.interp.Float64Tensor;
import wganc.ir.Graph;
import wganc.passes.Pipeline;

/**
 * The whole update, end to end: for every model in models/ (shrunk, see {@link Shrunk}) and every
 * update phase, the lowered `grad.<p>` of every trained parameter against central differences of the
 * interpreter's `loss`, in float64, with every draw and dropout mask a fixed input. This covers the
 * forward layers, batch statistics, the Wasserstein terms and, for the penalised models, the
 * second-order terms of `grad(D(x), x)` inside the loss.
 *
 * <p>(a) Three random directions spanning all trained parameters at once: {@code <g, v>} against
 * {@code (L(θ+hv) - L(θ-hv)) / 2h}; (b) ten random single coordinates per phase (more when the
 * update trains more tensors: at least one in each tensor). Each tensor's
 * direction is scaled by its RMS value (at least 0.1), and {@code h = 1e-6}, so every step is about
 * 1e-6 relative. Weight matrices and kernels are drawn with 1.3 times the variance-1/fan-in scale so
 * that the critics' input-gradient norms straddle 1: every penalty is active, and the one-sided one
 * has samples on both sides of its kink (its gp, 0.193, is below the two-sided 0.204 on the same
 * feeds). A step that changes any branch (a relu, leaky relu or safe-sqrt comparison, abs, max)
 * between θ-hv and θ+hv is not on one smooth piece: that direction or coordinate is redrawn.
 *
 * <p>Tolerance: {@code |fd - ad| <= 1e-6 * S + noise}, where S is {@code sum |g_i v_i|} (the
 * derivative's size without cancellation) and {@code noise = 64 * ulp(|L| + 1) / h} bounds
 * the rounding of the two loss evaluations. Truncation error is O(h^2) = 1e-12 relative.
 *
 * <p>The graph after {@link Pipeline#standard()} must give the same gradients to 1e-12 (norm-wise).
 */
class WholeUpdateGradcheckTest {
  static final double H = 1e-6;

  @ParameterizedTest
  @MethodSource("wganc.lower.Shrunk#models")
  void everyParameterGradientMatchesCentralDifferences(Path path) throws Exception {
    Model model = Shrunk.model(path);
    Random r = new Random(20240611L);
    for (Lowering.PhaseGraph pg : Lowering.lower(model, Lowering.Draws.INPUTS)) {
      Graph g = pg.graph();
      String where = path.getFileName() + " phase " + pg.name();
      Map<String, Float64Tensor> feeds = Shrunk.feeds(model, g, r, 1, 1.3);
      Interpreter.Result full = Interpreter.run(g, feeds);
      for (String n : List.of("gp", "r1")) {
        // the penalty must be active, or its second-order terms would go unchecked
        if (g.outputs().containsKey(n)) assertTrue(full.output(n).item() > 0.01, where + ": `" + n + "` is 0");
      }
      Graph lossGraph = Shrunk.only(g, "loss");
      Check check = new Check(lossGraph, "loss", feeds, where);
      Map<String, double[]> grads = new LinkedHashMap<>();
      Map<String, Double> scales = new LinkedHashMap<>();
      for (String p : pg.update().trains()) {
        grads.put(p, full.output("grad." + p).data());
        scales.put(p, rmsAtLeast(feeds.get(p).data(), 0.1));
      }
      // the standard passes keep every gradient (float64, up to reassociation)
      Interpreter.Result optimised = Interpreter.run(Pipeline.standard().run(g).graph(), feeds);
      for (var e : grads.entrySet()) {
        double[] o = optimised.output("grad." + e.getKey()).data();
        double diff = 0, norm = 0;
        for (int k = 0; k < o.length; k++) {
          diff += (o[k] - e.getValue()[k]) * (o[k] - e.getValue()[k]);
          norm += e.getValue()[k] * e.getValue()[k];
        }
        assertTrue(Math.sqrt(diff) <= 1e-12 * Math.sqrt(norm) + 1e-15, where + ": passes change grad." + e.getKey());
      }
      check.directions(grads, scales, r, 3);
      check.coordinates(grads, scales, r, Math.max(10, grads.size()));
    }
  }

  static double rmsAtLeast(double[] x, double floor) {
    double s = 0;
    for (double v : x) s += v * v;
    return Math.max(Math.sqrt(s / x.length), floor);
  }

  /** Central differences of one scalar output of a graph against given gradients. */
  static final class Check {
    final Graph graph;
    final String output;
    final Map<String, Float64Tensor> feeds;
    final String where;
    final List<double[]> branches;
    final double value;

    Check(Graph graph, String output, Map<String, Float64Tensor> feeds, String where) {
      this.graph = graph;
      this.output = output;
      this.feeds = feeds;
      this.where = where;
      Interpreter.Result c = Interpreter.run(graph, feeds);
      this.value = c.output(output).item();
      this.branches = Shrunk.branches(graph, c);
    }

    /** The central difference along {@code dir}, or NaN when the step crosses a branch. */
    double difference(Map<String, double[]> dir) {
      Interpreter.Result plus = Interpreter.run(graph, Shrunk.shifted(feeds, dir, H));
      Interpreter.Result minus = Interpreter.run(graph, Shrunk.shifted(feeds, dir, -H));
      if (!Shrunk.sameBranches(branches, Shrunk.branches(graph, plus))
          || !Shrunk.sameBranches(branches, Shrunk.branches(graph, minus))) {
        return Double.NaN;
      }
      return (plus.output(output).item() - minus.output(output).item()) / (2 * H);
    }

    void compare(String what, double ad, double size, double fd) {
      double noise = 64 * Math.ulp(Math.abs(value) + 1) / H;
      double err = Math.abs(fd - ad);
      double rel = err / size;
      assertTrue(err <= 1e-6 * size + noise, () -> where + " " + what + ": autodiff " + ad + ", central difference "
          + fd + " (|error| " + err + ", relative to " + size + ": " + rel + ", noise " + noise + ")");
    }

    void directions(Map<String, double[]> grads, Map<String, Double> scales, Random r, int n) {
      int done = 0;
      for (int tries = 0; done < n; tries++) {
        if (tries == 5 * n) fail(where + ": every direction crosses a kink");
        Map<String, double[]> dir = new LinkedHashMap<>();
        double ad = 0, size = 0;
        for (var e : grads.entrySet()) {
          double[] v = new double[e.getValue().length];
          for (int k = 0; k < v.length; k++) {
            v[k] = scales.get(e.getKey()) * r.nextGaussian();
            ad += e.getValue()[k] * v[k];
            size += Math.abs(e.getValue()[k] * v[k]);
          }
          dir.put(e.getKey(), v);
        }
        double fd = difference(dir);
        if (Double.isNaN(fd)) continue;
        compare("direction " + done, ad, size, fd);
        done++;
      }
    }

    void coordinates(Map<String, double[]> grads, Map<String, Double> scales, Random r, int n) {
      List<String> names = new ArrayList<>(grads.keySet());
      int done = 0;
      for (int tries = 0; done < n; tries++) {
        if (tries == 5 * n) fail(where + ": every coordinate crosses a kink");
        String p = names.get(tries % names.size());
        double[] g = grads.get(p);
        int k = r.nextInt(g.length);
        double[] v = new double[g.length];
        v[k] = scales.get(p);
        double fd = difference(Map.of(p, v));
        if (Double.isNaN(fd)) continue;
        compare(p + "[" + k + "]", g[k] * v[k], Math.abs(g[k] * v[k]), fd);
        done++;
      }
    }
  }
}

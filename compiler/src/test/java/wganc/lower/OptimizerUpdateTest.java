package wganc.lower;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import wganc.check.Model;
import wganc.interp.Interpreter;
import wganc.interp.Float64Tensor;
import wganc.ir.Binding;
import wganc.ir.Graph;

/**
 * One step of every update of three models (shrunk, see {@link Shrunk}) against the textbook
 * formulas, computed here from the step's own `grad.<p>` and the fed optimiser state, at t = 1 and
 * t = 3 (`<update>.t` fed). The constants are the models' and the libraries' defaults, written out:
 * <ul>
 *   <li>PyTorch Adam (toy8-wgan-gp; lr 1e-4, betas 0.5/0.9, eps 1e-8):
 *       {@code p -= lr * m̂ / (sqrt(v̂) + eps)}, {@code m̂ = m/(1-b1^t)}, {@code v̂ = v/(1-b2^t)};
 *   <li>Keras Adam (mnist-wgan-gp; lr 2e-4, betas 0.5/0.9, eps 1e-7):
 *       {@code lr_t = lr sqrt(1-b2^t)/(1-b1^t)}, {@code p -= lr_t m / (sqrt(v) + eps)};
 *   <li>Keras RMSprop (mnist-wgan-clip; lr 5e-5, rho 0.9, eps 1e-7):
 *       {@code ms = 0.9 ms + 0.1 g^2}, {@code p -= lr g / sqrt(ms + eps)}, then the conv kernels
 *       clipped to [-0.01, 0.01] (kernels fed in ±0.02 so that some clip and some do not).
 * </ul>
 * Batchnorm running statistics (Keras, momentum 0.99, biased variance): {@code moving = 0.99 moving
 * + 0.01 stat}. Two layers' statistics are recomputed here from scratch (mnist-wgan-clip's D.1 after
 * a stride-2 "same" conv of `real`, mnist-wgan-gp's G.1 after the bias-free dense of `z`); for every
 * other batchnorm, some activation of the graph must have exactly the batch mean and biased variance
 * that the update implies. G applied with training=false (mnist-wgan-clip's fake half) leaves G's
 * running statistics alone and normalises with them: `fake` depends on (gamma, beta, running mean,
 * running variance) only through {@code scale = gamma/sqrt(var + 1e-3)} and
 * {@code beta - mean * scale}, and each sample's output on its own noise only.
 */
class OptimizerUpdateTest {
  enum Rule { TORCH_ADAM, KERAS_ADAM, KERAS_RMSPROP }

  @ParameterizedTest
  @ValueSource(ints = {1, 3})
  void toy8PyTorchAdam(int t) throws Exception {
    checkModel("toy8-wgan-gp", Rule.TORCH_ADAM, 1e-4, t);
  }

  /**
   * decay=linear (toy8-demo: 4000 steps, 5 critic steps each): the critic's lr at its step t is
   * {@code 1e-3 * max(0, 1 - (t-1)/20000)}, the generator's {@code 1e-3 * max(0, 1 - (t-1)/4000)}; at
   * t = 12345 the generator's has reached 0 (its parameters stay), at 40000 both have.
   */
  @ParameterizedTest
  @ValueSource(ints = {1, 3, 12345, 40000})
  void toy8DemoLinearDecay(int t) throws Exception {
    Model model = Shrunk.model("toy8-demo");
    assertEquals(List.of(new Model.Linear(20_000), new Model.Linear(4_000)),
        model.training().updates().stream().map(Model.Update::schedule).toList());
    checkModel("toy8-demo", Rule.TORCH_ADAM, 1e-3, t);
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 3})
  void mnistGpKerasAdamAndGeneratorRunningStatistics(int t) throws Exception {
    Map<String, Map<String, Float64Tensor>> in = new HashMap<>();
    Map<String, Interpreter.Result> out = new HashMap<>();
    Map<String, Graph> graphs = new HashMap<>();
    checkModel("mnist-wgan-gp", Rule.KERAS_ADAM, 2e-4, t, in, out, graphs);
    for (String phase : List.of("critic", "generator")) {
      // G.1 normalises the bias-free dense layer's output z W^T, features over the batch
      Map<String, Float64Tensor> f = in.get(phase);
      double[] z = f.get("z").data(), w = f.get("G.0.weight").data();
      int n = f.get("z").shape().get(0), k = f.get("z").shape().get(1), c = f.get("G.0.weight").shape().get(0);
      double[] x = new double[n * c];
      for (int i = 0; i < n; i++) {
        for (int o = 0; o < c; o++) {
          double s = 0;
          for (int j = 0; j < k; j++) s += z[i * k + j] * w[o * k + j];
          x[i * c + o] = s;
        }
      }
      checkMoving(phase + " G.1", f, out.get(phase), "G.1", x, n, c, 1);
    }
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 3})
  void mnistClipKerasRmspropClippingAndRunningStatistics(int t) throws Exception {
    Map<String, Map<String, Float64Tensor>> in = new HashMap<>();
    Map<String, Interpreter.Result> out = new HashMap<>();
    Map<String, Graph> graphs = new HashMap<>();
    checkModel("mnist-wgan-clip", Rule.KERAS_RMSPROP, 5e-5, t, in, out, graphs);
    // D.1 normalises conv(real, D.0, stride 2, "same": 28 -> 14, one row/column of zeros each side) + bias
    Map<String, Float64Tensor> f = in.get("critic.real_half");
    double[] real = f.get("real").data(), w = f.get("D.0.weight").data(), bias = f.get("D.0.bias").data();
    int n = f.get("real").shape().get(0), c = f.get("D.0.weight").shape().get(0);
    double[] x = new double[n * c * 14 * 14];
    for (int i = 0; i < n; i++) {
      for (int o = 0; o < c; o++) {
        for (int y = 0; y < 14; y++) {
          for (int xx = 0; xx < 14; xx++) {
            double s = bias[o];
            for (int a = 0; a < 4; a++) {
              for (int b = 0; b < 4; b++) {
                int r = 2 * y - 1 + a, q = 2 * xx - 1 + b;
                if (r >= 0 && r < 28 && q >= 0 && q < 28) s += real[(i * 28 + r) * 28 + q] * w[(o * 4 + a) * 4 + b];
              }
            }
            x[((i * c + o) * 14 + y) * 14 + xx] = s;
          }
        }
      }
    }
    checkMoving("critic.real_half D.1", f, out.get("critic.real_half"), "D.1", x, n, c, 196);

    // G in inference mode: its running statistics are not written, and are used
    Graph fakeHalf = graphs.get("critic.fake_half");
    for (String s : fakeHalf.outputs().keySet()) assertFalse(s.startsWith("G."), "fake_half writes " + s);
    Map<String, Float64Tensor> feeds = in.get("critic.fake_half");
    Graph fake = Shrunk.only(fakeHalf, "fake");
    double[] base = Interpreter.run(fake, feeds).output("fake").data();
    for (String bn : List.of("G.4", "G.7")) {
      double[] gamma = feeds.get(bn + ".weight").data(), beta = feeds.get(bn + ".bias").data();
      double[] mean = feeds.get(bn + ".running_mean").data(), var = feeds.get(bn + ".running_var").data();
      double[] gamma2 = new double[gamma.length], beta2 = new double[gamma.length];
      double[] mean2 = new double[gamma.length], var2 = new double[gamma.length];
      for (int ch = 0; ch < gamma.length; ch++) {
        var2[ch] = 2 * var[ch] + 0.5;
        gamma2[ch] = gamma[ch] * Math.sqrt(var2[ch] + 1e-3) / Math.sqrt(var[ch] + 1e-3);
        mean2[ch] = mean[ch] + 0.3 * (ch + 1);
        beta2[ch] = beta[ch] + 0.3 * (ch + 1) * gamma[ch] / Math.sqrt(var[ch] + 1e-3);
      }
      Map<String, Float64Tensor> same = new HashMap<>(feeds);
      same.put(bn + ".weight", like(feeds, bn + ".weight", gamma2));
      same.put(bn + ".bias", like(feeds, bn + ".bias", beta2));
      same.put(bn + ".running_mean", like(feeds, bn + ".running_mean", mean2));
      same.put(bn + ".running_var", like(feeds, bn + ".running_var", var2));
      assertClose("fake, " + bn + " reparametrised", base, Interpreter.run(fake, same).output("fake").data(), 1e-11);
      Map<String, Float64Tensor> other = new HashMap<>(feeds);
      other.put(bn + ".running_var", like(feeds, bn + ".running_var", var2));
      double[] moved = Interpreter.run(fake, other).output("fake").data();
      assertTrue(maxDiff(base, moved) > 1e-6, "fake does not depend on " + bn + ".running_var");
    }
    // per sample: a new noise vector for the last sample leaves the others' outputs unchanged
    Map<String, Float64Tensor> newZ = new HashMap<>(feeds);
    double[] z = feeds.get("z").data().clone();
    int k = feeds.get("z").shape().get(1);
    for (int j = z.length - k; j < z.length; j++) z[j] += 1;
    newZ.put("z", like(feeds, "z", z));
    double[] changed = Interpreter.run(fake, newZ).output("fake").data();
    int per = base.length / feeds.get("z").shape().get(0);
    for (int j = 0; j < base.length - per; j++) assertEquals(base[j], changed[j], 1e-14, "fake[" + j + "]");
    assertTrue(maxDiff(base, changed) > 1e-6, "the last sample ignores its noise");
  }

  private void checkModel(String name, Rule rule, double lr, int t) throws Exception {
    checkModel(name, rule, lr, t, new HashMap<>(), new HashMap<>(), new HashMap<>());
  }

  /** Every phase: new parameters and optimiser state by the rule; every running statistic found. */
  private void checkModel(String name, Rule rule, double lr, int t, Map<String, Map<String, Float64Tensor>> ins,
      Map<String, Interpreter.Result> outs, Map<String, Graph> graphs) throws Exception {
    Model model = Shrunk.model(name);
    Random r = new Random(5 + t);
    for (Lowering.PhaseGraph pg : Lowering.lower(model, Lowering.Draws.INPUTS)) {
      Graph g = pg.graph();
      String where = name + " " + pg.name() + " t=" + t;
      Map<String, Float64Tensor> feeds = Shrunk.feeds(model, g, r, t);
      for (String kernel : List.of("D.0.weight", "D.3.weight")) {
        if (rule == Rule.KERAS_RMSPROP && feeds.containsKey(kernel)) {
          double[] x = feeds.get(kernel).data();
          for (int k = 0; k < x.length; k++) x[k] = 0.02 * (2 * r.nextDouble() - 1);
        }
      }
      Interpreter.Result res = Interpreter.run(g, feeds);
      ins.put(pg.name(), feeds);
      outs.put(pg.name(), res);
      graphs.put(pg.name(), g);
      String u = pg.update().name();
      assertEquals(t + 1, res.output(u + ".t").item(), 0, where + " " + u + ".t");
      double lrNow = lr * switch (pg.update().schedule()) {
        case Model.Constant c -> 1;
        case Model.Linear l -> Math.max(0, 1 - (t - 1.0) / l.updates());
      };
      int clippedSome = 0, keptSome = 0;
      for (String p : pg.update().trains()) {
        double[] g0 = res.output("grad." + p).data(), p0 = feeds.get(p).data(), p1 = res.output(p).data();
        double[] expected = new double[p0.length];
        String s = u + "." + p + ".";
        boolean clipped = rule == Rule.KERAS_RMSPROP && Shrunk.spec(model, p).clip().isPresent();
        for (int k = 0; k < p0.length; k++) {
          double gk = g0[k];
          switch (rule) {
            case KERAS_RMSPROP -> {
              double ms = 0.9 * feeds.get(s + "ms").data()[k] + 0.1 * gk * gk;
              assertEquals(ms, res.output(s + "ms").data()[k], 1e-15 * ms, where + " " + s + "ms");
              expected[k] = p0[k] - lrNow * gk / Math.sqrt(ms + 1e-7);
            }
            case KERAS_ADAM, TORCH_ADAM -> {
              double m = 0.5 * feeds.get(s + "m").data()[k] + 0.5 * gk;
              double v = 0.9 * feeds.get(s + "v").data()[k] + 0.1 * gk * gk;
              assertEquals(m, res.output(s + "m").data()[k], 1e-15 * Math.abs(m), where + " " + s + "m");
              assertEquals(v, res.output(s + "v").data()[k], 1e-15 * v, where + " " + s + "v");
              double bc1 = 1 - Math.pow(0.5, t), bc2 = 1 - Math.pow(0.9, t);
              expected[k] = rule == Rule.KERAS_ADAM
                  ? p0[k] - lrNow * Math.sqrt(bc2) / bc1 * m / (Math.sqrt(v) + 1e-7)
                  : p0[k] - lrNow * (m / bc1) / (Math.sqrt(v / bc2) + 1e-8);
            }
          }
          if (clipped) {
            double e = Math.max(-0.01, Math.min(0.01, expected[k]));
            if (e != expected[k]) clippedSome++; else keptSome++;
            expected[k] = e;
          }
          double step = Math.abs(expected[k] - p0[k]);
          assertEquals(expected[k], p1[k], 1e-9 * step + 1e-16 * Math.abs(p0[k]), where + " " + p + "[" + k + "]");
        }
      }
      if (rule == Rule.KERAS_RMSPROP && pg.update().role() == wganc.syntax.Ast.Role.CRITIC) {
        assertTrue(clippedSome > 0 && keptSome > 0, where + ": clipped " + clippedSome + ", kept " + keptSome);
      }
      // a frozen parameter is not written
      for (var bn : model.networks().stream().flatMap(x -> x.params().stream()).toList()) {
        if (bn.trainable() && !pg.update().trains().contains(bn.name())) {
          assertFalse(g.outputs().containsKey(bn.name()), where + " writes frozen " + bn.name());
        }
      }
      for (String o : g.outputs().keySet()) {
        if (o.endsWith(".running_mean")) {
          String layer = o.substring(0, o.length() - ".running_mean".length());
          assertTrue(someActivationHasTheStatistics(g, res, feeds, layer), where + ": no activation has the "
              + "batch statistics that " + layer + "'s running mean and variance moved to");
        }
      }
    }
  }

  /** {@code moving = 0.99 moving + 0.01 stat} for mean and biased variance of {@code x [n, c, hw]}. */
  private static void checkMoving(String where, Map<String, Float64Tensor> feeds, Interpreter.Result res, String layer,
      double[] x, int n, int c, int hw) {
    double[][] st = stats(x, n, c, hw);
    double[] m0 = feeds.get(layer + ".running_mean").data(), v0 = feeds.get(layer + ".running_var").data();
    double[] m1 = res.output(layer + ".running_mean").data(), v1 = res.output(layer + ".running_var").data();
    for (int ch = 0; ch < c; ch++) {
      assertEquals(0.99 * m0[ch] + 0.01 * st[0][ch], m1[ch], 1e-14, where + " running_mean[" + ch + "]");
      assertEquals(0.99 * v0[ch] + 0.01 * st[1][ch], v1[ch], 1e-14, where + " running_var[" + ch + "]");
    }
  }

  private static double[][] stats(double[] x, int n, int c, int hw) {
    double[] mean = new double[c], var = new double[c];
    for (int ch = 0; ch < c; ch++) {
      double s = 0;
      for (int i = 0; i < n; i++) for (int j = 0; j < hw; j++) s += x[(i * c + ch) * hw + j];
      mean[ch] = s / (n * hw);
      double q = 0;
      for (int i = 0; i < n; i++) {
        for (int j = 0; j < hw; j++) {
          double d = x[(i * c + ch) * hw + j] - mean[ch];
          q += d * d;
        }
      }
      var[ch] = q / (n * hw);
    }
    return new double[][] {mean, var};
  }

  /** Some value of the graph, shaped {@code [n, c, ...]}, whose batch statistics the update implies. */
  private static boolean someActivationHasTheStatistics(Graph g, Interpreter.Result res, Map<String, Float64Tensor> feeds,
      String layer) {
    double[] m0 = feeds.get(layer + ".running_mean").data(), v0 = feeds.get(layer + ".running_var").data();
    double[] m1 = res.output(layer + ".running_mean").data(), v1 = res.output(layer + ".running_var").data();
    int c = m0.length;
    for (Binding b : g.bindings()) {
      List<Integer> d = b.value().type().dims();
      if (d.size() < 2 || d.get(1) != c) continue;
      int n = d.get(0), hw = b.value().type().size() / (n * c);
      double[][] st = stats(res.get(b.value()).data(), n, c, hw);
      boolean all = true;
      for (int ch = 0; ch < c && all; ch++) {
        all = Math.abs(0.99 * m0[ch] + 0.01 * st[0][ch] - m1[ch]) <= 1e-14
            && Math.abs(0.99 * v0[ch] + 0.01 * st[1][ch] - v1[ch]) <= 1e-14;
      }
      if (all) return true;
    }
    return false;
  }

  private static Float64Tensor like(Map<String, Float64Tensor> feeds, String name, double[] data) {
    return new Float64Tensor(feeds.get(name).shape(), data);
  }

  private static double maxDiff(double[] a, double[] b) {
    double m = 0;
    for (int i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
    return m;
  }

  private static void assertClose(String what, double[] expected, double[] actual, double tol) {
    for (int i = 0; i < expected.length; i++) {
      assertEquals(expected[i], actual[i], tol * (1 + Math.abs(expected[i])), what + "[" + i + "]");
    }
  }
}

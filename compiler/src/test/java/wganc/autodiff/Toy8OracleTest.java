package wganc.autodiff;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import wganc.check.LayerSpec;
import wganc.interp.Float64Tensor;
import wganc.interp.Interpreter;
import wganc.ir.Graph;
import wganc.ir.GraphBuilder;
import wganc.ir.IrVerifier;
import wganc.ir.TensorType;
import wganc.ir.Value;
import wganc.ops.Norm;
import wganc.passes.Pipeline;

/**
 * The toy8 oracle of ORACLES.md: the first critic evaluation of toy8 WGAN-GP, built directly with
 * the builder, gradients by {@link Autodiff} (the penalty's gradient, then d(gp)/d(W1) through it),
 * evaluated by the interpreter and matched to PyTorch's float64 values to a relative 1e-8.
 */
class Toy8OracleTest {
  static final int BATCH = 256;
  static final int[] G_SIZES = {2, 512, 512, 512, 2};
  static final int[] D_SIZES = {2, 512, 512, 512, 1};

  static Graph graph;
  static Map<String, Float64Tensor> feeds;
  static Interpreter.Result result;

  /** A network's parameters in the graph: weight {@code [out,in]}, bias {@code [out]} per layer. */
  record Mlp(List<Value> weights, List<Value> biases) {
    Value apply(GraphBuilder b, Value x) {
      Value h = x;
      for (int i = 0; i < weights.size(); i++) {
        h = LayerSpec.Dense.apply(b, h, weights.get(i), biases.get(i));
        if (i + 1 < weights.size()) {
          h = b.relu(h);
        }
      }
      return h;
    }
  }

  static Mlp mlp(GraphBuilder b, String name, int[] sizes, Random rng, Map<String, Float64Tensor> feeds) {
    List<Value> ws = new ArrayList<>();
    List<Value> bs = new ArrayList<>();
    for (int l = 0; l + 1 < sizes.length; l++) {
      int in = sizes[l];
      int out = sizes[l + 1];
      double limit = Math.sqrt(6.0 / (in + out));
      double[] torch = new double[out * in];
      for (int i = 0; i < in; i++) {
        for (int o = 0; o < out; o++) {
          torch[o * in + i] = (2 * rng.nextDouble() - 1) * limit;
        }
      }
      String w = name + ".dense" + (l + 1) + ".weight";
      String bias = name + ".dense" + (l + 1) + ".bias";
      ws.add(b.parameter(w, TensorType.f32(out, in)));
      bs.add(b.parameter(bias, TensorType.f32(out)));
      feeds.put(w, new Float64Tensor(List.of(out, in), torch));
      feeds.put(bias, new Float64Tensor(List.of(out), new double[out]));
    }
    return new Mlp(ws, bs);
  }

  /** The critic loss of the first step, in a builder that can be extended. */
  record Built(GraphBuilder b, Mlp d, Value loss, Value wasserstein, Value gp) {}

  static Built criticLoss(Map<String, Float64Tensor> feeds) {
    GraphBuilder b = new GraphBuilder();
    Random weights = new Random(1234);
    Mlp g = mlp(b, "G", G_SIZES, weights, feeds);
    Mlp d = mlp(b, "D", D_SIZES, weights, feeds);

    Random data = new Random(1236);
    double[] real = new double[BATCH * 2];
    for (int p = 0; p < BATCH; p++) {
      int k = data.nextInt(8);
      real[2 * p] = 2 * Math.cos(2 * Math.PI * k / 8) + 0.02 * data.nextGaussian();
      real[2 * p + 1] = 2 * Math.sin(2 * Math.PI * k / 8) + 0.02 * data.nextGaussian();
    }
    double[] z = new double[BATCH * 2];
    for (int i = 0; i < z.length; i++) {
      z[i] = data.nextGaussian();
    }
    double[] alpha = new double[BATCH];
    for (int i = 0; i < alpha.length; i++) {
      alpha[i] = data.nextDouble();
    }
    feeds.put("real", new Float64Tensor(List.of(BATCH, 2), real));
    feeds.put("z", new Float64Tensor(List.of(BATCH, 2), z));
    feeds.put("alpha", new Float64Tensor(List.of(BATCH, 1), alpha));

    Value realV = b.input("real", TensorType.f32(BATCH, 2));
    Value zV = b.input("z", TensorType.f32(BATCH, 2));
    Value alphaV = b.input("alpha", TensorType.f32(BATCH, 1));

    Value fake = g.apply(b, zV);
    Value xhat = b.add(realV, b.mul(alphaV, b.sub(fake, realV)));
    Value wasserstein = b.sub(b.mean(d.apply(b, fake)), b.mean(d.apply(b, realV)));
    Value gradXhat = Autodiff.grad(b, b.sum(d.apply(b, xhat)), List.of(xhat)).get(0);
    Value gp = b.mean(b.pow(b.sub(Norm.perSample(b, gradXhat), 1.0), 2.0));
    Value loss = b.add(wasserstein, b.mul(gp, 10.0));
    return new Built(b, d, loss, wasserstein, gp);
  }

  @BeforeAll
  static void build() {
    feeds = new HashMap<>();
    Built built = criticLoss(feeds);
    GraphBuilder b = built.b();
    Mlp d = built.d();
    Value loss = built.loss();
    Value wasserstein = built.wasserstein();
    Value gp = built.gp();
    Value dgpDw1 = Autodiff.grad(b, gp, List.of(d.weights().get(0))).get(0);
    b.output("loss", loss).output("wasserstein", wasserstein).output("gp", gp)
        .output("dgp_dw1", dgpDw1);
    graph = b.build();
    IrVerifier.verify(graph);
    result = Interpreter.run(graph, feeds);
    System.out.printf("toy8 float64: loss %.12g, wasserstein %.12g, gp %.12g, |dgp/dW1| %.12g%n",
        result.output("loss").item(), result.output("wasserstein").item(),
        result.output("gp").item(), l2(result.output("dgp_dw1").data()));
  }

  static double l2(double[] v) {
    double s = 0;
    for (double x : v) {
      s += x * x;
    }
    return Math.sqrt(s);
  }

  static void assertRelative(double expected, double actual) {
    assertEquals(expected, actual, Math.abs(expected) * 1e-8,
        () -> "expected " + expected + ", got " + actual);
  }

  @Test
  void lossMatchesPyTorch() {
    assertRelative(9.25463695, result.output("loss").item());
  }

  @Test
  void wassersteinTermMatchesPyTorch() {
    assertRelative(0.0500557775, result.output("wasserstein").item());
  }

  @Test
  void penaltyMatchesPyTorch() {
    assertRelative(0.920458118, result.output("gp").item());
  }

  @Test
  void secondOrderGradientNormMatchesPyTorch() {
    assertRelative(0.319424703, l2(result.output("dgp_dw1").data()));
  }

  /** The critic update's graph: the loss and its gradient for every critic parameter. */
  @Test
  void criticUpdateGraphShrinksUnderThePipeline() {
    Built built = criticLoss(new HashMap<>());
    GraphBuilder b = built.b();
    List<Value> params = new ArrayList<>(built.d().weights());
    params.addAll(built.d().biases());
    List<Value> grads = Autodiff.grad(b, built.loss(), params);
    b.output("loss", built.loss());
    for (int i = 0; i < grads.size(); i++) {
      b.output("grad" + i, grads.get(i));
    }
    Pipeline.Result optimized = Pipeline.standard().run(b.build());
    System.out.println("toy8 critic update graph: " + optimized.report());
    org.junit.jupiter.api.Assertions.assertTrue(
        optimized.graph().applyCount() < b.build().applyCount());
  }

  @Test
  void passesKeepEveryValue() {
    Pipeline.Result optimized = Pipeline.standard().run(graph);
    System.out.println("toy8 critic loss graph: " + optimized.report());
    Interpreter.Result after = Interpreter.run(optimized.graph(), feeds);
    for (String name : graph.outputs().keySet()) {
      double[] before = result.output(name).data();
      double[] now = after.output(name).data();
      for (int i = 0; i < before.length; i++) {
        assertEquals(before[i], now[i], Math.abs(before[i]) * 1e-12 + 1e-300, name + "[" + i + "]");
      }
    }
  }
}

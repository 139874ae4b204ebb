package wganc.autodiff;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
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
 * A whole critic update on a tiny conv critic with a gradient penalty (conv 4x4 stride 2 'same',
 * asymmetric padding; leaky_relu; dense), its gradients with respect to every critic parameter
 * from autodiff (second order through the penalty), checked against central differences of the
 * interpreter, and the SGD update built from them.
 */
class ConvCriticGradientTest {
  static final String[] PARAMS = {"D.conv.weight", "D.conv.bias", "D.dense.weight", "D.dense.bias"};
  static final double LR = 0.05;

  record Critic(Value w, Value cb, Value wd, Value bd) {
    Value apply(GraphBuilder b, Value x) {
      Value h = LayerSpec.Conv.addBias(b, b.conv2dSame(x, w, 2, 2), cb);
      h = LayerSpec.LeakyRelu.apply(b, h, 0.2);
      return LayerSpec.Dense.apply(b, b.flatten(h), wd, bd);
    }
  }

  static Graph build() {
    GraphBuilder b = new GraphBuilder();
    Critic d = new Critic(b.parameter(PARAMS[0], TensorType.f32(3, 1, 4, 4)),
        b.parameter(PARAMS[1], TensorType.f32(3)),
        b.parameter(PARAMS[2], TensorType.f32(1, 27)),
        b.parameter(PARAMS[3], TensorType.f32(1)));
    Value real = b.input("real", TensorType.f32(2, 1, 5, 5));
    Value fake = b.input("fake", TensorType.f32(2, 1, 5, 5));
    Value alpha = b.input("alpha", TensorType.f32(2, 1, 1, 1));
    Value xhat = b.add(real, b.mul(alpha, b.sub(fake, real)));
    Value g = Autodiff.grad(b, b.sum(d.apply(b, xhat)), List.of(xhat)).get(0);
    Value gp = b.mean(b.pow(b.sub(Norm.perSample(b, g), 1.0), 2.0));
    Value loss = b.add(b.sub(b.mean(d.apply(b, fake)), b.mean(d.apply(b, real))),
        b.mul(gp, 10.0));
    List<Value> params = List.of(d.w(), d.cb(), d.wd(), d.bd());
    List<Value> grads = Autodiff.grad(b, loss, params);
    b.output("loss", loss);
    for (int i = 0; i < params.size(); i++) {
      b.output("grad " + PARAMS[i], grads.get(i));
      b.output("new " + PARAMS[i], b.sub(params.get(i), b.mul(grads.get(i), LR)));
    }
    Graph graph = b.build();
    IrVerifier.verify(graph);
    return graph;
  }

  static Map<String, Float64Tensor> feeds(Graph g, Random rnd) {
    Map<String, Float64Tensor> feeds = new HashMap<>();
    for (var binding : g.bindings()) {
      String name = switch (binding.node()) {
        case wganc.ir.Node.Input in -> in.name();
        case wganc.ir.Node.Parameter p -> p.name();
        default -> null;
      };
      if (name != null) {
        double[] d = new double[binding.value().type().size()];
        for (int i = 0; i < d.length; i++) {
          d[i] = name.equals("alpha") ? rnd.nextDouble() : 0.5 * rnd.nextGaussian();
        }
        feeds.put(name, new Float64Tensor(binding.value().type().dims(), d));
      }
    }
    return feeds;
  }

  static double loss(Graph g, Map<String, Float64Tensor> feeds, Map<String, double[]> dir, double h) {
    Map<String, Float64Tensor> shifted = new HashMap<>(feeds);
    for (var e : dir.entrySet()) {
      double[] d = feeds.get(e.getKey()).data().clone();
      for (int i = 0; i < d.length; i++) {
        d[i] += h * e.getValue()[i];
      }
      shifted.put(e.getKey(), new Float64Tensor(feeds.get(e.getKey()).shape(), d));
    }
    return Interpreter.run(g, shifted).output("loss").item();
  }

  @Test
  void gradientsOfTheWholeUpdateMatchFiniteDifferences() {
    Graph g = build();
    Random rnd = new Random(11);
    Map<String, Float64Tensor> feeds = feeds(g, rnd);
    Interpreter.Result r = Interpreter.run(g, feeds);
    double h = 1e-6;
    for (int trial = 0; trial < 3; trial++) {
      Map<String, double[]> dir = new HashMap<>();
      double analytic = 0;
      for (String p : PARAMS) {
        double[] v = new double[feeds.get(p).data().length];
        double[] grad = r.output("grad " + p).data();
        for (int i = 0; i < v.length; i++) {
          v[i] = rnd.nextGaussian();
          analytic += v[i] * grad[i];
        }
        dir.put(p, v);
      }
      double numeric = (loss(g, feeds, dir, h) - loss(g, feeds, dir, -h)) / (2 * h);
      assertEquals(numeric, analytic, 1e-6 * Math.max(1, Math.abs(numeric)));
    }
    // coordinate checks on the conv kernel (its gradient is where the second-order terms enter)
    double[] convGrad = r.output("grad " + PARAMS[0]).data();
    for (int i : new int[] {0, 5, 17, 47}) {
      double[] e = new double[convGrad.length];
      e[i] = 1;
      Map<String, double[]> dir = Map.of(PARAMS[0], e);
      double numeric = (loss(g, feeds, dir, h) - loss(g, feeds, dir, -h)) / (2 * h);
      assertEquals(numeric, convGrad[i], 1e-6 * Math.max(1, Math.abs(numeric)), "w[" + i + "]");
    }
    for (String p : PARAMS) {
      double[] before = feeds.get(p).data();
      double[] grad = r.output("grad " + p).data();
      double[] after = r.output("new " + p).data();
      for (int i = 0; i < before.length; i++) {
        assertEquals(before[i] - LR * grad[i], after[i], 1e-15);
      }
    }
  }

  @Test
  void passesPreserveTheUpdate() {
    Graph g = build();
    Map<String, Float64Tensor> feeds = feeds(g, new Random(12));
    Interpreter.Result before = Interpreter.run(g, feeds);
    Pipeline.Result optimized = Pipeline.standard().run(g);
    Interpreter.Result after = Interpreter.run(optimized.graph(), feeds);
    for (String name : g.outputs().keySet()) {
      double[] x = before.output(name).data();
      double[] y = after.output(name).data();
      for (int i = 0; i < x.length; i++) {
        assertEquals(x[i], y[i], 1e-12 * Math.max(1, Math.abs(x[i])), name);
      }
    }
  }
}

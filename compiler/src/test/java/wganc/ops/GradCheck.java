package wganc.ops;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import wganc.autodiff.Autodiff;
import wganc.interp.Interpreter;
import wganc.interp.Float64Tensor;
import wganc.ir.Graph;
import wganc.ir.GraphBuilder;
import wganc.ir.IrVerifier;
import wganc.ir.TensorType;
import wganc.ir.Value;

/**
 * Central finite differences in double precision against {@link Autodiff}, first and second order.
 *
 * <p>For {@code y = f(x_1..x_n)} and a random cotangent input {@code u}: first order compares the
 * gradient of {@code L = sum(y * u)} along a random direction {@code v} with
 * {@code (L(x + h v) - L(x - h v)) / 2h}. Second order builds the VJPs {@code g_i = dL/dx_i} with
 * autodiff, forms {@code L2 = sum_i sum(g_i * w_i)} for random {@code w_i}, differentiates L2 with
 * respect to every {@code x_i} and {@code u} (so through the VJP's own VJP) and checks that the same
 * way.
 */
public final class GradCheck {
  private GradCheck() {}

  /** Input domains; kept away from kinks and poles so finite differences are valid. */
  public enum Domain {
    /** standard normal */
    ANY,
    /** uniform in [0.5, 2] */
    POSITIVE,
    /** +-uniform in [0.3, 1.5] */
    AWAY_FROM_ZERO,
    /** input 0 plus +-uniform in [0.3, 1] (for maximum/minimum) */
    APART_FROM_FIRST
  }

  /** Builds the function under test from its operands. */
  @FunctionalInterface
  public interface Body {
    Value apply(GraphBuilder b, List<Value> xs);
  }

  /** A drawn case of a row: operand shapes and the body (which may close over drawn attributes). */
  public record Instance(List<TensorType> shapes, Body body) {}

  /** One row: a name, domains per operand, and a draw of shapes and attributes from a seed. */
  public record Row(String name, List<Domain> domains,
      java.util.function.Function<Random, Instance> draw) {
    public Row(String name, java.util.function.Function<Random, List<TensorType>> shapes,
        List<Domain> domains, Body body) {
      this(name, domains, r -> new Instance(shapes.apply(r), body));
    }

    @Override
    public String toString() {
      return name;
    }
  }

  static final double H = 1e-5;

  /** Runs both orders; throws AssertionError with the row, seed and numbers on a mismatch. */
  public static void check(Row row, long seed) {
    Random rnd = new Random(seed);
    Instance instance = row.draw().apply(rnd);
    List<TensorType> shapes = instance.shapes();
    GraphBuilder b = new GraphBuilder();
    List<Value> xs = new ArrayList<>();
    Map<String, Float64Tensor> feeds = new HashMap<>();
    double[] first = null;
    for (int i = 0; i < shapes.size(); i++) {
      TensorType t = shapes.get(i);
      xs.add(b.input("x" + i, t));
      double[] d = new double[t.size()];
      for (int k = 0; k < d.length; k++) {
        d[k] = sample(row.domains().get(i), rnd, first == null || k >= first.length ? 0 : first[k]);
      }
      if (i == 0) {
        first = d;
      }
      feeds.put("x" + i, new Float64Tensor(t.dims(), d));
    }
    Value y = instance.body().apply(b, xs);
    Value u = b.input("u", y.type());
    feeds.put("u", random(y.type(), rnd));
    Value loss = b.sum(b.mul(y, u));
    List<Value> grads = Autodiff.grad(b, loss, xs);

    Value loss2 = null;
    for (int i = 0; i < xs.size(); i++) {
      Value w = b.input("w" + i, xs.get(i).type());
      feeds.put("w" + i, random(xs.get(i).type(), rnd));
      Value term = b.sum(b.mul(grads.get(i), w));
      loss2 = loss2 == null ? term : b.add(loss2, term);
    }
    List<Value> wrt2 = new ArrayList<>(xs);
    wrt2.add(u);
    List<Value> grads2 = Autodiff.grad(b, loss2, wrt2);
    b.output("loss", loss).output("loss2", loss2);
    for (int i = 0; i < grads.size(); i++) {
      b.output("g" + i, grads.get(i));
    }
    for (int i = 0; i < grads2.size(); i++) {
      b.output("gg" + i, grads2.get(i));
    }
    Graph g = b.build();
    IrVerifier.verify(g);

    List<String> names1 = new ArrayList<>();
    for (int i = 0; i < xs.size(); i++) {
      names1.add("x" + i);
    }
    List<String> names2 = new ArrayList<>(names1);
    names2.add("u");
    compare(row, seed, 1, g, feeds, "loss", names1, "g", rnd);
    compare(row, seed, 2, g, feeds, "loss2", names2, "gg", rnd);
  }

  private static void compare(Row row, long seed, int order, Graph g, Map<String, Float64Tensor> feeds,
      String scalar, List<String> wrt, String gradPrefix, Random rnd) {
    Interpreter.Result at = Interpreter.run(g, feeds);
    Map<String, double[]> direction = new HashMap<>();
    double analytic = 0;
    for (int i = 0; i < wrt.size(); i++) {
      Float64Tensor x = feeds.get(wrt.get(i));
      double[] v = random(new TensorType(wganc.ir.ElementType.F64, x.shape()), rnd).data();
      direction.put(wrt.get(i), v);
      double[] grad = at.output(gradPrefix + i).data();
      for (int k = 0; k < v.length; k++) {
        analytic += grad[k] * v[k];
      }
    }
    double plus = Interpreter.run(g, shifted(feeds, direction, H)).output(scalar).item();
    double minus = Interpreter.run(g, shifted(feeds, direction, -H)).output(scalar).item();
    double numeric = (plus - minus) / (2 * H);
    double tolerance = 1e-6 * Math.max(1.0, Math.abs(numeric));
    if (!(Math.abs(analytic - numeric) <= tolerance)) {
      throw new AssertionError(row.name() + " (seed " + seed + ", order " + order + "): autodiff "
          + analytic + ", finite differences " + numeric + "\n" + g);
    }
  }

  private static Map<String, Float64Tensor> shifted(Map<String, Float64Tensor> feeds,
      Map<String, double[]> direction, double h) {
    Map<String, Float64Tensor> out = new HashMap<>(feeds);
    for (Map.Entry<String, double[]> e : direction.entrySet()) {
      Float64Tensor x = feeds.get(e.getKey());
      double[] d = x.data().clone();
      for (int k = 0; k < d.length; k++) {
        d[k] += h * e.getValue()[k];
      }
      out.put(e.getKey(), new Float64Tensor(x.shape(), d));
    }
    return out;
  }

  static Float64Tensor random(TensorType t, Random rnd) {
    double[] d = new double[t.size()];
    for (int k = 0; k < d.length; k++) {
      d[k] = rnd.nextGaussian();
    }
    return new Float64Tensor(t.dims(), d);
  }

  private static double sample(Domain d, Random rnd, double firstValue) {
    double sign = rnd.nextBoolean() ? 1 : -1;
    return switch (d) {
      case ANY -> rnd.nextGaussian();
      case POSITIVE -> 0.5 + 1.5 * rnd.nextDouble();
      case AWAY_FROM_ZERO -> sign * (0.3 + 1.2 * rnd.nextDouble());
      case APART_FROM_FIRST -> firstValue + sign * (0.3 + 0.7 * rnd.nextDouble());
    };
  }
}

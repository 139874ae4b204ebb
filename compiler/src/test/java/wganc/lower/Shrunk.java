package wganc.lower;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import wganc.compile.Checked;
import wganc.compile.Compiler;
import wganc.check.Model;
import wganc.interp.Interpreter;
import wganc.interp.Float64Tensor;
import wganc.ir.Binding;
import wganc.ir.Graph;
import wganc.ir.Node;
import wganc.ir.Value;
import wganc.ops.Binary;
import wganc.ops.Compare;
import wganc.ops.Unary;
import wganc.passes.EliminateDeadCode;

/**
 * Small instances of the models in models/ for float64 checks through the interpreter, and the
 * helpers those checks share: feeds, one-output subgraphs, parameter perturbation and kink detection.
 *
 * <p>Shrinking rewrites the model text: batches become 3, every dense/conv/conv_transpose width and
 * the reshape's channel count and every number given to a block (`up 128`) that is a multiple of 32
 * is divided by 32 (512 to 16, 6272 to 196 with
 * `reshape [4, 7, 7]`, 4096 to 128 with `reshape [8, 4, 4]`), and latent sizes of two or more digits
 * become 8. Every layer kind, kernel, stride, padding and spatial size is kept, and the result must
 * still check.
 */
public final class Shrunk {
  private Shrunk() {}

  /**
   * The models that agreement tests run shrunk: mnist-wgan-gp differs from mnist-wgan-gp-paper only
   * in a draw's distribution, and the CIFAR-10 ResNet's 128-channel convolutions at 32x32 would keep
   * the float64 interpreter busy for minutes.
   */
  public static final java.util.Set<String> HEAVY = java.util.Set.of("mnist-wgan-gp.wgan", "cifar-resnet-wgan-gp.wgan");

  static Stream<Path> models() throws IOException {
    return Files.list(Path.of("../models")).filter(p -> p.toString().endsWith(".wgan")).sorted();
  }

  public static String shrink(String text) {
    text = text.replaceAll("train batch \\d+", "train batch 3").replaceAll("update (\\w+) batch \\d+", "update $1 batch 3");
    text = divide(text, Pattern.compile("\\b((?:dense|conv|conv_transpose) )(\\d+)"));
    text = divide(text, Pattern.compile("(reshape \\[)(\\d+)"));
    Matcher blocks = Pattern.compile("\\bblock (\\w+)").matcher(text);
    while (blocks.find()) text = divide(text, Pattern.compile("\\b(" + blocks.group(1) + " )(\\d+)"));
    return text.replaceAll("\\[(\\d{2,})\\]", "[8]");
  }

  private static String divide(String text, Pattern p) {
    Matcher m = p.matcher(text);
    StringBuilder sb = new StringBuilder();
    while (m.find()) {
      int n = Integer.parseInt(m.group(2));
      m.appendReplacement(sb, Matcher.quoteReplacement(m.group(1) + (n % 32 == 0 ? n / 32 : n)));
    }
    m.appendTail(sb);
    return sb.toString();
  }

  static Model model(Path path) throws IOException {
    String text = shrink(Files.readString(path));
    Checked o = Compiler.check(path.toString(), text.getBytes(StandardCharsets.UTF_8));
    assertTrue(o.ok(), () -> path + " shrunk does not check:\n" + text + "\n" + o.diagnostics());
    return o.result().model();
  }

  static Model model(String name) throws IOException {
    return model(Path.of("../models", name + ".wgan"));
  }

  static Model.Param spec(Model model, String name) {
    return model.networks().stream().flatMap(n -> n.params().stream()).filter(p -> p.name().equals(name)).findFirst()
        .orElse(null);
  }

  /**
   * Feeds for every input and parameter of {@code g}: weights uniform with variance 1/fan-in,
   * biases 0.1·u, batchnorm scales near 1, running variances in [1, 1.5], optimiser moments small
   * (second moments positive), the iteration {@code t}, dropout keep-masks 0/1 with the layer's
   * rate, every other input standard normal.
   */
  static Map<String, Float64Tensor> feeds(Model model, Graph g, Random r, double t) {
    return feeds(model, g, r, t, 1);
  }

  /** As {@link #feeds(Model, Graph, Random, double)}, with weight matrices and kernels scaled by {@code gain}. */
  static Map<String, Float64Tensor> feeds(Model model, Graph g, Random r, double t, double gain) {
    Map<String, Float64Tensor> feeds = new HashMap<>();
    for (Binding b : g.bindings()) {
      String name;
      if (b.node() instanceof Node.Input i) name = i.name();
      else if (b.node() instanceof Node.Parameter p) name = p.name();
      else continue;
      double[] x = new double[b.value().type().size()];
      Model.Param p = spec(model, name);
      for (int k = 0; k < x.length; k++) {
        double u = 2 * r.nextDouble() - 1;
        if (p != null) {
          int fanIn = p.shape().size() < 2 ? 1 : (int) (p.size() / p.shape().get(0));
          if (p.shape().size() == 4 && isTransposed(model, p)) {
            fanIn = (int) (p.size() / p.shape().get(1));
          }
          x[k] = switch (p.kind()) {
            case RUNNING_VAR -> 1 + 0.5 * Math.abs(u);
            case RUNNING_MEAN -> 0.1 * u;
            case BIAS -> 0.1 * u;
            case WEIGHT -> p.shape().size() == 1 ? 1 + 0.1 * u : gain * u * Math.sqrt(3.0 / fanIn);
          };
        } else if (name.endsWith(".t")) {
          x[k] = t;
        } else if (name.endsWith(".v") || name.endsWith(".ms")) {
          x[k] = 1e-4 * (0.1 + Math.abs(u));
        } else if (name.endsWith(".m")) {
          x[k] = 1e-2 * u;
        } else if (name.contains(".mask.")) {
          x[k] = r.nextDouble() < 0.7 ? 1 : 0;
        } else {
          x[k] = r.nextGaussian();
        }
      }
      feeds.put(name, new Float64Tensor(b.value().type().dims(), x));
    }
    return feeds;
  }

  private static boolean isTransposed(Model model, Model.Param p) {
    return model.network(p.network()).orElseThrow().leaves().stream().filter(l -> l.path().equals(p.layer())).findFirst()
        .orElseThrow().spec() instanceof wganc.check.LayerSpec.ConvTranspose;
  }

  /** {@code g} with the one output {@code name}, and only the bindings it needs. */
  static Graph only(Graph g, String name) {
    return only(g, name, g.output(name));
  }

  static Graph only(Graph g, String name, Value v) {
    return new EliminateDeadCode().run(g.withOutputs(Map.of(name, v)));
  }

  static double scalar(Graph g, Map<String, Float64Tensor> feeds, String name) {
    return Interpreter.run(g, feeds).output(name).item();
  }

  /** A copy of {@code feeds} with {@code h * dir} added to the named tensors. */
  static Map<String, Float64Tensor> shifted(Map<String, Float64Tensor> feeds, Map<String, double[]> dir, double h) {
    Map<String, Float64Tensor> out = new HashMap<>(feeds);
    for (var e : dir.entrySet()) {
      Float64Tensor t = feeds.get(e.getKey());
      double[] x = t.data().clone();
      for (int k = 0; k < x.length; k++) x[k] += h * e.getValue()[k];
      out.put(e.getKey(), new Float64Tensor(t.shape(), x));
    }
    return out;
  }

  /**
   * The branch taken at every non-smooth point of {@code g} (comparisons, abs, maximum/minimum),
   * as one array per binding; two evaluations with equal branches lie on one smooth piece.
   */
  static List<double[]> branches(Graph g, Interpreter.Result r) {
    List<double[]> out = new ArrayList<>();
    for (Binding b : g.bindings()) {
      if (!(b.node() instanceof Node.Apply a)) continue;
      if (a.op() instanceof Compare) {
        out.add(r.get(b.value()).data());
      } else if (a.op() == Unary.ABS) {
        out.add(Arrays.stream(r.get(a.inputs().get(0)).data()).map(Math::signum).toArray());
      } else if (a.op() == Binary.MAXIMUM || a.op() == Binary.MINIMUM) {
        double[] x = r.get(a.inputs().get(0)).data(), y = r.get(a.inputs().get(1)).data();
        double[] s = new double[x.length];
        for (int k = 0; k < s.length; k++) s[k] = Math.signum(x[k] - y[k]);
        out.add(s);
      }
    }
    return out;
  }

  static boolean sameBranches(List<double[]> a, List<double[]> b) {
    if (a.size() != b.size()) return false;
    for (int i = 0; i < a.size(); i++) if (!Arrays.equals(a.get(i), b.get(i))) return false;
    return true;
  }
}

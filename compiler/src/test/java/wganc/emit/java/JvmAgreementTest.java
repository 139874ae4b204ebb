package wganc.emit.java;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import wganc.Frontend;
import wganc.check.Model;
import wganc.emit.Backend;
import wganc.interp.Interpreter;
import wganc.interp.Tensor;
import wganc.ir.Binding;
import wganc.ir.Graph;
import wganc.ir.Node;
import wganc.lower.Lowering;
import wganc.runtime.kernels.Parallel;
import wganc.runtime.train.CompiledModel;
import wganc.runtime.train.Phase;

/**
 * Every model's generated JVM kernels against the double-precision reference interpreter, on three
 * consecutive steps of every update: all named values, gradients, new parameters and optimiser state.
 * The interpreter runs the graph as lowered (before any pass), the JVM the optimised and fused graph,
 * so the passes are checked too. Image models run at a small batch (their layers unchanged).
 *
 * <p>Tolerance: norm-wise relative error per tensor {@code ||jvm - ref|| <= r ||ref|| + 3e-5}, with
 * r = 2e-4 for the named values and the loss and r = 1e-2 for gradients and everything the update
 * writes. Gradients get more room because a pre-activation within float32 rounding of zero can take
 * the other side of a ReLU or leaky-ReLU kink in float32 than in float64, which moves that sample's
 * whole backward path (seen: 3e-3 on a conv critic's kernel gradient); an indexing or formula error
 * is of order 1 and cannot hide in either bound.
 * float32 carries 2^-24 = 6e-8 per operation; sums of up to a few thousand products (conv
 * reductions, k = 6400) and the chains of a second-order backward pass grow that by a few hundred at
 * worst, which this bound covers while a wrong index or a missing term (errors of order 1) cannot pass.
 * The absolute floor covers values that are exactly zero in real arithmetic but sums of cancelling
 * float32 terms in the kernels (the gradient of a conv bias followed by batchnorm: ~1e-5 here).
 * Each step starts both sides from the reference state, rounded to float32 for the JVM.
 */
class JvmAgreementTest {
  static Stream<Path> models() throws IOException {
    return Files.list(Path.of("../models")).filter(p -> p.toString().endsWith(".wgan")).sorted();
  }

  /** Shrinks image models' batches so the reference interpreter stays fast; layers are untouched. */
  static String small(String text) {
    return text.replaceAll("train batch \\d+", "train batch 2").replaceAll("update (\\w+) batch \\d+", "update $1 batch 2");
  }

  @ParameterizedTest
  @MethodSource("models")
  void kernelsAgreeWithTheInterpreterOnThreeSteps(Path path) throws Exception {
    String text = small(Files.readString(path));
    // mnist-wgan-gp differs from mnist-wgan-gp-paper only in a draw's distribution: run it narrowed
    if (path.getFileName().toString().equals("mnist-wgan-gp.wgan")) text = wganc.lower.Shrunk.shrink(text);
    agreeOnThreeSteps(path.toString(), text);
  }

  /** Adam with beta1 = 0 (RMSprop with bias correction): log(beta1) is -inf, a constant Java must spell. */
  @org.junit.jupiter.api.Test
  void adamWithBeta1ZeroAgrees() throws Exception {
    String text = Files.readString(Path.of("../models/toy8-wgan-gp.wgan")).replace("beta1=0.5", "beta1=0");
    assertTrue(text.contains("beta1=0,"));
    agreeOnThreeSteps("toy8-wgan-gp.wgan (beta1=0)", text);
  }

  /**
   * A NaN constant as a full matmul operand: `log(0 * x)` makes the backward pass multiply by NaN
   * everywhere, and the kernels used to size the NaN array by comparing doubles with `==` (NaN is
   * unequal to itself), reading a 256 x 1 operand from an array of 1. Now the step runs and its loss
   * is not finite, for the NaN guard to report.
   */
  @org.junit.jupiter.api.Test
  void aNanConstantFeedsAMatmulAtItsFullSize() throws Exception {
    String text = Files.readString(Path.of("../models/toy8-demo.wgan"))
        .replace("wdist = mean(D(real)) - mean(D(fake))", "wdist = mean(D(real)) - mean(D(fake)) + log(0 * mean(D(real)))");
    assertTrue(text.contains("log(0 * mean(D(real)))"));
    Frontend.Outcome o = Frontend.compile("nan.wgan", text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    assertTrue(o.ok(), () -> o.diagnostics().toString());
    Model model = o.result().model();
    CompiledModel compiled = new JvmBackend().compile(model, text, new Backend.Options(3));
    Map<String, Tensor> feeds = new HashMap<>(initialState(compiled, model));
    Phase critic = compiled.phase("critic");
    Random data = new Random(3);
    String[] reads = critic.reads();
    int[][] shapes = critic.readShapes();
    for (int r = 0; r < reads.length; r++) {
      if (feeds.containsKey(reads[r])) continue;
      double[] x = new double[size(shapes[r])];
      for (int k = 0; k < x.length; k++) x[k] = 2 * data.nextDouble() - 1;
      feeds.put(reads[r], new Tensor(List.of(box(shapes[r])), x));
    }
    float[][] out = run(critic, feeds, 0);
    float loss = out[List.of(critic.writes()).indexOf("loss")][0];
    assertTrue(!Float.isFinite(loss), "loss " + loss);
  }

  static void agreeOnThreeSteps(String name, String text) throws Exception {
    Frontend.Outcome o = Frontend.compile(name, text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    assertTrue(o.ok(), () -> o.diagnostics().toString());
    Model model = o.result().model();
    CompiledModel compiled = new JvmBackend().compile(model, text, new Backend.Options(3));
    List<Lowering.PhaseGraph> reference = Lowering.lower(model, Lowering.Draws.RANDOM);
    Map<String, Tensor> state = initialState(compiled, model);
    Random data = new Random(7);
    long rngStep = 0;
    for (int step = 0; step < 3; step++) {
      for (Lowering.PhaseGraph pg : reference) {
        Graph g = pg.graph();
        Map<String, Tensor> feeds = new HashMap<>(state);
        feeds.put("rng_step", Tensor.scalar(rngStep));
        for (Binding b : g.bindings()) {
          if (b.node() instanceof Node.Input i && !i.name().equals("rng_step")) {
            double[] x = new double[b.value().type().size()];
            for (int k = 0; k < x.length; k++) x[k] = (float) (2 * data.nextDouble() - 1);
            feeds.put(i.name(), new Tensor(b.value().type().dims(), x));
          }
        }
        Interpreter.Result ref = Interpreter.run(g, feeds);
        Phase phase = compiled.phase(pg.name());
        float[][] writes = run(phase, feeds, rngStep);
        String[] names = phase.writes();
        for (int w = 0; w < names.length; w++) {
          double[] expected = ref.output(names[w]).data();
          boolean derived = names[w].startsWith("grad.") || state.containsKey(names[w]);
          assertClose(pg.name() + " step " + step + " `" + names[w] + "`", expected, writes[w], derived ? 1e-2 : 2e-4);
        }
        for (int w = 0; w < names.length; w++) {
          if (state.containsKey(names[w])) state.put(names[w], ref.output(names[w]));
        }
        rngStep++;
      }
    }
  }

  @ParameterizedTest
  @MethodSource("models")
  void resultsAreBitIdenticalWhateverTheThreadCount(Path path) throws Exception {
    String text = small(Files.readString(path));
    Frontend.Outcome o = Frontend.compile(path.toString(), text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    Model model = o.result().model();
    CompiledModel compiled = new JvmBackend().compile(model, text, new Backend.Options(3));
    Map<String, Tensor> state = initialState(compiled, model);
    int before = Parallel.threads();
    try {
      for (Phase phase : compiled.phases()) {
        Map<String, Tensor> feeds = new HashMap<>(state);
        Random data = new Random(11);
        String[] reads = phase.reads();
        int[][] shapes = phase.readShapes();
        for (int r = 0; r < reads.length; r++) {
          if (!feeds.containsKey(reads[r])) {
            double[] x = new double[size(shapes[r])];
            for (int k = 0; k < x.length; k++) x[k] = 2 * data.nextDouble() - 1;
            feeds.put(reads[r], new Tensor(List.of(box(shapes[r])), x));
          }
        }
        List<float[][]> results = new ArrayList<>();
        for (int threads : new int[] {1, 2, 3}) {
          Parallel.setThreads(threads);
          results.add(run(phase, feeds, 5));
        }
        for (int t = 1; t < results.size(); t++) {
          for (int w = 0; w < results.get(0).length; w++) {
            assertArrayEquals(results.get(0)[w], results.get(t)[w], phase.name() + " `" + phase.writes()[w] + "`");
          }
        }
      }
    } finally {
      Parallel.setThreads(before);
    }
  }

  static float[][] run(Phase phase, Map<String, Tensor> feeds, long rngStep) {
    String[] reads = phase.reads();
    float[][] in = new float[reads.length][];
    for (int r = 0; r < reads.length; r++) {
      Tensor t = feeds.get(reads[r]);
      if (t == null) throw new AssertionError("no feed for " + reads[r]);
      in[r] = new float[t.data().length];
      for (int k = 0; k < in[r].length; k++) in[r][k] = (float) t.data()[k];
    }
    int[][] shapes = phase.writeShapes();
    float[][] out = new float[shapes.length][];
    for (int w = 0; w < shapes.length; w++) out[w] = new float[size(shapes[w])];
    phase.run(rngStep, in, out);
    return out;
  }

  /** Parameters small and random (batchnorm scales near 1, variances positive), state as a fresh optimiser. */
  static Map<String, Tensor> initialState(CompiledModel compiled, Model model) {
    Map<String, Tensor> state = new HashMap<>();
    Random r = new Random(3);
    for (var p : compiled.spec().params()) {
      double[] x = new double[size(p.shape())];
      for (int k = 0; k < x.length; k++) {
        double u = 2 * r.nextDouble() - 1;
        x[k] = (float) switch (p.kind()) {
          case "running_var" -> 1 + 0.5 * Math.abs(u);
          case "weight" -> p.shape().length == 1 ? 1 + 0.1 * u : u * Math.sqrt(3.0 / p.fanIn());
          default -> 0.1 * u;
        };
      }
      state.put(p.name(), new Tensor(List.of(box(p.shape())), x));
    }
    for (var s : compiled.spec().state()) {
      double[] x = new double[size(s.shape())];
      java.util.Arrays.fill(x, s.initial());
      state.put(s.name(), new Tensor(List.of(box(s.shape())), x));
    }
    return state;
  }

  static void assertClose(String what, double[] expected, float[] actual, double relative) {
    double diff = 0, norm = 0;
    for (int i = 0; i < expected.length; i++) {
      double d = actual[i] - expected[i];
      diff += d * d;
      norm += expected[i] * expected[i];
      assertTrue(Double.isFinite(actual[i]), what + "[" + i + "] is " + actual[i]);
    }
    diff = Math.sqrt(diff);
    norm = Math.sqrt(norm);
    double bound = relative * norm + 3e-5;
    final double d = diff, n = norm;
    assertTrue(diff <= bound, () -> what + ": ||jvm - ref|| = " + d + " > " + bound + " (||ref|| = " + n + ")");
  }

  static int size(int[] shape) {
    int n = 1;
    for (int d : shape) n *= d;
    return n;
  }

  static Integer[] box(int[] a) {
    Integer[] b = new Integer[a.length];
    for (int i = 0; i < a.length; i++) b[i] = a[i];
    return b;
  }
}

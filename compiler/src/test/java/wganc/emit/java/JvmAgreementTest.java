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
import wganc.compile.Checked;
import wganc.compile.Compiled;
import wganc.compile.Compiler;
import wganc.check.Model;
import wganc.emit.Agreement;
import wganc.emit.Backend;
import wganc.interp.Float64Tensor;
import wganc.runtime.kernels.Parallel;
import wganc.runtime.train.CompiledModel;
import wganc.runtime.train.Phase;

/**
 * Every model's generated JVM kernels against the double-precision reference interpreter on three
 * consecutive steps of every update ({@link Agreement}: its tolerances, what is compared and why).
 * Models run at the smallest batch that gives every update 2 samples (their layers unchanged).
 */
class JvmAgreementTest {
  static Stream<Path> models() throws IOException {
    return Files.list(Path.of("../models")).filter(p -> p.toString().endsWith(".wgan")).sorted();
  }

  /** The model of {@code text}; when {@code small}, at the smallest batch giving every update 2 samples (a fast interpreter). */
  static Model model(String name, String text, boolean small) {
    Checked o = Compiler.check(name, text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    assertTrue(o.ok(), () -> o.diagnostics().toString());
    return small ? Agreement.atLeast(o.result().model(), 2) : o.result().model();
  }

  @ParameterizedTest
  @MethodSource("models")
  void kernelsAgreeWithTheInterpreterOnThreeSteps(Path path) throws Exception {
    String text = Files.readString(path);
    // the heavy models run narrowed (batch 3, widths / 32; every layer, kernel and spatial size kept)
    if (wganc.lower.Shrunk.HEAVY.contains(path.getFileName().toString())) {
      text = wganc.lower.Shrunk.shrink(text);
      agreeOnThreeSteps(text, model(path.toString(), text, false));
    } else {
      agreeOnThreeSteps(text, model(path.toString(), text, true));
    }
  }

  /** Adam with beta1 = 0 (RMSprop with bias correction; the CIFAR ResNet's): its first bias correction is the constant 1. */
  @org.junit.jupiter.api.Test
  void adamWithBeta1ZeroAgrees() throws Exception {
    String text = Files.readString(Path.of("../models/toy8-wgan-gp.wgan")).replace("beta1=0.5", "beta1=0");
    assertTrue(text.contains("beta1=0,"));
    agreeOnThreeSteps(text, model("toy8-wgan-gp.wgan (beta1=0)", text, false));
  }

  /** `avg_pool` in a critic (forward, gradient, and the penalty's second order through it) agrees with the interpreter. */
  @org.junit.jupiter.api.Test
  void avgPoolAgrees() throws Exception {
    String text = """
        model pooled
        data  real: image[1, 8, 8] = idx("train-images-idx3-ubyte.gz")
        noise z: [4] ~ normal(0, 1)
        network G(z: [4]) -> [1, 8, 8] { dense 16; tanh; reshape [1, 4, 4]; upsample 2 }
        network D(x: [1, 8, 8]) -> [1] {
          conv 3 kernel=3 padding=same; leaky_relu 0.2; avg_pool 2; avg_pool [1, 2]; flatten; dense 1
        }
        train batch 3, steps 3 {
          critic D with adam(lr=1e-3) {
            xhat = real + 0.5 * (G(z) - real)
            loss = mean(D(G(z))) - mean(D(real)) + 10 * mean((norm(grad(D(xhat), xhat)) - 1)^2)
          }
          generator G with adam(lr=1e-3) { loss = -mean(D(G(z))) }
        }
        """;
    agreeOnThreeSteps(text, model("pooled.wgan", text, false));
  }

  /** `softplus` in the logistic GAN losses and inside an R1 penalty (its second order) agrees with the interpreter. */
  @org.junit.jupiter.api.Test
  void softplusAgrees() throws Exception {
    String text = """
        model logistic
        data  real: [2] = toy("8gaussians")
        noise z: [2] ~ normal(0, 1)
        network G(z: [2]) -> [2] { dense 8; relu; dense 2 }
        network D(x: [2]) -> [1] { dense 8; tanh; dense 1 }
        train batch 4, steps 3 {
          critic D with adam(lr=1e-3) {
            x    = real
            r1   = mean(square(norm(grad(softplus(D(x)), x))))
            loss = mean(softplus(-D(real))) + mean(softplus(D(G(z)))) + 5 * r1
          }
          generator G with adam(lr=1e-3) { loss = mean(softplus(-D(G(z)))) }
        }
        """;
    agreeOnThreeSteps(text, model("logistic.wgan", text, false));
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
    Model model = model("nan.wgan", text, false);
    CompiledModel compiled = new JvmBackend().compile(model, text, new Backend.Options(3));
    Map<String, Float64Tensor> feeds = new HashMap<>(Agreement.initialState(compiled.spec()));
    Phase critic = compiled.phase("critic");
    Random data = new Random(3);
    String[] reads = critic.reads();
    int[][] shapes = critic.readShapes();
    for (int r = 0; r < reads.length; r++) {
      if (feeds.containsKey(reads[r])) continue;
      double[] x = new double[size(shapes[r])];
      for (int k = 0; k < x.length; k++) x[k] = 2 * data.nextDouble() - 1;
      feeds.put(reads[r], new Float64Tensor(List.of(box(shapes[r])), x));
    }
    float[][] out = run(critic, feeds, 0);
    float loss = out[List.of(critic.writes()).indexOf("loss")][0];
    assertTrue(!Float.isFinite(loss), "loss " + loss);
  }

  static void agreeOnThreeSteps(String text, Model model) throws Exception {
    JvmBackend jvm = new JvmBackend();
    Compiled compiled = Compiler.compile(model, text, jvm.target(new Backend.Options(3)));
    List<String> failures = Agreement.check(compiled, jvm.load(compiled, new Backend.Options(3)), 3, line -> {}).stream()
        .filter(c -> !c.ok()).map(Agreement.Check::failure).toList();
    assertTrue(failures.isEmpty(), () -> failures.size() + " tensors disagree:\n" + String.join("\n", failures));
  }

  @ParameterizedTest
  @MethodSource("models")
  void resultsAreBitIdenticalWhateverTheThreadCount(Path path) throws Exception {
    String text = Files.readString(path);
    Model model = model(path.toString(), text, true);
    CompiledModel compiled = new JvmBackend().compile(model, text, new Backend.Options(3));
    Map<String, Float64Tensor> state = Agreement.initialState(compiled.spec());
    int before = Parallel.threads();
    try {
      for (Phase phase : compiled.phases()) {
        Map<String, Float64Tensor> feeds = new HashMap<>(state);
        Random data = new Random(11);
        String[] reads = phase.reads();
        int[][] shapes = phase.readShapes();
        for (int r = 0; r < reads.length; r++) {
          if (!feeds.containsKey(reads[r])) {
            double[] x = new double[size(shapes[r])];
            for (int k = 0; k < x.length; k++) x[k] = 2 * data.nextDouble() - 1;
            feeds.put(reads[r], new Float64Tensor(List.of(box(shapes[r])), x));
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

  static float[][] run(Phase phase, Map<String, Float64Tensor> feeds, long rngStep) {
    String[] reads = phase.reads();
    float[][] in = new float[reads.length][];
    for (int r = 0; r < reads.length; r++) {
      Float64Tensor t = feeds.get(reads[r]);
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

package wganc.emit.tornado;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import wganc.Frontend;
import wganc.check.Model;
import wganc.emit.Backend;
import wganc.emit.java.JvmBackend;
import wganc.interp.Interpreter;
import wganc.interp.Tensor;
import wganc.ir.Binding;
import wganc.ir.Graph;
import wganc.ir.Node;
import wganc.lower.Lowering;
import wganc.runtime.train.ModelSpec;

/**
 * Every model's TornadoVM phases against the double-precision reference interpreter, as
 * {@code JvmAgreementTest} does for the JVM backend (same inputs, same tolerances: norm-wise 2e-4 for
 * named values and the loss, 1e-2 for gradients and updates, 3e-5 absolute floor), on two steps of
 * every update. The phases run in a child JVM started with the SDK's flags
 * ({@code wganc.runtime.train.PhaseReplay}); skipped without {@code TORNADOVM_HOME}.
 * {@code -Dwganc.tornado.models=REGEX} limits the models, {@code -Dwganc.tornado.batch=B} sets the batch (2:
 * quick; 70: with {@code -Dwganc.tornado.tiles=blocked}, every large GEMM register-blocked, in partial
 * blocks too); the tiled kernels (the default) run, or with
 * {@code -Dwganc.tornado.tiles=false} every kernel as one thread per output element, or with
 * {@code =blocked} the register-blocked ones; {@code -Dwganc.tornado.jvm=true} runs the same kernels as plain
 * Java in the child (an emitter bug shows there too, a device bug does not).
 */
class TornadoAgreementTest {
  static final int STEPS = 2;

  static Stream<Path> models() throws IOException {
    String only = System.getProperty("wganc.tornado.models", ".*");
    return Files.list(Path.of("../models")).filter(p -> p.toString().endsWith(".wgan"))
        .filter(p -> p.getFileName().toString().matches(only)).sorted();
  }

  /** The model at batch 2 (every update), or {@code -Dwganc.tornado.batch=B}. */
  static String small(String text) {
    String b = System.getProperty("wganc.tornado.batch", "2");
    return text.replaceAll("train batch \\d+", "train batch " + b).replaceAll("update (\\w+) batch \\d+", "update $1 batch " + b);
  }

  record Run(String phase, long rngStep, float[][] reads, String[] writes, List<double[]> expected, boolean[] derived) {}

  @ParameterizedTest
  @MethodSource("models")
  void tornadoKernelsAgreeWithTheInterpreter(Path path, @TempDir Path dir) throws Exception {
    TornadoSdk sdk = sdkOrSkip();
    String text = small(Files.readString(path));
    Frontend.Outcome o = Frontend.compile(path.toString(), text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    assertTrue(o.ok(), () -> o.diagnostics().toString());
    Model model = o.result().model();
    TornadoBackend backend = new TornadoBackend();
    Path jar = dir.resolve("trainer.jar");
    JvmBackend.Sources sources = backend.writeTrainer(jar, model, text, new Backend.Options(3));
    Map<String, String[]> readsOf = new HashMap<>();
    Map<String, String[]> writesOf = new HashMap<>();
    sources.io().forEach((phase, io) -> {
      readsOf.put(phase, io.reads().toArray(String[]::new));
      writesOf.put(phase, io.writes().toArray(String[]::new));
    });

    List<Lowering.PhaseGraph> reference = Lowering.lower(model, Lowering.Draws.RANDOM);
    Map<String, Tensor> state = initialState(sources.spec());
    Random data = new Random(7);
    long rngStep = 0;
    List<Run> runs = new ArrayList<>();
    for (int step = 0; step < STEPS; step++) {
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
        String[] reads = readsOf.get(pg.name());
        float[][] in = new float[reads.length][];
        for (int r = 0; r < reads.length; r++) {
          double[] t = feeds.get(reads[r]).data();
          in[r] = new float[t.length];
          for (int k = 0; k < t.length; k++) in[r][k] = (float) t[k];
        }
        String[] writes = writesOf.get(pg.name());
        List<double[]> expected = new ArrayList<>();
        boolean[] derived = new boolean[writes.length];
        for (int w = 0; w < writes.length; w++) {
          expected.add(ref.output(writes[w]).data());
          derived[w] = writes[w].startsWith("grad.") || state.containsKey(writes[w]);
        }
        runs.add(new Run(pg.name(), rngStep, in, writes, expected, derived));
        for (String w : writes) if (state.containsKey(w)) state.put(w, ref.output(w));
        rngStep++;
      }
    }

    Path inFile = dir.resolve("in.bin"), outFile = dir.resolve("out.bin");
    try (DataOutputStream out = new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(inFile)))) {
      out.writeInt(runs.size());
      for (Run r : runs) {
        out.writeUTF(r.phase());
        out.writeLong(r.rngStep());
        out.writeInt(r.reads().length);
        for (float[] a : r.reads()) {
          out.writeInt(a.length);
          for (float x : a) out.writeFloat(x);
        }
      }
    }
    List<String> cmd = sdk.command(jar.toString(), null, "wganc.runtime.train.PhaseReplay",
        List.of(inFile.toString(), outFile.toString()));
    if (Boolean.getBoolean("wganc.tornado.jvm")) {
      cmd = new ArrayList<>(cmd);
      cmd.add(1, "-Dwganc.tornado.jvm=true");  // the same kernels as plain Java: separates emitter bugs from device ones
    }
    Path log = dir.resolve("child.log");
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    int code = p.waitFor();
    assertEquals(0, code, () -> "child JVM failed:\n" + read(log));
    List<String> failures = new ArrayList<>();
    try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(outFile)))) {
      assertEquals(runs.size(), in.readInt());
      for (int i = 0; i < runs.size(); i++) {
        Run r = runs.get(i);
        int n = in.readInt();
        assertEquals(r.writes().length, n);
        for (int w = 0; w < n; w++) {
          float[] actual = new float[in.readInt()];
          for (int k = 0; k < actual.length; k++) actual[k] = in.readFloat();
          String failure = close(r.phase() + " step " + (i / (runs.size() / STEPS)) + " `" + r.writes()[w] + "`",
              r.expected().get(w), actual, r.derived()[w] ? 1e-2 : 2e-4);
          if (failure != null) failures.add(failure);
        }
      }
    }
    assertTrue(failures.isEmpty(), () -> failures.size() + " tensors disagree:\n" + String.join("\n", failures));
  }

  /** The SDK of {@code TORNADOVM_HOME}; without one, the calling test is skipped. */
  static TornadoSdk sdkOrSkip() {
    try {
      return TornadoSdk.find(null);
    } catch (Backend.BackendException e) {
      Assumptions.abort("no TornadoVM SDK (TORNADOVM_HOME): " + e.getMessage().lines().findFirst().orElse(""));
      throw new AssertionError(e);
    }
  }

  static String read(Path p) {
    try {
      String s = Files.readString(p);
      return s.length() > 8000 ? s.substring(s.length() - 8000) : s;
    } catch (IOException e) {
      return "(no log)";
    }
  }

  /** The phase name from the generated `name()`. */
  static Map<String, Tensor> initialState(ModelSpec spec) {
    Map<String, Tensor> state = new HashMap<>();
    Random r = new Random(3);
    for (var p : spec.params()) {
      double[] x = new double[size(p.shape())];
      for (int k = 0; k < x.length; k++) {
        double u = 2 * r.nextDouble() - 1;
        x[k] = (float) switch (p.kind()) {
          case "running_var" -> 1 + 0.5 * Math.abs(u);
          case "weight" -> p.shape().length == 1 ? 1 + 0.1 * u : u * Math.sqrt(3.0 / p.fanIn());
          default -> 0.1 * u;
        };
      }
      state.put(p.name(), new Tensor(dims(p.shape()), x));
    }
    for (var s : spec.state()) {
      double[] x = new double[size(s.shape())];
      java.util.Arrays.fill(x, s.initial());
      state.put(s.name(), new Tensor(dims(s.shape()), x));
    }
    return state;
  }

  /** Null when close (the norm-wise bound), else what is wrong. */
  static String close(String what, double[] expected, float[] actual, double relative) {
    double diff = 0, norm = 0;
    for (int i = 0; i < expected.length; i++) {
      double d = actual[i] - expected[i];
      diff += d * d;
      norm += expected[i] * expected[i];
      if (!Double.isFinite(actual[i])) return what + "[" + i + "] is " + actual[i];
    }
    diff = Math.sqrt(diff);
    norm = Math.sqrt(norm);
    double bound = relative * norm + 3e-5;
    if (diff <= bound) return null;
    return what + ": ||tornado - ref|| = " + diff + " > " + bound + " (||ref|| = " + norm + ")"
        + " first: " + (expected.length > 0 ? expected[0] + " vs " + actual[0] : "");
  }

  static int size(int[] shape) {
    int n = 1;
    for (int d : shape) n *= d;
    return n;
  }

  static List<Integer> dims(int[] a) {
    List<Integer> b = new ArrayList<>();
    for (int x : a) b.add(x);
    return b;
  }
}

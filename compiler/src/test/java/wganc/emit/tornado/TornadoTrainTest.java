package wganc.emit.tornado;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import wganc.compile.Checked;
import wganc.compile.Compiler;
import wganc.emit.Backend;
import wganc.emit.Sources;
import wganc.emit.java.JvmBackend;
import wganc.runtime.io.SafeTensors;
import wganc.runtime.train.ModelSpec;
import wganc.runtime.train.Progress;
import wganc.runtime.train.TrainOptions;
import wganc.runtime.train.Trainer;

/**
 * Training on TornadoVM (skipped without {@code TORNADOVM_HOME}): toy8 at batch 2 for 4 steps, in a
 * child JVM as `wganc train --backend tornado` runs it. Parameters and optimiser state stay on the
 * device: what a run moves (the manifest's {@code device.bytes_to_device} and {@code bytes_to_host})
 * is about one upload and one download of them; toy points are drawn and the step counter advances on
 * the device, so steps send nothing. 2 steps, then {@code --resume} to 4, gives the same checkpoint
 * bytes as 4 steps at once. And the JVM backend, training the same model with the same seed (its toy
 * points drawn on the host), ends with the same parameters and logs the same losses, to float32
 * tolerance.
 */
class TornadoTrainTest {
  /** The trainer jar of {@code o}'s TornadoVM phases; returns their sources. */
  static Sources writeTrainer(Path jar, Checked o) throws Backend.BackendException {
    TornadoBackend backend = new TornadoBackend();
    Sources sources = backend.sources(Compiler.compile(o, backend.target(Backend.Options.defaults())),
        Backend.Options.defaults());
    backend.writeTrainer(jar, sources);
    return sources;
  }

  @Test
  void parametersStayOnTheDeviceAndResumeIsBitExact(@TempDir Path dir) throws Exception {
    TornadoSdk sdk = TornadoAgreementTest.sdkOrSkip();
    Path model = Path.of("../models/toy8-wgan-gp.wgan");
    String text = small(Files.readString(model));
    Checked o = Compiler.check(model.toString(), text.getBytes(StandardCharsets.UTF_8));
    assertTrue(o.ok(), () -> o.diagnostics().toString());
    Path jar = dir.resolve("trainer.jar");
    Sources sources = writeTrainer(jar, o);

    Path once = dir.resolve("once"), twice = dir.resolve("twice");
    train(sdk, jar, once, 4, false, dir);
    train(sdk, jar, twice, 2, false, dir);
    JsonNode fresh2 = device(twice);
    train(sdk, jar, twice, 4, true, dir);
    String last = "checkpoints/step-000004.safetensors";
    assertArrayEquals(Files.readAllBytes(once.resolve(last)), Files.readAllBytes(twice.resolve(last)),
        "2 steps + resume to 4 differs from 4 steps");

    ModelSpec spec = sources.spec();
    long stateBytes = stateBytes(spec);
    JsonNode four = device(once), two = device(twice);  // 4 steps; the resumed run's 2 steps
    assertEquals("tornado", four.get("backend").asText());
    long in4 = four.get("bytes_to_device").asLong(), out4 = four.get("bytes_to_host").asLong();
    long in2 = two.get("bytes_to_device").asLong(), out2 = two.get("bytes_to_host").asLong();
    // each run: one upload (and its constants once), one download for the final checkpoint
    assertTrue(in4 < 1.5 * stateBytes, "sent " + in4 + " bytes for " + stateBytes + " bytes of parameters and state");
    assertTrue(out4 < 1.5 * stateBytes, "received " + out4 + " bytes for " + stateBytes + " bytes of state");
    // toy points are drawn on the device and the step counter advances there: 4 steps send what 2 steps do
    // (the start, and the sample grids at step 0 and at the end)
    assertEquals(fresh2.get("bytes_to_device").asLong(), in4, "4 steps sent more than 2 steps");
    assertTrue(in2 < 1.5 * stateBytes, "the resumed run sent " + in2 + " bytes");
    assertTrue((out4 - out2) / 2 < stateBytes / 50, "a step received " + (out4 - out2) / 2 + " bytes");

    // the same training on the JVM backend: toy points drawn on the device as on the host, the same step keys
    Path jvm = dir.resolve("jvm");
    new Trainer(new JvmBackend().compile(o.result().model(), text, Backend.Options.defaults()),
        TrainOptions.defaults(jvm).withSteps(4).withCheckpointEvery(1000).withSampleEvery(1000)
            .withProgress(null, Progress.Style.LINES, 0)).train();
    SafeTensors device = SafeTensors.read(once.resolve(last)), host = SafeTensors.read(jvm.resolve(last));
    for (ModelSpec.Param p : spec.params()) {
      float[] d = device.floats(p.name()), h = host.floats(p.name());
      for (int i = 0; i < h.length; i++) {
        // float32 kernels in other sum orders, 4 Adam steps of lr 1e-4
        assertEquals(h[i], d[i], 1e-5 + 1e-4 * Math.abs(h[i]), p.name() + "[" + i + "]");
      }
    }
    assertSameMetrics(jvm, once, 4, 1e-3);
  }

  /** The runs' metrics.csv rows up to step {@code rows} agree to {@code rel} (step and steps/s aside). */
  private static void assertSameMetrics(Path expected, Path actual, int rows, double rel) throws java.io.IOException {
    List<String> hl = Files.readAllLines(expected.resolve("metrics.csv")), dl = Files.readAllLines(actual.resolve("metrics.csv"));
    assertEquals(hl.getFirst(), dl.getFirst());
    assertEquals(hl.size(), dl.size());
    for (int r = 1; r <= rows; r++) {
      String[] d = dl.get(r).split(","), h = hl.get(r).split(",");
      for (int c = 1; c < h.length - 1; c++) {  // not the step, not steps_per_s
        double x = Double.parseDouble(h[c]), y = Double.parseDouble(d[c]);
        assertEquals(x, y, 1e-6 + rel * Math.abs(x), "metrics.csv row " + r + " column " + hl.getFirst().split(",")[c]
            + "\n" + hl + "\n" + dl);
      }
    }
  }

  /**
   * mnist-wgan-clip on 16 small-IDX images (8 of them the kept digit 5), batch 2: every image is sent
   * once and each epoch's order once (a step takes 5 real batches of 2, so 4 steps visit epochs 0 to
   * 4 of the 8 images), the device gathers the batches, and the run ends where the JVM backend's does.
   */
  @Test
  void imageBatchesAreGatheredOnTheDevice(@TempDir Path dir) throws Exception {
    TornadoSdk sdk = TornadoAgreementTest.sdkOrSkip();
    Path model = Path.of("../models/mnist-wgan-clip.wgan");
    String text = small(Files.readString(model));
    Checked o = Compiler.check(model.toString(), text.getBytes(StandardCharsets.UTF_8));
    assertTrue(o.ok(), () -> o.diagnostics().toString());
    Path data = Files.createDirectories(dir.resolve("data"));
    // image i is all grey level 15 i: a batch of other images gives other scores
    byte[] pixels = new byte[16 * 28 * 28], labels = new byte[16];
    for (int i = 0; i < 16; i++) {
      java.util.Arrays.fill(pixels, i * 28 * 28, (i + 1) * 28 * 28, (byte) (15 * i));
      labels[i] = (byte) (i % 2 == 0 ? 5 : 3);
    }
    Files.write(data.resolve("train-images-idx3-ubyte"), idx(0x0803, new int[] {16, 28, 28}, pixels));
    Files.write(data.resolve("train-labels-idx1-ubyte"), idx(0x0801, new int[] {16}, labels));
    Path jar = dir.resolve("trainer.jar");
    ModelSpec spec = writeTrainer(jar, o).spec();
    Path device = dir.resolve("device"), two = dir.resolve("two"), host = dir.resolve("host");
    train(sdk, jar, device, 4, false, dir, "--data-dir", data.toString());
    train(sdk, jar, two, 2, false, dir, "--data-dir", data.toString());
    new Trainer(new JvmBackend().compile(o.result().model(), text, Backend.Options.defaults()),
        TrainOptions.defaults(host).withSteps(4).withCheckpointEvery(1000).withSampleEvery(1000).withDataDir(data)
            .withProgress(null, Progress.Style.LINES, 0)).train();
    String last = "checkpoints/step-000004.safetensors";
    SafeTensors d = SafeTensors.read(device.resolve(last)), h = SafeTensors.read(host.resolve(last));
    assertEquals(h.metadata().get("data.real.epoch"), d.metadata().get("data.real.epoch"));
    assertEquals("4", d.metadata().get("data.real.epoch"));
    assertEquals(h.metadata().get("data.real.position"), d.metadata().get("data.real.position"));
    for (ModelSpec.Param p : spec.params()) {
      float[] x = d.floats(p.name()), y = h.floats(p.name());
      for (int i = 0; i < y.length; i++) {
        // RMSprop moves a weight by about lr / sqrt(1 - rho) = 1.6e-4 in the sign of its gradient, so a
        // gradient near 0 whose float32 rounding differs moves it the other way: a few such steps
        assertEquals(y[i], x[i], 1e-3, p.name() + "[" + i + "]");
      }
    }
    // the first steps' losses agree closely (the same batches from the same cursors); from there the
    // RMSprop sign flips above move the runs apart, a few 1e-3 by step 4
    assertSameMetrics(host, device, 2, 1e-4);
    assertSameMetrics(host, device, 4, 2e-2);
    long images = 4L * 8 * 28 * 28;  // the kept images, as floats
    long sent4 = device(device).get("bytes_to_device").asLong(), sent2 = device(two).get("bytes_to_device").asLong();
    assertTrue(sent2 > stateBytes(spec) + images, "sent " + sent2 + " bytes: the parameters and the images once");
    // steps 3 and 4 take 20 images in 10 batches: they send, for each of the 2 new epochs, its order (8
    // ints) and the counters (7 ints: the cursor goes back to 0), and nothing else, where sending the
    // batches would take 20 images
    assertEquals(2 * (4 * 8 + 4 * 7), sent4 - sent2, "steps 3 and 4 sent " + (sent4 - sent2) + " bytes");
  }

  static long stateBytes(ModelSpec spec) {
    long n = 0;
    for (ModelSpec.Param p : spec.params()) n += 4L * size(p.shape());
    for (ModelSpec.State s : spec.state()) n += 4L * size(s.shape());
    return n;
  }

  /** An IDX file: magic, dimensions (big-endian ints), then the bytes. */
  private static byte[] idx(int magic, int[] dims, byte[] body) {
    java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(4 + 4 * dims.length + body.length);
    b.putInt(magic);
    for (int x : dims) b.putInt(x);
    return b.put(body).array();
  }

  private static JsonNode device(Path run) throws java.io.IOException {
    return new ObjectMapper().readTree(run.resolve("manifest.json").toFile()).get("device");
  }

  private static void train(TornadoSdk sdk, Path jar, Path out, int steps, boolean resume, Path dir, String... more)
      throws Exception {
    List<String> args = new ArrayList<>(List.of("--out", out.toString(), "--steps", Integer.toString(steps),
        "--sample-every", "1000", "--checkpoint-every", "1000"));
    if (resume) args.add("--resume");
    args.addAll(List.of(more));
    Path log = dir.resolve("train.log");
    Process p = new ProcessBuilder(sdk.command(jar.toString(), null, "wganc.runtime.train.TrainerMain", args))
        .redirectErrorStream(true).redirectOutput(log.toFile()).start();
    int code = p.waitFor();
    assertEquals(0, code, () -> "trainer failed:\n" + read(log));
  }

  /** The model at batch 2 (every update), or {@code -Dwganc.tornado.batch=B}. */
  static String small(String text) {
    String b = System.getProperty("wganc.tornado.batch", "2");
    return text.replaceAll("train batch \\d+", "train batch " + b).replaceAll("update (\\w+) batch \\d+", "update $1 batch " + b);
  }

  static String read(Path p) {
    try {
      String s = Files.readString(p);
      return s.length() > 8000 ? s.substring(s.length() - 8000) : s;
    } catch (java.io.IOException e) {
      return "(no log)";
    }
  }

  static int size(int[] shape) {
    int n = 1;
    for (int d : shape) n *= d;
    return n;
  }
}

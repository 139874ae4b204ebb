package wganc.tests;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import wganc.compile.Checked;
import wganc.compile.Compiler;
import wganc.emit.Backend;
import wganc.emit.java.JvmBackend;
import wganc.runtime.io.Npy;
import wganc.runtime.io.SafeTensors;
import wganc.runtime.metrics.Manifest;
import wganc.runtime.train.CompiledModel;
import wganc.runtime.train.ModelSpec;
import wganc.runtime.train.Pictures;
import wganc.runtime.train.Progress;
import wganc.runtime.train.Sampler;
import wganc.runtime.train.TrainOptions;
import wganc.runtime.train.Trainer;

/**
 * The trainer on the real toy8 WGAN-GP compiled by the JVM backend, narrowed (dense 32, batch 16)
 * so that 30 steps take a moment: the run directory, resuming bit for bit, sampling.
 */
class TrainEndToEndTest {
  static CompiledModel model;

  @BeforeAll
  static void compile() throws Exception {
    String text = Files.readString(Path.of("models/toy8-wgan-gp.wgan"))
        .replace("dense 512", "dense 32").replaceAll("train batch \\d+", "train batch 16");
    Checked o = Compiler.check("models/toy8-wgan-gp.wgan", text.getBytes(StandardCharsets.UTF_8));
    assertTrue(o.ok(), () -> o.diagnostics().toString());
    model = new JvmBackend().compile(o.result().model(), text, new Backend.Options(64));
  }

  static TrainOptions options(Path out, long steps) {
    return TrainOptions.defaults(out).withSteps(steps).withCheckpointEvery(10)
        .withProgress(null, Progress.Style.LINES, 0);
  }

  @Test
  void thirtyStepsLeaveEveryFileOfTheRunDirectory(@TempDir Path out) throws IOException {
    Trainer.Result r = new Trainer(model, options(out, 30).withSampleEvery(10)).train();
    assertEquals(30, r.steps());
    assertEquals(30 * 6, r.rngStep());  // 5 critic iterations and the generator per step
    Map<String, Object> m = Manifest.read(out.resolve("manifest.json"));
    assertEquals("toy8_wgan_gp", m.get("model"));
    assertEquals("jvm", m.get("backend"));
    assertEquals("completed", m.get("status"));
    assertEquals(30, m.get("steps_done"));
    assertEquals(model.spec().sourceSha256(), m.get("source_sha256"));
    List<String> csv = Files.readAllLines(out.resolve("metrics.csv"));
    assertEquals("step,critic.loss,critic.gp,critic.wdist,generator.loss,steps_per_s", csv.getFirst());
    assertEquals(31, csv.size());
    for (String row : csv.subList(1, csv.size())) {
      String[] cells = row.split(",");
      for (int c = 1; c < 4; c++) assertTrue(Double.isFinite(Double.parseDouble(cells[c])), row);
    }
    for (int s = 0; s <= 30; s += 10) {
      BufferedImage img = ImageIO.read(out.resolve(String.format("samples/step-%06d.png", s)).toFile());
      assertNotNull(img);
    }
    try (ImageInputStream in = ImageIO.createImageInputStream(out.resolve("samples.gif").toFile())) {
      ImageReader reader = ImageIO.getImageReadersByFormatName("gif").next();
      reader.setInput(in);
      assertEquals(4, reader.getNumImages(true));
    }
    BufferedImage loss = ImageIO.read(out.resolve("loss.png").toFile());
    assertEquals(3, loss.getHeight() / Pictures.LOSS_PANEL_HEIGHT, "a panel each for `loss`, `gp` and `wdist`");
    SafeTensors st = SafeTensors.read(out.resolve("checkpoints/step-000030.safetensors"));
    ModelSpec spec = model.spec();
    for (ModelSpec.Param p : spec.params()) {
      assertArrayEquals(p.shape(), st.get(p.name()).intShape(), p.name());
    }
    for (ModelSpec.State s : spec.state()) assertNotNull(st.get(s.name()), s.name());
    assertArrayEquals(new float[] {151}, st.floats("critic.t"));
    assertArrayEquals(new float[] {31}, st.floats("generator.t"));
    assertEquals("180", st.metadata().get("rng_step"));
    assertEquals(List.of("step-000000.safetensors", "step-000010.safetensors", "step-000020.safetensors",
        "step-000030.safetensors"),
        Files.list(out.resolve("checkpoints")).map(p -> p.getFileName().toString())
            .filter(n -> n.endsWith(".safetensors")).sorted().toList());
  }

  @Test
  void tenStepsEqualFiveStepsResumedForFive(@TempDir Path dir) throws IOException {
    Path full = dir.resolve("full");
    Path half = dir.resolve("half");
    new Trainer(model, options(full, 10).withSampleEvery(1000)).train();
    new Trainer(model, options(half, 5).withSampleEvery(1000)).train();
    Trainer.Result r = new Trainer(model, options(half, 10).withSampleEvery(1000).withResume(true)).train();
    assertFalse(r.stopped());
    assertArrayEquals(Files.readAllBytes(full.resolve("checkpoints/step-000010.safetensors")),
        Files.readAllBytes(half.resolve("checkpoints/step-000010.safetensors")));
    List<String> a = Files.readAllLines(full.resolve("metrics.csv"));
    List<String> b = Files.readAllLines(half.resolve("metrics.csv"));
    assertEquals(a.size(), b.size());
    for (int i = 0; i < a.size(); i++) {  // every column but steps/s
      assertEquals(a.get(i).substring(0, a.get(i).lastIndexOf(',')), b.get(i).substring(0, b.get(i).lastIndexOf(',')));
    }
    // mode coverage at every sample grid: the half run also sampled where it stopped, at step 5
    List<String> ca = Files.readAllLines(full.resolve("coverage.csv"));
    List<String> cb = Files.readAllLines(half.resolve("coverage.csv"));
    assertEquals("step,modes_covered,modes,within_3std,samples", ca.getFirst());
    assertEquals(List.of("0", "10"), ca.subList(1, ca.size()).stream().map(l -> l.split(",")[0]).toList());
    assertEquals(ca, cb.stream().filter(l -> !l.startsWith("5,")).toList());
  }

  @Test
  void samplerReadsTheRunDirectory(@TempDir Path out) throws IOException {
    new Trainer(model, options(out, 2)).train();
    Sampler s = Sampler.load(model, out);
    s.write(100, out.resolve("x.npy"));
    assertArrayEquals(new long[] {100, 2}, Npy.read(out.resolve("x.npy")).shape());
    s.write(100, out.resolve("x.png"));
    assertNotNull(ImageIO.read(out.resolve("x.png").toFile()));
  }
}

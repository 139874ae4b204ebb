package wganc.runtime.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import wganc.runtime.io.Npy;
import wganc.runtime.io.SafeTensors;
import wganc.runtime.io.Tensor;
import wganc.runtime.metrics.Manifest;

/** The training loop on {@link FakeModel}: 3 phase invocations per step (critic x2, generator). */
class TrainerTest {
  static TrainOptions options(Path out, long steps) {
    return TrainOptions.defaults(out).withSteps(steps).withSampleEvery(1000).withCheckpointEvery(4)
        .withProgress(null, Progress.Style.LINES, 0);
  }

  static int gifFrames(Path gif) throws IOException {
    try (ImageInputStream in = ImageIO.createImageInputStream(gif.toFile())) {
      ImageReader r = ImageIO.getImageReadersByFormatName("gif").next();
      r.setInput(in);
      return r.getNumImages(true);
    }
  }

  @Test
  void progressLinesShowEachMetricOnce(@TempDir Path out) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    PrintStream progress = new PrintStream(bytes, true, StandardCharsets.UTF_8);
    new Trainer(new FakeModel(), options(out, 4).withProgress(progress, Progress.Style.LINES, 2)).train();
    List<String> lines = bytes.toString(StandardCharsets.UTF_8).lines().filter(l -> l.matches("step \\d+/4 .*")).toList();
    assertEquals(2, lines.size(), bytes.toString(StandardCharsets.UTF_8));
    for (String line : lines) {
      List<String> words = List.of(line.split(" "));
      // the Wasserstein estimate is a metric column, and is not shown again on its own
      for (String name : List.of("critic.loss", "critic.gp", "critic.wasserstein", "generator.loss")) {
        assertEquals(1, words.stream().filter(name::equals).count(), line);
      }
      assertFalse(words.contains("W"), line);
    }
  }

  @Test
  void aRunLeavesItsRunDirectory(@TempDir Path out) throws IOException {
    Trainer.Result r = new Trainer(new FakeModel(), options(out, 10).withSampleEvery(5)).train();
    assertEquals(10, r.steps());
    assertEquals(30, r.rngStep());
    assertFalse(r.stopped());
    Map<String, Object> m = Manifest.read(out.resolve("manifest.json"));
    assertEquals("fake", m.get("model"));
    assertEquals("completed", m.get("status"));
    assertEquals(10, m.get("steps_done"));
    assertEquals(7, m.get("seed"));
    assertNotNull(m.get("end_time"));
    List<String> csv = Files.readAllLines(out.resolve("metrics.csv"));
    assertEquals("step,critic.loss,critic.gp,critic.wasserstein,generator.loss,steps_per_s", csv.getFirst());
    assertEquals(11, csv.size());
    // critic.gp is 1e-3 * rngStep of the last critic iteration: step 1 runs rngSteps 0, 1 (critic), 2
    assertEquals(0.001f, Float.parseFloat(csv.get(1).split(",")[2]));
    for (String s : List.of("step-000000.png", "step-000005.png", "step-000010.png")) {
      BufferedImage img = ImageIO.read(out.resolve("samples").resolve(s).toFile());
      assertEquals(Samples.SCATTER_SIZE, img.getWidth());
    }
    assertEquals(3, gifFrames(out.resolve("samples.gif")));
    BufferedImage loss = ImageIO.read(out.resolve("loss.png").toFile());
    assertEquals(3, loss.getHeight() / Pictures.LOSS_PANEL_HEIGHT, "a panel each for loss, gp and wasserstein");
    Path ck = out.resolve("checkpoints");
    assertEquals(List.of(ck.resolve("step-000000.safetensors"), ck.resolve("step-000004.safetensors"),
        ck.resolve("step-000008.safetensors"), ck.resolve("step-000010.safetensors")), Checkpoints.list(ck));
    SafeTensors initial = SafeTensors.read(ck.resolve("step-000000.safetensors"));
    assertArrayEquals(new float[] {1}, initial.floats("critic.t"));
    assertEquals("0", initial.metadata().get("rng_step"));
    assertEquals("step-000010.safetensors", Files.readString(ck.resolve("latest")).strip());
    SafeTensors st = SafeTensors.read(ck.resolve("step-000010.safetensors"));
    assertEquals(List.of("D.w", "G.w", "critic.t", "generator.t"), st.tensors().keySet().stream().sorted().toList());
    assertArrayEquals(new float[] {21}, st.floats("critic.t"));  // 1 + 2 per step
    assertArrayEquals(new float[] {11}, st.floats("generator.t"));
    assertEquals("10", st.metadata().get("step"));
    assertEquals("30", st.metadata().get("rng_step"));
    assertEquals("abc123", st.metadata().get("model_sha256"));
    assertEquals(r.checkpoint(), ck.resolve("step-000010.safetensors"));
  }

  @Test
  void onlyTheInitialTheThreeNewestCheckpointsAndTheFinalOneStay(@TempDir Path out) throws IOException {
    new Trainer(new FakeModel(), options(out, 18).withCheckpointEvery(2)).train();
    assertEquals(List.of(0L, 12L, 14L, 16L, 18L),
        Checkpoints.list(out.resolve("checkpoints")).stream().map(Checkpoints::stepOf).toList());
  }

  @Test
  void resumingIsBitExact(@TempDir Path dir) throws IOException {
    Path full = dir.resolve("full");
    Path half = dir.resolve("half");
    new Trainer(new FakeModel(), options(full, 12)).train();
    new Trainer(new FakeModel(), options(half, 6).withSampleEvery(5)).train();
    Trainer.Result r = new Trainer(new FakeModel(), options(half, 12).withSampleEvery(5).withResume(true)).train();
    assertEquals(36, r.rngStep());
    byte[] a = Files.readAllBytes(full.resolve("checkpoints/step-000012.safetensors"));
    byte[] b = Files.readAllBytes(half.resolve("checkpoints/step-000012.safetensors"));
    assertArrayEquals(a, b);
    assertEquals(13, Files.readAllLines(half.resolve("metrics.csv")).size());
    assertEquals(6, Manifest.read(half.resolve("manifest.json")).get("resumed_from_step"));
    assertEquals(5, gifFrames(half.resolve("samples.gif")));  // 0, 5, 6 (the first session's end), 10, 12
  }

  static DataFeed idxFeed() {
    float[] data = new float[2 * 10];
    for (int i = 0; i < data.length; i++) data[i] = (i % 7) * 0.25f - 0.5f;
    return DataFeed.of(Map.of("real", new DataFeed.IdxSource(data, 10, 2, 7, Streams.SHUFFLE)));
  }

  @Test
  void resumingWithEpochDataIsBitExact(@TempDir Path dir) throws IOException {
    // 10 samples, 2 critic batches of 4 per step: epochs end mid-step, a checkpoint holds the cursor
    new Trainer(new FakeModel(), options(dir.resolve("full"), 8), idxFeed()).train();
    new Trainer(new FakeModel(), options(dir.resolve("half"), 3), idxFeed()).train();
    new Trainer(new FakeModel(), options(dir.resolve("half"), 8).withResume(true), idxFeed()).train();
    SafeTensors a = SafeTensors.read(dir.resolve("full/checkpoints/step-000008.safetensors"));
    // step 1 takes samples 0-7 of epoch 0; from then on a step's first batch starts an epoch
    assertEquals("7", a.metadata().get("data.real.epoch"));
    assertEquals("8", a.metadata().get("data.real.position"));
    assertArrayEquals(Files.readAllBytes(dir.resolve("full/checkpoints/step-000008.safetensors")),
        Files.readAllBytes(dir.resolve("half/checkpoints/step-000008.safetensors")));
  }

  @Test
  void aFreshRunRefusesAFolderHoldingARun(@TempDir Path out) throws IOException {
    new Trainer(new FakeModel(), options(out, 4)).train();
    IOException e = assertThrows(IOException.class, () -> new Trainer(new FakeModel(), options(out, 4)).train());
    assertTrue(e.getMessage().contains("already holds a run"), e.getMessage());
  }

  @Test
  void aStopRequestEndsTheRunAfterTheStepWithACheckpoint(@TempDir Path dir) throws IOException {
    FakeModel model = new FakeModel();
    Trainer t = new Trainer(model, options(dir.resolve("stopped"), 12));
    model.onCritic = s -> {
      if (s == 7) t.requestStop();  // during step 3
    };
    Trainer.Result r = t.train();
    assertTrue(r.stopped());
    assertEquals(3, r.steps());
    assertEquals(dir.resolve("stopped/checkpoints/step-000003.safetensors"), r.checkpoint());
    assertEquals("stopped", Manifest.read(dir.resolve("stopped/manifest.json")).get("status"));
    Trainer.Result rest = new Trainer(new FakeModel(), options(dir.resolve("stopped"), 12).withResume(true)).train();
    assertFalse(rest.stopped());
    new Trainer(new FakeModel(), options(dir.resolve("full"), 12)).train();
    assertArrayEquals(Files.readAllBytes(dir.resolve("full/checkpoints/step-000012.safetensors")),
        Files.readAllBytes(dir.resolve("stopped/checkpoints/step-000012.safetensors")));
  }

  @Test
  void aFailedDeviceRunStopsTrainingNamingTheKernelAndMarksTheRunFailed(@TempDir Path out) throws IOException {
    FakeModel model = new FakeModel();
    model.failAt = 4;  // step 1, critic iteration 2
    DeviceFailure e = assertThrows(DeviceFailure.class, () -> new Trainer(model, options(out, 10)).train());
    assertEquals("TornadoVM failed to run kernel `k3MatmulAdd` (models/fake.wgan:4:2) of task graph `critic0`: "
        + "IllegalStateException: task critic0.k3MatmulAdd: CL_INVALID_KERNEL", e.getMessage());
    var manifest = Manifest.read(out.resolve("manifest.json"));
    assertEquals("failed", manifest.get("status"));
    assertEquals(e.getMessage(), manifest.get("error"));
  }

  @Test
  void aNonFiniteLossStopsTrainingNamingStepAndPhase(@TempDir Path out) throws IOException {
    FakeModel model = new FakeModel();
    model.nanAt = 7;  // step 3: rngSteps 6, 7 (critic), 8 (generator)
    NonFiniteLossException e = assertThrows(NonFiniteLossException.class,
        () -> new Trainer(model, options(out, 10)).train());
    Path beforeNan = out.resolve("checkpoints/step-000002-before-nan.safetensors");
    assertEquals("training stopped at step 3, phase `critic` (iteration 2 of 2): `loss` is nan at models/fake.wgan:9:5"
        + " (rngStep 7); the state before it is in " + beforeNan, e.getMessage());
    assertEquals("""
        error: training stopped at step 3, phase `critic` (iteration 2 of 2): `loss` is nan
         --> models/fake.wgan:9:5
          |
        9 |     loss = fake - real
          |     ^^^^^^^^^^^^^^^^^^^ nan at rngStep 7
          |
          = note: the state before this update is in %s
          = note: the last checkpoint is %s (step 0)
          = help: lower the learning rate, or keep this statement finite (a `log` or `/` of zero is infinite), then \
        train again into a new `--out` folder
        """.formatted(beforeNan, out.resolve("checkpoints/step-000000.safetensors")), e.diagnostic());
    assertEquals(3, e.step());
    assertEquals("critic", e.phase());
    SafeTensors st = SafeTensors.read(e.checkpoint());
    assertArrayEquals(new float[] {6}, st.floats("critic.t"));  // 1 + 2 + 2 + the first iteration of step 3
    assertEquals("failed", Manifest.read(out.resolve("manifest.json")).get("status"));
    assertEquals(3, Files.readAllLines(out.resolve("metrics.csv")).size());
    // not a checkpoint to resume from: only the initial state is one
    assertEquals(out.resolve("checkpoints/step-000000.safetensors").getParent(), e.checkpoint().getParent());
    assertEquals(List.of(0L), Checkpoints.list(out.resolve("checkpoints")).stream().map(Checkpoints::stepOf).toList());
  }

  @Test
  void samplerWritesMoreSamplesThanOneBatchAsNpyAndPng(@TempDir Path out) throws IOException {
    new Trainer(new FakeModel(), options(out, 4)).train();
    Sampler s = Sampler.load(new FakeModel(), out);
    assertEquals(4, s.step());
    s.write(10, out.resolve("s.npy"));
    Tensor t = Npy.read(out.resolve("s.npy"));
    assertArrayEquals(new long[] {10, 2}, t.shape());
    float[] g = SafeTensors.read(out.resolve("checkpoints/step-000004.safetensors")).floats("G.w");
    float[] z0 = Samples.noise(FakeModel.makeSpec(), 7, 0);
    float[] z2 = Samples.noise(FakeModel.makeSpec(), 7, 2);
    float[] x = t.toFloatArray();
    assertEquals(z0[0] * g[0], x[0]);
    assertEquals(z2[3] * g[1], x[2 * 8 + 3]);  // sample 9 = batch 2, row 1
    s.write(10, out.resolve("s.png"));
    assertNotNull(ImageIO.read(out.resolve("s.png").toFile()));
    assertThrows(IllegalArgumentException.class, () -> s.write(3, out.resolve("s.txt")));
  }

  @Test
  void aDamagedCheckpointIsRefusedOnResumeNamingTheTensorAndTheCheckpointToGoBackTo(@TempDir Path dir)
      throws IOException {
    Path run = dir.resolve("run");
    new Trainer(new FakeModel(), options(run, 10)).train();
    Path newest = run.resolve("checkpoints/step-000010.safetensors");
    byte[] intact = Files.readAllBytes(newest);
    for (String tensor : List.of("D.w", "G.w", "critic.t", "generator.t")) {
      CheckpointsTest.damage(newest, tensor);
      IOException e = assertThrows(IOException.class,
          () -> new Trainer(new FakeModel(), options(run, 12).withResume(true)).train());
      assertEquals(newest + ": damaged: the data of `" + tensor + "` does not match its SHA-256 checksum;"
          + " --resume continues from the newest checkpoint, so to resume from "
          + run.resolve("checkpoints/step-000008.safetensors") + " (step 8), the newest intact one, delete "
          + newest + " and run again with --resume", e.getMessage());
      Files.write(newest, intact);
    }
    // doing what the message says resumes from step 8, as if the run had stopped there
    CheckpointsTest.damage(newest, "G.w");
    Files.delete(newest);
    Trainer.Result r = new Trainer(new FakeModel(), options(run, 12).withResume(true)).train();
    assertEquals(12, r.steps());
    assertEquals(8, Manifest.read(run.resolve("manifest.json")).get("resumed_from_step"));
    new Trainer(new FakeModel(), options(dir.resolve("full"), 12)).train();
    assertArrayEquals(Files.readAllBytes(dir.resolve("full/checkpoints/step-000012.safetensors")),
        Files.readAllBytes(run.resolve("checkpoints/step-000012.safetensors")));
    assertEquals(13, Files.readAllLines(run.resolve("metrics.csv")).size());
  }

  @Test
  void withNoIntactCheckpointLeftResumingSaysToTrainAfresh(@TempDir Path run) throws IOException {
    new Trainer(new FakeModel(), options(run, 2)).train();  // step 0 and step 2
    CheckpointsTest.damage(run.resolve("checkpoints/step-000002.safetensors"), "D.w");
    CheckpointsTest.damage(run.resolve("checkpoints/step-000000.safetensors"), "G.w");
    IOException e = assertThrows(IOException.class,
        () -> new Trainer(new FakeModel(), options(run, 4).withResume(true)).train());
    assertTrue(e.getMessage().endsWith("; no earlier checkpoint beside it reads back intact ("
        + run.resolve("checkpoints/step-000000.safetensors") + " are damaged too), so this run cannot be resumed:"
        + " train afresh into another --out folder"), e.getMessage());
  }

  /** A checkpoint as wganc wrote it before checksums: the same tensors and metadata, no checksums. */
  static void dropChecksums(Path file) throws IOException {
    SafeTensors st = SafeTensors.read(file);
    SafeTensors old = new SafeTensors();
    st.tensors().forEach(old::put);
    st.metadata().forEach(old::putMetadata);
    old.write(file);
  }

  @Test
  void aCheckpointWithoutChecksumsResumesWithANote(@TempDir Path dir) throws IOException {
    Path run = dir.resolve("run");
    new Trainer(new FakeModel(), options(run, 4)).train();
    Path newest = run.resolve("checkpoints/step-000004.safetensors");
    dropChecksums(newest);
    assertFalse(SafeTensors.read(newest).checksummed());
    var log = new java.io.ByteArrayOutputStream();
    new Trainer(new FakeModel(), options(run, 8).withResume(true)
        .withProgress(new java.io.PrintStream(log, true), Progress.Style.LINES, 1000)).train();
    assertTrue(log.toString().contains("resuming fake from " + newest + " (step 4 of 8; the file has no checksums,"
        + " written by an older wganc: not verified)\n"), log.toString());
    new Trainer(new FakeModel(), options(dir.resolve("full"), 8)).train();
    assertArrayEquals(Files.readAllBytes(dir.resolve("full/checkpoints/step-000008.safetensors")),
        Files.readAllBytes(run.resolve("checkpoints/step-000008.safetensors")));
    assertEquals(8, Sampler.load(new FakeModel(), run).step());
    dropChecksums(run.resolve("checkpoints/step-000008.safetensors"));
    assertEquals(8, Sampler.load(new FakeModel(), run).step(), "sampling loads it too");
  }

  @Test
  void samplingADamagedCheckpointNamesTheNewestIntactOneBeforeIt(@TempDir Path run) throws IOException {
    new Trainer(new FakeModel(), options(run, 10)).train();
    Path newest = run.resolve("checkpoints/step-000010.safetensors");
    CheckpointsTest.damage(newest, "G.w");
    IOException e = assertThrows(IOException.class, () -> Sampler.load(new FakeModel(), run));
    assertEquals(newest + ": damaged: the data of `G.w` does not match its SHA-256 checksum; sample from "
        + run.resolve("checkpoints/step-000008.safetensors") + " (step 8), the newest intact checkpoint before it,"
        + " by giving that file instead of " + run, e.getMessage());
    assertEquals(8, Sampler.load(new FakeModel(), run.resolve("checkpoints/step-000008.safetensors")).step());
  }

  @Test
  void startingOnARunDirectoryRemovesTheTemporaryFilesOfAKilledRun(@TempDir Path run) throws IOException {
    new Trainer(new FakeModel(), options(run, 4).withSampleEvery(2)).train();
    List<String> stale = List.of(".samples.gif.1x2y3z.tmp", "checkpoints/.step-000004.safetensors.k9f3e1a.tmp",
        "samples/.step-000006.png.zz0.tmp", "inputs/.000012-critic.safetensors.4bc.tmp", ".metrics.csv.a1.tmp");
    List<String> kept = List.of("notes.tmp", ".hidden", "checkpoints/.x.tmp", "samples/keep.png.1.tmp");
    for (String f : concat(stale, kept)) {
      Files.createDirectories(run.resolve(f).getParent());
      Files.writeString(run.resolve(f), "partial");
    }
    var log = new java.io.ByteArrayOutputStream();
    new Trainer(new FakeModel(), options(run, 6).withResume(true)
        .withProgress(new java.io.PrintStream(log, true), Progress.Style.LINES, 1000)).train();
    assertTrue(log.toString().startsWith("removed 5 temporary files left in " + run + " by an interrupted run\n"),
        log.toString());
    for (String f : stale) assertFalse(Files.exists(run.resolve(f)), f);
    for (String f : kept) assertEquals("partial", Files.readString(run.resolve(f)), f);
    // and a fresh run on a folder holding only leftovers, silently when there are none
    Path fresh = run.resolve("fresh");
    Files.createDirectories(fresh.resolve("samples"));
    Files.writeString(fresh.resolve("samples/.step-000000.png.q.tmp"), "partial");
    log.reset();
    new Trainer(new FakeModel(), options(fresh, 1)
        .withProgress(new java.io.PrintStream(log, true), Progress.Style.LINES, 1000)).train();
    assertTrue(log.toString().contains("removed 1 temporary file left in " + fresh), log.toString());
    assertFalse(Files.exists(fresh.resolve("samples/.step-000000.png.q.tmp")));
    log.reset();
    new Trainer(new FakeModel(), options(fresh, 2).withResume(true)
        .withProgress(new java.io.PrintStream(log, true), Progress.Style.LINES, 1000)).train();
    assertFalse(log.toString().contains("temporary"), log.toString());
  }

  static List<String> concat(List<String> a, List<String> b) {
    return java.util.stream.Stream.concat(a.stream(), b.stream()).toList();
  }
}

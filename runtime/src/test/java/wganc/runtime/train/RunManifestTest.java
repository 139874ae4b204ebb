package wganc.runtime.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import wganc.runtime.metrics.Manifest;

class RunManifestTest {
  static RunManifest manifest(Path out, TrainOptions options, Long resumedFrom) throws IOException {
    FakeModel model = new FakeModel();
    DataFeed feed = DataFeed.open(model.spec(), 7, (Path) null);
    TrainingStep step = TrainingStep.bind(model, Slots.init(model.spec(), 7), feed);
    return new RunManifest(RunDirectory.create(out), model, options.forRun(200), 7, step.invocations, feed, null, 200,
        resumedFrom, "2026-01-02T03:04:05Z");
  }

  @Test
  void aRunningManifestSaysWhatIsTrainedOnWhatAndHowFar(@TempDir Path out) throws IOException {
    TrainOptions options = TrainOptions.defaults(out).withSteps(200).withThreads(3);
    manifest(out, options, null).write("running", null, 40, 120, out.resolve("checkpoints/step-000040.safetensors"));
    Map<String, Object> m = Manifest.read(out.resolve("manifest.json"));
    assertEquals(List.of("backend", "batch", "data", "device", "end_time", "java", "last_checkpoint", "model",
        "model_seed", "options", "resumed_from_step", "rng_step", "schedule", "seed", "source_sha256", "start_time",
        "status", "steps_done", "steps_total", "wganc_version"), List.copyOf(m.keySet()));
    assertEquals("fake", m.get("model"));
    assertEquals("abc123", m.get("source_sha256"));
    assertEquals("fake", m.get("backend"));
    assertEquals(7, m.get("seed"));
    assertEquals(7, m.get("model_seed"));
    assertEquals(Map.of("real", "toy 8gaussians scale=2.0 std=0.02"), m.get("data"));
    assertEquals(4, m.get("batch"));
    assertEquals(List.of("critic", "critic", "generator"), m.get("schedule"));
    assertEquals("2026-01-02T03:04:05Z", m.get("start_time"));
    assertNull(m.get("end_time"));
    assertEquals("running", m.get("status"));
    assertEquals(40, m.get("steps_done"));
    assertEquals(200, m.get("steps_total"));
    assertEquals(120, m.get("rng_step"));
    assertNull(m.get("resumed_from_step"));
    assertEquals("checkpoints/step-000040.safetensors", m.get("last_checkpoint"));
    assertEquals(Trainer.VERSION, m.get("wganc_version"));
    // the options as the run uses them: 0 for samples and checkpoints resolved for 200 steps
    Map<String, Object> o = new java.util.LinkedHashMap<>();
    o.put("checkpoint_every", 1000);
    o.put("data_dir", null);
    o.put("record_inputs", false);
    o.put("resume", false);
    o.put("sample_every", 20);
    o.put("seed", null);
    o.put("steps", 200);
    o.put("threads", 3);
    assertEquals(o, m.get("options"));
    @SuppressWarnings("unchecked")
    Map<String, Object> device = (Map<String, Object>) m.get("device");
    assertEquals(List.of("arch", "backend", "cpus", "os", "threads"), List.copyOf(device.keySet()));
    assertEquals("fake", device.get("backend"));
    @SuppressWarnings("unchecked")
    Map<String, Object> java = (Map<String, Object>) m.get("java");
    assertEquals(System.getProperty("java.version"), java.get("version"));
  }

  @Test
  void anEndedRunHasAnEndTimeAndAFailedOneItsError(@TempDir Path out) throws IOException {
    RunManifest manifest = manifest(out, TrainOptions.defaults(out).withResume(true), 30L);
    manifest.write("completed", null, 200, 600, null);
    Map<String, Object> m = Manifest.read(out.resolve("manifest.json"));
    assertNotNull(m.get("end_time"));
    assertFalse(m.containsKey("error"));
    assertEquals(30, m.get("resumed_from_step"));
    assertNull(m.get("last_checkpoint"));
    manifest.write("failed", "training stopped at step 31", 30, 92, null);
    m = Manifest.read(out.resolve("manifest.json"));
    assertEquals("failed", m.get("status"));
    assertEquals("training stopped at step 31", m.get("error"));
  }
}

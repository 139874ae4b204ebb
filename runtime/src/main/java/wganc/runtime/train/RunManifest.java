package wganc.runtime.train;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import wganc.runtime.kernels.Parallel;
import wganc.runtime.metrics.Manifest;

/**
 * What a run's {@code manifest.json} says: what was trained (model, source hash, backend, seeds,
 * options as the run used them, the phase schedule of a step, data, batch), on what (device, kernel
 * threads, memory moved to and from a device, Java, wganc version) and how far it got
 * ({@code status} running, completed, stopped or failed with its {@code error}; steps done of the
 * total, {@code rng_step}, the step it resumed from, the last checkpoint, start and end times). The
 * trainer rewrites it at the start, at every checkpoint and at the end; {@link Manifest} writes it
 * with sorted keys, atomically.
 */
final class RunManifest {
  static final String FILE = "manifest.json";
  private final RunDirectory run;
  private final CompiledModel model;
  private final TrainOptions options;
  private final long seed;
  private final List<String> schedule;
  private final Map<String, String> data;
  private final DeviceMemory memory;
  private final long total;
  private final Long resumedFrom;
  private final String startTime;

  /**
   * @param options     the run's options with the steps between samples and checkpoints it uses
   * @param schedule    the phase invocations of a step
   * @param memory      the device memory of the phases, or null on the host
   * @param resumedFrom the step resumed from, or null for a fresh run
   */
  RunManifest(RunDirectory run, CompiledModel model, TrainOptions options, long seed, List<BoundPhase> schedule,
      DataFeed feed, DeviceMemory memory, long total, Long resumedFrom, String startTime) {
    this.run = run;
    this.model = model;
    this.options = options;
    this.seed = seed;
    this.schedule = schedule.stream().map(p -> p.name).toList();
    this.data = feed.descriptions();
    this.memory = memory;
    this.total = total;
    this.resumedFrom = resumedFrom;
    this.startTime = startTime;
  }

  /** Writes the manifest with {@code status} (and {@code error}, may be null) after {@code step} steps. */
  void write(String status, String error, long step, long rngStep, Path lastCheckpoint) throws IOException {
    ModelSpec spec = model.spec();
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("model", spec.name());
    m.put("source_sha256", spec.sourceSha256());
    m.put("backend", model.backend());
    m.put("seed", seed);
    m.put("model_seed", spec.seed());
    m.put("options", options());
    m.put("schedule", schedule);
    m.put("device", device());
    Map<String, Object> java = new LinkedHashMap<>();
    java.put("version", System.getProperty("java.version"));
    java.put("vendor", System.getProperty("java.vendor"));
    java.put("vm", System.getProperty("java.vm.name"));
    m.put("java", java);
    m.put("wganc_version", Trainer.VERSION);
    m.put("data", data);
    m.put("batch", spec.batch());
    m.put("start_time", startTime);
    m.put("end_time", status.equals("running") ? null : Instant.now().toString());
    m.put("status", status);
    if (error != null) m.put("error", error);
    m.put("steps_done", step);
    m.put("steps_total", total);
    m.put("rng_step", rngStep);
    m.put("resumed_from_step", resumedFrom);
    m.put("last_checkpoint", lastCheckpoint == null ? null : run.root().relativize(lastCheckpoint).toString());
    Manifest.write(run.resolve(FILE), m);
  }

  private Map<String, Object> options() {
    Map<String, Object> o = new LinkedHashMap<>();
    o.put("steps", options.steps());
    o.put("seed", options.seed());
    o.put("sample_every", options.sampleEvery());
    o.put("checkpoint_every", options.checkpointEvery());
    o.put("resume", options.resume());
    o.put("data_dir", options.dataDir() == null ? null : options.dataDir().toString());
    o.put("threads", options.threads());
    o.put("record_inputs", options.recordInputs());
    return o;
  }

  private Map<String, Object> device() {
    Map<String, Object> device = new LinkedHashMap<>();
    device.put("backend", model.backend());
    device.put("threads", Parallel.threads());
    device.put("cpus", Runtime.getRuntime().availableProcessors());
    device.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version"));
    device.put("arch", System.getProperty("os.arch"));
    if (memory != null) {
      device.put("bytes_to_device", memory.bytesToDevice());
      device.put("bytes_to_host", memory.bytesToHost());
    }
    return device;
  }
}

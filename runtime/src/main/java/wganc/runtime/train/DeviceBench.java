package wganc.runtime.train;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * `wganc bench --backend tornado`, in the JVM that runs the phases of a trainer jar compiled with
 * profiling: times whole training steps (every critic update {@code N per generator step} times, then
 * the generator update, each committed, as the trainer runs them; parameters and state stay on the
 * device) and reads each kernel's device time from the phases' {@link Profiled} data, then writes one
 * JSON object in the shape of the JVM bench's.
 * {@code java -cp <trainer.jar> wganc.runtime.train.DeviceBench OUT WARMUP RUNS STEPS}.
 */
public final class DeviceBench {
  private DeviceBench() {}

  public static void main(String[] args) throws Exception {
    if (args.length != 4) {
      System.err.println("usage: DeviceBench OUT WARMUP RUNS STEPS");
      System.exit(2);
    }
    int warmup = Integer.parseInt(args[1]), runs = Integer.parseInt(args[2]), steps = Integer.parseInt(args[3]);
    Map<String, Object> result = run(PhaseReplay.fromClassPath(), warmup, runs, steps, System.err);
    new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(Path.of(args[0]).toFile(), result);
    System.exit(0);
  }

  /** The measurement; progress lines go to {@code log}. */
  static Map<String, Object> run(CompiledModel model, int warmup, int runs, int steps, java.io.PrintStream log) {
    ModelSpec spec = model.spec();
    Slots slots = Slots.init(spec, spec.seed());
    DeviceMemory memory = BoundPhase.memory(model);
    DataFeed feed = DataFeed.synthetic(spec, spec.seed(), 16 * spec.batch());
    if (memory != null) {
      memory.attach(feed);  // as the trainer does: data on the device, batches taken there
      memory.upload(slots.names, slots.cur);
    }
    List<Phase> order = new ArrayList<>();
    for (ModelSpec.Update u : spec.updates()) {
      for (int k = 0; k < Math.max(1, u.perGenerator()); k++) {
        for (ModelSpec.PhaseInfo p : u.phases()) order.add(model.phase(p.name()));
      }
    }
    Map<Phase, float[][]> reads = new LinkedHashMap<>(), writes = new LinkedHashMap<>();
    Random r = new Random(1);
    for (Phase p : model.phases()) {
      int[][] rs = p.readShapes(), ws = p.writeShapes();
      float[][] in = new float[rs.length][], out = new float[ws.length][];
      for (int i = 0; i < rs.length; i++) {
        int s = slots.slot(p.reads()[i]);
        in[i] = s >= 0 ? slots.cur[s] : new float[Init.size(rs[i])];
        if (s < 0) for (int k = 0; k < in[i].length; k++) in[i][k] = (float) (2 * r.nextDouble() - 1);
      }
      for (int i = 0; i < ws.length; i++) out[i] = new float[Init.size(ws[i])];
      reads.put(p, in);
      writes.put(p, out);
    }
    long[] rngStep = {0};
    Runnable step = () -> {
      for (Phase p : order) {
        p.run(rngStep[0]++, reads.get(p), writes.get(p));
        if (p instanceof ResidentPhase rp) rp.commit();
      }
    };
    log.println("wganc: warming up (" + warmup + " steps; TornadoVM compiles every kernel on its first run) ...");
    for (int i = 0; i < warmup; i++) step.run();
    for (Phase p : model.phases()) if (p instanceof Profiled pr) pr.resetProfile();
    long in0 = memory == null ? 0 : memory.bytesToDevice(), out0 = memory == null ? 0 : memory.bytesToHost();
    double[] seconds = new double[runs];
    for (int k = 0; k < runs; k++) {
      long t0 = System.nanoTime();
      for (int i = 0; i < steps; i++) step.run();
      seconds[k] = (System.nanoTime() - t0) / 1e9 / steps;
      log.printf(java.util.Locale.ROOT, "wganc: run %d/%d: %.4f s/step%n", k + 1, runs, seconds[k]);
    }
    int timed = runs * steps;
    double[] sorted = seconds.clone();
    Arrays.sort(sorted);
    double median = sorted[runs / 2];
    long flopsPerStep = 0, launchesPerStep = 0;
    for (Phase p : order) {
      if (p instanceof Profiled pr) {
        for (long f : pr.kernelFlops()) flopsPerStep += f;
        launchesPerStep += pr.kernelNames().length;  // every kernel is one task, launched once per phase run
      }
    }
    List<Map<String, Object>> kernels = Profiled.rows(model.phases(), order, timed);
    Map<String, Object> result = new LinkedHashMap<>();
    result.put("model", spec.name());
    result.put("backend", model.backend());
    result.put("device", System.getProperty("wganc.tornado.device", "default"));
    result.put("batch", spec.batch());
    result.put("seconds_per_step", median);
    result.put("seconds_min", sorted[0]);
    result.put("seconds_max", sorted[runs - 1]);
    result.put("steps_per_s", 1 / median);
    result.put("samples_per_s", spec.batch() / median);
    result.put("flop_per_step", flopsPerStep);
    result.put("gflops", flopsPerStep / median / 1e9);
    result.put("launches_per_step", launchesPerStep);
    result.put("kernel_ms_per_step", kernels.stream().mapToDouble(k -> (double) k.get("ms_per_step")).sum());
    if (memory != null) {
      result.put("bytes_to_device_per_step", (memory.bytesToDevice() - in0) / (double) timed);
      result.put("bytes_to_host_per_step", (memory.bytesToHost() - out0) / (double) timed);
    }
    result.put("kernels", kernels);
    return result;
  }
}

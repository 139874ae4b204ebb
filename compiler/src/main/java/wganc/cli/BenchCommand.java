package wganc.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import wganc.check.Model;
import wganc.compile.Checked;
import wganc.compile.Compiler;
import wganc.emit.Backend;
import wganc.emit.java.JvmBackend;
import wganc.runtime.kernels.Gemm;
import wganc.runtime.kernels.Parallel;
import wganc.runtime.train.CompiledModel;
import wganc.runtime.train.ModelSpec;
import wganc.runtime.train.Phase;
import wganc.runtime.train.Profiled;

/** `wganc bench`: throughput of the generated kernels, per kernel and per training step. */
@Command(name = "bench", mixinStandardHelpOptions = true,
    description = {
        "Measures the generated kernels: time and GFLOP/s of each kernel and of each training step.",
        "",
        "One step is every critic update (its phases, `N per generator step` times) and the generator",
        "update, as training runs it. Reported: the median of --runs timed runs after --warmup steps,",
        "steps/s, samples/s, GFLOP/s (multiply-adds of matmuls and convolutions, times 2, as the",
        "peers count them), peak memory of the kernels' buffers, and this machine's measured FP32",
        "matmul peak alongside. Inputs are random; parameters start as a fresh model's would.",
        "",
        "With --backend tornado the phases run on a TornadoVM device (--device B:D) in a child JVM;",
        "kernel times come from TornadoVM's profiler (device time), the step time from the host clock."})
final class BenchCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "MODEL", description = "the model file (.wgan)")
  Path model;

  @CommandLine.Mixin BackendOptions target;

  @Option(names = "--batch", paramLabel = "B", description = "batch size (default: the model's)")
  Integer batch;

  @Option(names = "--warmup", description = "untimed steps first (default: at least 3 steps and 3 s, so that "
      + "the JIT has compiled the kernels; tornado: 3 steps)")
  Integer warmup;

  @Option(names = "--runs", description = "timed runs of --steps steps each (default: ${DEFAULT-VALUE})", defaultValue = "5")
  int runs;

  @Option(names = "--steps", description = "steps per timed run (default: enough for about 1 s, at least 2; "
      + "tornado: 2)")
  Integer steps;

  @Option(names = "--threads", description = "kernel threads (default: all cores)")
  Integer threads;

  @Option(names = "--top", description = "kernels listed, slowest first (default: ${DEFAULT-VALUE})", defaultValue = "12")
  int top;

  @Option(names = "--json", description = "print one JSON object to standard output instead of tables")
  boolean json;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    if (!target.valid(err)) return 2;
    Checked o = Compiler.check(model);
    if (!CheckCommand.report(o, err)) return 1;
    Model m = batch == null ? o.model() : o.model().withBatch(batch);
    if (target.tornado()) {
      Map<String, Object> result = TornadoCli.bench(o.withModel(m), target.tornadoBackend(), target.device,
          warmup == null ? 3 : warmup, runs, steps == null ? 2 : steps, json, err);
      if (result == null) return 70;
      if (json) {
        out.println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(result));
        return 0;
      }
      out.printf(Locale.ROOT, "%s, tornado backend (device %s), batch %d%n", m.name(), result.get("device"),
          m.training().batch());
      double median = (double) result.get("seconds_per_step");
      out.printf(Locale.ROOT, "step: %.2f ms (median of %d runs; %.2f-%.2f), %.3f steps/s, %.1f samples/s%n",
          median * 1e3, runs, (double) result.get("seconds_min") * 1e3, (double) result.get("seconds_max") * 1e3,
          1 / median, m.training().batch() / median);
      out.printf(Locale.ROOT, "work: %.2f GFLOP/step -> %.1f GFLOP/s; kernels on the device: %.2f ms/step, "
          + "%d launches/step; moved per step: %.1f KiB in, %.1f KiB out%n",
          ((Number) result.get("flop_per_step")).longValue() / 1e9, (double) result.get("gflops"),
          (double) result.get("kernel_ms_per_step"), ((Number) result.get("launches_per_step")).longValue(),
          ((Number) result.getOrDefault("bytes_to_device_per_step", 0.0)).doubleValue() / 1024,
          ((Number) result.getOrDefault("bytes_to_host_per_step", 0.0)).doubleValue() / 1024);
      @SuppressWarnings("unchecked")
      List<Map<String, Object>> kernels = (List<Map<String, Object>>) result.get("kernels");
      kernelTable(out, kernels, top, 0);
      return 0;
    }
    if (threads != null) Parallel.setThreads(threads);
    if (!json) err.println("wganc: compiling " + m.name() + " at batch " + m.training().batch() + " ...");
    JvmBackend jvm = new JvmBackend();
    Backend.Options options = new Backend.Options(1, true);
    CompiledModel c = jvm.load(Compiler.compile(o.withModel(m), jvm.target(options)), options);
    Runner r = new Runner(c);
    if (!json) err.println("wganc: warming up" + (warmup == null ? "" : " (" + warmup + " steps)") + " ...");
    long w0 = System.nanoTime(), last = w0;
    int warmed = 0;
    double stepSeconds = 0;
    while (warmup == null ? warmed < 3 || last - w0 < 3_000_000_000L : warmed < warmup) {
      r.step();
      long now = System.nanoTime();
      stepSeconds = (now - last) / 1e9;
      last = now;
      warmed++;
    }
    int steps = this.steps != null ? this.steps : (int) Math.max(2, Math.ceil(1.0 / Math.max(stepSeconds, 1e-6)));
    if (!json) err.printf(Locale.ROOT, "wganc: %d warm-up steps; %d runs of %d steps%n", warmed, runs, steps);
    r.resetProfile();
    double[] seconds = new double[runs];
    for (int k = 0; k < runs; k++) {
      long t0 = System.nanoTime();
      for (int i = 0; i < steps; i++) r.step();
      seconds[k] = (System.nanoTime() - t0) / 1e9 / steps;
      if (!json) err.printf(Locale.ROOT, "wganc: run %d/%d: %.4f s/step%n", k + 1, runs, seconds[k]);
    }
    double[] sorted = seconds.clone();
    Arrays.sort(sorted);
    double median = sorted[runs / 2];
    long flopsPerStep = r.flopsPerStep();
    double peak = peakGflops();
    Map<String, Object> result = new LinkedHashMap<>();
    result.put("model", m.name());
    result.put("backend", "jvm");
    result.put("batch", m.training().batch());
    result.put("threads", Parallel.threads());
    result.put("warmup_steps", warmed);
    result.put("runs", runs);
    result.put("steps_per_run", steps);
    result.put("seconds_per_step", median);
    result.put("seconds_min", sorted[0]);
    result.put("seconds_max", sorted[runs - 1]);
    result.put("steps_per_s", 1 / median);
    result.put("samples_per_s", m.training().batch() / median);
    result.put("flop_per_step", flopsPerStep);
    result.put("gflops", flopsPerStep / median / 1e9);
    result.put("peak_gflops", peak);
    result.put("state_bytes", r.stateBytes());
    long peakRss = peakResidentBytes();
    if (peakRss > 0) result.put("peak_rss_bytes", peakRss);
    List<Map<String, Object>> kernels = r.kernels(runs * steps);
    result.put("kernels", kernels);
    if (json) {
      out.println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(result));
      return 0;
    }
    out.printf(Locale.ROOT, "%s, jvm backend, batch %d, %d threads%n", m.name(), m.training().batch(), Parallel.threads());
    out.printf(Locale.ROOT, "step: %.2f ms (median of %d runs; %.2f-%.2f), %.3f steps/s, %.1f samples/s%n",
        median * 1e3, runs, sorted[0] * 1e3, sorted[runs - 1] * 1e3, 1 / median, m.training().batch() / median);
    out.printf(Locale.ROOT, "work: %.2f GFLOP/step -> %.1f GFLOP/s; machine FP32 matmul peak measured now: %.1f GFLOP/s (%.0f%%)%n",
        flopsPerStep / 1e9, flopsPerStep / median / 1e9, peak, 100 * flopsPerStep / median / 1e9 / peak);
    out.printf(Locale.ROOT, "memory: parameters, optimiser state and inputs %.1f MiB; process peak resident %s%n",
        r.stateBytes() / 1048576.0,
        peakRss > 0 ? String.format(Locale.ROOT, "%.0f MiB", peakRss / 1048576.0) : "unknown");
    kernelTable(out, kernels, top, peak);
    return 0;
  }

  /**
   * The `top` slowest kernels: phase, kernel, ms per step, share of all kernels' time, GFLOP/s and,
   * when {@code peak} (GFLOP/s) is known, the share of it each matmul or convolution reaches.
   */
  static void kernelTable(PrintWriter out, List<Map<String, Object>> kernels, int top, double peak) {
    out.printf(Locale.ROOT, "%-12s %-34s %10s %7s %9s%s%n", "phase", "kernel", "ms/step", "share", "GFLOP/s",
        peak > 0 ? "   peak" : "");
    double total = kernels.stream().mapToDouble(k -> ((Number) k.get("ms_per_step")).doubleValue()).sum();
    kernels.stream().sorted((a, b) -> Double.compare(((Number) b.get("ms_per_step")).doubleValue(),
            ((Number) a.get("ms_per_step")).doubleValue()))
        .limit(top).forEach(k -> {
          double ms = ((Number) k.get("ms_per_step")).doubleValue(), gflops = ((Number) k.get("gflops")).doubleValue();
          out.printf(Locale.ROOT, "%-12s %-34s %10.3f %6.1f%% %9s%s%n", k.get("phase"), k.get("kernel"), ms,
              total > 0 ? 100 * ms / total : 0.0, gflops > 0 ? String.format(Locale.ROOT, "%.1f", gflops) : "-",
              peak > 0 && gflops > 0 ? String.format(Locale.ROOT, " %5.0f%%", 100 * gflops / peak) : "");
        });
  }

  /** The largest resident set this process has had (Linux's VmHWM), or -1 where it cannot be read. */
  static long peakResidentBytes() {
    try {
      for (String line : java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/self/status")))
        if (line.startsWith("VmHWM:")) return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
    } catch (java.io.IOException | NumberFormatException e) {
      // not Linux: the figure is left out
    }
    return -1;
  }

  /** Best of a few 1024^3 sgemm runs on the kernel threads. */
  static double peakGflops() {
    int n = 1024;
    float[] a = new float[n * n], b = new float[n * n], c = new float[n * n];
    Random r = new Random(1);
    for (int i = 0; i < a.length; i++) { a[i] = r.nextFloat(); b[i] = r.nextFloat(); }
    double best = 0;
    for (int i = 0; i < 8; i++) {
      long t0 = System.nanoTime();
      Gemm.sgemm(false, false, n, n, n, 1f, a, 0, n, b, 0, n, 0f, c, 0, n);
      double s = (System.nanoTime() - t0) / 1e9;
      best = Math.max(best, 2.0 * n * n * n / s / 1e9);
    }
    return best;
  }

  /** Runs the phases of a compiled model step by step, swapping persistent tensors in. */
  static final class Runner {
    final CompiledModel model;
    final List<Phase> order = new ArrayList<>();
    final Map<String, float[]> state = new HashMap<>();
    final Map<Phase, float[][]> reads = new HashMap<>();
    final Map<Phase, float[][]> writes = new HashMap<>();
    long rngStep;

    Runner(CompiledModel model) {
      this.model = model;
      ModelSpec spec = model.spec();
      Random r = new Random(1);
      for (ModelSpec.Param p : spec.params()) {
        float[] x = new float[size(p.shape())];
        for (int i = 0; i < x.length; i++) {
          double u = 2 * r.nextDouble() - 1;
          x[i] = (float) switch (p.kind()) {
            case "running_var" -> 1.0;
            case "running_mean", "bias" -> 0.0;
            default -> p.shape().length == 1 ? 1.0 : u * Math.sqrt(6.0 / (p.fanIn() + p.fanOut()));
          };
        }
        state.put(p.name(), x);
      }
      for (ModelSpec.State s : spec.state()) {
        float[] x = new float[size(s.shape())];
        Arrays.fill(x, (float) s.initial());
        state.put(s.name(), x);
      }
      for (ModelSpec.Update u : spec.updates()) {
        for (int k = 0; k < u.perGenerator(); k++) {
          for (ModelSpec.PhaseInfo p : u.phases()) order.add(model.phase(p.name()));
        }
      }
      for (Phase p : model.phases()) {
        String[] names = p.reads();
        int[][] shapes = p.readShapes();
        float[][] in = new float[names.length][];
        for (int i = 0; i < names.length; i++) {
          in[i] = state.get(names[i]);
          if (in[i] == null) {
            in[i] = new float[size(shapes[i])];
            for (int k = 0; k < in[i].length; k++) in[i][k] = (float) (2 * r.nextDouble() - 1);
          }
        }
        reads.put(p, in);
        int[][] ws = p.writeShapes();
        float[][] w = new float[ws.length][];
        for (int i = 0; i < ws.length; i++) w[i] = new float[size(ws[i])];
        writes.put(p, w);
      }
    }

    void step() {
      for (Phase p : order) {
        float[][] in = reads.get(p);
        float[][] w = writes.get(p);
        p.run(rngStep++, in, w);
        String[] rn = p.reads();
        String[] wn = p.writes();
        for (int j = 0; j < wn.length; j++) {
          float[] old = state.get(wn[j]);
          if (old == null) continue;
          // the written array becomes the state; the old one is the next write target
          state.put(wn[j], w[j]);
          w[j] = old;
        }
        for (Phase q : model.phases()) {
          String[] qn = q.reads();
          float[][] qin = reads.get(q);
          for (int i = 0; i < qn.length; i++) if (state.containsKey(qn[i])) qin[i] = state.get(qn[i]);
        }
      }
    }

    void resetProfile() {
      for (Phase p : model.phases()) if (p instanceof Profiled pr) pr.resetProfile();
    }

    long flopsPerStep() {
      long f = 0;
      for (Phase p : order) if (p instanceof Profiled pr) for (long x : pr.kernelFlops()) f += x;
      return f;
    }

    /** Bytes of the step's persistent tensors: parameters, optimiser state, inputs. */
    long stateBytes() {
      long b = 0;
      for (float[] x : state.values()) b += 4L * x.length;
      return b;
    }

    List<Map<String, Object>> kernels(int timedSteps) {
      return Profiled.rows(model.phases(), order, timedSteps);
    }

    static int size(int[] shape) {
      int n = 1;
      for (int d : shape) n *= d;
      return n;
    }
  }
}

package wganc.runtime.train;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A phase compiled with profiling: it accumulates the wall time of each kernel. The emitter generates
 * this only when asked ({@code wganc bench}); trainers use unprofiled phases.
 */
public interface Profiled {
  /** Kernel method names, in program order. */
  String[] kernelNames();

  /** Floating-point operations of each kernel per run (multiply-adds of contractions, times 2). */
  long[] kernelFlops();

  /** Nanoseconds spent in each kernel since the last {@link #resetProfile()}. */
  long[] kernelNanos();

  void resetProfile();

  /**
   * One row per kernel of the profiled training phases (not sampling): {@code phase}, {@code kernel},
   * {@code ms_per_step}, {@code calls_per_step}, {@code flop_per_call}, {@code gflops}, over {@code steps} steps of
   * {@code order} (the phase runs of one step).
   */
  static List<Map<String, Object>> rows(List<Phase> phases, List<Phase> order, int steps) {
    List<Map<String, Object>> out = new ArrayList<>();
    for (Phase p : phases) {
      if (!(p instanceof Profiled pr) || p.name().equals("sample")) continue;
      long calls = order.stream().filter(q -> q == p).count();
      String[] names = pr.kernelNames();
      long[] nanos = pr.kernelNanos();
      long[] flops = pr.kernelFlops();
      for (int i = 0; i < names.length; i++) {
        double ms = nanos[i] / 1e6 / steps;
        Map<String, Object> k = new LinkedHashMap<>();
        k.put("phase", p.name());
        k.put("kernel", names[i]);
        k.put("ms_per_step", ms);
        k.put("calls_per_step", calls);
        k.put("flop_per_call", flops[i]);
        k.put("gflops", ms > 0 ? flops[i] * calls / (ms / 1e3) / 1e9 : 0.0);
        out.add(k);
      }
    }
    return out;
  }
}

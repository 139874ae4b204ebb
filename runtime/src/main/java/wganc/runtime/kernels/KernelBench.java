package wganc.runtime.kernels;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Throughput of the kernels on the shapes of the models: GFLOP/s (FLOP = 2 x multiply-add) per
 * shape, the median of RUNS timed runs after warm-up.
 *
 * <pre>
 * mvn -B -q -pl runtime package -DskipTests
 * java --add-modules jdk.incubator.vector -cp runtime/target/classes wganc.runtime.kernels.KernelBench [filter] [-Dwganc.threads=N]
 * </pre>
 *
 * TABLE
 */
public final class KernelBench {
  private KernelBench() {}

  static final int RUNS = Integer.getInteger("bench.runs", 9);
  static final double WARM_SECONDS = Double.parseDouble(System.getProperty("bench.warm", "3"));
  static final double RUN_SECONDS = Double.parseDouble(System.getProperty("bench.seconds", "0.15"));

  record Case(String name, double flops, Runnable op) {}

  static float[] rnd(SplittableRandom r, int n) {
    float[] x = new float[n];
    for (int i = 0; i < n; i++) x[i] = (float) (r.nextDouble() * 2 - 1);
    return x;
  }

  static Case gemm(boolean ta, boolean tb, int m, int n, int k) {
    SplittableRandom r = new SplittableRandom(m * 31L + n * 7L + k);
    float[] a = rnd(r, m * k), b = rnd(r, k * n), c = new float[m * n];
    String name = String.format("sgemm %s%s %dx%dx%d", ta ? "T" : "N", tb ? "T" : "N", m, n, k);
    return new Case(name, 2.0 * m * n * k,
        () -> Gemm.sgemm(ta, tb, m, n, k, 1f, a, 0, ta ? m : k, b, 0, tb ? k : n, 0f, c, 0, n));
  }

  static List<Case> cases() {
    List<Case> cs = new ArrayList<>();
    cs.add(gemm(false, false, 1024, 1024, 1024));
    cs.add(gemm(false, false, 512, 512, 512));
    cs.add(gemm(false, false, 256, 512, 512));
    cs.add(gemm(false, true, 256, 512, 512));
    cs.add(gemm(true, false, 512, 512, 256));
    cs.add(gemm(true, true, 256, 512, 512));
    cs.add(gemm(false, false, 256, 2, 512));
    cs.add(gemm(false, true, 256, 2, 512));
    cs.add(gemm(false, false, 256, 1, 512));
    cs.add(gemm(true, false, 512, 2, 256));
    cs.add(gemm(false, false, 256, 512, 2));
    cs.add(gemm(false, true, 256, 512, 2));
    cs.add(gemm(true, false, 2, 512, 256));
    ConvBenchCases.add(cs);
    return cs;
  }

  /** Median GFLOP/s of RUNS runs of about RUN_SECONDS each, after warm-up. */
  static double measure(Case c) {
    // Warm-up until C2 has compiled the kernels: the Vector API runs boxed (100x slower) in the
    // interpreter and C1, and on a loaded machine C2 can take several seconds. Windows of ~0.25 s,
    // for at least WARM_SECONDS, then until two windows in a row are within 3 % of the best (30 s max).
    long t0 = System.nanoTime();
    double best = Double.MAX_VALUE;
    int warm = 0, stable = 0;
    while (true) {
      long w0 = System.nanoTime();
      int calls = 0;
      while (System.nanoTime() - w0 < 250_000_000L || calls < 2) {
        c.op.run();
        calls++;
      }
      warm += calls;
      double per = (System.nanoTime() - w0) / (double) calls;
      double elapsed = (System.nanoTime() - t0) / 1e9;
      best = Math.min(best, per);
      stable = per <= best * 1.03 ? stable + 1 : 0;
      if ((elapsed > WARM_SECONDS && stable >= 2) || elapsed > 30) break;
    }
    long s0 = System.nanoTime();
    int probe = 0;
    while (System.nanoTime() - s0 < 100_000_000L || probe < 3) {
      c.op.run();
      probe++;
    }
    double per = (System.nanoTime() - s0) / 1e9 / probe;
    if (Boolean.getBoolean("bench.verbose")) System.out.printf("  warm %d calls, probe %.3f ms/call%n", warm, per * 1e3);
    int reps = (int) Math.max(1, Math.round(RUN_SECONDS / per));
    double[] g = new double[RUNS];
    for (int run = 0; run < RUNS; run++) {
      long s = System.nanoTime();
      for (int i = 0; i < reps; i++) c.op.run();
      double sec = (System.nanoTime() - s) / 1e9;
      g[run] = c.flops * reps / sec / 1e9;
      if (Boolean.getBoolean("bench.verbose")) System.out.printf("  run %d: %d reps %.1f GFLOP/s%n", run, reps, g[run]);
    }
    Arrays.sort(g);
    return g[RUNS / 2];
  }

  public static void main(String[] args) {
    String filter = args.length > 0 ? args[0] : "";
    System.out.printf("threads %d, species %s, median of %d runs%n", Parallel.threads(),
        Gemm.S, RUNS);
    double peak = 0;
    for (Case c : cases()) {
      if (!c.name.contains(filter)) continue;
      double g = measure(c);
      if (c.name.startsWith("sgemm")) peak = Math.max(peak, g);
      System.out.printf("%-48s %8.1f GFLOP/s%n", c.name, g);
    }
    System.out.printf("measured FP32 peak (best sgemm): %.1f GFLOP/s%n", peak);
  }
}

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
 * java --add-modules jdk.incubator.vector [-Dwganc.threads=N] [-Dbench.runs=9] [-Dbench.warm=3] \
 *     -cp runtime/target/classes wganc.runtime.kernels.KernelBench [name filter]
 * </pre>
 *
 * <h2>Measured (2026-11-25, this 2-vCPU AVX-512 machine, 2 threads, median of 9 runs)</h2>
 * The machine was shared and busy the whole time (load average 4.4 to 7 on 2 cores), so these are
 * lower bounds; rerun on a quiet machine. Single-core micro-kernel peak measured here: ~185-190
 * GFLOP/s (8x32 kernel ~5 % below 12x32), two cores ~370; a packed 512x512x512 product without the
 * packing reached 280-320 and whole sgemm 220-260 GFLOP/s in quieter moments of the same session.
 * bwdI rows were measured after the vectorised col2im (a second run, load 4.5).
 * <pre>
 * shape (m x n x k; conv: C x H x W -> O, batch 64)   GFLOP/s
 * sgemm NN 1024x1024x1024                             127.9
 * sgemm NN 512x512x512                                143.0
 * sgemm NN 256x512x512                                128.2
 * sgemm NT 256x512x512                                130.2
 * sgemm TN 512x512x256   (weight gradient)            142.3
 * sgemm TT 256x512x512                                124.1
 * sgemm NN 256x2x512                                   24.9
 * sgemm NT 256x2x512                                   25.3
 * sgemm NN 256x1x512                                   28.4
 * sgemm TN 512x2x256                                   21.2
 * sgemm NN 256x512x2                                   11.5   (bound by writing C)
 * sgemm NT 256x512x2                                   11.5
 * sgemm TN 2x512x256                                   12.2
 *                                          fwd   bwdI  bwdW
 * gp-D1   1x32x32 -> 64   k5 s2           78.3   51.7  29.4
 * gp-D2  64x16x16 -> 128  k5 s2          120.0  102.9 102.0
 * gp-D3  128x8x8  -> 256  k5 s2          123.8  113.9 105.2
 * gp-D4  256x4x4  -> 512  k5 s2           73.6   77.1  98.1
 * gp-G1  256x8x8  -> 128  k3 s1          122.6  105.6 120.5
 * gp-G2 128x16x16 -> 64   k3 s1          116.7   85.4  98.3
 * gp-G3  64x32x32 -> 1    k3 s1           21.1   14.3  16.3   (O = 1: bound by reading x, 16 MB)
 * clip-D1 1x28x28 -> 64   k4 s2           53.4   25.4  25.5
 * clip-D2 64x14x14 -> 64  k4 s2           82.9   61.0  73.8
 * clip-G1 convT 128x7x7 -> 128 (14x14)           80.7
 * clip-G2 convT 128x14x14 -> 128 (28x28)         86.7
 * clip-G3 128x28x28 -> 1  k7 s1           32.9   18.7  25.0
 * measured FP32 peak (best sgemm): 143.0 GFLOP/s (busy machine)
 * </pre>
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

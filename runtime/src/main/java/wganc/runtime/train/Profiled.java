package wganc.runtime.train;

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
}

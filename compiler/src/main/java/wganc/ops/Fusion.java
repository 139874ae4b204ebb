package wganc.ops;

/** How an op may be fused; fusion passes read this, never op names. */
public enum Fusion {
  /** Output element i depends only on input elements i. */
  ELEMENTWISE,
  /** Moves or replicates elements without arithmetic (reshape, transpose, broadcast, pad). */
  LAYOUT,
  /** Sums over axes. */
  REDUCTION,
  /** Matmul and convolutions: an epilogue (bias, activation) may be fused into them. */
  CONTRACTION,
  /** Counter-based random draws: elementwise in the element index, no tensor reads. */
  RANDOM,
  /** Sums over the processes of a data-parallel run ({@code all_sum}): never folded, fused or recomputed. */
  COLLECTIVE
}

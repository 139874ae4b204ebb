package wganc.lower;

/**
 * The processes a graph is compiled for (docs/distributed.md): {@code count} ranks, each computing
 * its share of the global batch, and whether batchnorm's batch statistics are synchronised
 * (the global batch's, summed over the ranks inside the forward and backward passes) or per rank
 * (each rank's own share, as PyTorch's DistributedDataParallel without SyncBatchNorm; the running
 * statistics are then the ranks' average). One rank is the single-process graph, unchanged.
 */
public record Ranks(int count, boolean syncBatchnorm) {
  public static final Ranks ONE = new Ranks(1, true);

  public Ranks {
    if (count < 1) throw new IllegalArgumentException("ranks must be at least 1: " + count);
  }

  public boolean distributed() {
    return count > 1;
  }

  /** Why {@code batch} does not split over the ranks, naming the batches that do, or null when it does. */
  public String unevenSplit(int batch) {
    if (batch % count == 0) return null;
    int lower = batch / count * count, upper = lower + count;
    return "batch " + batch + " does not split evenly over " + count + " ranks; use a multiple of " + count
        + (lower > 0 ? " (" + lower + " or " + upper + ")" : " (" + upper + ")");
  }
}

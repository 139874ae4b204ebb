package wganc.cli;

import java.io.PrintWriter;
import picocli.CommandLine.Option;
import wganc.lower.Ranks;

/** The option of a data-parallel compile that `train` and `compile` share (docs/distributed.md). */
final class RankOptions {
  @Option(names = "--batchnorm", paramLabel = "STATS", defaultValue = "sync",
      description = "with several MPI ranks, batchnorm's batch statistics: sync (over the global batch, the single "
          + "process's numbers; the default) or per-rank (each rank's share, as PyTorch DDP without SyncBatchNorm; "
          + "running statistics averaged over the ranks)")
  String batchnorm;

  /** The graphs for {@code count} ranks, or null after saying on {@code err} why the option is wrong. */
  Ranks ranks(int count, PrintWriter err) {
    if (!batchnorm.equals("sync") && !batchnorm.equals("per-rank")) {
      err.println("error: --batchnorm must be sync or per-rank, found `" + batchnorm + "`");
      return null;
    }
    if (count < 1) {
      err.println("error: --ranks must be at least 1, found " + count);
      return null;
    }
    return new Ranks(count, batchnorm.equals("sync"));
  }
}

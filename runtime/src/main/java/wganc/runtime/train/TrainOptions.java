package wganc.runtime.train;

import java.io.PrintStream;
import java.nio.file.Path;
import wganc.runtime.kernels.Parallel;

/**
 * What a {@link Trainer} is asked to do: where the run directory is, how many steps, with which
 * seed, how often it writes samples and checkpoints, whether it resumes, where its data are, where
 * and how progress goes, how many kernel threads, and whether it records every phase's inputs. Each
 * 0 (or null) leaves the number to the model or the run, as said for each component.
 *
 * @param out             the run directory
 * @param steps           steps to train to (total, counting resumed ones); 0 = from the model
 * @param seed            overrides the model's seed for the trainer's draws (initialisation, data
 *                        order, toy data, sampling noise); null = the model's. The compiled phases
 *                        keep the seed they were compiled with.
 * @param sampleEvery     steps between sample grids; 0 = min(500, max(1, steps / 10))
 * @param checkpointEvery steps between checkpoints; 0 = 1000
 * @param resume          continue from the newest checkpoint in {@code out}
 * @param dataDir         where to look first for idx files (null: see {@link wganc.runtime.data.DataPath})
 * @param progress        where progress goes (normally {@code System.err}, whose terminal's width
 *                        the bar is fitted to); null = nowhere
 * @param progressStyle   bar, lines, or decide by whether stderr is a terminal
 * @param progressEvery   steps between plain progress lines; 0 = max(1, min(100, steps / 20))
 * @param threads         kernel threads ({@link Parallel#setThreads}); 0 = leave as is
 * @param recordInputs    write every input each phase invocation consumed to {@code inputs/} (the
 *                        phases must write their draws, see {@link ModelSpec.PhaseInfo#inputs})
 */
public record TrainOptions(Path out, long steps, Long seed, int sampleEvery, int checkpointEvery, boolean resume,
                           Path dataDir, PrintStream progress, Progress.Style progressStyle, int progressEvery,
                           int threads, boolean recordInputs) {
  public static TrainOptions defaults(Path out) {
    return new TrainOptions(out, 0, null, 0, 0, false, null, System.err, Progress.Style.AUTO, 0, 0, false);
  }

  public TrainOptions withSteps(long n) {
    return new TrainOptions(out, n, seed, sampleEvery, checkpointEvery, resume, dataDir, progress, progressStyle, progressEvery, threads, recordInputs);
  }

  public TrainOptions withSeed(Long s) {
    return new TrainOptions(out, steps, s, sampleEvery, checkpointEvery, resume, dataDir, progress, progressStyle, progressEvery, threads, recordInputs);
  }

  public TrainOptions withSampleEvery(int n) {
    return new TrainOptions(out, steps, seed, n, checkpointEvery, resume, dataDir, progress, progressStyle, progressEvery, threads, recordInputs);
  }

  public TrainOptions withCheckpointEvery(int n) {
    return new TrainOptions(out, steps, seed, sampleEvery, n, resume, dataDir, progress, progressStyle, progressEvery, threads, recordInputs);
  }

  public TrainOptions withResume(boolean r) {
    return new TrainOptions(out, steps, seed, sampleEvery, checkpointEvery, r, dataDir, progress, progressStyle, progressEvery, threads, recordInputs);
  }

  public TrainOptions withDataDir(Path d) {
    return new TrainOptions(out, steps, seed, sampleEvery, checkpointEvery, resume, d, progress, progressStyle, progressEvery, threads, recordInputs);
  }

  public TrainOptions withProgress(PrintStream p, Progress.Style style, int every) {
    return new TrainOptions(out, steps, seed, sampleEvery, checkpointEvery, resume, dataDir, p, style, every, threads, recordInputs);
  }

  public TrainOptions withThreads(int n) {
    return new TrainOptions(out, steps, seed, sampleEvery, checkpointEvery, resume, dataDir, progress, progressStyle, progressEvery, n, recordInputs);
  }

  public TrainOptions withRecordInputs(boolean r) {
    return new TrainOptions(out, steps, seed, sampleEvery, checkpointEvery, resume, dataDir, progress, progressStyle, progressEvery, threads, r);
  }

  /** These options for a run of {@code total} steps, each 0 that leaves a number to the run replaced by it. */
  TrainOptions forRun(long total) {
    return withSampleEvery(sampleEvery > 0 ? sampleEvery : (int) Math.min(500, Math.max(1, total / 10)))
        .withCheckpointEvery(checkpointEvery > 0 ? checkpointEvery : 1000)
        .withProgress(progress, progressStyle,
            progressEvery > 0 ? progressEvery : (int) Math.max(1, Math.min(100, total / 20)));
  }
}


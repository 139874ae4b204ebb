package wganc.runtime.train;

import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import wganc.runtime.data.Toy2d;
import wganc.runtime.metrics.MetricsCsv;

/**
 * {@code coverage.csv} of a run on a toy mixture: at every sample grid, {@link #SAMPLES} samples of
 * the live generator ({@link Sampler#live}, noise batches 0, 1, ...) and how they cover the
 * mixture's modes ({@link Toy2d#coverage}), a row with the columns {@code step},
 * {@code modes_covered}, {@code modes}, {@code within_3std} and {@code samples}, and a summary line
 * for the progress output. Other data have no coverage.
 */
final class ModeCoverage implements Closeable {
  /** Samples drawn at every sample grid. */
  static final int SAMPLES = 2000;
  static final String FILE = "coverage.csv";
  private static final List<String> COLUMNS = List.of("step", "modes_covered", "modes", "within_3std", "samples");

  private MetricsCsv csv;
  private final Toy2d modes;
  private final Sampler sampler;

  /** The coverage of the model's (last) toy mixture with modes, sampled from {@code slots}; null when there is none. */
  static ModeCoverage of(CompiledModel model, Slots slots, long seed) {
    Toy2d modes = null;
    for (ModelSpec.Data d : model.spec().data()) {
      if (d.kind().equals("toy") && DataFeed.toy(d).centres().length > 0) modes = DataFeed.toy(d);
    }
    return modes == null ? null : new ModeCoverage(modes, Sampler.live(model, slots, seed));
  }

  private ModeCoverage(Toy2d modes, Sampler sampler) {
    this.modes = modes;
    this.sampler = sampler;
  }

  /** Starts the file in {@code run} afresh, or (after resuming at step {@code resumedFrom}) reopens it. */
  void open(RunDirectory run, Long resumedFrom) throws IOException {
    Path file = run.resolve(FILE);
    csv = resumedFrom != null ? MetricsCsv.resume(file, COLUMNS, resumedFrom) : MetricsCsv.create(file, COLUMNS);
  }

  /** Logs the coverage at step {@code step}; returns its summary. */
  String log(long step) throws IOException {
    Toy2d.Coverage c = modes.coverage(sampler.sample(SAMPLES), SAMPLES);
    csv.row(step, c.covered(), c.modes(), c.within(), c.n());
    return c.summary();
  }

  @Override
  public void close() throws IOException {
    csv.close();
  }
}

package wganc.runtime.train;

import java.util.Arrays;

/**
 * The host's account of the counters a device keeps for a model's phases, so that a step sends
 * nothing the device already has. The device holds {@link #words} ints: the step that keys random
 * draws (low, high word), then {@link #SOURCE_WORDS} per data source: its {@link #MODE}, the Philox
 * key ({@link #SEED_LO}, {@link #SEED_HI}) and {@link #STREAM} of a toy source, and the
 * {@link #POSITION} in the epoch's order where the next batch starts.
 *
 * <p>A run: {@link #step} (the run's step; cursors where the device has them), {@link #take} for
 * each source the phase reads (an image source's cursor moves; a new epoch's order must go with the
 * run), {@link #changed} and {@link #want} (the counters to send, if they differ from the device's),
 * {@link #sent}, then {@link #ran}, which does on the host what the phase's last kernel does on the
 * device: one step on, and each image source's position on by the batch the phase took. So in steady
 * training nothing is sent; the counters go when the host wants others (a new epoch, a replay at
 * another step, the sampling phase at step 0, the first run after a resume).
 */
public final class DeviceCounters {
  /** Ints per data source. */
  public static final int SOURCE_WORDS = 5;
  /** {@link #DRAW} or {@link #GATHER}. */
  public static final int MODE = 0;
  /** The Philox key (low and high word) and stream of a toy source's draws. */
  public static final int SEED_LO = 1, SEED_HI = 2, STREAM = 3;
  /** Where the next batch starts in the source's order. */
  public static final int POSITION = 4;
  /** Mode: toy points drawn on the device. */
  public static final int DRAW = 0;
  /** Mode: the batch gathered from the source's samples on the device through its order. */
  public static final int GATHER = 1;

  private final String[] names;
  private final int[] sampleSizes;
  private final int[] want, have;
  private final long[] orderEpoch;
  private DataFeed.Source[] sources;

  /** For the data sources {@code names} (the model's order) of {@code sampleSizes[d]} values a sample. */
  public DeviceCounters(String[] names, int[] sampleSizes) {
    if (names.length != sampleSizes.length) throw new IllegalArgumentException("a sample size per source");
    this.names = names.clone();
    this.sampleSizes = sampleSizes.clone();
    want = new int[words(names.length)];
    have = new int[want.length];
    orderEpoch = new long[names.length];
    for (int d = 0; d < names.length; d++) want[word(d, MODE)] = GATHER;
  }

  /** The device's ints for {@code sources} data sources. */
  public static int words(int sources) {
    return 2 + SOURCE_WORDS * sources;
  }

  /** The index of word {@code word} of source {@code d}. */
  public static int word(int d, int word) {
    return 2 + SOURCE_WORDS * d + word;
  }

  /**
   * Takes {@code feed}'s source of each name: an image source is gathered on the device (its samples
   * and current order must go there once), a toy source drawn there with its key and stream. Without
   * it, every source gathers the batches each run is given, from position 0.
   */
  public DataFeed.Source[] attach(DataFeed feed) {
    DataFeed.Source[] s = new DataFeed.Source[names.length];
    for (int d = 0; d < names.length; d++) {
      s[d] = feed.source(names[d]);
      if (s[d].sampleSize() != sampleSizes[d]) {
        throw new IllegalArgumentException("data `" + names[d] + "` has samples of " + s[d].sampleSize()
            + " values; the model's have " + sampleSizes[d]);
      }
      switch (s[d]) {
        case DataFeed.IdxSource idx -> {
          want[word(d, MODE)] = GATHER;
          orderEpoch[d] = idx.epoch();
        }
        case DataFeed.ToySource toy -> {
          want[word(d, MODE)] = DRAW;
          want[word(d, SEED_LO)] = (int) toy.seed();
          want[word(d, SEED_HI)] = (int) (toy.seed() >>> 32);
          want[word(d, STREAM)] = toy.stream();
        }
      }
    }
    sources = s;
    return s.clone();
  }

  public boolean attached() {
    return sources != null;
  }

  /** Starts a run at step {@code rngStep}; the cursors stay where the device has them. */
  public void step(long rngStep) {
    want[0] = (int) rngStep;
    want[1] = (int) (rngStep >>> 32);
    for (int d = 0; d < names.length; d++) want[word(d, POSITION)] = have[word(d, POSITION)];
  }

  /**
   * The run takes {@code n} samples of source {@code d}: an attached image source's cursor moves, and
   * when its epoch is not the one whose order the device has, the new order is returned (send it with
   * the run); otherwise null. A given batch starts at position 0; toy points need nothing.
   */
  public int[] take(int d, int n) {
    if (sources == null) {
      want[word(d, POSITION)] = 0;
      return null;
    }
    if (!(sources[d] instanceof DataFeed.IdxSource idx)) return null;
    want[word(d, POSITION)] = idx.take(n);
    if (idx.epoch() == orderEpoch[d]) return null;
    orderEpoch[d] = idx.epoch();
    return idx.order();
  }

  /** Whether the device's counters differ from those the run needs. */
  public boolean changed() {
    return !Arrays.equals(want, have);
  }

  /** The counters the run needs (read-only). */
  public int[] want() {
    return want.clone();
  }

  /** The device now has {@link #want}. */
  public void sent() {
    System.arraycopy(want, 0, have, 0, want.length);
  }

  /** The run's last kernel ran: one step on, and image source {@code d}'s cursor {@code advance[d]} on. */
  public void ran(int[] advance) {
    if (++have[0] == 0) have[1]++;
    for (int d = 0; d < advance.length; d++) have[word(d, POSITION)] += advance[d];
  }

  /** What the device has. */
  public int[] have() {
    return have.clone();
  }
}

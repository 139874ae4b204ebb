package wganc.runtime.train;

/**
 * The device memory that the {@link ResidentPhase}s of one compiled model share: every persistent
 * tensor (parameters, optimiser state, running statistics, iteration counters), by the names of
 * {@link ModelSpec#params()} and {@link ModelSpec#state()}. The trainer uploads them once (a fresh
 * start, a resume) and downloads them only when the host needs them (a checkpoint, a non-finite loss,
 * the end of training); in between, phases read and update them where they are. The step counter
 * that keys random draws and the data ({@link #attach}) live there too.
 */
public interface DeviceMemory {
  /** Every persistent tensor it holds. */
  String[] names();

  /** Copies {@code values[i]} to the device as tensor {@code names[i]}; tensors not named keep their values. */
  void upload(String[] names, float[][] values);

  /** Copies the device's current value of each tensor {@code names[i]} into {@code into[i]}. */
  void download(String[] names, float[][] into);

  /**
   * Hands the run's data to the device, before the first upload or run: each idx source's images
   * are sent once, and each epoch's visiting order once; toy points are drawn on the device from the
   * source's Philox stream. From then on a phase takes its data batches there, from the sources'
   * cursors ({@link DataFeed.IdxSource#take}), and ignores the data entries of its {@code reads}.
   * Without it, a phase sends the data batches it is given with every run.
   */
  void attach(DataFeed feed);

  /** Whether {@link #attach} was called. */
  boolean attached();

  /**
   * Bytes this model has sent to the device so far: uploads, and what every phase run sends (data
   * batches, noise, the step counter), as the generated code declares its transfers.
   */
  long bytesToDevice();

  /** Bytes brought back so far: downloads, metrics, sampling outputs and fetched writes. */
  long bytesToHost();
}

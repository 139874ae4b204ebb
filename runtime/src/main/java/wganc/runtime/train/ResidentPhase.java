package wganc.runtime.train;

/**
 * A {@link Phase} whose persistent tensors stay in device memory between runs, in its model's
 * {@link DeviceMemory}. {@link #run} sends only the reads that are not persistent (data batches,
 * noise) and returns only the scalar writes (losses, metrics) and, for the sampling phase, every
 * write; the persistent entries of {@code reads} and {@code writes} are neither read nor written.
 * The persistent values a run computes become current on the device at {@link #commit}, so a caller
 * that finds a non-finite loss can skip the commit and download the state as it was before the run.
 */
public interface ResidentPhase extends Phase {
  /** The device memory shared by every phase of the model. */
  DeviceMemory memory();

  /** Makes the persistent writes of the last run the current values on the device. */
  void commit();

  /**
   * Copies write {@code index} of the last run (one that is not persistent, e.g. a gradient or an
   * intermediate value) from the device into {@code into}; call it before {@link #commit}.
   */
  void fetch(int index, float[] into);
}

package wganc.runtime.train;

import java.nio.file.Path;

/**
 * Training stopped because a phase produced a non-finite metric (the loss, the penalty, ...). The
 * message names the step, the phase and the value; {@link #checkpoint()} holds the last good state.
 */
public final class NonFiniteLossException extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final long step;
  private final String phase;
  private final String metric;
  private final transient Path checkpoint;

  public NonFiniteLossException(String message, long step, String phase, String metric, Path checkpoint) {
    super(message);
    this.step = step;
    this.phase = phase;
    this.metric = metric;
    this.checkpoint = checkpoint;
  }

  /** The step being trained (1-based) when the value appeared. */
  public long step() {
    return step;
  }

  public String phase() {
    return phase;
  }

  public String metric() {
    return metric;
  }

  /** {@code checkpoints/step-N-before-nan.safetensors}, or null when it could not be written. */
  public Path checkpoint() {
    return checkpoint;
  }
}

package wganc.runtime.train;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import wganc.runtime.diag.Excerpt;

/**
 * Training stopped because a phase produced a non-finite metric (the loss, the penalty, ...). The
 * message names the step, the phase, the value and the statement's place in the model;
 * {@link #diagnostic()} shows that place as the compiler shows its errors; {@link #checkpoint()}
 * holds the state before the failing update.
 */
public final class NonFiniteLossException extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final long step;
  private final String phase;
  private final String metric;
  private final transient Path checkpoint;
  private final String diagnostic;

  private NonFiniteLossException(String message, String diagnostic, long step, String phase, String metric,
      Path checkpoint) {
    super(message);
    this.diagnostic = diagnostic;
    this.step = step;
    this.phase = phase;
    this.metric = metric;
    this.checkpoint = checkpoint;
  }

  /** A non-finite metric: its name and value as printed ({@code nan}, {@code inf}, {@code -inf}), and its statement. */
  record Bad(String metric, String value, ModelSpec.Origin origin) {}

  /**
   * The error for step {@code step} (1-based) of invocation {@code iteration} of {@code of} of
   * {@code phase} at {@code rngStep}: it names the first of {@code bad} (the earliest statement in
   * the source, where the others likely come from; see {@link #first}) and lists the rest in notes.
   *
   * @param beforeNan the state before the update, or null when it could not be written
   * @param last      the newest regular checkpoint and its step, or null
   */
  static NonFiniteLossException of(long step, String phase, int iteration, int of, long rngStep, List<Bad> bad,
      Path beforeNan, Path last, long lastStep) {
    Bad b = first(bad);
    String where = "training stopped at step " + step + ", phase `" + phase + "`"
        + (of > 1 ? " (iteration " + iteration + " of " + of + ")" : "");
    String what = "`" + b.metric + "` is " + b.value;
    String message = where + ": " + what + (b.origin != null ? " at " + position(b.origin) : "") + " (rngStep "
        + rngStep + ")" + (beforeNan != null ? "; the state before it is in " + beforeNan
        : "; the state before it could not be saved");
    List<String> notes = new ArrayList<>();
    for (Bad o : bad) {
      if (o != b) notes.add("`" + o.metric + "` is " + o.value + " too");
    }
    notes.add(beforeNan != null ? "the state before this update is in " + beforeNan
        : "the state before this update could not be saved");
    if (last != null) notes.add("the last checkpoint is " + last + " (step " + lastStep + ")");
    String help = "lower the learning rate, or keep this statement finite (a `log` or `/` of zero is infinite),"
        + " then train again into a new `--out` folder";
    String header = "error: " + where + ": " + what;
    String diagnostic;
    if (b.origin != null) {
      ModelSpec.Origin o = b.origin;
      diagnostic = new Excerpt(header, position(o), o.line(), o.text(), o.column() - 1, o.width(),
          b.value + " at rngStep " + rngStep, notes, help).render();
    } else {
      StringBuilder s = new StringBuilder(header).append('\n');
      for (String n : notes) s.append("  = note: ").append(n).append('\n');
      diagnostic = s.append("  = help: ").append(help).append('\n').toString();
    }
    return new NonFiniteLossException(message, diagnostic, step, phase, b.metric, beforeNan);
  }

  /** The metric whose statement comes first in the source; without origins, the first listed. */
  static Bad first(List<Bad> bad) {
    Bad best = bad.getFirst();
    for (Bad b : bad) {
      if (b.origin == null) continue;
      if (best.origin == null || b.origin.line() < best.origin.line()
          || b.origin.line() == best.origin.line() && b.origin.column() < best.origin.column()) {
        best = b;
      }
    }
    return best;
  }

  private static String position(ModelSpec.Origin o) {
    return o.file() + ":" + o.line() + ":" + o.column();
  }

  /**
   * The error as the compiler prints its diagnostics: `error: ...`, the statement's
   * {@code file:line:col}, its source line with carets under it, notes and a help line; ends with a
   * newline. This is what the command line prints, once.
   */
  public String diagnostic() {
    return diagnostic;
  }

  /** The step being trained (1-based) when the value appeared. */
  public long step() {
    return step;
  }

  public String phase() {
    return phase;
  }

  /** The metric named: the non-finite one whose statement comes first in the model source. */
  public String metric() {
    return metric;
  }

  /** {@code checkpoints/step-N-before-nan.safetensors}, or null when it could not be written. */
  public Path checkpoint() {
    return checkpoint;
  }
}

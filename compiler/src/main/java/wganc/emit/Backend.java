package wganc.emit;

import wganc.check.Model;
import wganc.runtime.train.CompiledModel;

/** A code generator for one kind of machine: a checked model to runnable phases. */
public interface Backend {
  /** `jvm` or `tornado`. */
  String name();

  /** Lowers, optimises, emits and loads every phase of {@code model} (and the sampling program). */
  CompiledModel compile(Model model, String sourceText, Options options) throws BackendException;

  /**
   * Backend-independent options. {@code sampleN}: the sampling program's batch; {@code profile}:
   * phases time each kernel (for `wganc bench`); {@code recordInputs}: phases also write every draw
   * they make under its input name ({@link wganc.lower.Lowering.Draws#RECORDED}, for `train
   * --record-inputs`).
   */
  record Options(int sampleN, boolean profile, boolean recordInputs) {
    public Options(int sampleN) { this(sampleN, false, false); }
    public Options(int sampleN, boolean profile) { this(sampleN, profile, false); }
    public static Options defaults() { return new Options(64, false, false); }
    public Options withRecordInputs(boolean r) { return new Options(sampleN, profile, r); }
  }

  /** A backend could not produce or load code; the message says why and what to do. */
  final class BackendException extends Exception {
    public BackendException(String message) { super(message); }
    public BackendException(String message, Throwable cause) { super(message, cause); }
  }
}

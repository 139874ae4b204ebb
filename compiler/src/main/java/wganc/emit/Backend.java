package wganc.emit;

import wganc.check.Model;
import wganc.compile.Compiled;
import wganc.compile.Compiler;
import wganc.compile.Target;
import wganc.runtime.train.CompiledModel;

/**
 * A code generator for one kind of machine. It says what it needs of the {@link Compiler}
 * ({@link #target}) and emits what the compile holds, running no stage of its own.
 */
public interface Backend {
  /** `jvm` or `tornado`. */
  String name();

  /** How this backend wants a model compiled for {@code options}: its draws, sampling batch and schedule rules. */
  Target target(Options options);

  /** The sources of every phase of {@code compiled} (compiled for {@link #target}) and the sampling program. */
  Sources sources(Compiled compiled, Options options);

  /** Emits, compiles and loads every phase of {@code compiled} and the sampling program. */
  CompiledModel load(Compiled compiled, Options options) throws BackendException;

  /** The {@link Compiler} for this backend's target, then {@link #load}. */
  default CompiledModel compile(Model model, String sourceText, Options options) throws BackendException {
    return load(Compiler.compile(model, sourceText, target(options)), options);
  }

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

package wganc.diag;

import java.util.List;

/** Thrown by a front-end stage that found errors; carries every diagnostic found so far. */
public final class CompileError extends Exception {
  private final List<Diagnostic> diagnostics;

  public CompileError(List<Diagnostic> diagnostics) {
    super(diagnostics.isEmpty() ? "compile error" : diagnostics.get(0).message(), null, false, false);
    this.diagnostics = List.copyOf(diagnostics);
  }

  public CompileError(Diagnostic d) { this(List.of(d)); }

  public List<Diagnostic> diagnostics() { return diagnostics; }
}

package wganc.compile;

import java.util.List;
import wganc.check.Checker;
import wganc.check.Model;
import wganc.diag.Diagnostic;
import wganc.diag.SourceFile;

/**
 * What the front end made of one file: a checked model with its warnings (the lints), or the errors,
 * or why the file could not be read ({@code ioError}; then {@code source} is null).
 */
public record Checked(String path, SourceFile source, Checker.Result result, List<Diagnostic> diagnostics,
                      String ioError) {
  public boolean ok() { return result != null; }

  /** The checked model (only when {@link #ok}). */
  public Model model() {
    if (result == null) throw new IllegalStateException(path + " did not check");
    return result.model();
  }

  /** The same outcome with {@code model} in place of the checked one (a command's `--batch` or `--seed`). */
  public Checked withModel(Model model) {
    if (result == null) throw new IllegalStateException(path + " did not check");
    return new Checked(path, source, new Checker.Result(model, result.warnings()), diagnostics, ioError);
  }
}

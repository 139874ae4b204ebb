package wganc;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import wganc.check.Checker;
import wganc.diag.CompileError;
import wganc.diag.Diagnostic;
import wganc.diag.SourceFile;
import wganc.syntax.Ast;
import wganc.syntax.Parse;

/** The whole front end as one function: a file's bytes to a checked model, or diagnostics. */
public final class Frontend {
  /** Files larger than this are rejected before decoding. */
  public static final long MAX_BYTES = 4L << 20;

  /** The outcome of compiling one file: a model and warnings, or errors. */
  public record Outcome(String path, SourceFile source, Checker.Result result, List<Diagnostic> diagnostics,
                        String ioError) {
    public boolean ok() { return result != null; }
  }

  private Frontend() {}

  public static Outcome compile(Path path) {
    String shown = path.toString();
    byte[] bytes;
    try {
      if (Files.isDirectory(path)) return new Outcome(shown, null, null, List.of(), "is a directory, not a model file");
      if (Files.size(path) > MAX_BYTES) {
        return new Outcome(shown, null, null, List.of(), "is larger than " + (MAX_BYTES >> 20) + " MiB; is this a model file?");
      }
      bytes = Files.readAllBytes(path);
    } catch (NoSuchFileException e) {
      return new Outcome(shown, null, null, List.of(), "no such file");
    } catch (IOException e) {
      return new Outcome(shown, null, null, List.of(), "cannot be read: " + e.getMessage());
    }
    return compile(shown, bytes);
  }

  public static Outcome compile(String path, byte[] bytes) {
    SourceFile[] source = new SourceFile[1];
    try {
      Ast.ModelFile ast = Parse.parse(path, bytes, source);
      Checker.Result result = Checker.check(ast);
      return new Outcome(path, source[0], result, result.warnings(), null);
    } catch (CompileError e) {
      return new Outcome(path, source[0], null, e.diagnostics(), null);
    }
  }
}

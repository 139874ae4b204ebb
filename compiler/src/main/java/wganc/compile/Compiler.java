package wganc.compile;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import wganc.check.Checker;
import wganc.check.Model;
import wganc.diag.CompileError;
import wganc.diag.Diagnostic;
import wganc.diag.SourceFile;
import wganc.lower.Lowering;
import wganc.passes.Pipeline;
import wganc.plan.Schedule;
import wganc.runtime.train.ModelSpec;
import wganc.syntax.Ast;
import wganc.syntax.Parse;

/**
 * The compiler driver: a model file to what the backends emit, every stage run once.
 * <pre>
 * bytes ──Parse──> AST ──Checker, Lints──> {@link Checked}: a model with typed statements and its warnings, or errors
 *       ──Lowering──> one IR graph per update phase (and the sampling program)
 *       ──Specs──> the trainer's ModelSpec
 *       ──Pipeline.standard()──> optimised graphs ──Schedule (the target's rules)──> kernels: {@link Compiled}
 * </pre>
 * {@link #check} is the front end (all `wganc check` needs); a command may then change the model (its
 * batch, its seed) before {@link #compile} runs the rest for a {@link Target}: how draws are lowered
 * and which schedule rules the backend's emitter needs. Backends emit what the result holds and run
 * no stage themselves.
 */
public final class Compiler {
  /** Files larger than this are rejected before decoding. */
  public static final long MAX_BYTES = 4L << 20;

  private Compiler() {}

  /** The front end on a file: its checked model and warnings, or diagnostics, or why it cannot be read. */
  public static Checked check(Path path) {
    String shown = path.toString();
    byte[] bytes;
    try {
      if (Files.isDirectory(path)) return new Checked(shown, null, null, List.of(), "is a directory, not a model file");
      if (Files.size(path) > MAX_BYTES) {
        return new Checked(shown, null, null, List.of(), "is larger than " + (MAX_BYTES >> 20) + " MiB; is this a model file?");
      }
      bytes = Files.readAllBytes(path);
    } catch (NoSuchFileException e) {
      return new Checked(shown, null, null, List.of(), "no such file");
    } catch (IOException e) {
      return new Checked(shown, null, null, List.of(), "cannot be read: " + e.getMessage());
    }
    return check(shown, bytes);
  }

  /** The front end on a file's bytes; {@code path} is the name diagnostics and generated headers show. */
  public static Checked check(String path, byte[] bytes) {
    SourceFile[] source = new SourceFile[1];
    try {
      Ast.ModelFile ast = Parse.parse(path, bytes, source);
      Checker.Result result = Checker.check(ast);
      return new Checked(path, source[0], result, result.warnings(), null);
    } catch (CompileError e) {
      return new Checked(path, source[0], null, e.diagnostics(), null);
    }
  }

  /** The rest of the pipeline on a checked file's model (as {@link Checked#withModel} may have changed it). */
  public static Compiled compile(Checked checked, Target target) {
    return compile(checked.model(), checked.source().text(), checked.result().warnings(), target);
  }

  /** The rest of the pipeline on a model checked elsewhere, whose warnings are not kept; {@code sourceText} keys the spec. */
  public static Compiled compile(Model model, String sourceText, Target target) {
    return compile(model, sourceText, List.of(), target);
  }

  private static Compiled compile(Model model, String sourceText, List<Diagnostic> lints, Target target) {
    List<Lowering.PhaseGraph> lowered = Lowering.lower(model, target.draws(), target.ranks());
    if (!target.kernels()) {
      List<Compiled.Phase> phases = lowered.stream().map(p -> new Compiled.Phase(p, null, null)).toList();
      return new Compiled(model, sourceText, lints, target, phases, null, null);
    }
    List<Lowering.PhaseGraph> traced = target.draws() == Lowering.Draws.INPUTS ? lowered
        : Lowering.lower(model, Lowering.Draws.INPUTS, target.ranks());
    ModelSpec spec = Specs.of(model, sourceText, lowered, traced, target.sampleN());
    Schedule.Rule[] rules = target.rules().toArray(Schedule.Rule[]::new);
    List<Compiled.Phase> phases = lowered.stream().map(p -> optimise(p, rules)).toList();
    Compiled.Phase sample = optimise(Lowering.sample(model, target.sampleN()), rules);
    return new Compiled(model, sourceText, lints, target, phases, sample, spec);
  }

  private static Compiled.Phase optimise(Lowering.PhaseGraph p, Schedule.Rule[] rules) {
    Pipeline.Result passes = Pipeline.standard().run(p.graph());
    return new Compiled.Phase(p, passes, Schedule.of(passes.graph(), rules));
  }
}

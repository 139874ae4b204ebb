package wganc.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import wganc.check.Model;
import wganc.check.Summary;
import wganc.compile.Checked;
import wganc.compile.Compiler;
import wganc.diag.Diagnostic;
import wganc.diag.Renderer;

/** `wganc check FILE...`: diagnostics and lints, then a summary of every network. */
@Command(name = "check", mixinStandardHelpOptions = true,
    description = {
        "Checks model files and prints a summary of every network.",
        "",
        "Checks syntax, names, shapes through every network, the training rule, and lints that no",
        "framework makes (penalty norms over the wrong axes, interpolation coefficients that are not",
        "uniform per sample, batchnorm in a penalised critic, clipping with momentum, ...).",
        "The summary is Keras-style: layers, output shapes (channels first), parameter counts.",
        "",
        "Exit status: 0 when every file checks (warnings allowed), 1 when a file has errors."})
final class CheckCommand implements Callable<Integer> {
  @Parameters(arity = "1..*", paramLabel = "FILE", description = "model files (.wgan)")
  List<Path> files;

  @Option(names = "--quiet", description = "print diagnostics only, no summaries")
  boolean quiet;

  @Option(names = "--werror", description = "treat warnings (lints) as errors")
  boolean werror;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    int failed = 0;
    for (Path f : files) {
      Checked o = Compiler.check(f);
      if (!report(o, err)) { failed++; continue; }
      boolean warned = !o.diagnostics().isEmpty();
      if (werror && warned) {
        int n = o.diagnostics().size();
        err.println("error: " + f + ": " + n + " warning" + (n == 1 ? "" : "s") + " treated as error" + (n == 1 ? "" : "s")
            + " (`--werror`)");
        failed++;
        continue;
      }
      if (!quiet) out.print(summary(o.model()));
    }
    return failed == 0 ? 0 : 1;
  }

  /** Prints an outcome's diagnostics; returns whether the file compiled. */
  static boolean report(Checked o, PrintWriter err) {
    if (o.ioError() != null) {
      err.println("error: " + o.path() + " " + o.ioError());
      return false;
    }
    for (Diagnostic d : o.diagnostics()) err.print(Renderer.render(d) + "\n");
    long errors = o.diagnostics().stream().filter(Diagnostic::isError).count();
    long warnings = o.diagnostics().size() - errors;
    if (errors > 0) {
      err.println("error: " + o.path() + ": " + errors + " error" + (errors == 1 ? "" : "s")
          + (warnings > 0 ? ", " + warnings + " warning" + (warnings == 1 ? "" : "s") : "") + "; nothing written");
    }
    return o.ok();
  }

  static String summary(Model m) {
    StringBuilder b = new StringBuilder();
    b.append("model ").append(m.name()).append('\n');
    for (Model.Network n : m.networks()) b.append('\n').append(Summary.of(n));
    Model.Training t = m.training();
    b.append('\n').append("training: batch ").append(t.batch())
        .append(t.epochs().map(e -> ", " + e + " epochs").orElse(""))
        .append(t.steps().map(s -> ", " + s + " generator steps").orElse("")).append(", seed ").append(t.seed()).append('\n');
    for (Model.Update u : t.updates()) {
      b.append("  ").append(u.name()).append(": trains ").append(u.trains().size()).append(" tensors with ")
          .append(optimizer(u.optimizer()))
          .append(u.schedule() instanceof Model.Linear l ? ", lr falling linearly to 0 over " + l.updates() + " updates" : "");
      if (u.role() == wganc.syntax.Ast.Role.CRITIC) b.append(", ").append(u.perGenerator()).append(" per generator step");
      b.append('\n');
      for (Model.Phase p : u.phases()) {
        b.append("    ").append(p.name()).append(": batch ").append(p.batch()).append(", ").append(p.stmts().size())
            .append(" statement").append(p.stmts().size() == 1 ? "" : "s").append('\n');
      }
    }
    return b.toString();
  }

  static String optimizer(Model.Optimizer o) {
    return switch (o) {
      case Model.Sgd s -> "sgd(lr=" + s.lr() + ", momentum=" + s.momentum() + (s.nesterov() ? ", nesterov" : "") + ")";
      case Model.RmsProp r -> "rmsprop(lr=" + r.lr() + ", rho=" + r.rho() + ", eps=" + r.eps()
          + (r.momentum() > 0 ? ", momentum=" + r.momentum() : "") + (r.centered() ? ", centered" : "")
          + ", " + r.convention().name().toLowerCase() + ")";
      case Model.Adam a -> "adam(lr=" + a.lr() + ", beta1=" + a.beta1() + ", beta2=" + a.beta2() + ", eps=" + a.eps()
          + (a.amsgrad() ? ", amsgrad" : "") + ", " + a.convention().name().toLowerCase() + ")";
    };
  }
}

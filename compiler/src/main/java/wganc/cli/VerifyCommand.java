package wganc.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Consumer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import wganc.check.Model;
import wganc.compile.Checked;
import wganc.compile.Compiled;
import wganc.compile.Compiler;
import wganc.emit.Agreement;
import wganc.emit.Backend;
import wganc.emit.java.JvmBackend;
import wganc.runtime.train.CompiledModel;

/** `wganc verify`: a backend's float32 kernels against the float64 reference interpreter. */
@Command(name = "verify", mixinStandardHelpOptions = true,
    description = {
        "Checks that a backend's generated float32 kernels compute what the float64 reference",
        "interpreter computes, on --steps training steps of every update (each phase once per step, in",
        "training order). Both sides start from the same random parameters and a fresh optimiser, read",
        "the same random inputs, and each step starts from the interpreter's state.",
        "",
        "Every tensor a phase writes is compared: named values and the loss within a norm-wise relative",
        "error of 2e-4, gradients and what the update writes (new parameters, optimiser state) within",
        "1e-2, each with an absolute floor of 3e-5; a non-finite value fails. Prints the worst tensor",
        "of each phase and step, then `verify: PASS (...)` or `verify: FAIL (n of K tensors disagree)`",
        "after the tensors that disagree. Exit status: 0 agree, 1 disagree, 2 bad usage, 70 the",
        "backend or its device failed.",
        "",
        "The interpreter is slow on large batches: --batch 2 to 16 checks the same kernels quickly.",
        "With --backend tornado the phases run on a TornadoVM device (--device B:D) in a child JVM."})
final class VerifyCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "MODEL", description = "the model file (.wgan)")
  Path model;

  @CommandLine.Mixin BackendOptions target;

  @Option(names = "--batch", paramLabel = "B", description = "batch size (default: the model's)")
  Integer batch;

  @Option(names = "--steps", paramLabel = "N", description = "training steps compared (default: ${DEFAULT-VALUE})",
      defaultValue = "2")
  int steps;

  @Option(names = "--json", description = "print one JSON object to standard output instead of the report")
  boolean json;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    if (!target.valid(err)) return 2;
    if (steps < 1 || (batch != null && batch < 1)) {
      err.println("error: --steps and --batch must be at least 1");
      return 2;
    }
    Checked o = Compiler.check(model);
    if (!CheckCommand.report(o, err)) return 1;
    Model m = batch == null ? o.model() : o.model().withBatch(batch);
    Consumer<String> progress = line -> {
      if (!json) {
        err.println("wganc: " + line);
        err.flush();
      }
    };
    List<Agreement.Check> checks;
    if (target.tornado()) {
      checks = TornadoCli.verify(o.withModel(m), target.tornadoBackend(), target.device, steps, progress, err);
      if (checks == null) return 70;
    } else {
      progress.accept("compiling " + m.name() + " at batch " + m.training().batch() + " for the JVM ...");
      JvmBackend jvm = new JvmBackend();
      Backend.Options options = new Backend.Options(3);
      Compiled compiled = Compiler.compile(o.withModel(m), jvm.target(options));
      CompiledModel c;
      try {
        c = jvm.load(compiled, options);
      } catch (Backend.BackendException e) {
        err.println("error: " + e.getMessage());
        return 70;
      }
      checks = Agreement.check(compiled, c, steps, progress);
    }
    List<Agreement.Check> failures = checks.stream().filter(c -> !c.ok()).toList();
    String deviceName = !target.tornado() ? "cpu" : target.device == null ? "default" : target.device;
    if (json) {
      out.println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
          .writeValueAsString(result(m, deviceName, checks, failures.isEmpty())));
    } else {
      report(out, m, deviceName, checks, failures);
    }
    return failures.isEmpty() ? 0 : 1;
  }

  Map<String, Object> result(Model m, String deviceName, List<Agreement.Check> checks, boolean pass) {
    Map<String, Object> result = new LinkedHashMap<>();
    result.put("model", m.name());
    result.put("backend", target.backend);
    result.put("device", deviceName);
    result.put("batch", m.training().batch());
    result.put("steps", steps);
    result.put("pass", pass);
    List<Map<String, Object>> tensors = new ArrayList<>();
    for (Agreement.Check c : checks) {
      Map<String, Object> t = new LinkedHashMap<>();
      t.put("phase", c.phase());
      t.put("step", c.step());
      t.put("name", c.name());
      t.put("rel_error", Double.isFinite(c.error()) ? c.error() : null);
      t.put("bound", c.bound());
      t.put("ok", c.ok());
      if (!c.ok()) t.put("message", c.failure());
      tensors.add(t);
    }
    result.put("tensors", tensors);
    return result;
  }

  void report(PrintWriter out, Model m, String deviceName, List<Agreement.Check> checks, List<Agreement.Check> failures) {
    out.printf(Locale.ROOT, "%s, %s backend%s, batch %d, %d steps%n", m.name(), target.backend,
        target.tornado() ? " (device " + deviceName + ")" : "", m.training().batch(), steps);
    Map<String, List<Agreement.Check>> groups = new LinkedHashMap<>();
    for (Agreement.Check c : checks) groups.computeIfAbsent(c.phase() + " step " + c.step(), k -> new ArrayList<>()).add(c);
    groups.forEach((group, cs) -> {
      long bad = cs.stream().filter(c -> !c.ok()).count();
      out.printf(Locale.ROOT, "%-20s %3d tensors%s, worst %s%n", group + ":", cs.size(),
          bad == 0 ? "" : " (" + bad + " disagree)", describe(worst(cs)));
    });
    if (failures.isEmpty()) {
      Agreement.Check w = worst(checks);
      out.println("verify: PASS (" + checks.size() + " tensors within tolerance; worst: "
          + (w == null ? "none" : w.phase() + " step " + w.step() + " " + describe(w)) + ")");
    } else {
      for (Agreement.Check f : failures) out.println("  " + f.failure());
      out.println("verify: FAIL (" + failures.size() + " of " + checks.size() + " tensors disagree)");
    }
  }

  static Agreement.Check worst(List<Agreement.Check> checks) {
    return checks.stream().max(Comparator.comparingDouble(Agreement.Check::share)).orElse(null);
  }

  /** {@code `name` 3.1e-06 (bound 1e-02)}: the norm-wise relative error against its bound. */
  static String describe(Agreement.Check c) {
    if (c == null) return "none";
    String error = Double.isFinite(c.error()) ? String.format(Locale.ROOT, "%.1e", c.error()) : "non-finite";
    return String.format(Locale.ROOT, "`%s` %s (bound %.0e)", c.name(), error, c.bound());
  }
}

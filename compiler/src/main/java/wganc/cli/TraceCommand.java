package wganc.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import wganc.Frontend;
import wganc.interp.Interpreter;
import wganc.interp.Tensor;
import wganc.ir.Binding;
import wganc.ir.Graph;
import wganc.ir.Node;
import wganc.lower.Lowering;
import wganc.runtime.io.FormatException;
import wganc.runtime.io.SafeTensors;

/** `wganc trace`: one update from given weights and inputs, every named value written out. */
@Command(name = "trace", mixinStandardHelpOptions = true,
    description = {
        "Runs one update from given weights and inputs and writes every named value.",
        "",
        "Reads parameters (PyTorch names and layouts: `D.0.weight` is layer 0 of network D) from",
        "--weights and the batch (data, noise, sampled names, dropout masks `<net>.<i>.mask.<k>`) from",
        "--batch, both safetensors. Writes each let-bound name, `loss`, `grad.<param>` for every trained",
        "parameter, and every parameter and optimiser state after the update. Optimiser state missing",
        "from --weights starts at zero and the iteration `<update>.t` at 1, as a fresh optimiser.",
        "`--list` prints what a trace reads and writes. The reference interpreter computes in float64."})
final class TraceCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "MODEL", description = "the model file (.wgan)")
  Path model;

  @Option(names = "--weights", paramLabel = "W.safetensors", description = "parameters (and optionally optimiser state)")
  Path weights;

  @Option(names = "--batch", paramLabel = "B.safetensors", description = "batch inputs, batch axis first")
  Path batch;

  @Option(names = "--update", paramLabel = "NAME", description = "which update to run (default: the first, `critic`)")
  String update;

  @Option(names = {"-o", "--output"}, paramLabel = "T.safetensors", description = "where to write the trace")
  Path output;

  @Option(names = "--list", description = "print the name, shape and role of every tensor read and written")
  boolean list;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override public Integer call() throws IOException {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    Frontend.Outcome o = Frontend.compile(model);
    if (!CheckCommand.report(o, err)) return 1;
    List<Lowering.PhaseGraph> phases = Lowering.lower(o.result().model(), Lowering.Draws.INPUTS);
    Lowering.PhaseGraph phase = phases.getFirst();
    if (update != null) {
      phase = phases.stream().filter(p -> p.name().equals(update)).findFirst().orElse(null);
      if (phase == null) {
        err.println("error: model `" + o.result().model().name() + "` has no update `" + update + "`; its updates are "
            + String.join(", ", phases.stream().map(p -> "`" + p.name() + "`").toList()));
        return 2;
      }
    }
    Graph g = phase.graph();
    if (list) {
      out.printf("%-36s %-22s %s%n", "name", "shape", "role");
      for (Binding b : g.bindings()) {
        switch (b.node()) {
          case Node.Parameter p -> out.printf("%-36s %-22s %s%n", p.name(), b.value().type().dims(),
              p.name().startsWith(phase.update().name() + ".") ? "weight (optimiser state, optional)" : "weight");
          case Node.Input i -> out.printf("%-36s %-22s %s%n", i.name(), b.value().type().dims(), "batch input");
          default -> {}
        }
      }
      for (var e : g.outputs().entrySet()) out.printf("%-36s %-22s %s%n", e.getKey(), e.getValue().type().dims(), "output");
      return 0;
    }
    if (weights == null || batch == null || output == null) {
      err.println("error: a trace needs --weights, --batch and -o (see `wganc trace --help`; `--list` shows what to provide)");
      return 2;
    }
    SafeTensors w, bt;
    try {
      w = SafeTensors.read(weights);
      bt = SafeTensors.read(batch);
    } catch (FormatException e) {
      err.println("error: " + e.getMessage());
      return 1;
    }
    Map<String, Tensor> feeds = new LinkedHashMap<>();
    List<String> problems = new ArrayList<>();
    for (Binding b : g.bindings()) {
      String name;
      SafeTensors from;
      boolean optional;
      switch (b.node()) {
        case Node.Parameter p -> { name = p.name(); from = w; optional = name.startsWith(phase.update().name() + "."); }
        case Node.Input i -> { name = i.name(); from = bt; optional = false; }
        default -> { continue; }
      }
      List<Integer> shape = b.value().type().dims();
      if (!from.tensors().containsKey(name)) {
        if (optional) {
          double[] init = new double[(int) b.value().type().size()];
          if (name.equals(phase.update().name() + ".t")) init[0] = 1;
          feeds.put(name, new Tensor(shape, init));
        } else {
          problems.add("missing tensor `" + name + "` in " + (from == w ? weights : batch) + ": expected shape " + shape);
        }
        continue;
      }
      var t = from.get(name);
      List<Integer> found = new ArrayList<>();
      for (long d : t.shape()) found.add((int) d);
      if (!found.equals(shape)) {
        problems.add("tensor `" + name + "` in " + (from == w ? weights : batch) + " has shape " + found + ", expected " + shape);
        continue;
      }
      feeds.put(name, new Tensor(shape, t.toDoubleArray()));
    }
    if (!problems.isEmpty()) {
      problems.forEach(p -> err.println("error: " + p));
      err.println("help: `wganc trace " + model + " --list` prints every tensor a trace reads, with its shape");
      return 1;
    }
    Interpreter.Result r = Interpreter.run(g, feeds);
    SafeTensors result = new SafeTensors();
    for (String name : g.outputs().keySet()) {
      Tensor t = r.output(name);
      result.put(name, wganc.runtime.io.Tensor.f64(t.data(), t.shape().stream().mapToInt(Integer::intValue).toArray()));
    }
    result.putMetadata("model", o.result().model().name());
    result.putMetadata("update", phase.name());
    result.putMetadata("backend", "interpreter-f64");
    result.write(output);
    err.println("wganc: wrote " + g.outputs().size() + " tensors of update `" + phase.name() + "` to " + output
        + " (loss " + r.output("loss").item() + ")");
    return 0;
  }
}

package wganc.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import wganc.compile.Checked;
import wganc.compile.Compiled;
import wganc.compile.Compiler;
import wganc.compile.Target;
import wganc.ir.Binding;
import wganc.ir.Graph;
import wganc.ir.Node;
import wganc.ir.Value;
import wganc.lower.Lowering;
import wganc.passes.EliminateDeadCode;
import wganc.passes.Pipeline;
import wganc.runtime.io.AtomicFiles;

/** `wganc graph`: the IR of one update as a picture. */
@Command(name = "graph", mixinStandardHelpOptions = true,
    description = {
        "Draws the IR of one update as a Graphviz picture.",
        "",
        "--stage forward: the let-bound values and the loss (a `grad` inside a loss is part of it);",
        "grad: and the gradient of every trained parameter; step (default): and the optimiser update.",
        "The graph is shown after the standard passes (simplify, CSE, dead code) unless --raw.",
        "FILE.svg is rendered with Graphviz `dot` when it is installed; FILE.dot is written as is."})
final class GraphCommand implements Callable<Integer> {
  enum Stage { forward, grad, step }

  @Parameters(index = "0", paramLabel = "MODEL", description = "the model file (.wgan)")
  Path model;

  @Option(names = "--update", paramLabel = "NAME", description = "which update (default: the first, `critic`)")
  String update;

  @Option(names = "--stage", paramLabel = "STAGE", description = "forward, grad or step (default: ${DEFAULT-VALUE})")
  Stage stage = Stage.step;

  @Option(names = "--raw", description = "draw the graph as lowered, before the passes")
  boolean raw;

  @Option(names = {"-o", "--output"}, required = true, paramLabel = "FILE", description = "FILE.dot or FILE.svg")
  Path output;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override public Integer call() throws IOException, InterruptedException {
    PrintWriter err = spec.commandLine().getErr();
    String file = output.getFileName().toString();
    if (!file.endsWith(".dot") && !file.endsWith(".svg")) {
      err.println("error: the output must end in .dot or .svg, found `" + file + "`");
      return 2;
    }
    Checked o = Compiler.check(model);
    if (!CheckCommand.report(o, err)) return 1;
    List<Compiled.Phase> phases = Compiler.compile(o, Target.lowered(Lowering.Draws.RANDOM)).phases();
    Compiled.Phase phase = update == null ? phases.getFirst()
        : phases.stream().filter(p -> p.name().equals(update)).findFirst().orElse(null);
    if (phase == null) {
      err.println("error: no update `" + update + "`; the updates are "
          + String.join(", ", phases.stream().map(p -> "`" + p.name() + "`").toList()));
      return 2;
    }
    Graph g = phase.lowered().graph();
    Map<String, Value> keep = new LinkedHashMap<>();
    for (var e : g.outputs().entrySet()) {
      boolean isGrad = e.getKey().startsWith("grad.");
      boolean isForward = !isGrad && phase.lowered().phase().types().containsKey(e.getKey());
      if (stage == Stage.step || isForward || (stage == Stage.grad && isGrad)) keep.put(e.getKey(), e.getValue());
    }
    // the standard passes again, on the stage's outputs alone (the driver's phases keep every output)
    g = new EliminateDeadCode().run(g.withOutputs(keep));
    if (!raw) {
      var result = Pipeline.standard().run(g);
      g = result.graph();
      err.println("wganc: " + phase.name() + " (" + stage + "): " + result.report());
    }
    String dot = dot(g, o.model().name() + " " + phase.name() + " " + stage);
    if (file.endsWith(".dot")) {
      AtomicFiles.writeString(output, dot);
      err.println("wganc: wrote " + output + " (" + g.size() + " nodes); render it with `dot -Tsvg " + output + " -o graph.svg`");
      return 0;
    }
    byte[] svg = render(dot);
    if (svg == null) {
      Path dotFile = output.resolveSibling(file.substring(0, file.length() - 4) + ".dot");
      AtomicFiles.writeString(dotFile, dot);
      err.println("wganc: Graphviz `dot` is not installed, so wrote " + dotFile + " instead; install it with "
          + "`apt-get install graphviz` and run `dot -Tsvg " + dotFile + " -o " + output + "`");
      return 0;
    }
    AtomicFiles.write(output, svg);
    err.println("wganc: wrote " + output + " (" + g.size() + " nodes)");
    return 0;
  }

  private static byte[] render(String dot) throws IOException, InterruptedException {
    Process p;
    try {
      p = new ProcessBuilder("dot", "-Tsvg").redirectError(ProcessBuilder.Redirect.DISCARD).start();
    } catch (IOException e) {
      return null;
    }
    var reader = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
      try {
        return p.getInputStream().readAllBytes();
      } catch (IOException e) {
        return null;
      }
    });
    try (var in = p.getOutputStream()) {
      in.write(dot.getBytes(StandardCharsets.UTF_8));
    }
    if (!p.waitFor(120, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      return null;
    }
    byte[] out = reader.join();
    return p.exitValue() == 0 ? out : null;
  }

  /** The graph in Graphviz's language: inputs and parameters as ellipses, ops as boxes, outputs bold. */
  static String dot(Graph g, String title) {
    StringBuilder b = new StringBuilder();
    b.append("digraph wganc {\n  label=\"").append(title).append("\"; labelloc=t; rankdir=TB;\n")
        .append("  node [fontname=\"monospace\", fontsize=10];\n");
    Map<Integer, String> outputs = new LinkedHashMap<>();
    g.outputs().forEach((name, v) -> outputs.merge(v.id(), name, (a, c) -> a + ", " + c));
    for (Binding bd : g.bindings()) {
      Value v = bd.value();
      String type = v.type().toString();
      String label;
      String shape;
      switch (bd.node()) {
        case Node.Input i -> { label = i.name() + "\\n" + type; shape = "ellipse, style=filled, fillcolor=\"#dbeafe\""; }
        case Node.Parameter p -> { label = p.name() + "\\n" + type; shape = "ellipse, style=filled, fillcolor=\"#fde68a\""; }
        case Node.Constant c -> { label = Double.toString(c.value()); shape = "plaintext"; }
        case Node.Apply a -> { label = "%" + v.id() + " " + a.op().opName() + "\\n" + type; shape = "box"; }
      }
      String out = outputs.get(v.id());
      if (out != null) label += "\\n=> " + out;
      b.append("  n").append(v.id()).append(" [label=\"").append(label.replace("\"", "'")).append("\", shape=")
          .append(shape).append(out != null ? ", penwidth=2" : "").append("];\n");
      for (Value in : bd.node().inputs()) b.append("  n").append(in.id()).append(" -> n").append(v.id()).append(";\n");
    }
    return b.append("}\n").toString();
  }
}

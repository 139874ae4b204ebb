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
import wganc.compile.Checked;
import wganc.compile.Compiled;
import wganc.compile.Compiler;
import wganc.compile.Target;
import wganc.interp.Interpreter;
import wganc.interp.Float64Tensor;
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
        "`--list` prints what a trace reads and writes. The reference interpreter computes in float64;",
        "--backend jvm or tornado runs the generated float32 kernels instead."})
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

  @Option(names = "--backend", paramLabel = "NAME",
      description = "interpreter (float64 reference, default), jvm (the generated float32 kernels) or tornado "
          + "(the TornadoVM kernels, in a child JVM; needs a TornadoVM SDK)",
      defaultValue = "interpreter")
  String backend;

  @Option(names = "--device", paramLabel = "B:D", description = "TornadoVM device (see `wganc devices`)")
  String device;

  @Option(names = "--tornado-home", paramLabel = "DIR", description = "TornadoVM SDK (default: $TORNADOVM_HOME)")
  Path tornadoHome;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override public Integer call() throws IOException, InterruptedException {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    if (!List.of("interpreter", "jvm", "tornado").contains(backend)) {
      err.println("error: --backend must be interpreter, jvm or tornado, found `" + backend + "`");
      return 2;
    }
    if (backend.equals("tornado") && !list) {
      if (!wganc.emit.tornado.TornadoSdk.validDevice(device)) {
        err.println("error: --device must be B:D (backend and device index, as `wganc devices` lists them), found `"
            + device + "`");
        return 2;
      }
      try {
        wganc.emit.tornado.TornadoSdk.find(tornadoHome);
      } catch (wganc.emit.Backend.BackendException e) {
        err.println("error: " + e.getMessage());
        return 70;
      }
    }
    Checked o = Compiler.check(model);
    if (!CheckCommand.report(o, err)) return 1;
    Target target = list || backend.equals("interpreter") ? Target.lowered(Lowering.Draws.INPUTS)
        : backend.equals("jvm") ? wganc.emit.java.JvmBackend.traceTarget() : wganc.emit.tornado.TornadoBackend.traceTarget();
    Compiled compiled = Compiler.compile(o, target);
    List<Compiled.Phase> phases = compiled.phases();
    Compiled.Phase phase = phases.getFirst();
    if (update != null) {
      phase = phases.stream().filter(p -> p.name().equals(update)).findFirst().orElse(null);
      if (phase == null) {
        err.println("error: model `" + o.model().name() + "` has no update `" + update + "`; its updates are "
            + String.join(", ", phases.stream().map(p -> "`" + p.name() + "`").toList()));
        return 2;
      }
    }
    Graph g = phase.lowered().graph();
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
    Map<String, Float64Tensor> feeds = new LinkedHashMap<>();
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
          feeds.put(name, new Float64Tensor(shape, init));
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
      feeds.put(name, new Float64Tensor(shape, t.toDoubleArray()));
    }
    if (!problems.isEmpty()) {
      problems.forEach(p -> err.println("error: " + p));
      err.println("help: `wganc trace " + model + " --list` prints every tensor a trace reads, with its shape");
      return 1;
    }
    SafeTensors result = new SafeTensors();
    double loss;
    if (backend.equals("jvm")) {
      wganc.runtime.train.Phase p = wganc.emit.java.JvmBackend.single(phase, model.toString());
      String[] rn = p.reads();
      float[][] in = new float[rn.length][];
      for (int i = 0; i < rn.length; i++) {
        double[] d = feeds.get(rn[i]).data();
        in[i] = new float[d.length];
        for (int k = 0; k < d.length; k++) in[i][k] = (float) d[k];
      }
      int[][] ws = p.writeShapes();
      float[][] written = new float[ws.length][];
      for (int i = 0; i < ws.length; i++) written[i] = new float[java.util.Arrays.stream(ws[i]).reduce(1, (a, b) -> a * b)];
      p.run(0, in, written);
      String[] wn = p.writes();
      for (int i = 0; i < wn.length; i++) result.put(wn[i], wganc.runtime.io.Tensor.f32(written[i], ws[i]));
      loss = written[java.util.Arrays.asList(wn).indexOf("loss")][0];
    } else if (backend.equals("interpreter")) {
      Interpreter.Result r = Interpreter.run(g, feeds);
      for (String name : g.outputs().keySet()) {
        Float64Tensor t = r.output(name);
        result.put(name, wganc.runtime.io.Tensor.f64(t.data(), t.shape().stream().mapToInt(Integer::intValue).toArray()));
      }
      loss = r.output("loss").item();
    } else {
      Map<String, float[]> f32 = new LinkedHashMap<>();
      feeds.forEach((name, t) -> {
        float[] x = new float[t.data().length];
        for (int k = 0; k < x.length; k++) x[k] = (float) t.data()[k];
        f32.put(name, x);
      });
      var r = TornadoCli.trace(compiled, phase, f32, tornadoHome, device, err);
      if (r == null) return 70;
      String[] wn = r.getKey();
      for (int i = 0; i < wn.length; i++) {
        int[] dims = g.outputs().get(wn[i]).type().dims().stream().mapToInt(Integer::intValue).toArray();
        result.put(wn[i], wganc.runtime.io.Tensor.f32(r.getValue()[i], dims));
      }
      loss = r.getValue()[java.util.Arrays.asList(wn).indexOf("loss")][0];
    }
    result.putMetadata("model", o.model().name());
    result.putMetadata("update", phase.name());
    result.putMetadata("backend", backend.equals("interpreter") ? "interpreter-f64" : backend + "-f32");
    result.write(output);
    err.println("wganc: wrote " + result.tensors().size() + " tensors of update `" + phase.name() + "` to " + output
        + " (loss " + loss + ")");
    return 0;
  }
}

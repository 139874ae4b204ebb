package wganc.emit.java;

import com.palantir.javapoet.JavaFile;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import wganc.check.Model;
import wganc.emit.Backend;
import wganc.emit.Specs;
import wganc.ir.Graph;
import wganc.lower.Lowering;
import wganc.passes.Pipeline;
import wganc.runtime.train.CompiledModel;
import wganc.runtime.train.ModelSpec;
import wganc.runtime.train.Phase;

/** The default backend: plain-Java kernels for the JVM, compiled and loaded in memory. */
public final class JvmBackend implements Backend {
  /** The generated sources of a model: one file per phase, the spec, and each phase's reads and writes. */
  public record Sources(ModelSpec spec, List<String> phaseNames, Map<String, JavaFile> files,
                        Map<String, wganc.emit.Codegen.Io> io) {}

  @Override public String name() { return "jvm"; }

  /** Lowers and emits without compiling (for `wganc compile` and goldens). */
  public Sources sources(Model model, String sourceText, Options options) {
    List<Lowering.PhaseGraph> phases = Lowering.lower(model,
        options.recordInputs() ? Lowering.Draws.RECORDED : Lowering.Draws.RANDOM);
    ModelSpec spec = Specs.of(model, sourceText, phases, options.sampleN());
    String pkg = "wganc.generated." + model.name().toLowerCase(java.util.Locale.ROOT);
    String source = model.ast().nameSpan().file().path();
    Map<String, JavaFile> files = new LinkedHashMap<>();
    Map<String, wganc.emit.Codegen.Io> io = new LinkedHashMap<>();
    List<String> names = new ArrayList<>();
    for (Lowering.PhaseGraph p : phases) {
      Graph g = Pipeline.standard().run(p.graph()).graph();
      String cls = className(p.name());
      files.put(pkg + "." + cls, JavaEmitter.emit(g, pkg, cls, p.name(), source, options.profile()));
      io.put(p.name(), wganc.emit.Codegen.Io.of(g));
      names.add(p.name());
    }
    Graph sample = Pipeline.standard().run(Lowering.sample(model, options.sampleN())).graph();
    files.put(pkg + ".SamplePhase", JavaEmitter.emit(sample, pkg, "SamplePhase", "sample", source));
    io.put("sample", wganc.emit.Codegen.Io.of(sample));
    names.add("sample");
    return new Sources(spec, names, files, io);
  }

  /** One graph as a loaded phase (for traces: a graph whose draws are inputs). */
  public static Phase single(Graph g, String phaseName, String source) {
    JavaFile file = JavaEmitter.emit(g, "wganc.generated.trace", "TracePhase", phaseName, source);
    Map<String, byte[]> classes = InMemoryCompiler.compile(Map.of("wganc.generated.trace.TracePhase", file.toString()));
    try {
      return (Phase) InMemoryCompiler.load(classes).loadClass("wganc.generated.trace.TracePhase")
          .getDeclaredConstructor().newInstance();
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("cannot load the generated trace phase: " + e, e);
    }
  }

  static String className(String phase) {
    return wganc.emit.Codegen.camel(phase.replace('.', '_')) + "Phase";
  }

  @Override
  public CompiledModel compile(Model model, String sourceText, Options options) throws BackendException {
    Sources s = sources(model, sourceText, options);
    Map<String, String> text = new LinkedHashMap<>();
    s.files().forEach((name, file) -> text.put(name, file.toString()));
    Map<String, byte[]> classes;
    try {
      classes = InMemoryCompiler.compile(text);
    } catch (IllegalStateException e) {
      throw new BackendException(e.getMessage(), e);
    }
    return load(InMemoryCompiler.load(classes), s, "jvm");
  }

  /** Instantiates every phase of {@code s} from {@code loader} (one class per phase, in order). */
  public static CompiledModel load(ClassLoader loader, Sources s, String backend) throws BackendException {
    List<Phase> phases = new ArrayList<>();
    try {
      for (String name : s.files().keySet()) {
        phases.add((Phase) loader.loadClass(name).getDeclaredConstructor().newInstance());
      }
    } catch (ReflectiveOperationException e) {
      throw new BackendException("cannot load generated phase: " + e, e);
    }
    return CompiledModel.of(s.spec(), phases, backend);
  }
}

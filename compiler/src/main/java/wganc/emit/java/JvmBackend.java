package wganc.emit.java;

import com.palantir.javapoet.JavaFile;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import wganc.compile.Compiled;
import wganc.compile.Target;
import wganc.emit.Backend;
import wganc.emit.Codegen;
import wganc.emit.Sources;
import wganc.lower.Lowering;
import wganc.plan.Schedule;
import wganc.runtime.train.CompiledModel;
import wganc.runtime.train.Phase;

/** The default backend: plain-Java kernels for the JVM, compiled and loaded in memory. */
public final class JvmBackend implements Backend {
  /** The schedule rules the JVM's kernels are emitted under: flat loops of one length run as one. */
  public static final Set<Schedule.Rule> RULES = Set.of(Schedule.Rule.GROUPS);

  @Override public String name() { return "jvm"; }

  /** Counter-based draws (recorded ones for {@code recordInputs}), the JVM's rules. */
  @Override public Target target(Options options) {
    return new Target(options.recordInputs() ? Lowering.Draws.RECORDED : Lowering.Draws.RANDOM, true, options.sampleN(),
        RULES);
  }

  /** A trace's target: draws as inputs ({@link #single}). */
  public static Target traceTarget() {
    return new Target(Lowering.Draws.INPUTS, true, 1, RULES);
  }

  /** Emits without compiling (for `wganc compile` and goldens). */
  @Override public Sources sources(Compiled compiled, Options options) {
    compiled.requireRules(RULES, "the JVM backend");
    String pkg = "wganc.generated." + compiled.model().name().toLowerCase(java.util.Locale.ROOT);
    String source = compiled.sourcePath();
    Map<String, Compiled.Phase> phases = new LinkedHashMap<>();  // by class name, the sampling phase last
    for (Compiled.Phase p : compiled.phases()) phases.put(className(p.name()), p);
    phases.put("SamplePhase", compiled.sample());
    Map<String, Schedule> schedules = new LinkedHashMap<>();
    phases.forEach((cls, p) -> schedules.put(cls, p.schedule()));
    Scratch scratch = Scratch.of(schedules);
    Map<String, JavaFile> files = new LinkedHashMap<>();
    Map<String, Codegen.Io> io = new LinkedHashMap<>();
    List<String> names = new ArrayList<>();
    phases.forEach((cls, p) -> {
      String name = cls.equals("SamplePhase") ? "sample" : p.name();
      boolean profile = options.profile() && !name.equals("sample");
      files.put(pkg + "." + cls, JavaEmitter.emit(p.schedule(), pkg, cls, name, source, profile, scratch.arrays().get(cls)));
      io.put(name, Codegen.Io.of(p.graph()));
      names.add(name);
    });
    files.put(pkg + "." + Scratch.CLASS, scratch.file(pkg, source));
    return new Sources(compiled.spec(), names, files, io);
  }

  /** One phase of a compile for {@link #traceTarget} as a loaded phase (its draws are inputs). */
  public static Phase single(Compiled.Phase phase, String source) {
    JavaFile file = JavaEmitter.emit(phase.schedule(), "wganc.generated.trace", "TracePhase", phase.name(), source);
    Map<String, byte[]> classes = InMemoryCompiler.compile(Map.of("wganc.generated.trace.TracePhase", file.toString()));
    try {
      return (Phase) InMemoryCompiler.load(classes).loadClass("wganc.generated.trace.TracePhase")
          .getDeclaredConstructor().newInstance();
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("cannot load the generated trace phase: " + e, e);
    }
  }

  static String className(String phase) {
    return Codegen.camel(phase.replace('.', '_')) + "Phase";
  }

  @Override
  public CompiledModel load(Compiled compiled, Options options) throws BackendException {
    Sources s = sources(compiled, options);
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

  /** Instantiates every phase of {@code s} from {@code loader} ({@link Sources#phaseClasses}, in order). */
  public static CompiledModel load(ClassLoader loader, Sources s, String backend) throws BackendException {
    List<Phase> phases = new ArrayList<>();
    try {
      for (String name : s.phaseClasses()) {
        phases.add((Phase) loader.loadClass(name).getDeclaredConstructor().newInstance());
      }
    } catch (ReflectiveOperationException e) {
      throw new BackendException("cannot load generated phase: " + e, e);
    }
    return CompiledModel.of(s.spec(), phases, backend);
  }
}

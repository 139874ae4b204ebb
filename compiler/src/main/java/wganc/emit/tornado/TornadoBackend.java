package wganc.emit.tornado;

import com.palantir.javapoet.JavaFile;
import java.io.IOException;
import java.nio.file.Path;
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
import wganc.emit.java.InMemoryCompiler;
import wganc.emit.java.JvmBackend;
import wganc.emit.java.TrainerJar;
import wganc.lower.Lowering;
import wganc.plan.Schedule;
import wganc.plan.Tiling;
import wganc.runtime.train.CompiledModel;
import wganc.runtime.train.ModelSpec;

/**
 * TornadoVM kernels ({@link TornadoEmitter}), compiled with the JDK compiler against the SDK's
 * {@code tornado-api} jar (found at run time: {@code TORNADOVM_HOME} or {@code --tornado-home}; wganc's
 * build never depends on TornadoVM). TornadoVM needs its own JVM flags, so training runs in a child
 * JVM started with the SDK's argfile, from a trainer jar like the JVM backend's
 * ({@link #writeTrainer}); {@link #load} loads the phases in this JVM only when it already runs
 * on TornadoVM.
 */
public final class TornadoBackend implements Backend {
  /** Why a graph compiled for several ranks has no TornadoVM form (the CLI says it before compiling). */
  public static final String NOT_DISTRIBUTED = "the TornadoVM backend trains in one process only; data-parallel training over"
      + " MPI (issue 16, docs/distributed.md) runs on the JVM backend (`--backend jvm`)";

  private final Path tornadoHome;
  private final Tiling.Mode tiles;

  /** {@code -Dwganc.tornado.tiles} ({@code true}, {@code false} or {@code blocked}) when it is set, else {@code fallback}. */
  public static Tiling.Mode tilesFromProperty(Tiling.Mode fallback) {
    String value = System.getProperty("wganc.tornado.tiles");
    return value == null ? fallback : Tiling.Mode.parse(value);
  }

  /**
   * {@code tornadoHome}: the SDK, or null for {@code $TORNADOVM_HOME}; {@code tiles}: how matmuls,
   * convolutions and large sums run (see {@link Tiling}).
   */
  public TornadoBackend(Path tornadoHome, Tiling.Mode tiles) {
    this.tornadoHome = tornadoHome;
    this.tiles = tiles;
  }

  /** {@code tiles}: {@link Tiling.Mode#PLAIN}, or {@link Tiling.Mode#NONE}. */
  public TornadoBackend(Path tornadoHome, boolean tiles) {
    this(tornadoHome, tiles ? Tiling.Mode.PLAIN : Tiling.Mode.NONE);
  }

  /** {@link Tiling.Mode#PLAIN}, or as {@code -Dwganc.tornado.tiles=true|false|blocked} says. */
  public TornadoBackend(Path tornadoHome) {
    this(tornadoHome, tilesFromProperty(Tiling.Mode.PLAIN));
  }

  public TornadoBackend() {
    this(null);
  }

  @Override public String name() { return "tornado"; }

  /**
   * The schedule rules TornadoVM's kernels are emitted under: flat loops of one length run as one, and
   * one-element values of the reads are recomputed where they are read (launches cost more than arithmetic).
   */
  public static final Set<Schedule.Rule> RULES = Set.of(Schedule.Rule.GROUPS, Schedule.Rule.SCALARS);

  /** Counter-based draws (made on the device), TornadoVM's rules. */
  @Override public Target target(Options options) {
    return new Target(Lowering.Draws.RANDOM, true, options.sampleN(), RULES);
  }

  /** A trace's target: draws as inputs, with the model's state layout ({@link #writeTrace}). */
  public static Target traceTarget() {
    return new Target(Lowering.Draws.INPUTS, true, 1, RULES);
  }

  /** Emits without compiling (for `wganc compile`, goldens and syntax checks; no SDK needed). */
  @Override public Sources sources(Compiled compiled, Options options) {
    compiled.requireRules(RULES, "the TornadoVM backend");
    ModelSpec spec = compiled.spec();
    String pkg = "wganc.generated.tornado." + compiled.model().name().toLowerCase(java.util.Locale.ROOT);
    String source = compiled.sourcePath();
    Map<String, JavaFile> files = new LinkedHashMap<>();
    Map<String, Codegen.Io> io = new LinkedHashMap<>();
    List<String> names = new ArrayList<>();
    DeviceLayout layout = DeviceLayout.of(spec);
    List<TornadoEmitter.Emitted> emitted = new ArrayList<>();
    int nextGraph = layout.firstPhaseGraph();  // after the graphs that move resident arrays
    for (Compiled.Phase p : compiled.phases()) {
      TornadoEmitter.Emitted e = TornadoEmitter.emit(p.schedule(), pkg, className(p.name()), p.name(), source, layout,
          nextGraph, options.profile(), tiles);
      emitted.add(e);
      nextGraph += e.graphs();
      names.add(p.name());
      io.put(p.name(), Codegen.Io.of(p.graph()));
    }
    Compiled.Phase sample = compiled.sample();
    emitted.add(TornadoEmitter.emit(sample.schedule(), pkg, "SamplePhase", "sample", source, layout, nextGraph,
        options.profile(), tiles));
    names.add("sample");
    io.put("sample", Codegen.Io.of(sample.graph()));
    for (TornadoEmitter.Emitted e : emitted) files.put(pkg + "." + e.className(), e.file());
    files.put(pkg + "." + TornadoNames.DEVICE_STATE, TornadoDeviceState.emit(pkg, source, layout, emitted, options.profile()));
    return new Sources(spec, names, files, io);
  }

  static String className(String phase) {
    return Codegen.camel(phase.replace('.', '_')) + "Phase";
  }

  /** The SDK this backend uses. */
  public TornadoSdk sdk() throws BackendException {
    return TornadoSdk.find(tornadoHome);
  }

  /** Compiles the sources against the SDK (with {@code -g}: TornadoVM reads the local variable tables). */
  public Map<String, byte[]> classes(Sources s) throws BackendException {
    TornadoSdk sdk = sdk();
    Map<String, String> text = new LinkedHashMap<>();
    s.files().forEach((name, file) -> text.put(name, file.toString()));
    String cp = sdk.apiJar() + java.io.File.pathSeparator + InMemoryCompiler.runtimeClasspath();
    try {
      return InMemoryCompiler.compile(text, List.of("-classpath", cp, "-g", "-nowarn", "-XDsuppressNotes", "-proc:none"));
    } catch (IllegalStateException e) {
      throw new BackendException(e.getMessage(), e);
    }
  }

  /** Compiles {@code s} (this backend's sources) into a trainer jar; run it with {@link TornadoSdk#command}. */
  public void writeTrainer(Path jar, Sources s) throws BackendException {
    Map<String, byte[]> classes = classes(s);
    try {
      TrainerJar.write(jar, classes, s.spec(), s.phaseClasses(), "tornado");
    } catch (IOException e) {
      throw new BackendException("cannot write " + jar + ": " + e.getMessage(), e);
    }
  }

  /**
   * Writes a jar whose one phase is {@code phase} of a compile for {@link #traceTarget} (its draws are
   * inputs) with the model's device layout, for {@code wganc.runtime.train.PhaseReplay} in a TornadoVM
   * JVM; returns the phase's sources.
   */
  public Sources writeTrace(Path jar, Compiled compiled, Compiled.Phase phase) throws BackendException {
    compiled.requireRules(RULES, "the TornadoVM backend");
    ModelSpec spec = compiled.spec();
    String pkg = "wganc.generated.tornado.trace." + compiled.model().name().toLowerCase(java.util.Locale.ROOT);
    String source = compiled.sourcePath();
    DeviceLayout layout = DeviceLayout.of(spec);
    TornadoEmitter.Emitted e = TornadoEmitter.emit(phase.schedule(), pkg, className(phase.name()), phase.name(), source,
        layout, layout.firstPhaseGraph(), false, tiles);
    Map<String, JavaFile> files = new LinkedHashMap<>();
    files.put(pkg + "." + e.className(), e.file());
    files.put(pkg + "." + TornadoNames.DEVICE_STATE, TornadoDeviceState.emit(pkg, source, layout, List.of(e), false));
    Sources s = new Sources(spec, List.of(phase.name()), files, Map.of(phase.name(), Codegen.Io.of(phase.graph())));
    writeTrainer(jar, s);
    return s;
  }

  /** True when this JVM was started with TornadoVM's flags (its runtime can be loaded here). */
  public static boolean inProcess() {
    return System.getProperty("tornado.load.api.implementation") != null;
  }

  @Override
  public CompiledModel load(Compiled compiled, Options options) throws BackendException {
    if (!inProcess()) {
      throw new BackendException("TornadoVM phases run in a JVM started with TornadoVM's flags; "
          + "`wganc train --backend tornado` starts one (or run this JVM with @$TORNADOVM_HOME/tornado-argfile)");
    }
    Sources s = sources(compiled, options);
    return JvmBackend.load(InMemoryCompiler.load(classes(s)), s, "tornado");
  }
}

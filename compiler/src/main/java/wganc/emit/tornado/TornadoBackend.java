package wganc.emit.tornado;

import com.palantir.javapoet.JavaFile;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import wganc.check.Model;
import wganc.emit.Backend;
import wganc.emit.Specs;
import wganc.emit.java.InMemoryCompiler;
import wganc.emit.java.JvmBackend;
import wganc.emit.java.TrainerJar;
import wganc.ir.Graph;
import wganc.lower.Lowering;
import wganc.passes.Pipeline;
import wganc.runtime.train.CompiledModel;
import wganc.runtime.train.ModelSpec;
import wganc.runtime.train.Phase;

/**
 * TornadoVM kernels ({@link TornadoEmitter}), compiled with the JDK compiler against the SDK's
 * {@code tornado-api} jar (found at run time: {@code TORNADOVM_HOME} or {@code --tornado-home}; wganc's
 * build never depends on TornadoVM). TornadoVM needs its own JVM flags, so training runs in a child
 * JVM started with the SDK's argfile, from a trainer jar like the JVM backend's
 * ({@link #writeTrainer}); {@link #compile} loads the phases in this JVM only when it already runs
 * on TornadoVM.
 */
public final class TornadoBackend implements Backend {
  private final Path tornadoHome;
  private final Tiles tiles;

  /** How matmuls, convolutions and large sums run. */
  public enum Tiles {
    /** One thread per output element, as every other kernel. */
    NONE,
    /** {@code KernelContext} kernels over 16 x 16 local-memory tiles, one output per thread (the default). */
    PLAIN,
    /**
     * As PLAIN, and GEMMs of at least 64 x 64 register-blocked: 4 x 4 outputs per thread, 64 x 64 per
     * work-group. The same results; on PoCL's CPU device 1.6 times slower than PLAIN, untried on a GPU.
     */
    BLOCKED;

    /** {@code -Dwganc.tornado.tiles} when it is set, else {@code fallback}. */
    public static Tiles fromProperty(Tiles fallback) {
      String value = System.getProperty("wganc.tornado.tiles");
      return value == null ? fallback : parse(value);
    }

    /** {@code true}, {@code false} or {@code blocked} (as {@code -Dwganc.tornado.tiles} takes it). */
    public static Tiles parse(String value) {
      return switch (value.trim().toLowerCase(java.util.Locale.ROOT)) {
        case "true", "plain" -> PLAIN;
        case "false", "none" -> NONE;
        case "blocked" -> BLOCKED;
        default -> throw new IllegalArgumentException("tiles: `" + value + "`; expected true, false or blocked");
      };
    }
  }

  /** {@code tornadoHome}: the SDK, or null for {@code $TORNADOVM_HOME}; {@code tiles}: see {@link Tiles}. */
  public TornadoBackend(Path tornadoHome, Tiles tiles) {
    this.tornadoHome = tornadoHome;
    this.tiles = tiles;
  }

  /** {@code tiles}: {@link Tiles#PLAIN}, or {@link Tiles#NONE}. */
  public TornadoBackend(Path tornadoHome, boolean tiles) {
    this(tornadoHome, tiles ? Tiles.PLAIN : Tiles.NONE);
  }

  /** {@link Tiles#PLAIN}, or as {@code -Dwganc.tornado.tiles=true|false|blocked} says. */
  public TornadoBackend(Path tornadoHome) {
    this(tornadoHome, Tiles.fromProperty(Tiles.PLAIN));
  }

  public TornadoBackend() {
    this(null);
  }

  @Override public String name() { return "tornado"; }

  /** Lowers and emits without compiling (for `wganc compile`, goldens and syntax checks; no SDK needed). */
  public JvmBackend.Sources sources(Model model, String sourceText, Options options) {
    List<Lowering.PhaseGraph> phases = Lowering.lower(model, Lowering.Draws.RANDOM);
    ModelSpec spec = Specs.of(model, sourceText, phases, options.sampleN());
    String pkg = "wganc.generated.tornado." + model.name().toLowerCase(java.util.Locale.ROOT);
    String source = model.ast().nameSpan().file().path();
    Map<String, JavaFile> files = new LinkedHashMap<>();
    Map<String, wganc.emit.Codegen.Io> io = new LinkedHashMap<>();
    List<String> names = new ArrayList<>();
    TornadoDeviceState.Layout layout = TornadoDeviceState.Layout.of(spec);
    List<TornadoEmitter.Emitted> emitted = new ArrayList<>();
    int nextGraph = layout.firstPhaseGraph();  // after the graphs that move resident arrays
    for (Lowering.PhaseGraph p : phases) {
      Graph g = Pipeline.standard().run(p.graph()).graph();
      TornadoEmitter.Emitted e = TornadoEmitter.emit(g, pkg, className(p.name()), p.name(), source, layout, nextGraph,
          options.profile(), tiles);
      emitted.add(e);
      nextGraph += e.graphs();
      names.add(p.name());
      io.put(p.name(), wganc.emit.Codegen.Io.of(g));
    }
    Graph sample = Pipeline.standard().run(Lowering.sample(model, options.sampleN())).graph();
    emitted.add(TornadoEmitter.emit(sample, pkg, "SamplePhase", "sample", source, layout, nextGraph, options.profile(),
        tiles));
    names.add("sample");
    io.put("sample", wganc.emit.Codegen.Io.of(sample));
    for (TornadoEmitter.Emitted e : emitted) files.put(pkg + "." + e.className(), e.file());
    files.put(pkg + "." + TornadoDeviceState.CLASS, TornadoDeviceState.emit(pkg, source, layout, emitted, options.profile()));
    return new JvmBackend.Sources(spec, names, files, io);
  }

  static String className(String phase) {
    return wganc.emit.Codegen.camel(phase.replace('.', '_')) + "Phase";
  }

  /** The SDK this backend uses. */
  public TornadoSdk sdk() throws BackendException {
    return TornadoSdk.find(tornadoHome);
  }

  /** Compiles the sources against the SDK (with {@code -g}: TornadoVM reads the local variable tables). */
  public Map<String, byte[]> classes(JvmBackend.Sources s) throws BackendException {
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

  /** Writes a trainer jar of the model's TornadoVM phases; run it with {@link TornadoSdk#command}. */
  public JvmBackend.Sources writeTrainer(Path jar, Model model, String sourceText, Options options)
      throws BackendException {
    JvmBackend.Sources s = sources(model, sourceText, options);
    Map<String, byte[]> classes = classes(s);
    try {
      TrainerJar.write(jar, classes, s.spec(), new ArrayList<>(phases(s).files().keySet()), "tornado");
    } catch (IOException e) {
      throw new BackendException("cannot write " + jar + ": " + e.getMessage(), e);
    }
    return s;
  }

  /**
   * Writes a jar whose one phase is {@code phase} (a trace: its draws are inputs) with the model's
   * device layout, for {@code wganc.runtime.train.PhaseReplay} in a TornadoVM JVM; returns the
   * phase's sources.
   */
  public JvmBackend.Sources writeTrace(Path jar, Model model, String sourceText, Lowering.PhaseGraph phase)
      throws BackendException {
    ModelSpec spec = Specs.of(model, sourceText, Lowering.lower(model, Lowering.Draws.RANDOM), 1);
    String pkg = "wganc.generated.tornado.trace." + model.name().toLowerCase(java.util.Locale.ROOT);
    String source = model.ast().nameSpan().file().path();
    TornadoDeviceState.Layout layout = TornadoDeviceState.Layout.of(spec);
    Graph g = Pipeline.standard().run(phase.graph()).graph();
    TornadoEmitter.Emitted e = TornadoEmitter.emit(g, pkg, className(phase.name()), phase.name(), source, layout,
        layout.firstPhaseGraph(), false, tiles);
    Map<String, JavaFile> files = new LinkedHashMap<>();
    files.put(pkg + "." + e.className(), e.file());
    files.put(pkg + "." + TornadoDeviceState.CLASS, TornadoDeviceState.emit(pkg, source, layout, List.of(e), false));
    JvmBackend.Sources s = new JvmBackend.Sources(spec, List.of(phase.name()), files,
        Map.of(phase.name(), wganc.emit.Codegen.Io.of(g)));
    Map<String, byte[]> classes = classes(s);
    try {
      TrainerJar.write(jar, classes, spec, new ArrayList<>(phases(s).files().keySet()), "tornado");
    } catch (IOException ex) {
      throw new BackendException("cannot write " + jar + ": " + ex.getMessage(), ex);
    }
    return s;
  }

  /** True when this JVM was started with TornadoVM's flags (its runtime can be loaded here). */
  public static boolean inProcess() {
    return System.getProperty("tornado.load.api.implementation") != null;
  }

  @Override
  public CompiledModel compile(Model model, String sourceText, Options options) throws BackendException {
    if (!inProcess()) {
      throw new BackendException("TornadoVM phases run in a JVM started with TornadoVM's flags; "
          + "`wganc train --backend tornado` starts one (or run this JVM with @$TORNADOVM_HOME/tornado-argfile)");
    }
    JvmBackend.Sources s = sources(model, sourceText, options);
    return JvmBackend.load(InMemoryCompiler.load(classes(s)), phases(s), "tornado");
  }

  /** The sources of the phase classes alone (without the model's DeviceState). */
  static JvmBackend.Sources phases(JvmBackend.Sources s) {
    Map<String, JavaFile> files = new LinkedHashMap<>(s.files());
    files.keySet().removeIf(name -> name.endsWith("." + TornadoDeviceState.CLASS));
    return new JvmBackend.Sources(s.spec(), s.phaseNames(), files, s.io());
  }
}

package wganc.emit.tornado;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.source.util.JavacTask;
import java.io.IOException;
import java.io.StringWriter;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.SimpleJavaFileObject;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import wganc.compile.Checked;
import wganc.compile.Compiler;
import wganc.emit.Backend;
import wganc.emit.Sources;
import wganc.plan.Tiling;

/**
 * The emitted TornadoVM source of every model: each file parses (javac's parser, no TornadoVM on the
 * class path); toy8-wgan-gp's equal their goldens, {@code src/test/resources/golden/TornadoSourceTest/<model>/<Class>.java}.
 * {@code -Dwganc.updateGoldens=true} rewrites the goldens.
 */
class TornadoSourceTest {
  static final Path GOLDEN = Path.of("src/test/resources/golden/TornadoSourceTest");

  static Stream<Path> models() throws IOException {
    return Files.list(Path.of("../models")).filter(p -> p.toString().endsWith(".wgan")).sorted();
  }

  /**
   * The model whose printed sources are stored: every model's sources parse (below) and every model's
   * schedule, with each op's loop kernel, is in LoopTextGoldenTest's goldens.
   */
  static Stream<Path> goldenModels() {
    return Stream.of(Path.of("../models/toy8-wgan-gp.wgan"));
  }

  /** {@code o} compiled for {@code backend} and emitted. */
  static Sources sources(TornadoBackend backend, Checked o, Backend.Options options) {
    return backend.sources(Compiler.compile(o, backend.target(options)), options);
  }

  static Sources sources(Path model) throws IOException {
    Checked o = Compiler.check(model.toString(), Files.readAllBytes(model));
    assertTrue(o.ok(), () -> o.diagnostics().toString());
    return sources(new TornadoBackend(null, true), o, Backend.Options.defaults());
  }

  @ParameterizedTest
  @MethodSource("models")
  void everyEmittedFileParses(Path model) throws IOException {
    assertParses(sources(model));
  }

  /** Compiled for `wganc bench`, the phases also implement Profiled (TornadoVM's kernel times). */
  @ParameterizedTest
  @MethodSource("models")
  void profiledSourcesParse(Path model) throws IOException {
    Checked o = Compiler.check(model.toString(), Files.readAllBytes(model));
    Sources s = sources(new TornadoBackend(), o, new Backend.Options(1, true));
    assertParses(s);
    String critic = s.files().entrySet().stream().filter(e -> e.getKey().matches(".*Generator\\w*Phase")).findFirst()
        .orElseThrow().getValue().toString();
    assertTrue(critic.contains("implements ResidentPhase, Profiled"), critic.substring(0, 600));
    assertTrue(critic.matches("(?s).*KERNEL_TASKS = \\{\"generator\\w*0\\.k0.*"), "task ids as TornadoVM's profiler names them");
  }

  /** Without tiles (`--no-tiles`), every kernel is one thread per output element. */
  @ParameterizedTest
  @MethodSource("models")
  void untiledSourcesParse(Path model) throws IOException {
    Checked o = Compiler.check(model.toString(), Files.readAllBytes(model));
    Sources s = sources(new TornadoBackend(null, false), o, Backend.Options.defaults());
    assertParses(s);
    for (var e : s.files().entrySet()) {
      String text = e.getValue().toString();
      assertFalse(text.contains("KernelContext"), e.getKey());
      assertFalse(text.contains("GridScheduler"), e.getKey());
    }
  }

  /** Register-blocked (-Dwganc.tornado.tiles=blocked), the large GEMMs give each thread 4 x 4 outputs. */
  @ParameterizedTest
  @MethodSource("models")
  void registerBlockedSourcesParse(Path model) throws IOException {
    Checked o = Compiler.check(model.toString(), Files.readAllBytes(model));
    Sources s = sources(new TornadoBackend(null, Tiling.Mode.BLOCKED), o, Backend.Options.defaults());
    assertParses(s);
    String critic = s.files().entrySet().stream().filter(e -> e.getKey().endsWith("Phase")
        && e.getValue().toString().contains("Tiled(KernelContext")).findFirst().orElseThrow().getValue().toString();
    assertTrue(critic.contains("acc33 += a3 * b3;"), "a 4 x 4 register block");
  }

  /** Tiled (the default), every matmul (and convolution) also gets a KernelContext kernel, run on a 2-D grid. */
  @ParameterizedTest
  @MethodSource("models")
  void tiledSourcesParse(Path model) throws IOException {
    Checked o = Compiler.check(model.toString(), Files.readAllBytes(model));
    Sources s = sources(new TornadoBackend(null, true), o, Backend.Options.defaults());
    assertParses(s);
    String generator = s.files().entrySet().stream().filter(e -> e.getKey().matches(".*Generator\\w*Phase")).findFirst()
        .orElseThrow().getValue().toString();
    long matmuls = generator.lines().filter(l -> l.matches("  public static void k\\d+Matmul\\w*\\(FloatArray.*")).count();
    long tiled = generator.lines().filter(l -> l.matches("  public static void k\\d+Matmul\\w*Tiled\\(KernelContext.*")).count();
    assertTrue(matmuls > 0 && tiled == matmuls, matmuls + " matmul kernels, " + tiled + " tiled");
    long allTiled = generator.lines().filter(l -> l.matches("  public static void k\\d+\\w*Tiled\\(KernelContext.*")).count();
    assertEquals(allTiled, generator.lines().filter(l -> l.contains("grid.addWorkerGrid(")).count());
    String device = s.files().entrySet().stream().filter(e -> e.getKey().endsWith("DeviceState")).findFirst()
        .orElseThrow().getValue().toString();
    assertTrue(device.contains("plan.withGridScheduler(grid)"));
  }

  private static void assertParses(Sources s) throws IOException {
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    List<JavaFileObject> units = new ArrayList<>();
    for (var e : s.files().entrySet()) {
      String text = e.getValue().toString();
      units.add(new SimpleJavaFileObject(URI.create("string:///" + e.getKey().replace('.', '/') + ".java"),
          JavaFileObject.Kind.SOURCE) {
        @Override public CharSequence getCharContent(boolean ignoreEncodingErrors) { return text; }
      });
    }
    DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
    JavacTask task = (JavacTask) javac.getTask(new StringWriter(), null, diagnostics, List.of("-proc:none"), null, units);
    task.parse();
    assertEquals(List.of(), diagnostics.getDiagnostics().stream().map(d -> d.getSource().getName() + ":"
        + d.getLineNumber() + ": " + d.getMessage(null)).toList());
  }

  @ParameterizedTest
  @MethodSource("goldenModels")
  void emittedSourceMatchesTheGolden(Path model) throws IOException {
    Sources s = sources(model);
    String stem = model.getFileName().toString().replace(".wgan", "");
    boolean update = Boolean.getBoolean("wganc.updateGoldens");
    List<String> missing = new ArrayList<>();
    for (var e : s.files().entrySet()) {
      String cls = e.getKey().substring(e.getKey().lastIndexOf('.') + 1);
      Path golden = GOLDEN.resolve(stem).resolve(cls + ".java");
      String actual = e.getValue().toString();
      if (update) {
        Files.createDirectories(golden.getParent());
        Files.writeString(golden, actual, StandardCharsets.UTF_8);
        continue;
      }
      if (!Files.exists(golden)) {
        missing.add(golden.toAbsolutePath().toString());
        continue;
      }
      assertEquals(Files.readString(golden, StandardCharsets.UTF_8), actual,
          () -> "emitted source differs from " + golden + " (rerun with -Dwganc.updateGoldens=true if intended)");
    }
    assertTrue(missing.isEmpty(), () -> "missing goldens (create with -Dwganc.updateGoldens=true): " + missing);
  }

  @ParameterizedTest
  @MethodSource("models")
  void emissionIsDeterministic(Path model) throws IOException {
    Sources a = sources(model), b = sources(model);
    for (var e : a.files().entrySet()) assertEquals(e.getValue().toString(), b.files().get(e.getKey()).toString());
  }

  /**
   * The TornadoVM path of a dataset does not depend on where its samples come from: a model reading
   * `images(...)` or `npy(...)` emits, file for file, what the same model reading `idx(...)` emits (the
   * dataset sent to the device once and gathered by each phase's first kernel), apart from the lines
   * that quote the model's data declaration or its hash.
   */
  @Test
  void imageFoldersAndNpyArraysTakeTheIdxDatasetPath() {
    String idx = """
        model own
        data  real: image[3, 8, 8] = %s scaled to [-1, 1]
        noise z: [4] ~ normal(0, 1)
        network G(z: [4]) -> [3, 8, 8] { dense 192; reshape [3, 8, 8]; tanh }
        network D(x: [3, 8, 8]) -> [1] { conv 4 kernel=3 stride=2 padding=same; leaky_relu 0.2; flatten; dense 1 }
        train batch 4, epochs 1 {
          critic D with rmsprop(lr=5e-5) { loss = mean(D(G(z))) - mean(D(real)) }
          generator G with rmsprop(lr=5e-5) { loss = -mean(D(G(z))) }
        }
        """;
    Map<String, String> reference = printed(idx.formatted("idx(\"train-images-idx3-ubyte.gz\")"));
    assertTrue(reference.values().stream().anyMatch(t -> t.contains("a batch of 4 images, gathered from `data`")),
        "the idx model gathers its batches from the dataset on the device");
    for (String source : List.of("images(\"faces\", bad=\"skip\")", "npy(\"faces.npy\")")) {
      assertEquals(reference, printed(idx.formatted(source)), source);
    }
  }

  /** The TornadoVM sources of model {@code text}, by class, without lines naming its source text or hash. */
  private static Map<String, String> printed(String text) {
    Checked o = Compiler.check("own.wgan", text.getBytes(StandardCharsets.UTF_8));
    assertTrue(o.ok(), () -> o.diagnostics().toString());
    Map<String, String> out = new java.util.TreeMap<>();
    sources(new TornadoBackend(null, true), o, Backend.Options.defaults()).files().forEach((cls, file) -> out.put(cls,
        file.toString().lines().filter(l -> !l.contains("scaled to") && !l.matches(".*[0-9a-f]{64}.*"))
            .collect(java.util.stream.Collectors.joining("\n"))));
    return out;
  }
}

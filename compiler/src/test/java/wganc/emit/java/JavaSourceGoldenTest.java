package wganc.emit.java;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import wganc.compile.Checked;
import wganc.compile.Compiler;
import wganc.emit.Backend;
import wganc.emit.Sources;

/**
 * The generated JVM sources of two models that between them use every layer kind (dense, conv,
 * conv_transpose, batchnorm in both modes, phases, clipping): they compile with zero errors and a
 * second emission is byte-identical; toy8-wgan-gp's equal the goldens in
 * src/test/resources/golden/JavaSourceGoldenTest/<model>/ (every model's schedule, with each op's
 * loop kernel, is in LoopTextGoldenTest's goldens) ({@code -Dwganc.updateGoldens=true}
 * rewrites them; a missing golden fails with the path to create).
 */
class JavaSourceGoldenTest {
  /** The model whose printed sources are stored; every model's schedule is in LoopTextGoldenTest. */
  static final String GOLDEN_MODEL = "toy8-wgan-gp";

  @ParameterizedTest
  @ValueSource(strings = {"toy8-wgan-gp", "mnist-wgan-clip"})
  void sourcesCompileAreDeterministicAndMatchTheGoldens(String name) throws Exception {
    Path model = Path.of("../models", name + ".wgan");
    Checked o = Compiler.check(model);
    // the source path in headers is the model's path as given, so goldens do not depend on the machine
    JvmBackend jvm = new JvmBackend();
    Backend.Options options = Backend.Options.defaults();
    Sources first = jvm.sources(Compiler.compile(o, jvm.target(options)), options);
    Sources second = jvm.sources(Compiler.compile(Compiler.check(model), jvm.target(options)), options);
    Map<String, String> text = new LinkedHashMap<>();
    first.files().forEach((cls, file) -> text.put(cls, file.toString()));
    second.files().forEach((cls, file) -> assertEquals(text.get(cls), file.toString(), cls + " is not deterministic"));
    InMemoryCompiler.compile(text);
    if (!name.equals(GOLDEN_MODEL)) return;
    boolean update = Boolean.getBoolean("wganc.updateGoldens");
    Path dir = Path.of("src/test/resources/golden/JavaSourceGoldenTest", name);
    for (var e : text.entrySet()) {
      Path golden = dir.resolve(e.getKey().substring(e.getKey().lastIndexOf('.') + 1) + ".java.txt");
      if (update) {
        Files.createDirectories(dir);
        Files.writeString(golden, e.getValue());
        continue;
      }
      if (!Files.exists(golden)) {
        fail("missing golden " + golden.toAbsolutePath() + "; create it with -Dwganc.updateGoldens=true");
      }
      assertEquals(Files.readString(golden), e.getValue(), "generated " + e.getKey() + " differs from " + golden);
    }
  }
}

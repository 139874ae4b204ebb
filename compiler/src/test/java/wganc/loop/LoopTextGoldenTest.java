package wganc.loop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import wganc.compile.Checked;
import wganc.compile.Compiled;
import wganc.compile.Compiler;
import wganc.compile.Target;
import wganc.lower.Lowering;
import wganc.plan.Schedule;

/**
 * What every model compiles to, short: each phase's schedule as text (fused loops, groups, and each
 * op's loop kernel: gathers with their index arithmetic, GEMM and convolution calls, draws; then the
 * buffers), in {@code src/test/resources/golden/LoopTextGoldenTest/<model>/<phase>.txt}. The printed
 * Java and TornadoVM sources are stored for one model only (JavaSourceGoldenTest, TornadoSourceTest);
 * a change of what a kernel computes shows here for every model. {@code -Dwganc.updateGoldens=true}
 * rewrites the goldens.
 */
class LoopTextGoldenTest {
  static final Path GOLDEN = Path.of("src/test/resources/golden/LoopTextGoldenTest");

  static Stream<Path> models() throws IOException {
    return Files.list(Path.of("../models")).filter(p -> p.toString().endsWith(".wgan")).sorted();
  }

  @ParameterizedTest
  @MethodSource("models")
  void everyPhaseScheduleMatchesItsGolden(Path model) throws IOException {
    Checked checked = Compiler.check(model);
    assertTrue(checked.ok(), () -> checked.diagnostics().toString());
    Compiled compiled = Compiler.compile(checked, Target.kernels(Lowering.Draws.RANDOM,
        wganc.emit.Backend.Options.defaults().sampleN(), Schedule.Rule.GROUPS));
    String stem = model.getFileName().toString().replace(".wgan", "");
    boolean update = Boolean.getBoolean("wganc.updateGoldens");
    List<String> missing = new ArrayList<>();
    for (Compiled.Phase phase : compiled.all()) {
      String text = phase.schedule().text();
      assertEquals(text, Schedule.of(phase.graph(), Schedule.Rule.GROUPS).text(), "deterministic");
      Path golden = GOLDEN.resolve(stem).resolve(phase.name() + ".txt");
      if (update) {
        Files.createDirectories(golden.getParent());
        Files.writeString(golden, text, StandardCharsets.UTF_8);
      } else if (!Files.exists(golden)) {
        missing.add(golden.toAbsolutePath().toString());
      } else {
        assertEquals(Files.readString(golden, StandardCharsets.UTF_8), text,
            () -> "the schedule of " + phase.name() + " differs from " + golden + " (-Dwganc.updateGoldens=true if intended)");
      }
    }
    assertTrue(missing.isEmpty(), () -> "missing goldens (create with -Dwganc.updateGoldens=true): " + missing);
  }
}

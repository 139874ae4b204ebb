package wganc.loop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import wganc.Frontend;
import wganc.ir.Graph;
import wganc.lower.Lowering;
import wganc.passes.Pipeline;
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
    Frontend.Outcome o = Frontend.compile(model.toString(), Files.readAllBytes(model));
    assertTrue(o.ok(), () -> o.diagnostics().toString());
    Map<String, Graph> phases = new LinkedHashMap<>();
    for (Lowering.PhaseGraph p : Lowering.lower(o.result().model(), Lowering.Draws.RANDOM)) {
      phases.put(p.name(), Pipeline.standard().run(p.graph()).graph());
    }
    phases.put("sample", Pipeline.standard().run(Lowering.sample(o.result().model(), wganc.emit.Backend.Options.defaults().sampleN())).graph());
    String stem = model.getFileName().toString().replace(".wgan", "");
    boolean update = Boolean.getBoolean("wganc.updateGoldens");
    List<String> missing = new ArrayList<>();
    for (var e : phases.entrySet()) {
      String text = Schedule.of(e.getValue(), Schedule.Rule.GROUPS).text();
      assertEquals(text, Schedule.of(e.getValue(), Schedule.Rule.GROUPS).text(), "deterministic");
      Path golden = GOLDEN.resolve(stem).resolve(e.getKey() + ".txt");
      if (update) {
        Files.createDirectories(golden.getParent());
        Files.writeString(golden, text, StandardCharsets.UTF_8);
      } else if (!Files.exists(golden)) {
        missing.add(golden.toAbsolutePath().toString());
      } else {
        assertEquals(Files.readString(golden, StandardCharsets.UTF_8), text,
            () -> "the schedule of " + e.getKey() + " differs from " + golden + " (-Dwganc.updateGoldens=true if intended)");
      }
    }
    assertTrue(missing.isEmpty(), () -> "missing goldens (create with -Dwganc.updateGoldens=true): " + missing);
  }
}

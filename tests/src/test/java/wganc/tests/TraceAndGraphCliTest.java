package wganc.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import wganc.cli.Main;
import wganc.runtime.io.SafeTensors;
import wganc.runtime.io.Tensor;

/** `wganc graph` on every model and update, and `wganc trace`'s errors for missing and mis-shaped tensors. */
class TraceAndGraphCliTest {
  @TempDir Path dir;

  static Stream<Path> models() throws IOException {
    return Files.list(Path.of("models")).filter(p -> p.toString().endsWith(".wgan")).sorted();
  }

  static int run(StringWriter out, StringWriter err, String... args) {
    return Main.run(args, new PrintWriter(out), new PrintWriter(err));
  }

  @ParameterizedTest
  @MethodSource("models")
  void graphDrawsEveryUpdateOfEveryModel(Path model) throws Exception {
    StringWriter out = new StringWriter(), err = new StringWriter();
    assertEquals(0, run(out, err, "trace", model.toString(), "--list"), err.toString());
    for (String line : out.toString().split("\n")) {
      assertFalse(line.isBlank());
    }
    List<String> updates = wganc.compile.Compiler.check(model).result().model().training().updates().stream()
        .flatMap(u -> u.phases().stream()).map(wganc.check.Model.Phase::name).toList();
    assertTrue(updates.size() >= 2, updates.toString());
    for (String u : updates) {
      Path dot = dir.resolve(u + ".dot");
      assertEquals(0, run(new StringWriter(), err, "graph", model.toString(), "--update", u, "-o", dot.toString()),
          err.toString());
      String text = Files.readString(dot);
      assertTrue(text.startsWith("digraph wganc {") && text.contains("=> loss") && text.contains("matmul"), u);
    }
  }

  @Test
  void traceNamesMissingAndMisShapedTensors() throws Exception {
    Path w = dir.resolve("w.safetensors"), b = dir.resolve("b.safetensors"), t = dir.resolve("t.safetensors");
    new SafeTensors().put("D.0.weight", Tensor.f32(new float[6], 3, 2)).write(w);
    new SafeTensors().put("real", Tensor.f32(new float[512], 256, 2)).write(b);
    StringWriter err = new StringWriter();
    int code = run(new StringWriter(), err, "trace", "models/toy8-wgan-gp.wgan", "--weights", w.toString(), "--batch",
        b.toString(), "-o", t.toString());
    assertEquals(1, code);
    String text = err.toString();
    assertTrue(text.contains("tensor `D.0.weight` in " + w + " has shape [3, 2], expected [512, 2]"), text);
    assertTrue(text.contains("missing tensor `z` in " + b + ": expected shape [256, 2]"), text);
    assertTrue(text.contains("--list"), text);
    assertFalse(Files.exists(t), "nothing is written after an error");
  }
}

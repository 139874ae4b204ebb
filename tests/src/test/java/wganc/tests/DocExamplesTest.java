package wganc.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import wganc.compile.Checked;
import wganc.compile.Compiler;
import wganc.diag.Renderer;

/** Every ```wgan complete block of docs/language.md is a whole model that checks without a diagnostic. */
class DocExamplesTest {
  static final Path DOC = Path.of("docs/language.md");

  record Example(int line, String text) {}

  static List<Example> examples() throws IOException {
    List<String> lines = Files.readAllLines(DOC, StandardCharsets.UTF_8);
    List<Example> out = new ArrayList<>();
    for (int i = 0; i < lines.size(); i++) {
      if (!lines.get(i).strip().equals("```wgan complete")) continue;
      StringBuilder b = new StringBuilder();
      int start = i + 1;
      for (i = start; i < lines.size() && !lines.get(i).strip().equals("```"); i++) b.append(lines.get(i)).append('\n');
      out.add(new Example(start + 1, b.toString()));
    }
    return out;
  }

  @TestFactory
  Stream<DynamicTest> completeExamplesCheckClean() throws IOException {
    List<Example> all = examples();
    assertTrue(all.size() >= 5, "expected the doc's complete examples, found " + all.size());
    return all.stream().map(e -> DynamicTest.dynamicTest("docs/language.md line " + e.line(), () -> {
      Checked o = Compiler.check("docs/language.md@" + e.line(), e.text().getBytes(StandardCharsets.UTF_8));
      String shown = String.join("\n", o.diagnostics().stream().map(Renderer::render).toList());
      assertTrue(o.ok(), shown);
      assertEquals("", shown, "complete examples check without warnings");
    }));
  }
}

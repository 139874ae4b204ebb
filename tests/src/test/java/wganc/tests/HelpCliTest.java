package wganc.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Every command explains itself: `--help` exits 0 and prints its usage with paragraphs reflowed. */
class HelpCliTest {
  @ParameterizedTest
  @ValueSource(strings = {"", "check", "train", "trace", "graph", "compile", "bench", "verify", "sample", "devices"})
  void helpPrintsUsage(String command) {
    Cli c = command.isEmpty() ? Cli.run("--help") : Cli.run(command, "--help");
    assertEquals(0, c.status(), c.err());
    String out = c.out();
    assertTrue(out.startsWith("Usage: wganc" + (command.isEmpty() ? "" : " " + command)), out);
    for (String line : out.split("\n")) {
      assertTrue(line.length() <= 80, "wider than 80 columns: " + line);
      // a source line break inside a paragraph used to leave a fragment like `model.\nwgan`
      assertTrue(!line.matches("^[a-z]{1,5}[.,)]?$"), "fragment line `" + line + "` in\n" + out);
    }
  }
}

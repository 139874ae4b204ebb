package wganc.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Golden files: {@code -Dwganc.updateGoldens=true} rewrites them; a missing golden fails and prints the
 * path to create.
 */
final class Goldens {
  private Goldens() {}

  static boolean updating() { return Boolean.getBoolean("wganc.updateGoldens"); }

  static void check(Path golden, String actual) {
    try {
      if (updating()) {
        Files.createDirectories(golden.toAbsolutePath().getParent());
        Files.writeString(golden, actual, StandardCharsets.UTF_8);
        return;
      }
      if (!Files.exists(golden)) {
        fail("missing golden file " + golden + "; create it (run with -Dwganc.updateGoldens=true) with:\n" + actual);
      }
      assertEquals(Files.readString(golden, StandardCharsets.UTF_8), actual, "differs from golden " + golden);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}

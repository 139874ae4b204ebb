package wganc.runtime.diag;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class ExcerptTest {
  @Test
  void caretsUnderThePlaceWithLabelNotesAndHelp() {
    String text = new Excerpt("error: `gp` is inf", "m.wgan:12:5", 12, "\tgp = log(x)", 1, 2, "inf here",
        List.of("one note"), "a fix").render();
    assertEquals("""
        error: `gp` is inf
          --> m.wgan:12:5
           |
        12 |  gp = log(x)
           |  ^^ inf here
           |
           = note: one note
           = help: a fix
        """, text);
  }

  @Test
  void aVeryLongLineIsCutToAWindowAroundThePlace() {
    String line = "x".repeat(500) + "bad" + "y".repeat(500);
    String[] lines = new Excerpt("error: e", "m:1:501", 1, line, 500, 3, null, List.of(), null).render().split("\n");
    assertTrue(lines[3].length() < 140 && lines[3].startsWith("1 | ...") && lines[3].endsWith("..."), lines[3]);
    assertEquals(lines[3].indexOf("bad"), lines[4].indexOf("^^^"));
    assertEquals(5, lines.length);
  }
}

package wganc.diag;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class RendererTest {
  private static final SourceFile FILE = new SourceFile("models/critic.wgan",
      "model m\n\n\n\n\n\n\n\n\n\n\n\n\n  gp = norm(g, axes=[1])\n");

  @Test
  void rendersTheStyleGuideExample() {
    int start = FILE.text().indexOf("[1]");
    Diagnostic d = Diagnostic.error("W0204", "gradient penalty norm must reduce every non-batch axis",
        FILE.span(start, start + 3), "input is f32[B,1,28,28]; axes 2 and 3 stay unreduced").withHelp("use `axes=[1,2,3]`");
    assertEquals("""
        error[W0204]: gradient penalty norm must reduce every non-batch axis
          --> models/critic.wgan:14:21
           |
        14 |   gp = norm(g, axes=[1])
           |                     ^^^ input is f32[B,1,28,28]; axes 2 and 3 stay unreduced
           |
           = help: use `axes=[1,2,3]`
        """, Renderer.render(d));
  }

  @Test
  void notesComeBeforeHelpAndWarningsSayWarning() {
    SourceFile f = new SourceFile("x.wgan", "model m\n");
    Diagnostic d = Diagnostic.warning("W0706", "`m` is never used", f.span(6, 7), "unused")
        .withNote("first note").withNote("second note").withHelp("remove it");
    assertEquals("""
        warning[W0706]: `m` is never used
         --> x.wgan:1:7
          |
        1 | model m
          |       ^ unused
          |
          = note: first note
          = note: second note
          = help: remove it
        """, Renderer.render(d));
  }

  @Test
  void emptySpanAtEndOfFileGetsOneCaret() {
    SourceFile f = new SourceFile("x.wgan", "model m {\n");
    Diagnostic d = Diagnostic.error("E0010", "expected `}`, found end of file", f.span(10, 10), "unexpected here");
    String text = Renderer.render(d);
    assertTrue(text.contains("--> x.wgan:2:1"), text);
    assertTrue(text.contains("2 | \n") || text.contains("2 |\n"), text);
    assertTrue(text.contains("  | ^ unexpected here"), text);
  }

  @Test
  void tabsAndControlCharactersKeepTheCaretAligned() {
    SourceFile f = new SourceFile("x.wgan", "\tdense\u0001 @\n");
    Diagnostic d = Diagnostic.error("E0002", "unexpected character `@`", f.span(8, 9), "here");
    String text = Renderer.render(d);
    assertTrue(text.contains("1 |  dense? @\n"), text);
    assertTrue(text.contains("  |         ^ here"), text);
  }

  @Test
  void longLinesAreCutToAWindowAroundTheSpan() {
    String line = "x".repeat(5000) + "BAD" + "y".repeat(5000);
    SourceFile f = new SourceFile("x.wgan", line + "\n");
    Diagnostic d = Diagnostic.error("E0002", "bad", f.span(5000, 5003), "here");
    String[] lines = Renderer.render(d).split("\n");
    assertTrue(lines[1].endsWith("x.wgan:1:5001"), lines[1]);
    String src = lines[3];
    assertTrue(src.startsWith("1 | ...") && src.endsWith("...") && src.length() < 140, src);
    int caret = lines[4].indexOf('^');
    assertEquals("BAD", src.substring(caret, caret + 3));
    assertEquals("^^^ here", lines[4].substring(caret));
  }

  @Test
  void longQuotedCodeInMessagesIsCut() {
    String name = "a".repeat(1000);
    assertEquals("unknown layer `" + "a".repeat(Renderer.MAX_CODE - 3) + "...`", Renderer.shorten("unknown layer `" + name + "`"));
    assertEquals("unknown toy \"" + "a".repeat(Renderer.MAX_CODE - 3) + "...\"", Renderer.shorten("unknown toy \"" + name + "\""));
    assertEquals("short `dense` stays", Renderer.shorten("short `dense` stays"));
  }

  @Test
  void spanPositionsAreOneBased() {
    SourceFile f = new SourceFile("p.wgan", "ab\ncd\r\nef");
    assertEquals(3, f.lineCount());
    assertEquals("p.wgan:2:2", f.span(4, 5).position());
    assertEquals("cd", f.line(2));
    assertEquals("ef", f.line(3));
    assertEquals("p.wgan:3:1", f.span(7, 7).position());
  }
}

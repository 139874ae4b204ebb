package wganc.diag;

/**
 * Renders diagnostics the rustc/Elm way:
 * <pre>
 * error[E0201]: unknown layer `dens`
 *   --> models/x.wgan:4:3
 *    |
 *  4 |   dens 128
 *    |   ^^^^ not a layer
 *    |
 *    = help: did you mean `dense`?
 * </pre>
 * Very long lines are cut to a window around the span so a one-megabyte line prints as one screen.
 */
public final class Renderer {
  private static final int WINDOW = 120;
  private static final int LONG_LINE = 160;

  private Renderer() {}

  public static String render(Diagnostic d) {
    StringBuilder out = new StringBuilder();
    out.append(d.severity().word()).append('[').append(d.code()).append("]: ").append(shorten(d.message())).append('\n');
    Span span = d.span();
    int line = span.line();
    int col = span.column();
    String gutter = " ".repeat(String.valueOf(line).length());
    out.append(gutter).append("--> ").append(span.position()).append('\n');
    out.append(gutter).append(" |\n");
    String src = span.file().line(line);
    int lineStart = span.file().lineStart(line);
    int from = span.start() - lineStart;
    int spanEndOnLine = Math.min(span.end() - lineStart, src.length());
    int width = Math.max(1, spanEndOnLine - from);
    // cut very long lines to a window around the span
    int cutStart = 0;
    String prefix = "";
    String suffix = "";
    if (src.length() > LONG_LINE) {
      cutStart = Math.max(0, from - WINDOW / 2);
      int cutEnd = Math.min(src.length(), Math.max(cutStart + WINDOW, from + Math.min(width, WINDOW)));
      if (cutStart > 0) prefix = "...";
      if (cutEnd < src.length()) suffix = "...";
      src = src.substring(cutStart, cutEnd);
      width = Math.min(width, cutEnd - from);
    }
    String shown = prefix + printable(src) + suffix;
    out.append(line).append(" | ").append(shown.stripTrailing()).append('\n');
    int caretCol = prefix.length() + (from - cutStart);
    out.append(gutter).append(" | ").append(" ".repeat(Math.max(0, caretCol)))
        .append("^".repeat(Math.max(1, width)));
    if (d.label() != null && !d.label().isEmpty()) out.append(' ').append(shorten(d.label()));
    out.append('\n');
    if (!d.notes().isEmpty() || d.help() != null) {
      out.append(gutter).append(" |\n");
      for (String note : d.notes()) out.append(gutter).append(" = note: ").append(shorten(note)).append('\n');
      if (d.help() != null) out.append(gutter).append(" = help: ").append(shorten(d.help())).append('\n');
    }
    return out.toString();
  }

  /** Code quoted in a message longer than this is cut, so a one-megabyte name prints as one line. */
  static final int MAX_CODE = 60;

  private static final java.util.regex.Pattern LONG_CODE =
      java.util.regex.Pattern.compile("([`\"])([^`\"\n]{" + (MAX_CODE + 1) + ",})\\1");

  /** Cuts every quoted piece of code (in backticks or double quotes) longer than {@link #MAX_CODE}. */
  static String shorten(String s) {
    if (s.length() <= MAX_CODE) return s;
    return LONG_CODE.matcher(s).replaceAll(m -> java.util.regex.Matcher.quoteReplacement(
        m.group(1) + m.group(2).substring(0, MAX_CODE - 3) + "..." + m.group(1)));
  }

  /** Tabs become one space (so the caret lines up) and control characters become '?'. */
  static String printable(String s) {
    StringBuilder b = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      b.append(c == '\t' ? ' ' : (Character.isISOControl(c) ? '?' : c));
    }
    return b.toString();
  }
}

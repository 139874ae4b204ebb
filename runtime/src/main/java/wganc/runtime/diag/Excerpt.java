package wganc.runtime.diag;

import java.util.List;

/**
 * A message about a place in a model file, printed the rustc/Elm way; the compiler's diagnostics and
 * the trainer's run-time errors both print through it, so they look alike:
 * <pre>
 * error[E0201]: unknown layer `dens`
 *   --> models/x.wgan:4:3
 *    |
 *  4 |   dens 128
 *    |   ^^^^ not a layer
 *    |
 *    = help: did you mean `dense`?
 * </pre>
 * Very long lines are cut to a window around the place so a one-megabyte line prints as one screen;
 * tabs print as one space (so the carets line up) and control characters as '?'.
 *
 * @param header   the first line, e.g. {@code error[E0201]: unknown layer `dens`}
 * @param position {@code path:line:col}
 * @param line     the 1-based line number
 * @param source   the text of that line, without its terminator
 * @param from     where the carets start in {@code source}, 0-based
 * @param width    how many carets (at least 1)
 * @param label    what the carets point at, or null
 * @param help     the one line that proposes a fix, or null
 */
public record Excerpt(String header, String position, int line, String source, int from, int width, String label,
                      List<String> notes, String help) {
  private static final int WINDOW = 120;
  private static final int LONG_LINE = 160;

  public Excerpt {
    notes = List.copyOf(notes);
  }

  public String render() {
    StringBuilder out = new StringBuilder();
    out.append(header).append('\n');
    String gutter = " ".repeat(String.valueOf(line).length());
    out.append(gutter).append("--> ").append(position).append('\n');
    out.append(gutter).append(" |\n");
    String src = source;
    int shownWidth = Math.max(1, width);
    // cut very long lines to a window around the place
    int cutStart = 0;
    String prefix = "";
    String suffix = "";
    if (src.length() > LONG_LINE) {
      cutStart = Math.max(0, from - WINDOW / 2);
      int cutEnd = Math.min(src.length(), Math.max(cutStart + WINDOW, from + Math.min(shownWidth, WINDOW)));
      if (cutStart > 0) prefix = "...";
      if (cutEnd < src.length()) suffix = "...";
      src = src.substring(cutStart, cutEnd);
      shownWidth = Math.min(shownWidth, cutEnd - from);
    }
    String shown = prefix + printable(src) + suffix;
    out.append(line).append(" | ").append(shown.stripTrailing()).append('\n');
    int caretCol = prefix.length() + (from - cutStart);
    out.append(gutter).append(" | ").append(" ".repeat(Math.max(0, caretCol)))
        .append("^".repeat(Math.max(1, shownWidth)));
    if (label != null && !label.isEmpty()) out.append(' ').append(label);
    out.append('\n');
    if (!notes.isEmpty() || help != null) {
      out.append(gutter).append(" |\n");
      for (String note : notes) out.append(gutter).append(" = note: ").append(note).append('\n');
      if (help != null) out.append(gutter).append(" = help: ").append(help).append('\n');
    }
    return out.toString();
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

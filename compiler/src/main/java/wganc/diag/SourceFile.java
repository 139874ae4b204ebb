package wganc.diag;

import java.util.ArrayList;
import java.util.List;

/** The text of one model file with its line starts, for positions and for rendering source lines. */
public final class SourceFile {
  private final String path;
  private final String text;
  private final int[] lineStarts;

  public SourceFile(String path, String text) {
    this.path = path;
    this.text = text;
    List<Integer> starts = new ArrayList<>();
    starts.add(0);
    for (int i = 0; i < text.length(); i++) {
      if (text.charAt(i) == '\n') starts.add(i + 1);
    }
    lineStarts = starts.stream().mapToInt(Integer::intValue).toArray();
  }

  public String path() { return path; }
  public String text() { return text; }
  public int lineCount() { return lineStarts.length; }

  /** 1-based line of a 0-based char offset. */
  public int lineOf(int offset) {
    int lo = 0, hi = lineStarts.length - 1;
    while (lo < hi) {
      int mid = (lo + hi + 1) >>> 1;
      if (lineStarts[mid] <= offset) lo = mid; else hi = mid - 1;
    }
    return lo + 1;
  }

  /** 1-based column of a 0-based char offset. */
  public int columnOf(int offset) {
    return offset - lineStarts[lineOf(offset) - 1] + 1;
  }

  public int lineStart(int line) { return lineStarts[line - 1]; }

  /** The text of a 1-based line without its line terminator. */
  public String line(int line) {
    int start = lineStarts[line - 1];
    int end = line < lineStarts.length ? lineStarts[line] - 1 : text.length();
    if (end > start && text.charAt(end - 1) == '\r') end--;
    return text.substring(start, Math.max(start, end));
  }

  /** A span from char offsets [start, end). */
  public Span span(int start, int end) {
    return new Span(this, start, Math.max(start, end));
  }
}

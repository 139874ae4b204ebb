package wganc.diag;

/** A range [start, end) of char offsets in a source file. */
public record Span(SourceFile file, int start, int end) {
  public Span {
    if (start < 0 || end < start) throw new IllegalArgumentException("bad span " + start + ".." + end);
  }

  public int line() { return file.lineOf(start); }
  public int column() { return file.columnOf(start); }

  /** The smallest span covering both. */
  public Span to(Span other) {
    return new Span(file, Math.min(start, other.start), Math.max(end, other.end));
  }

  /** How many characters of its first line the span covers: at least 1, as many carets as show it. */
  public int widthOnLine() {
    int lineStart = file.lineStart(line());
    return Math.max(1, Math.min(end - lineStart, file.line(line()).length()) - (start - lineStart));
  }

  public String text() { return file.text().substring(start, end); }

  /** `path:line:col`. */
  public String position() { return file.path() + ":" + line() + ":" + column(); }

  @Override public String toString() { return position(); }
}

package wganc.ir;

import java.util.Objects;

/**
 * Where a binding came from in the model source (a span's start). {@link #NONE} for bindings the
 * compiler made up without a position. Printed as {@code @file:line:col}.
 */
public record Source(String file, int line, int column) {
  public static final Source NONE = new Source("", 0, 0);

  public Source {
    Objects.requireNonNull(file, "file");
  }

  public boolean isNone() {
    return equals(NONE);
  }

  @Override
  public String toString() {
    return file + ":" + line + ":" + column;
  }
}

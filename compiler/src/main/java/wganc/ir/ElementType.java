package wganc.ir;

import java.util.Locale;

/**
 * Element types. Kernels compute in {@code f32}; the reference interpreter evaluates every type in
 * double precision. {@code i64} holds counters such as the training step that keys random draws.
 */
public enum ElementType {
  F32, F64, I64;

  /** The text form: {@code f32}, {@code f64}, {@code i64}. */
  public String text() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static ElementType parse(String text) {
    for (ElementType t : values()) {
      if (t.text().equals(text)) {
        return t;
      }
    }
    throw new IllegalArgumentException("unknown dtype `" + text + "`");
  }
}

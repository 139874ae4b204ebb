package wganc.diag;

import java.util.List;

/**
 * One problem in a model file: a code (`E0101`, `W0301`), a lowercase message without a final period,
 * the smallest span with a label saying what was found, notes, and help that proposes a fix.
 */
public record Diagnostic(Severity severity, String code, String message, Span span, String label,
                         List<String> notes, String help) {
  public Diagnostic {
    notes = List.copyOf(notes);
  }

  public static Diagnostic error(String code, String message, Span span, String label) {
    return new Diagnostic(Severity.ERROR, code, message, span, label, List.of(), null);
  }

  public static Diagnostic warning(String code, String message, Span span, String label) {
    return new Diagnostic(Severity.WARNING, code, message, span, label, List.of(), null);
  }

  public Diagnostic withHelp(String help) {
    return new Diagnostic(severity, code, message, span, label, notes, help);
  }

  public Diagnostic withNote(String note) {
    var all = new java.util.ArrayList<>(notes);
    all.add(note);
    return new Diagnostic(severity, code, message, span, label, all, help);
  }

  public boolean isError() { return severity == Severity.ERROR; }
}

package wganc.check;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import wganc.diag.Diagnostic;

/** Collects diagnostics of one compilation in source order, reporting each problem once. */
public final class Diagnostics {
  private final List<Diagnostic> all = new ArrayList<>();

  public void add(Diagnostic d) {
    for (Diagnostic e : all) {
      if (e.code().equals(d.code()) && e.span().equals(d.span())) return;
    }
    all.add(d);
  }

  public boolean hasErrors() { return all.stream().anyMatch(Diagnostic::isError); }

  public int errorCount() { return (int) all.stream().filter(Diagnostic::isError).count(); }

  /** Sorted by position, errors before warnings at the same place. */
  public List<Diagnostic> sorted() {
    return all.stream().sorted(Comparator.comparingInt((Diagnostic d) -> d.span().start())
        .thenComparing(d -> d.severity().ordinal())).toList();
  }
}

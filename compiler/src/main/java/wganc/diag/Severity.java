package wganc.diag;

/** How bad a diagnostic is: an error stops compilation, a warning (a lint) does not. */
public enum Severity {
  ERROR("error"), WARNING("warning");

  private final String word;
  Severity(String word) { this.word = word; }
  public String word() { return word; }
}

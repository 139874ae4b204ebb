package wganc.diag;

import wganc.runtime.diag.Excerpt;

/**
 * Renders diagnostics the rustc/Elm way, through {@link Excerpt} (which the trainer's run-time errors
 * share), with long quoted code in messages cut short:
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
  private Renderer() {}

  public static String render(Diagnostic d) {
    Span span = d.span();
    String header = d.severity().word() + "[" + d.code() + "]: " + shorten(d.message());
    return new Excerpt(header, span.position(), span.line(), span.file().line(span.line()), span.column() - 1,
        span.widthOnLine(), d.label() == null ? null : shorten(d.label()),
        d.notes().stream().map(Renderer::shorten).toList(), d.help() == null ? null : shorten(d.help())).render();
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
}

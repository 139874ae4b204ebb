package wganc.runtime.train;

import java.io.PrintStream;
import java.util.Locale;
import java.util.function.LongSupplier;

/**
 * Training progress on a stream (normally stderr). On a terminal it is one line redrawn in place
 * with {@code \r} at most {@link #BAR_INTERVAL_NS} apart (and on the last step), padded with spaces
 * to wipe a longer previous line; elsewhere (a log file, a pipe) it is a plain line every
 * {@code every} steps and on the last step. The text comes from {@link #line} and {@link #plain}.
 */
public final class Progress {
  /** At most four redraws per second. */
  public static final long BAR_INTERVAL_NS = 250_000_000L;
  static final int BAR_WIDTH = 24;

  private final PrintStream out;
  private final boolean terminal;
  private final long every;
  private final LongSupplier clock;
  private long lastDraw = Long.MIN_VALUE;
  private int lastLength;
  private boolean open;

  /**
   * @param terminal redraw one line in place (true) or print plain lines (false)
   * @param every    steps between plain lines
   */
  public Progress(PrintStream out, boolean terminal, long every, LongSupplier nanoClock) {
    this.out = out;
    this.terminal = terminal;
    this.every = Math.max(1, every);
    this.clock = nanoClock;
  }

  /** Whether the JVM's console is a terminal (Java can only tell for stdin/stdout, not stderr). */
  public static boolean isTerminal() {
    java.io.Console c = System.console();
    return c != null && c.isTerminal();
  }

  /** Reports step {@code step} of {@code total}; names and values are the metrics to show. */
  public void update(long step, long total, String[] names, double[] values, double wasserstein,
      double stepsPerSecond) {
    if (out == null) return;
    boolean last = step >= total;
    if (terminal) {
      long now = clock.getAsLong();
      if (!last && lastDraw != Long.MIN_VALUE && now - lastDraw < BAR_INTERVAL_NS) return;
      lastDraw = now;
      String text = line(step, total, names, values, wasserstein, stepsPerSecond);
      int pad = Math.max(0, lastLength - text.length());
      out.print("\r" + text + " ".repeat(pad));
      out.flush();
      lastLength = text.length();
      open = true;
      if (last) finish();
    } else if (last || step % every == 0) {
      out.println(plain(step, total, names, values, wasserstein, stepsPerSecond));
      out.flush();
    }
  }

  /** Prints a message on its own line (ending an open progress bar first). */
  public void message(String text) {
    if (out == null) return;
    finish();
    out.println(text);
    out.flush();
  }

  /** Ends the progress bar's line. */
  public void finish() {
    if (out != null && open) {
      out.println();
      out.flush();
      open = false;
      lastLength = 0;
    }
  }

  /**
   * The terminal line, e.g.
   * {@code 1234/5000 [#####...................]  24.7% critic.loss -1.234 generator.loss 0.4560 W 1.230 | 12.3 steps/s ETA 5m06s}.
   * A NaN {@code wasserstein} is left out; a NaN metric shows as {@code nan}.
   */
  public static String line(long step, long total, String[] names, double[] values, double wasserstein,
      double stepsPerSecond) {
    int width = String.valueOf(total).length();
    double frac = total <= 0 ? 1 : Math.min(1, (double) step / total);
    int filled = (int) Math.floor(frac * BAR_WIDTH);
    StringBuilder b = new StringBuilder();
    b.append(String.format(Locale.ROOT, "%" + width + "d/%d [", step, total));
    b.append("#".repeat(filled)).append(".".repeat(BAR_WIDTH - filled)).append("] ");
    b.append(String.format(Locale.ROOT, "%5.1f%%", 100 * frac));
    metrics(b, names, values, wasserstein);
    b.append(" | ").append(rate(stepsPerSecond)).append(" ETA ").append(eta(total - step, stepsPerSecond));
    return b.toString();
  }

  /** The plain line, e.g. {@code step 1200/5000 critic.loss -1.234 generator.loss 0.4560 W 1.230 | 12.3 steps/s ETA 5m06s}. */
  public static String plain(long step, long total, String[] names, double[] values, double wasserstein,
      double stepsPerSecond) {
    StringBuilder b = new StringBuilder("step ").append(step).append('/').append(total);
    metrics(b, names, values, wasserstein);
    b.append(" | ").append(rate(stepsPerSecond)).append(" ETA ").append(eta(total - step, stepsPerSecond));
    return b.toString();
  }

  private static void metrics(StringBuilder b, String[] names, double[] values, double wasserstein) {
    for (int i = 0; i < names.length; i++) b.append(' ').append(names[i]).append(' ').append(number(values[i]));
    if (!Double.isNaN(wasserstein)) b.append(" W ").append(number(wasserstein));
  }

  /** Four significant digits, {@code nan}, {@code inf}, {@code -inf}. */
  public static String number(double v) {
    if (Double.isNaN(v)) return "nan";
    if (Double.isInfinite(v)) return v > 0 ? "inf" : "-inf";
    if (v == 0) return "0";
    double a = Math.abs(v);
    if (a >= 1e5 || a < 1e-3) return String.format(Locale.ROOT, "%.3e", v);
    return String.format(Locale.ROOT, "%.4g", v);
  }

  static String rate(double stepsPerSecond) {
    if (!(stepsPerSecond > 0) || Double.isInfinite(stepsPerSecond)) return "- steps/s";
    if (stepsPerSecond >= 100) return String.format(Locale.ROOT, "%.0f steps/s", stepsPerSecond);
    if (stepsPerSecond >= 1) return String.format(Locale.ROOT, "%.1f steps/s", stepsPerSecond);
    return String.format(Locale.ROOT, "%.1f s/step", 1 / stepsPerSecond);
  }

  /** {@code 42s}, {@code 5m06s}, {@code 2h03m}; {@code -} when the rate is unknown. */
  public static String eta(long stepsLeft, double stepsPerSecond) {
    if (stepsLeft <= 0) return "0s";
    if (!(stepsPerSecond > 0) || Double.isInfinite(stepsPerSecond)) return "-";
    long s = Math.round(stepsLeft / stepsPerSecond);
    if (s < 60) return s + "s";
    if (s < 3600) return String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60);
    return String.format(Locale.ROOT, "%dh%02dm", s / 3600, (s % 3600) / 60);
  }
}

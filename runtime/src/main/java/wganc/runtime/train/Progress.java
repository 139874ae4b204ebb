package wganc.runtime.train;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.function.IntSupplier;
import java.util.function.LongSupplier;

/**
 * Training progress on a stream (normally stderr). As a bar it is one line redrawn in place with
 * {@code \r} at most {@link #BAR_INTERVAL_NS} apart (and on the last step), fitted before each redraw
 * to the columns the terminal has then ({@link #line}), so that it never wraps; as lines (a log file,
 * a pipe) it is a plain line every {@code every} steps and on the last step ({@link #plain}). Each
 * metric is shown once: the Wasserstein estimate is one of the metric columns, not a column of its own.
 */
public final class Progress {
  /** How progress is shown. */
  public enum Style {
    /** A bar when stderr is a terminal, else lines. */
    AUTO,
    BAR,
    LINES
  }

  /** At most four redraws per second. */
  public static final long BAR_INTERVAL_NS = 250_000_000L;
  /** The bar's width where there is room. */
  static final int BAR_WIDTH = 24;
  /** Narrower than this, the bar is left out. */
  static final int MIN_BAR_WIDTH = 8;

  private final PrintStream out;
  private final IntSupplier columns;  // null: plain lines
  private final long every;
  private final LongSupplier clock;
  private long lastDraw = Long.MIN_VALUE;
  private int lastLength;
  private boolean open;

  private Progress(PrintStream out, IntSupplier columns, long every, LongSupplier nanoClock) {
    this.out = out;
    this.columns = columns;
    this.every = Math.max(1, every);
    this.clock = nanoClock;
  }

  /** One line redrawn in place, fitted to {@code columns} (asked before each redraw). */
  public static Progress bar(PrintStream out, IntSupplier columns, LongSupplier nanoClock) {
    return new Progress(out, columns, 1, nanoClock);
  }

  /** A plain line every {@code every} steps and on the last. */
  public static Progress lines(PrintStream out, long every) {
    return new Progress(out, null, every, () -> 0);
  }

  /** Progress on {@code out} in {@code style} (a bar on stderr's terminal, or lines every {@code every} steps). */
  static Progress of(PrintStream out, Style style, long every) {
    boolean bar = switch (style) {
      case BAR -> true;
      case LINES -> false;
      case AUTO -> isTerminal();
    };
    return bar ? bar(out, Progress::columns, System::nanoTime) : lines(out, every);
  }

  /** Whether stderr is a terminal (asked of JLine: Java itself can only tell for stdin and stdout). */
  public static boolean isTerminal() {
    return StderrTerminal.isTerminal();
  }

  /** The columns of the terminal on stderr now; {@code COLUMNS} when set; else 80. */
  public static int columns() {
    return StderrTerminal.columns();
  }

  /** Reports step {@code step} of {@code total}; names and values are the metrics to show. */
  public void update(long step, long total, String[] names, double[] values, double stepsPerSecond) {
    if (out == null) return;
    boolean last = step >= total;
    if (columns != null) {
      long now = clock.getAsLong();
      if (!last && lastDraw != Long.MIN_VALUE && now - lastDraw < BAR_INTERVAL_NS) return;
      lastDraw = now;
      int width = columns.getAsInt();
      String text = line(step, total, names, values, stepsPerSecond, width);
      // wipe what is left of a longer previous line, never past the last column but one
      int pad = Math.max(0, Math.min(lastLength, width - 1) - text.length());
      out.print("\r" + text + " ".repeat(pad));
      out.flush();
      lastLength = text.length();
      open = true;
      if (last) finish();
    } else if (last || step % every == 0) {
      out.println(plain(step, total, names, values, stepsPerSecond));
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
   * What the line holds; each stage of {@link #line} shows less. {@code nameLevel} is how far the
   * metric names are shortened ({@link #shortNames}); {@code metrics} is how many of the metrics are
   * kept, the most important ones ({@link #importance}).
   */
  private record Layout(boolean bar, int nameLevel, boolean shortRate, boolean percent, int metrics,
                        boolean rate) {}

  /**
   * The terminal line in at most {@code columns - 1} characters, e.g. with room:
   * {@code 1234/5000 [#####...................]  24.7% critic.loss -1.235 critic.wdist 1.230 generator.loss 0.4560 | 12.3 steps/s ETA 5m06s}.
   * With less room it gives up, in this order, until the line fits: bar width (down to
   * {@link #MIN_BAR_WIDTH}), the bar, the phase names in full ({@code critic.loss} becomes
   * {@code c.loss}, when no two names then read alike), the long rate ({@code 12.3/s}), the percentage,
   * and the metrics one at a time from the least important, but before a metric goes the other parts
   * of the names are cut to initials ({@code c.rh.loss}) if that makes room; then the rate, and the
   * last metric. The step count and the ETA stay; a line that is still too long is cut. A NaN metric
   * shows as {@code nan}.
   */
  public static String line(long step, long total, String[] names, double[] values, double stepsPerSecond,
      int columns) {
    int room = columns - 1;
    if (room <= 0) return "";
    String[][] labels = {names, shortNames(names, 1), shortNames(names, 2)};
    List<Layout> layouts = new ArrayList<>();
    layouts.add(new Layout(true, 0, false, true, names.length, true));
    layouts.add(new Layout(false, 0, false, true, names.length, true));
    layouts.add(new Layout(false, 1, false, true, names.length, true));
    layouts.add(new Layout(false, 1, true, true, names.length, true));
    for (int k = names.length; k >= 1; k--) {
      layouts.add(new Layout(false, 1, true, false, k, true));
      layouts.add(new Layout(false, 2, true, false, k, true));
    }
    if (names.length > 0) {
      layouts.add(new Layout(false, 1, true, false, 1, false));
      layouts.add(new Layout(false, 2, true, false, 1, false));
    }
    layouts.add(new Layout(false, 1, true, false, 0, false));
    int[] order = importance(names);
    String text = "";
    for (Layout l : layouts) {
      boolean[] shown = new boolean[names.length];
      for (int i = 0; i < l.metrics(); i++) shown[order[i]] = true;
      String[] shownNames = labels[l.nameLevel()];
      int barWidth = 0;
      if (l.bar()) {
        int rest = compose(step, total, shownNames, values, shown, stepsPerSecond, l, 0).length();
        barWidth = Math.min(BAR_WIDTH, room - rest);
        if (barWidth < MIN_BAR_WIDTH) continue;
      }
      text = compose(step, total, shownNames, values, shown, stepsPerSecond, l, barWidth);
      if (text.length() <= room) return text;
    }
    return text.substring(0, room);
  }

  /** One line of {@code layout}, with a bar of {@code barWidth} cells if it has one. */
  private static String compose(long step, long total, String[] names, double[] values, boolean[] shown,
      double stepsPerSecond, Layout layout, int barWidth) {
    int digits = String.valueOf(total).length();
    double frac = total <= 0 ? 1 : Math.min(1, (double) step / total);
    StringBuilder b = new StringBuilder(String.format(Locale.ROOT, "%" + digits + "d/%d", step, total));
    if (layout.bar()) {
      int filled = (int) Math.floor(frac * barWidth);
      b.append(" [").append("#".repeat(filled)).append(".".repeat(barWidth - filled)).append(']');
    }
    if (layout.percent()) b.append(String.format(Locale.ROOT, " %5.1f%%", 100 * frac));
    for (int i = 0; i < names.length; i++) {
      if (shown[i]) b.append(' ').append(names[i]).append(' ').append(number(values[i]));
    }
    if (layout.rate()) {
      b.append(layout.shortRate() ? " " + shortRate(stepsPerSecond) : " | " + rate(stepsPerSecond));
    }
    b.append(" ETA ").append(eta(total - step, stepsPerSecond));
    return b.toString();
  }

  /**
   * The metrics' indices, most important first: the Wasserstein estimate
   * ({@link TrainingStep#WASSERSTEIN}), then the losses, then the rest (a gradient penalty, say); within
   * each, in column order.
   */
  static int[] importance(String[] names) {
    Integer[] order = new Integer[names.length];
    for (int i = 0; i < order.length; i++) order[i] = i;
    Arrays.sort(order, (a, b) -> Integer.compare(rank(names[a]), rank(names[b])));  // stable
    return Arrays.stream(order).mapToInt(Integer::intValue).toArray();
  }

  private static int rank(String name) {
    String metric = name.substring(name.lastIndexOf('.') + 1);
    if (TrainingStep.WASSERSTEIN.contains(metric)) return 0;
    return metric.equals("loss") ? 1 : 2;
  }

  /**
   * The names shortened to {@code level}: 1 cuts the phase's role to its initial
   * ({@code critic.real_half.loss} becomes {@code c.real_half.loss}), 2 cuts every part but the metric
   * to its initials ({@code c.rh.loss}). A level that would make two names alike gives the level
   * below.
   */
  static String[] shortNames(String[] names, int level) {
    if (level == 0) return names;
    String[] out = new String[names.length];
    for (int i = 0; i < names.length; i++) {
      String[] parts = names[i].split("\\.", -1);
      int cut = level == 1 ? Math.min(1, parts.length - 1) : parts.length - 1;
      for (int p = 0; p < cut; p++) parts[p] = initials(parts[p]);
      out[i] = String.join(".", parts);
    }
    return new HashSet<>(List.of(out)).size() < names.length ? shortNames(names, level - 1) : out;
  }

  /** {@code c} for {@code critic}, {@code rh} for {@code real_half}. */
  private static String initials(String part) {
    StringBuilder b = new StringBuilder();
    for (String word : part.split("_")) {
      if (!word.isEmpty()) b.append(word.charAt(0));
    }
    return b.isEmpty() ? part : b.toString();
  }

  /** The plain line, e.g. {@code step 1200/5000 critic.loss -1.234 generator.loss 0.4560 | 12.3 steps/s ETA 5m06s}. */
  public static String plain(long step, long total, String[] names, double[] values, double stepsPerSecond) {
    StringBuilder b = new StringBuilder("step ").append(step).append('/').append(total);
    for (int i = 0; i < names.length; i++) b.append(' ').append(names[i]).append(' ').append(number(values[i]));
    b.append(" | ").append(rate(stepsPerSecond)).append(" ETA ").append(eta(total - step, stepsPerSecond));
    return b.toString();
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

  /** {@code 12.3/s}, {@code 2.0s/step}, {@code -/s}. */
  static String shortRate(double stepsPerSecond) {
    return rate(stepsPerSecond).replace(" steps/s", "/s").replace(" s/step", "s/step");
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

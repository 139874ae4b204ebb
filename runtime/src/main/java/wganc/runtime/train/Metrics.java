package wganc.runtime.train;

import java.io.Closeable;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import wganc.runtime.image.LossPlot;
import wganc.runtime.metrics.MetricsCsv;

/**
 * The metrics of a run: {@code metrics.csv}, a row per step with the columns {@code step},
 * {@code <phase>.<metric>} for every metric of every distinct training phase (from its last
 * invocation in the step, in float's shortest form) and {@code steps_per_s} (over the last 32 steps
 * of this session), and the history of every metric behind {@code loss.png}
 * ({@link #lossPanels}). On resume the file drops the rows logged after the checkpoint and the
 * history is read back from it.
 */
final class Metrics implements Closeable {
  static final String FILE = "metrics.csv";
  private final List<BoundPhase> phases;
  /** {@code step}, the metric columns, {@code steps_per_s}. */
  private final List<String> columns = new ArrayList<>(List.of("step"));
  /** The metric columns' names, and the statement each logs. */
  private final String[] names;
  private final List<String> statements = new ArrayList<>();
  /** The last row's values after {@code step}: the metrics, then the rate. */
  private final double[] last;
  /** The metrics of {@link #last} alone (what progress shows). */
  private final double[] current;
  private MetricsCsv csv;
  private long[] historySteps = new long[256];
  private final double[][] history;
  private int historySize;
  private final long[] times = new long[32];
  private long firstStep;

  /** @param phases the distinct training phases, in the order their metrics are logged */
  Metrics(List<BoundPhase> phases) {
    this.phases = List.copyOf(phases);
    for (BoundPhase p : phases) {
      for (String m : p.metrics) {
        columns.add(p.name + "." + m);
        statements.add(m);
      }
    }
    columns.add("steps_per_s");
    names = columns.subList(1, columns.size() - 1).toArray(String[]::new);
    last = new double[columns.size() - 1];
    Arrays.fill(last, Double.NaN);
    current = new double[names.length];
    history = new double[names.length][historySteps.length];
  }

  List<BoundPhase> phases() {
    return phases;
  }

  /** Starts the file in {@code run} afresh, or (after resuming at step {@code resumedFrom}) reopens it. */
  void open(RunDirectory run, Long resumedFrom) throws IOException {
    Path file = run.resolve(FILE);
    csv = resumedFrom != null ? MetricsCsv.resume(file, columns, resumedFrom) : MetricsCsv.create(file, columns);
  }

  /** Reads the history back from the file in {@code run}, skipping rows of another width. */
  void loadHistory(RunDirectory run) throws IOException {
    List<String> lines = Files.readAllLines(run.resolve(FILE), StandardCharsets.UTF_8);
    double[] v = new double[columns.size() - 1];
    for (int i = 1; i < lines.size(); i++) {
      String[] cells = lines.get(i).split(",", -1);
      if (cells.length != columns.size()) continue;
      for (int c = 1; c < cells.length; c++) v[c - 1] = parse(cells[c]);
      addHistory(Long.parseLong(cells[0].strip()), v);
    }
  }

  private static double parse(String s) {
    return switch (s.strip()) {
      case "", "nan" -> Double.NaN;
      case "inf" -> Double.POSITIVE_INFINITY;
      case "-inf" -> Double.NEGATIVE_INFINITY;
      default -> Double.parseDouble(s.strip());
    };
  }

  /** Starts timing steps after step {@code step}, where this session starts its loop. */
  void startClock(long step) {
    Arrays.fill(times, System.nanoTime());
    firstStep = step;
  }

  /** Logs step {@code step}, just done, as a row and in the history; returns its steps per second. */
  double log(long step) throws IOException {
    long now = System.nanoTime();
    long then = times[(int) (step % times.length)];
    times[(int) (step % times.length)] = now;
    long window = Math.min(step - firstStep, times.length);
    double rate = now > then ? window * 1e9 / (now - then) : Double.NaN;
    Object[] row = new Object[columns.size()];
    row[0] = step;
    int c = 0;
    for (BoundPhase p : phases) {
      for (int m = 0; m < p.metrics.length; m++, c++) {
        float v = p.metric(m);
        last[c] = v;
        row[c + 1] = v;  // a Float: written in float's shortest form
      }
    }
    last[c] = rate;
    row[c + 1] = rate;
    csv.row(row);
    addHistory(step, last);
    System.arraycopy(last, 0, current, 0, current.length);
    return rate;
  }

  private void addHistory(long step, double[] values) {
    if (historySize == historySteps.length) {
      historySteps = Arrays.copyOf(historySteps, 2 * historySize);
      for (int c = 0; c < history.length; c++) history[c] = Arrays.copyOf(history[c], 2 * historySize);
    }
    historySteps[historySize] = step;
    for (int c = 0; c < history.length; c++) history[c][historySize] = values[c];
    historySize++;
  }

  /** The metric columns' names. */
  String[] names() {
    return names;
  }

  /** The metric columns' values in the last row. */
  double[] values() {
    return current;
  }

  /** Every column but {@code step} with its value in the last row (NaN before one). */
  Map<String, Double> lastRow() {
    Map<String, Double> m = new LinkedHashMap<>();
    for (int c = 1; c < columns.size(); c++) m.put(columns.get(c), last[c - 1]);
    return m;
  }

  boolean hasHistory() {
    return historySize > 0;
  }

  /** The panels of {@code loss.png} ({@link LossPanels}) from the history. */
  List<LossPlot.Panel> lossPanels() {
    double[][] values = new double[history.length][];
    for (int c = 0; c < history.length; c++) values[c] = Arrays.copyOf(history[c], historySize);
    return LossPanels.group(List.of(names), statements, Arrays.copyOf(historySteps, historySize), values);
  }

  @Override
  public void close() throws IOException {
    csv.close();
  }
}

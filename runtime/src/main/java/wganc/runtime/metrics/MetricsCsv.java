package wganc.runtime.metrics;

import java.io.BufferedWriter;
import java.io.Closeable;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import wganc.runtime.io.AtomicFiles;

/**
 * The run's {@code metrics.csv}: a header line of column names, then one row per logged step,
 * flushed to the operating system after every row (not fsynced, which would cost a disk sync per
 * step). The first column is the step. {@link #resume} reopens an existing file for appending,
 * first dropping (by an atomic rewrite) any row logged after the checkpoint being resumed, so a
 * resumed run does not log the same step twice. Numbers use Java's shortest round-trip form
 * ({@code 0.1}, {@code 1.0E-5}); non-finite values are {@code nan}, {@code inf} and {@code -inf};
 * strings are quoted when they hold a comma, quote or line break.
 */
public final class MetricsCsv implements Closeable {
    private final List<String> columns;
    private final BufferedWriter out;

    private MetricsCsv(List<String> columns, BufferedWriter out) {
        this.columns = List.copyOf(columns);
        this.out = out;
    }

    /** Starts a new file (replacing any old one) with the header {@code columns}. */
    public static MetricsCsv create(Path path, List<String> columns) throws IOException {
        if (columns.isEmpty()) throw new IllegalArgumentException("a metrics file needs at least one column");
        AtomicFiles.writeString(path, line(new ArrayList<>(columns)));
        return new MetricsCsv(columns, append(path));
    }

    /**
     * Reopens {@code path} for appending after resuming from {@code resumeStep}: rows whose step is
     * greater are dropped. A missing file is created. The header must equal {@code columns}.
     */
    public static MetricsCsv resume(Path path, List<String> columns, long resumeStep) throws IOException {
        if (!Files.exists(path)) return create(path, columns);
        List<String> lines = Files.readAllLines(path, StandardCharsets.UTF_8);
        String header = line(new ArrayList<>(columns)).stripTrailing();
        if (lines.isEmpty() || !lines.getFirst().equals(header)) {
            throw new IOException(path + ": header `" + (lines.isEmpty() ? "" : lines.getFirst())
                    + "` differs from this run's columns `" + header + "`; cannot resume into it");
        }
        StringBuilder kept = new StringBuilder(header).append('\n');
        boolean dropped = false;
        for (int i = 1; i < lines.size(); i++) {
            String l = lines.get(i);
            if (l.isEmpty()) continue;
            int comma = l.indexOf(',');
            String first = comma < 0 ? l : l.substring(0, comma);
            long step;
            try {
                step = Long.parseLong(first.strip());
            } catch (NumberFormatException e) {
                throw new IOException(path + ":" + (i + 1) + ": step `" + first + "` is not an integer");
            }
            if (step > resumeStep) {
                dropped = true;
            } else {
                kept.append(l).append('\n');
            }
        }
        if (dropped || !Files.readString(path, StandardCharsets.UTF_8).endsWith("\n")) {
            AtomicFiles.writeString(path, kept.toString());
        }
        return new MetricsCsv(columns, append(path));
    }

    private static BufferedWriter append(Path path) throws IOException {
        return Files.newBufferedWriter(path, StandardCharsets.UTF_8, StandardOpenOption.APPEND);
    }

    public List<String> columns() {
        return columns;
    }

    /** Appends one row (one value per column) and flushes it. */
    public void row(Object... values) throws IOException {
        if (values.length != columns.size()) {
            throw new IllegalArgumentException("row has " + values.length + " values but the file has "
                    + columns.size() + " columns " + columns);
        }
        List<String> cells = new ArrayList<>(values.length);
        for (Object v : values) cells.add(format(v));
        out.write(line(cells));
        out.flush();
    }

    @Override
    public void close() throws IOException {
        out.close();
    }

    static String format(Object v) {
        if (v == null) return "";
        if (v instanceof Double d) return number(d, Double.toString(d));
        if (v instanceof Float f) return number(f, Float.toString(f));
        if (v instanceof Number) return v.toString();
        return v.toString();
    }

    private static String number(double d, String text) {
        if (Double.isNaN(d)) return "nan";
        if (Double.isInfinite(d)) return d > 0 ? "inf" : "-inf";
        return text;
    }

    private static String quote(String s) {
        if (s.indexOf(',') < 0 && s.indexOf('"') < 0 && s.indexOf('\n') < 0 && s.indexOf('\r') < 0) return s;
        return '"' + s.replace("\"", "\"\"") + '"';
    }

    private static String line(List<String> cells) {
        List<String> q = new ArrayList<>(cells.size());
        for (String c : cells) q.add(quote(c));
        return String.join(",", q) + "\n";
    }
}

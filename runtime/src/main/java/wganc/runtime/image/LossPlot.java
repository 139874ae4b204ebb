package wganc.runtime.image;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.Path2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Training curves: panels stacked top to bottom under a title, each a group of named series of
 * (step, value) drawn as lines over its own y axis, all panels sharing the step axis; drawn with
 * Java2D and written as PNG. A panel's y axis fits its own values, so a penalty of 0.01 is not a flat
 * line beside losses of 1, and is logarithmic when every value is positive and they span more than
 * {@link #LOG_SPAN} times. Non-finite values break a line instead of stretching the axes.
 */
public final class LossPlot {
    private LossPlot() {}

    /** Height of the title strip above the panels. */
    static final int HEADER = 28;
    /** A panel's y axis is logarithmic when its values are all positive and max/min exceeds this. */
    static final double LOG_SPAN = 100;

    /** One curve: values at the given steps (same length). */
    public record Series(String name, long[] steps, double[] values) {
        public Series {
            if (steps.length != values.length) {
                throw new IllegalArgumentException("series `" + name + "` has " + steps.length + " steps but "
                        + values.length + " values");
            }
        }
    }

    /** Curves that share a y axis, under a panel title. */
    public record Panel(String title, List<Series> series) {
        public Panel {
            series = List.copyOf(series);
        }
    }

    /** The colour of series {@code i} (a ten-colour palette, cycled). */
    public static Color color(int i) {
        return Axes.PALETTE[i % Axes.PALETTE.length];
    }

    /**
     * Renders the panels, {@code panelHeight} pixels each, with x = step. Series are numbered across
     * panels for their colours ({@link #color}).
     */
    public static BufferedImage render(String title, List<Panel> panels, int width, int panelHeight) {
        double xlo = Double.MAX_VALUE, xhi = -Double.MAX_VALUE;
        for (Panel p : panels) {
            for (Series s : p.series) {
                for (int i = 0; i < s.steps.length; i++) {
                    if (!Double.isFinite(s.values[i])) continue;
                    xlo = Math.min(xlo, s.steps[i]);
                    xhi = Math.max(xhi, s.steps[i]);
                }
            }
        }
        double[] x = xlo > xhi ? new double[] {0, 1} : Axes.niceRange(xlo, xhi);
        BufferedImage out = new BufferedImage(width, HEADER + Math.max(1, panels.size()) * panelHeight,
                BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, out.getWidth(), out.getHeight());
        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 14));
        FontMetrics fm = g.getFontMetrics();
        g.drawString(title, (width - fm.stringWidth(title)) / 2, HEADER - 8);
        int first = 0;
        for (int k = 0; k < panels.size(); k++) {
            g.drawImage(panel(panels.get(k), first, x, width, panelHeight), 0, HEADER + k * panelHeight, null);
            first += panels.get(k).series.size();
        }
        g.dispose();
        return out;
    }

    /** Renders and writes the plot atomically as PNG. */
    public static void write(String title, List<Panel> panels, int width, int panelHeight, Path out)
            throws IOException {
        Png.write(render(title, panels, width, panelHeight), out);
    }

    /** One panel over steps {@code [x[0], x[1]]}; its series take colours from {@code firstColor} on. */
    static BufferedImage panel(Panel p, int firstColor, double[] x, int width, int height) {
        double ylo = Double.MAX_VALUE, yhi = -Double.MAX_VALUE;
        for (Series s : p.series) {
            for (double v : s.values) {
                if (!Double.isFinite(v)) continue;
                ylo = Math.min(ylo, v);
                yhi = Math.max(yhi, v);
            }
        }
        boolean log = ylo > 0 && yhi / ylo > LOG_SPAN;
        double[] y = ylo > yhi ? new double[] {0, 1} : log ? Axes.logRange(ylo, yhi) : Axes.niceRange(ylo, yhi);
        Axes ax = new Axes(width, height, x[0], x[1], y[0], y[1], log);
        ax.drawFrame(p.title + (log ? " (log scale)" : ""), "step", null);
        ax.g.clipRect(ax.px0, ax.py0, ax.px1 - ax.px0 + 1, ax.py1 - ax.py0 + 1);
        ax.g.setStroke(new BasicStroke(1.5f, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
        List<String> names = new ArrayList<>();
        List<Color> colors = new ArrayList<>();
        for (int k = 0; k < p.series.size(); k++) {
            Series s = p.series.get(k);
            Color c = color(firstColor + k);
            ax.g.setColor(c);
            Path2D.Double path = new Path2D.Double();
            boolean pen = false;
            for (int i = 0; i < s.steps.length; i++) {
                if (!Double.isFinite(s.values[i])) {
                    pen = false;
                    continue;
                }
                double px = ax.px(s.steps[i]);
                double py = ax.py(s.values[i]);
                if (pen) {
                    path.lineTo(px, py);
                } else {
                    path.moveTo(px, py);
                    path.lineTo(px, py);
                    pen = true;
                }
            }
            ax.g.draw(path);
            names.add(s.name);
            colors.add(c);
        }
        ax.g.setClip(null);
        ax.drawLegend(names, colors);
        return ax.finish();
    }
}

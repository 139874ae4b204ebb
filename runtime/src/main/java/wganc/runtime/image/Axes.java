package wganc.runtime.image;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.AffineTransform;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A 2-D plot frame drawn with Java2D: a white canvas, a plot area with data-to-pixel maps, "nice"
 * ticks (1, 2 or 5 times a power of ten) with labels and grid lines, axis labels, a title, a legend
 * and a note. The y axis is linear or logarithmic (ticks at powers of ten, and at 2 and 5 times them
 * when the range spans few decades). Shared by {@link Scatter} and {@link LossPlot}.
 */
final class Axes {
    static final Color[] PALETTE = {
        new Color(0x1f77b4), new Color(0xff7f0e), new Color(0x2ca02c), new Color(0xd62728),
        new Color(0x9467bd), new Color(0x8c564b), new Color(0xe377c2), new Color(0x7f7f7f),
        new Color(0xbcbd22), new Color(0x17becf),
    };
    static final int LEFT = 72;
    static final int RIGHT = 20;
    static final int TOP = 32;
    static final int BOTTOM = 48;

    final BufferedImage image;
    final Graphics2D g;
    final double xmin;
    final double xmax;
    final double ymin;
    final double ymax;
    final boolean logY;
    final int px0;
    final int px1;
    final int py0;
    final int py1;

    /** A canvas of {@code width x height} whose plot area shows {@code [xmin, xmax] x [ymin, ymax]}. */
    Axes(int width, int height, double xmin, double xmax, double ymin, double ymax) {
        this(width, height, xmin, xmax, ymin, ymax, false);
    }

    /** The same with a logarithmic y axis when {@code logY} ({@code ymin} must then be positive). */
    Axes(int width, int height, double xmin, double xmax, double ymin, double ymax, boolean logY) {
        if (logY && !(ymin > 0)) throw new IllegalArgumentException("a log axis needs ymin > 0, got " + ymin);
        if (width < LEFT + RIGHT + 20 || height < TOP + BOTTOM + 20) {
            throw new IllegalArgumentException("plot of " + width + "x" + height + " is too small");
        }
        this.image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        this.g = image.createGraphics();
        this.xmin = xmin;
        this.xmax = xmax;
        this.ymin = ymin;
        this.ymax = ymax;
        this.logY = logY;
        this.px0 = LEFT;
        this.px1 = width - RIGHT;
        this.py0 = TOP;
        this.py1 = height - BOTTOM;
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, width, height);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
    }

    double px(double x) {
        return px0 + (x - xmin) / (xmax - xmin) * (px1 - px0);
    }

    double py(double y) {
        double t = logY ? Math.log10(y / ymin) / Math.log10(ymax / ymin) : (y - ymin) / (ymax - ymin);
        return py1 - t * (py1 - py0);
    }

    /** Grid lines, frame, ticks with labels, axis labels and title. */
    void drawFrame(String title, String xLabel, String yLabel) {
        double[] xt = ticks(xmin, xmax, 6);
        double[] yt = logY ? logTicks(ymin, ymax) : ticks(ymin, ymax, 6);
        double xstep = xt.length > 1 ? xt[1] - xt[0] : 1;
        double ystep = yt.length > 1 ? yt[1] - yt[0] : 1;
        g.setStroke(new BasicStroke(1f));
        g.setColor(new Color(0xe8e8e8));
        for (double t : xt) g.drawLine((int) Math.round(px(t)), py0, (int) Math.round(px(t)), py1);
        for (double t : yt) g.drawLine(px0, (int) Math.round(py(t)), px1, (int) Math.round(py(t)));
        g.setColor(Color.BLACK);
        g.drawRect(px0, py0, px1 - px0, py1 - py0);
        FontMetrics fm = g.getFontMetrics();
        for (double t : xt) {
            int x = (int) Math.round(px(t));
            g.drawLine(x, py1, x, py1 + 4);
            String s = format(t, xstep);
            g.drawString(s, x - fm.stringWidth(s) / 2, py1 + 6 + fm.getAscent());
        }
        for (double t : yt) {
            int y = (int) Math.round(py(t));
            g.drawLine(px0 - 4, y, px0, y);
            String s = format(t, logY ? t : ystep);
            g.drawString(s, px0 - 7 - fm.stringWidth(s), y + fm.getAscent() / 2 - 1);
        }
        if (xLabel != null) {
            g.drawString(xLabel, (px0 + px1 - fm.stringWidth(xLabel)) / 2, image.getHeight() - 8);
        }
        if (yLabel != null) {
            AffineTransform saved = g.getTransform();
            g.rotate(-Math.PI / 2);
            g.drawString(yLabel, -(py0 + py1 + fm.stringWidth(yLabel)) / 2, 14);
            g.setTransform(saved);
        }
        if (title != null) {
            Font f = g.getFont();
            g.setFont(f.deriveFont(Font.BOLD, 13f));
            FontMetrics tm = g.getFontMetrics();
            g.drawString(title, (px0 + px1 - tm.stringWidth(title)) / 2, py0 - 10);
            g.setFont(f);
        }
    }

    /** A legend box in the top-right corner of the plot area: a colour swatch and a name per entry. */
    void drawLegend(List<String> names, List<Color> colors) {
        if (names.isEmpty()) return;
        FontMetrics fm = g.getFontMetrics();
        int line = fm.getHeight() + 2;
        int textW = 0;
        for (String n : names) textW = Math.max(textW, fm.stringWidth(n));
        int w = 8 + 18 + 6 + textW + 8;
        int h = 6 + line * names.size() + 2;
        int x = px1 - w - 8;
        int y = py0 + 8;
        g.setColor(new Color(255, 255, 255, 230));
        g.fillRect(x, y, w, h);
        g.setColor(Color.GRAY);
        g.drawRect(x, y, w, h);
        for (int i = 0; i < names.size(); i++) {
            int cy = y + 6 + i * line + line / 2;
            g.setColor(colors.get(i));
            g.fillRect(x + 8, cy - 3, 18, 6);
            g.setColor(Color.BLACK);
            g.drawString(names.get(i), x + 8 + 18 + 6, cy + fm.getAscent() / 2 - 1);
        }
    }

    /** A line of text in a white box in the bottom-left corner of the plot area. */
    void drawNote(String text, Color color) {
        FontMetrics fm = g.getFontMetrics();
        int w = fm.stringWidth(text) + 10;
        int h = fm.getHeight() + 4;
        int x = px0 + 6;
        int y = py1 - 6 - h;
        g.setColor(new Color(255, 255, 255, 230));
        g.fillRect(x, y, w, h);
        g.setColor(color);
        g.drawRect(x, y, w, h);
        g.drawString(text, x + 5, y + 2 + fm.getAscent());
    }

    BufferedImage finish() {
        g.dispose();
        return image;
    }

    /** Tick values inside {@code [lo, hi]} at a 1-2-5 step giving about {@code target} ticks. */
    static double[] ticks(double lo, double hi, int target) {
        double step = niceStep((hi - lo) / target);
        long first = (long) Math.ceil(lo / step - 1e-9);
        List<Double> out = new ArrayList<>();
        for (long k = first; k * step <= hi + step * 1e-9 && out.size() < 100; k++) {
            double v = k * step;
            out.add(Math.abs(v) < step * 1e-9 ? 0.0 : v);
        }
        return out.stream().mapToDouble(Double::doubleValue).toArray();
    }

    static double niceStep(double raw) {
        if (!(raw > 0) || Double.isInfinite(raw)) return 1;
        double mag = Math.pow(10, Math.floor(Math.log10(raw)));
        double norm = raw / mag;
        double nice = norm < 1.5 ? 1 : norm < 3 ? 2 : norm < 7 ? 5 : 10;
        return nice * mag;
    }

    /** {@code [lo, hi]} widened to whole tick steps, and widened around a single value. */
    static double[] niceRange(double lo, double hi) {
        if (!(lo <= hi) || Double.isInfinite(lo) || Double.isInfinite(hi)) return new double[] {0, 1};
        if (lo == hi) {
            double pad = lo == 0 ? 1 : Math.abs(lo) * 0.1;
            lo -= pad;
            hi += pad;
        }
        double step = niceStep((hi - lo) / 6);
        return new double[] {Math.floor(lo / step) * step, Math.ceil(hi / step) * step};
    }

    /** {@code [lo, hi]} (both positive) widened to whole powers of ten. */
    static double[] logRange(double lo, double hi) {
        double a = Math.floor(Math.log10(lo) + 1e-9);
        double b = Math.ceil(Math.log10(hi) - 1e-9);
        if (b <= a) b = a + 1;
        return new double[] {Math.pow(10, a), Math.pow(10, b)};
    }

    /** Powers of ten in {@code [lo, hi]}, and 2 and 5 times them when it spans fewer than three decades. */
    static double[] logTicks(double lo, double hi) {
        List<Double> out = new ArrayList<>();
        int first = (int) Math.floor(Math.log10(lo) + 1e-9);
        int last = (int) Math.ceil(Math.log10(hi) - 1e-9);
        boolean fine = last - first < 3;
        for (int e = first; e <= last && out.size() < 100; e++) {
            for (double m : fine ? new double[] {1, 2, 5} : new double[] {1}) {
                double v = m * Math.pow(10, e);
                if (v >= lo * (1 - 1e-9) && v <= hi * (1 + 1e-9)) out.add(v);
            }
        }
        return out.stream().mapToDouble(Double::doubleValue).toArray();
    }

    /** A tick label with as many decimals as the step needs; scientific for very large or small. */
    static String format(double v, double step) {
        if (v == 0) return "0";
        double a = Math.abs(v);
        if (a >= 1e6 || a < 1e-4) return String.format(Locale.ROOT, "%.2g", v).replace("e+0", "e").replace("e-0", "e-");
        int decimals = Math.max(0, (int) -Math.floor(Math.log10(step) + 1e-9));
        return String.format(Locale.ROOT, "%." + decimals + "f", v);
    }
}

package wganc.runtime.image;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Line2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A scatter plot of 2-D toy samples: real points (blue) and generated points (orange) as small dots
 * over axes with ticks and a legend, drawn with Java2D and written as PNG. Points are {@code [n, 2]}
 * row-major float arrays. Every generated point is shown: one outside the bounds is drawn on the
 * border where it left (a red cross), and a note on the picture counts those and any that are not
 * finite. {@link #bounds} chooses axes that hold every point unless one is very far out.
 */
public final class Scatter {
    private Scatter() {}

    static final Color REAL = Axes.PALETTE[0];
    static final Color FAKE = Axes.PALETTE[1];
    static final Color OUTSIDE = Axes.PALETTE[3];
    static final double RADIUS = 1.6;
    /** Generated points widen the axes to at most this many times the real points' square. */
    public static final double CAP = 5;

    /**
     * Renders the plot over {@code bounds} = {@code {xmin, xmax, ymin, ymax}}; real points outside
     * them are left out, generated ones drawn on the border and counted.
     */
    public static BufferedImage render(float[] real, float[] fake, double[] bounds, int width, int height,
            String title) {
        double[] b = bounds;
        if (b.length != 4 || !(b[1] > b[0]) || !(b[3] > b[2])) {
            throw new IllegalArgumentException("bounds must be {xmin, xmax, ymin, ymax} with min < max");
        }
        Axes ax = new Axes(width, height, b[0], b[1], b[2], b[3]);
        ax.drawFrame(title, "x", "y");
        ax.g.clipRect(ax.px0, ax.py0, ax.px1 - ax.px0, ax.py1 - ax.py0);
        if (real != null) dots(ax, place(ax, real), REAL, false);
        ax.g.setClip(null);
        Placed p = fake == null ? place(ax, new float[0]) : place(ax, fake);
        dots(ax, p, FAKE, true);
        List<String> names = new ArrayList<>(List.of("real", "generated"));
        List<Color> colors = new ArrayList<>(List.of(REAL, FAKE));
        if (p.outside > 0) {
            names.add("outside, on the border");
            colors.add(OUTSIDE);
        }
        ax.drawLegend(names, colors);
        String note = note(p);
        if (note != null) ax.drawNote(note, p.outside > 0 ? OUTSIDE : Color.BLACK);
        return ax.finish();
    }

    /** Renders and writes the plot atomically as PNG. */
    public static void write(float[] real, float[] fake, double[] bounds, int width, int height, String title,
            Path out) throws IOException {
        Png.write(render(real, fake, bounds, width, height, title), out);
    }

    /**
     * Square bounds {@code {-m, m, -m, m}} for a frame. {@code m} starts at 1.5 times the largest
     * real coordinate (or 1) and grows, to a 1-1.5-2-2.5-3-4-5-6-8 step, until every finite generated
     * point fits with a margin, but to at most {@link #CAP} times that, so one far point does not
     * squash the real data into a dot; it never shrinks below {@code previous}'s (null for none), so
     * the frames of a GIF share their axes until a point needs more room. With no real points, the
     * generated ones alone decide, uncapped.
     */
    public static double[] bounds(float[] real, float[] fake, double[] previous) {
        double base = maxAbs(real) * 1.5;
        double far = maxAbs(fake) * 1.05;
        double m;
        if (base > 0) {
            m = far > base ? Math.min(niceCeil(far), CAP * base) : base;
        } else {
            m = far > 0 ? niceCeil(far) : 1;
        }
        if (previous != null) m = Math.max(m, previous[1]);
        return new double[] {-m, m, -m, m};
    }

    /** Pixel positions of points: those outside the bounds are moved onto the border and counted. */
    record Placed(double[] x, double[] y, boolean[] clipped, int count, int outside, int nonFinite) {}

    static Placed place(Axes ax, float[] pts) {
        int n = pts.length / 2;
        double[] x = new double[n];
        double[] y = new double[n];
        boolean[] out = new boolean[n];
        int outside = 0, nonFinite = 0;
        for (int i = 0; i < n; i++) {
            float a = pts[2 * i], b = pts[2 * i + 1];
            if (!Float.isFinite(a) || !Float.isFinite(b)) {
                x[i] = y[i] = Double.NaN;
                nonFinite++;
                continue;
            }
            double cx = Math.clamp(a, ax.xmin, ax.xmax);
            double cy = Math.clamp(b, ax.ymin, ax.ymax);
            out[i] = cx != a || cy != b;
            if (out[i]) outside++;
            x[i] = ax.px(cx);
            y[i] = ax.py(cy);
        }
        return new Placed(x, y, out, n, outside, nonFinite);
    }

    /** Dots in {@code color}; with {@code marked}, points outside the bounds as crosses on the border. */
    private static void dots(Axes ax, Placed p, Color color, boolean marked) {
        ax.g.setColor(color);
        for (int i = 0; i < p.count; i++) {
            if (Double.isNaN(p.x[i]) || p.clipped[i]) continue;
            ax.g.fill(new Ellipse2D.Double(p.x[i] - RADIUS, p.y[i] - RADIUS, 2 * RADIUS, 2 * RADIUS));
        }
        if (!marked || p.outside == 0) return;
        ax.g.setColor(OUTSIDE);
        ax.g.setStroke(new BasicStroke(1.5f));
        double r = 3;
        for (int i = 0; i < p.count; i++) {
            if (!p.clipped[i]) continue;
            ax.g.draw(new Line2D.Double(p.x[i] - r, p.y[i] - r, p.x[i] + r, p.y[i] + r));
            ax.g.draw(new Line2D.Double(p.x[i] - r, p.y[i] + r, p.x[i] + r, p.y[i] - r));
        }
    }

    /** "12 of 64 generated points outside the axes, 3 not finite", or null when all are inside. */
    static String note(Placed p) {
        if (p.outside == 0 && p.nonFinite == 0) return null;
        String lead = p.count + " generated points ";
        if (p.nonFinite == 0) return p.outside + " of " + lead + "outside the axes";
        if (p.outside == 0) return p.nonFinite + " of " + lead + "not finite";
        return p.outside + " of " + lead + "outside the axes, " + p.nonFinite + " not finite";
    }

    private static double maxAbs(float[] pts) {
        double m = 0;
        if (pts != null) for (float v : pts) if (Float.isFinite(v)) m = Math.max(m, Math.abs(v));
        return m;
    }

    /** The smallest 1, 1.5, 2, 2.5, 3, 4, 5, 6 or 8 times a power of ten that is at least {@code v > 0}. */
    static double niceCeil(double v) {
        double mag = Math.pow(10, Math.floor(Math.log10(v)));
        for (double k : new double[] {1, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10}) {
            if (k * mag >= v * (1 - 1e-12)) return k * mag;
        }
        return 10 * mag;
    }
}

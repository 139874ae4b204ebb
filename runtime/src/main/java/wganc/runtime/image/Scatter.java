package wganc.runtime.image;

import java.awt.Color;
import java.awt.geom.Ellipse2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * A scatter plot of 2-D toy samples: real points (blue) and generated points (orange) as small
 * dots over axes with ticks and a legend, drawn with Java2D and written as PNG. Points are
 * {@code [n, 2]} row-major float arrays; points outside the bounds are clipped.
 */
public final class Scatter {
    private Scatter() {}

    static final Color REAL = Axes.PALETTE[0];
    static final Color FAKE = Axes.PALETTE[1];
    static final double RADIUS = 1.6;

    /**
     * Renders the plot. {@code bounds} is {@code {xmin, xmax, ymin, ymax}}, or null to fit all points
     * with a margin.
     */
    public static BufferedImage render(float[] real, float[] fake, double[] bounds, int width, int height,
            String title) {
        double[] b = bounds != null ? bounds.clone() : fit(real, fake);
        if (b.length != 4 || !(b[1] > b[0]) || !(b[3] > b[2])) {
            throw new IllegalArgumentException("bounds must be {xmin, xmax, ymin, ymax} with min < max");
        }
        Axes ax = new Axes(width, height, b[0], b[1], b[2], b[3]);
        ax.drawFrame(title, "x", "y");
        ax.g.clipRect(ax.px0, ax.py0, ax.px1 - ax.px0, ax.py1 - ax.py0);
        dots(ax, real, REAL);
        dots(ax, fake, FAKE);
        ax.g.setClip(null);
        ax.drawLegend(List.of("real", "generated"), List.of(REAL, FAKE));
        return ax.finish();
    }

    /** Renders and writes the plot atomically as PNG. */
    public static void write(float[] real, float[] fake, double[] bounds, int width, int height, String title,
            Path out) throws IOException {
        Png.write(render(real, fake, bounds, width, height, title), out);
    }

    private static void dots(Axes ax, float[] pts, Color color) {
        if (pts == null) return;
        ax.g.setColor(color);
        for (int i = 0; i + 1 < pts.length; i += 2) {
            if (!Float.isFinite(pts[i]) || !Float.isFinite(pts[i + 1])) continue;
            double x = ax.px(pts[i]);
            double y = ax.py(pts[i + 1]);
            ax.g.fill(new Ellipse2D.Double(x - RADIUS, y - RADIUS, 2 * RADIUS, 2 * RADIUS));
        }
    }

    private static double[] fit(float[] real, float[] fake) {
        double[] mm = {Double.MAX_VALUE, -Double.MAX_VALUE, Double.MAX_VALUE, -Double.MAX_VALUE};
        for (float[] pts : new float[][] {real, fake}) {
            if (pts == null) continue;
            for (int i = 0; i + 1 < pts.length; i += 2) {
                if (!Float.isFinite(pts[i]) || !Float.isFinite(pts[i + 1])) continue;
                mm[0] = Math.min(mm[0], pts[i]);
                mm[1] = Math.max(mm[1], pts[i]);
                mm[2] = Math.min(mm[2], pts[i + 1]);
                mm[3] = Math.max(mm[3], pts[i + 1]);
            }
        }
        if (mm[0] > mm[1]) return new double[] {-1, 1, -1, 1};
        double[] x = Axes.niceRange(mm[0], mm[1]);
        double[] y = Axes.niceRange(mm[2], mm[3]);
        return new double[] {x[0], x[1], y[0], y[1]};
    }
}

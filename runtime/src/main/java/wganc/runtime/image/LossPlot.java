package wganc.runtime.image;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.geom.Path2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Loss curves: several named series of (step, value) drawn as lines over axes with ticks, axis
 * labels, a title and a legend, with Java2D, written as PNG. Non-finite values break a line
 * instead of stretching the axes.
 */
public final class LossPlot {
    private LossPlot() {}

    /** One curve: values at the given steps (same length). */
    public record Series(String name, long[] steps, double[] values) {
        public Series {
            if (steps.length != values.length) {
                throw new IllegalArgumentException("series `" + name + "` has " + steps.length + " steps but "
                        + values.length + " values");
            }
        }
    }

    /** The colour of series {@code i} (a ten-colour palette, cycled). */
    public static Color color(int i) {
        return Axes.PALETTE[i % Axes.PALETTE.length];
    }

    /** Renders the plot with x = step. */
    public static BufferedImage render(List<Series> series, String title, String yLabel, int width, int height) {
        double xlo = Double.MAX_VALUE, xhi = -Double.MAX_VALUE, ylo = Double.MAX_VALUE, yhi = -Double.MAX_VALUE;
        for (Series s : series) {
            for (int i = 0; i < s.steps.length; i++) {
                if (!Double.isFinite(s.values[i])) continue;
                xlo = Math.min(xlo, s.steps[i]);
                xhi = Math.max(xhi, s.steps[i]);
                ylo = Math.min(ylo, s.values[i]);
                yhi = Math.max(yhi, s.values[i]);
            }
        }
        double[] x = xlo > xhi ? new double[] {0, 1} : Axes.niceRange(xlo, xhi);
        double[] y = ylo > yhi ? new double[] {0, 1} : Axes.niceRange(ylo, yhi);
        Axes ax = new Axes(width, height, x[0], x[1], y[0], y[1]);
        ax.drawFrame(title, "step", yLabel);
        ax.g.clipRect(ax.px0, ax.py0, ax.px1 - ax.px0 + 1, ax.py1 - ax.py0 + 1);
        ax.g.setStroke(new BasicStroke(1.5f, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
        List<String> names = new ArrayList<>();
        List<Color> colors = new ArrayList<>();
        for (int k = 0; k < series.size(); k++) {
            Series s = series.get(k);
            ax.g.setColor(color(k));
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
            colors.add(color(k));
        }
        ax.g.setClip(null);
        ax.drawLegend(names, colors);
        return ax.finish();
    }

    /** Renders and writes the plot atomically as PNG. */
    public static void write(List<Series> series, String title, String yLabel, int width, int height, Path out)
            throws IOException {
        Png.write(render(series, title, yLabel, width, height), out);
    }
}

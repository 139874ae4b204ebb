package wganc.runtime.image;

import static org.junit.jupiter.api.Assertions.*;

import java.awt.Color;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PlotTest {
    @TempDir Path dir;

    /** Rows in column {@code x} whose colour is within a small distance of {@code c}. */
    static int rowOf(BufferedImage img, int x, Color c, int y0, int y1) {
        for (int y = y0; y < y1; y++) {
            Color p = new Color(img.getRGB(x, y));
            if (Math.abs(p.getRed() - c.getRed()) + Math.abs(p.getGreen() - c.getGreen())
                    + Math.abs(p.getBlue() - c.getBlue()) < 30) return y;
        }
        return -1;
    }

    static int count(BufferedImage img, Color c) {
        int n = 0;
        for (int y = 0; y < img.getHeight(); y++) {
            for (int x = 0; x < img.getWidth(); x++) if ((img.getRGB(x, y) & 0xffffff) == (c.getRGB() & 0xffffff)) n++;
        }
        return n;
    }

    @Test
    void lossCurvesSitWhereTheirValuesAre() throws IOException {
        long[] steps = {0, 100, 200, 300, 400};
        var low = new LossPlot.Series("critic", steps, new double[] {1, 1, 1, 1, 1});
        var high = new LossPlot.Series("generator", steps, new double[] {3, 3, Double.NaN, 3, 3});
        var wide = new LossPlot.Series("penalty", new long[] {0, 400}, new double[] {0, 4});
        Path out = dir.resolve("loss.png");
        LossPlot.write("losses", List.of(new LossPlot.Panel("loss", List.of(low, high, wide))), 640, 400, out);
        BufferedImage img = ImageIO.read(out.toFile());
        assertEquals(640, img.getWidth());
        assertEquals(LossPlot.HEADER + 400, img.getHeight());
        int top = LossPlot.HEADER + Axes.TOP;
        int x = Axes.LEFT + (640 - Axes.LEFT - Axes.RIGHT) / 8; // step 50, left of the legend
        int yLow = rowOf(img, x, LossPlot.color(0), 0, img.getHeight());
        int yHigh = rowOf(img, x, LossPlot.color(1), 0, img.getHeight());
        assertTrue(yLow > 0 && yHigh > 0, "both curves drawn: " + yLow + ", " + yHigh);
        assertTrue(yHigh < yLow, "the larger loss is higher up");
        // the y axis spans [0, 4]: 1 is three quarters down the plot area, 3 one quarter
        int area = 400 - Axes.TOP - Axes.BOTTOM;
        assertEquals(top + 0.75 * area, yLow, 2);
        assertEquals(top + 0.25 * area, yHigh, 2);
        // the NaN at step 200 breaks the generator line there
        int x200 = Axes.LEFT + (640 - Axes.LEFT - Axes.RIGHT) / 2;
        assertEquals(-1, rowOf(img, x200, LossPlot.color(1), top + 40, img.getHeight() - Axes.BOTTOM));
        assertEquals(Color.WHITE.getRGB(), img.getRGB(5, 5), "white background");
    }

    @Test
    void eachPanelFitsItsOwnAxisAndTheyShareTheSteps() {
        long[] steps = {0, 100, 200, 300, 400};
        var loss = new LossPlot.Series("critic.loss", steps, new double[] {2, 1, 0, -1, -2});
        var gp = new LossPlot.Series("critic.gp", steps, new double[] {0.01, 0.02, 0.01, 0.02, 0.01});
        int h = 300;
        BufferedImage img = LossPlot.render("m", List.of(new LossPlot.Panel("loss", List.of(loss)),
                new LossPlot.Panel("gp", List.of(gp))), 640, h);
        assertEquals(LossPlot.HEADER + 2 * h, img.getHeight());
        int x0 = Axes.LEFT + 2;
        int area = h - Axes.TOP - Axes.BOTTOM;
        // gp in the second panel: 0.01 and 0.02 fill its [0.01, 0.02] axis, bottom to top
        int second = LossPlot.HEADER + h + Axes.TOP;
        int y = rowOf(img, x0, LossPlot.color(1), LossPlot.HEADER + h, img.getHeight());
        assertEquals(second + area, y, 3, "gp 0.01 at the bottom of its own panel");
        int xMid = Axes.LEFT + (640 - Axes.LEFT - Axes.RIGHT) / 4;  // step 100, left of the legend
        assertEquals(second, rowOf(img, xMid, LossPlot.color(1), LossPlot.HEADER + h, img.getHeight()), 3);
        assertEquals(-1, rowOf(img, xMid, LossPlot.color(1), 0, LossPlot.HEADER + h), "no gp in the loss panel");
    }

    @Test
    void positiveValuesSpanningDecadesGetALogAxis() {
        long[] steps = {0, 100, 200, 300};
        var gp = new LossPlot.Series("critic.gp", steps, new double[] {1, 0.1, 0.01, 0.001});
        int h = 300;
        BufferedImage img = LossPlot.render("m", List.of(new LossPlot.Panel("gp", List.of(gp))), 640, h);
        int area = h - Axes.TOP - Axes.BOTTOM;
        int top = LossPlot.HEADER + Axes.TOP;
        int w = 640 - Axes.LEFT - Axes.RIGHT;
        // on [1e-3, 1] each decade is a third of the height: 0.1 at step 100, 0.01 at step 200
        int y100 = rowOf(img, Axes.LEFT + w / 3, LossPlot.color(0), top - 2, img.getHeight());
        int y200 = rowOf(img, Axes.LEFT + 2 * w / 3, LossPlot.color(0), top - 2, img.getHeight());
        assertEquals(top + area / 3.0, y100, 3);
        assertEquals(top + 2 * area / 3.0, y200, 3);
        assertArrayEquals(new double[] {1e-3, 1}, Axes.logRange(0.001, 1), 1e-15);
        assertArrayEquals(new double[] {0.01, 0.02, 0.05, 0.1}, Axes.logTicks(0.01, 0.1), 1e-15);
        assertArrayEquals(new double[] {1e-4, 1e-3, 1e-2, 1e-1, 1}, Axes.logTicks(1e-4, 1), 1e-15);
    }

    @Test
    void scatterDrawsRealAndGeneratedPointsAtTheirPlaces() throws IOException {
        float[] real = {0f, 0f};
        float[] fake = {1f, -1f};
        Path out = dir.resolve("toy.png");
        Scatter.write(real, fake, new double[] {-2, 2, -2, 2}, 400, 400, "step 100", out);
        BufferedImage img = ImageIO.read(out.toFile());
        assertEquals(400, img.getWidth());
        int cx = (Axes.LEFT + 400 - Axes.RIGHT) / 2;
        int cy = (Axes.TOP + 400 - Axes.BOTTOM) / 2;
        assertEquals(Scatter.REAL.getRGB() & 0xffffff, img.getRGB(cx, cy) & 0xffffff);
        int fx = (int) Math.round(Axes.LEFT + 0.75 * (400 - Axes.LEFT - Axes.RIGHT));
        int fy = (int) Math.round(Axes.TOP + 0.75 * (400 - Axes.TOP - Axes.BOTTOM));
        assertEquals(Scatter.FAKE.getRGB() & 0xffffff, img.getRGB(fx, fy) & 0xffffff);
        assertTrue(count(img, Scatter.FAKE) > count(img, Scatter.REAL) - 10, "legend swatches drawn");
    }

    @Test
    void everyGeneratedPointIsInsideThePlotAreaOrCountedOutside() {
        Axes ax = new Axes(400, 400, -3, 3, -3, 3);
        java.util.Random r = new java.util.Random(5);
        float[] pts = new float[2 * 500];
        for (int i = 0; i < pts.length; i++) pts[i] = (float) (r.nextGaussian() * 2 * (i % 97 == 0 ? 1e6 : 1));
        pts[10] = Float.NaN;
        pts[13] = Float.POSITIVE_INFINITY;
        int expectOutside = 0;
        for (int i = 0; i < 500; i++) {
            float a = pts[2 * i], b = pts[2 * i + 1];
            if (Float.isFinite(a) && Float.isFinite(b) && (Math.abs(a) > 3 || Math.abs(b) > 3)) expectOutside++;
        }
        Scatter.Placed p = Scatter.place(ax, pts);
        assertEquals(expectOutside, p.outside());
        assertTrue(expectOutside > 10, "the test has far points: " + expectOutside);
        assertEquals(2, p.nonFinite());
        int inside = 0;
        for (int i = 0; i < 500; i++) {
            if (Double.isNaN(p.x()[i])) continue;
            assertTrue(p.x()[i] >= ax.px0 && p.x()[i] <= ax.px1 && p.y()[i] >= ax.py0 && p.y()[i] <= ax.py1,
                    "point " + i + " at " + p.x()[i] + ", " + p.y()[i]);
            if (!p.clipped()[i]) inside++;
        }
        assertEquals(500, inside + p.outside() + p.nonFinite());
        assertEquals(expectOutside + " of 500 generated points outside the axes, 2 not finite", Scatter.note(p));
    }

    @Test
    void aPointOutsideTheBoundsIsACrossOnTheBorderAndCounted() {
        float[] real = {0f, 0f};
        float[] fake = {1f, -1f, 50f, 0f};
        BufferedImage img = Scatter.render(real, fake, new double[] {-2, 2, -2, 2}, 400, 400, "step 100");
        int cy = (Axes.TOP + 400 - Axes.BOTTOM) / 2;
        int border = 400 - Axes.RIGHT;
        int red = 0;
        for (int x = border - 4; x <= border + 4; x++) {
            for (int y = cy - 4; y <= cy + 4; y++) {
                if (PlotTest.near(img.getRGB(x, y), Scatter.OUTSIDE)) red++;
            }
        }
        assertTrue(red >= 4, "a cross on the right border at y = 0: " + red + " red pixels");
        // the note: red text in the bottom-left corner of the plot area
        int noteRed = 0;
        for (int y = 400 - Axes.BOTTOM - 30; y < 400 - Axes.BOTTOM; y++) {
            for (int x = Axes.LEFT; x < Axes.LEFT + 200; x++) if (PlotTest.near(img.getRGB(x, y), Scatter.OUTSIDE)) noteRed++;
        }
        assertTrue(noteRed > 50, "the note is drawn: " + noteRed);
        assertEquals("1 of 2 generated points outside the axes", Scatter.note(Scatter.place(
                new Axes(400, 400, -2, 2, -2, 2), fake)));
        assertNull(Scatter.note(Scatter.place(new Axes(400, 400, -2, 2, -2, 2), real)));
    }

    @Test
    void boundsGrowToHoldGeneratedPointsUpToACapAndNeverShrink() {
        float[] real = {2f, 0f, -2f, 0f};  // the real square is [-3, 3]
        assertArrayEquals(new double[] {-3, 3, -3, 3}, Scatter.bounds(real, new float[] {1f, 1f}, null), 1e-12);
        // a point at 4.5 needs 4.725: the next nice half-width is 5
        double[] grown = Scatter.bounds(real, new float[] {1f, 4.5f}, null);
        assertArrayEquals(new double[] {-5, 5, -5, 5}, grown, 1e-12);
        // one point at 1e6 widens to the cap only
        assertArrayEquals(new double[] {-15, 15, -15, 15}, Scatter.bounds(real, new float[] {1e6f, 0f}, null), 1e-9);
        // the next frame's points are near the real ones, but the axes stay
        assertArrayEquals(grown, Scatter.bounds(real, new float[] {1f, 1f}, grown), 1e-12);
        assertArrayEquals(new double[] {-8, 8, -8, 8}, Scatter.bounds(real, new float[] {-7.5f, 0f}, grown), 1e-12);
        assertEquals(2.5, Scatter.niceCeil(2.1), 1e-12);
        assertEquals(0.04, Scatter.niceCeil(0.031), 1e-12);
    }

    static boolean near(int rgb, Color c) {
        Color p = new Color(rgb);
        return Math.abs(p.getRed() - c.getRed()) + Math.abs(p.getGreen() - c.getGreen())
                + Math.abs(p.getBlue() - c.getBlue()) < 60;
    }

    @Test
    void ticksAreNice() {
        assertArrayEquals(new double[] {0, 0.5, 1, 1.5, 2}, Axes.ticks(0, 2, 4), 1e-12);
        assertArrayEquals(new double[] {0, 2000, 4000, 6000, 8000, 10000}, Axes.ticks(0, 10000, 6), 1e-9);
        assertArrayEquals(new double[] {-1, 3}, Axes.niceRange(-0.93, 2.71), 1e-12);
        assertEquals("0.5", Axes.format(0.5, 0.5));
        assertEquals("2000", Axes.format(2000, 2000));
        assertEquals("1.0e-5", Axes.format(1e-5, 1e-5));
        assertEquals("0.02", Axes.format(0.02, 0.02));
    }
}

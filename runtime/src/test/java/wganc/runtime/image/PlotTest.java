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
        LossPlot.write(List.of(low, high, wide), "losses", "loss", 640, 400, out);
        BufferedImage img = ImageIO.read(out.toFile());
        assertEquals(640, img.getWidth());
        assertEquals(400, img.getHeight());
        int x = Axes.LEFT + (640 - Axes.LEFT - Axes.RIGHT) / 8; // step 50, left of the legend
        int yLow = rowOf(img, x, LossPlot.color(0), 0, 400);
        int yHigh = rowOf(img, x, LossPlot.color(1), 0, 400);
        assertTrue(yLow > 0 && yHigh > 0, "both curves drawn: " + yLow + ", " + yHigh);
        assertTrue(yHigh < yLow, "the larger loss is higher up");
        // the y axis spans [0, 4]: 1 is three quarters down the plot area, 3 one quarter
        int area = 400 - Axes.TOP - Axes.BOTTOM;
        assertEquals(Axes.TOP + 0.75 * area, yLow, 2);
        assertEquals(Axes.TOP + 0.25 * area, yHigh, 2);
        // the NaN at step 200 breaks the generator line there
        int x200 = Axes.LEFT + (640 - Axes.LEFT - Axes.RIGHT) / 2;
        assertEquals(-1, rowOf(img, x200, LossPlot.color(1), Axes.TOP + 40, 400 - Axes.BOTTOM));
        assertEquals(Color.WHITE.getRGB(), img.getRGB(5, 5), "white background");
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
    void ticksAreNice() {
        assertArrayEquals(new double[] {0, 0.5, 1, 1.5, 2}, Axes.ticks(0, 2, 4), 1e-12);
        assertArrayEquals(new double[] {0, 2000, 4000, 6000, 8000, 10000}, Axes.ticks(0, 10000, 6), 1e-9);
        assertArrayEquals(new double[] {-1, 3}, Axes.niceRange(-0.93, 2.71), 1e-12);
        assertEquals("0.5", Axes.format(0.5, 0.5));
        assertEquals("2000", Axes.format(2000, 2000));
        assertEquals("1.0e-5", Axes.format(1e-5, 1e-5));
    }
}

package wganc.runtime.image;

import static org.junit.jupiter.api.Assertions.*;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PngTest {
    @TempDir Path dir;

    @Test
    void grayscaleGridHasTilesAndBorders() throws IOException {
        int n = 5, h = 3, w = 4;
        float[] imgs = new float[n * h * w];
        for (int i = 0; i < n; i++) {
            for (int p = 0; p < h * w; p++) imgs[i * h * w + p] = -1f + 0.5f * i; // image i is flat at -1 + i/2
        }
        imgs[0] = 5f; // clamped to hi
        imgs[1] = Float.NaN;
        Path out = dir.resolve("samples/step-000001.png");
        Png.writeGrid(imgs, n, 1, h, w, 3, out, -1f, 1f);
        BufferedImage img = ImageIO.read(out.toFile());
        int b = Grid.BORDER;
        assertEquals(3 * w + 4 * b, img.getWidth());
        assertEquals(2 * h + 3 * b, img.getHeight());
        assertEquals(255, gray(img, b, b)); // 5 clamped to 1
        assertEquals(0, gray(img, b + 1, b)); // NaN
        assertEquals(0, gray(img, b + 2, b)); // -1
        assertEquals(64, gray(img, b + w + b, b)); // image 1: -0.5 -> 63.75 -> 64
        assertEquals(128, gray(img, b + 2 * (w + b) + 1, b + 1)); // image 2: 0
        assertEquals(191, gray(img, b, b + h + b)); // image 3 starts row 2: 0.5 -> 191.25
        assertEquals(255, gray(img, b + w + b + w - 1, b + h + b + h - 1)); // image 4, last pixel: 1
        assertEquals(Grid.BORDER_LEVEL, gray(img, 0, 0));
        assertEquals(Grid.BORDER_LEVEL, gray(img, b + w, b)); // between tiles
        assertEquals(Grid.BORDER_LEVEL, gray(img, b + 2 * (w + b), b + h + b)); // empty sixth cell
    }

    private static int gray(BufferedImage img, int x, int y) {
        return img.getRaster().getSample(x, y, 0);
    }

    @Test
    void rgbGridKeepsChannelsApart() throws IOException {
        int h = 2, w = 2;
        float[] img = new float[3 * h * w];
        for (int p = 0; p < 4; p++) {
            img[p] = 1f; // red plane
            img[4 + p] = 0f; // green plane
            img[8 + p] = 0.5f; // blue plane
        }
        Path out = dir.resolve("rgb.png");
        Png.writeGrid(img, 1, 3, h, w, 8, out, 0f, 1f);
        BufferedImage read = ImageIO.read(out.toFile());
        assertEquals(w + 2 * Grid.BORDER, read.getWidth());
        int rgb = read.getRGB(Grid.BORDER, Grid.BORDER) & 0xffffff;
        assertEquals(0xff0080, rgb);
    }

    @Test
    void badArgumentsAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> Grid.render(new float[8], 1, 2, 2, 2, 1, 0, 1));
        assertThrows(IllegalArgumentException.class, () -> Grid.render(new float[3], 1, 1, 2, 2, 1, 0, 1));
        assertThrows(IllegalArgumentException.class, () -> Grid.render(new float[4], 1, 1, 2, 2, 1, 1, 1));
    }
}

package wganc.runtime.image;

import java.awt.image.BufferedImage;
import java.awt.image.WritableRaster;

/**
 * Lays out a batch of images {@code [n, c, h, w]} (C order, c = 1 grayscale or 3 RGB) as a grid of
 * tiles, {@code cols} per row, with a {@link #BORDER}-pixel gray border around and between tiles.
 * Values are clamped to {@code [lo, hi]} and mapped linearly to 0..255 (rounded to nearest); NaN
 * shows as 0.
 */
public final class Grid {
    private Grid() {}

    /** Border width in pixels. */
    public static final int BORDER = 2;
    /** Border (and empty cell) gray level. */
    public static final int BORDER_LEVEL = 128;

    /** Renders the grid; the image is {@code TYPE_BYTE_GRAY} for c = 1, {@code TYPE_INT_RGB} for c = 3. */
    public static BufferedImage render(float[] images, int n, int c, int h, int w, int cols, float lo, float hi) {
        if (c != 1 && c != 3) {
            throw new IllegalArgumentException("a sample grid needs 1 or 3 channels, got " + c);
        }
        if (n <= 0 || h <= 0 || w <= 0 || cols <= 0) {
            throw new IllegalArgumentException("empty grid: n=" + n + " h=" + h + " w=" + w + " cols=" + cols);
        }
        if ((long) n * c * h * w > images.length) {
            throw new IllegalArgumentException("grid of " + n + "x" + c + "x" + h + "x" + w + " needs "
                    + (long) n * c * h * w + " values, got " + images.length);
        }
        if (!(hi > lo)) {
            throw new IllegalArgumentException("value range [" + lo + ", " + hi + "] is empty");
        }
        int usedCols = Math.min(cols, n);
        int rows = (n + cols - 1) / cols;
        int width = usedCols * w + (usedCols + 1) * BORDER;
        int height = rows * h + (rows + 1) * BORDER;
        BufferedImage img = new BufferedImage(width, height,
                c == 1 ? BufferedImage.TYPE_BYTE_GRAY : BufferedImage.TYPE_INT_RGB);
        WritableRaster r = img.getRaster();
        int[] fill = new int[c];
        java.util.Arrays.fill(fill, BORDER_LEVEL);
        for (int y = 0; y < height; y++) for (int x = 0; x < width; x++) r.setPixel(x, y, fill);
        float scale = 255f / (hi - lo);
        int[] px = new int[c];
        int plane = h * w;
        for (int i = 0; i < n; i++) {
            int ox = BORDER + (i % cols) * (w + BORDER);
            int oy = BORDER + (i / cols) * (h + BORDER);
            int base = i * c * plane;
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    for (int ch = 0; ch < c; ch++) {
                        px[ch] = level(images[base + ch * plane + y * w + x], lo, hi, scale);
                    }
                    r.setPixel(ox + x, oy + y, px);
                }
            }
        }
        return img;
    }

    /** The 0..255 level of value {@code v}. */
    static int level(float v, float lo, float hi, float scale) {
        if (Float.isNaN(v)) return 0;
        float t = (Math.min(Math.max(v, lo), hi) - lo) * scale;
        return Math.round(t);
    }
}

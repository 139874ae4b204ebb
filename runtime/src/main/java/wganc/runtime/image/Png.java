package wganc.runtime.image;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import wganc.runtime.io.AtomicFiles;

/** Writes PNG files atomically: any image, and sample grids laid out by {@link Grid}. */
public final class Png {
    private Png() {}

    /** Writes {@code image} as PNG to {@code out}, atomically. */
    public static void write(BufferedImage image, Path out) throws IOException {
        AtomicFiles.write(out, stream -> {
            if (!ImageIO.write(image, "png", stream)) {
                throw new IOException("no PNG writer for image type " + image.getType());
            }
        });
    }

    /**
     * Writes a sample grid of {@code n} images {@code [c, h, w]} ({@code c} 1 or 3), {@code cols}
     * per row, values in {@code [lo, hi]} mapped to 0..255; see {@link Grid#render}.
     */
    public static void writeGrid(float[] images, int n, int c, int h, int w, int cols, Path out,
            float lo, float hi) throws IOException {
        write(Grid.render(images, n, c, h, w, cols, lo, hi), out);
    }
}

package wganc.runtime.image;

import static org.junit.jupiter.api.Assertions.*;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.metadata.IIOMetadataNode;
import javax.imageio.stream.ImageInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GifTest {
    @TempDir Path dir;

    @Test
    void writesLoopingAnimationWithDelays() throws IOException {
        List<BufferedImage> frames = new ArrayList<>();
        for (int f = 0; f < 3; f++) {
            float[] v = new float[2 * 4 * 4];
            java.util.Arrays.fill(v, f / 2f); // frame f is flat at f/2: 0, 0.5, 1
            frames.add(Grid.render(v, 2, 1, 4, 4, 2, 0f, 1f));
        }
        Path out = dir.resolve("samples.gif");
        Gif.write(frames, 250, out);
        try (ImageInputStream in = ImageIO.createImageInputStream(out.toFile())) {
            ImageReader r = ImageIO.getImageReaders(in).next();
            r.setInput(in);
            assertEquals(3, r.getNumImages(true));
            for (int f = 0; f < 3; f++) {
                BufferedImage img = r.read(f);
                assertEquals(frames.get(f).getWidth(), img.getWidth());
                assertEquals(frames.get(f).getHeight(), img.getHeight());
                int level = img.getRGB(Grid.BORDER + 1, Grid.BORDER + 1) & 0xff;
                assertEquals(Math.round(f / 2f * 255), level, 1, "frame " + f);
                IIOMetadataNode root = (IIOMetadataNode) r.getImageMetadata(f).getAsTree("javax_imageio_gif_image_1.0");
                IIOMetadataNode gce = (IIOMetadataNode) root.getElementsByTagName("GraphicControlExtension").item(0);
                assertEquals("25", gce.getAttribute("delayTime"));
            }
            IIOMetadataNode root = (IIOMetadataNode) r.getImageMetadata(0).getAsTree("javax_imageio_gif_image_1.0");
            IIOMetadataNode app = (IIOMetadataNode) root.getElementsByTagName("ApplicationExtension").item(0);
            assertEquals("NETSCAPE", app.getAttribute("applicationID"));
            byte[] loop = (byte[]) app.getUserObject();
            assertEquals(1, loop[0]);
            assertEquals(0, loop[1] | loop[2], "loop count 0 = forever");
            r.dispose();
        }
    }

    @Test
    void framesMustShareTheirSize() {
        List<BufferedImage> frames = List.of(new BufferedImage(4, 4, BufferedImage.TYPE_BYTE_GRAY),
                new BufferedImage(5, 4, BufferedImage.TYPE_BYTE_GRAY));
        assertThrows(IllegalArgumentException.class, () -> Gif.write(frames, 100, dir.resolve("x.gif")));
    }
}

package wganc.runtime.image;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageTypeSpecifier;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.metadata.IIOMetadata;
import javax.imageio.metadata.IIOMetadataNode;
import javax.imageio.stream.ImageOutputStream;
import javax.imageio.stream.MemoryCacheImageOutputStream;
import wganc.runtime.io.AtomicFiles;

/**
 * Writes an animated GIF (e.g. the sample grid over training) with javax.imageio: every frame gets
 * a Graphic Control Extension with the given delay, and the first a NETSCAPE2.0 application
 * extension with loop count 0 (loop forever). Frames must all have the same size.
 */
public final class Gif {
    private Gif() {}

    private static final String FORMAT = "javax_imageio_gif_image_1.0";

    /** Writes {@code frames} to {@code out} atomically, each shown for {@code delayMs} (rounded to 10 ms). */
    public static void write(List<BufferedImage> frames, int delayMs, Path out) throws IOException {
        if (frames.isEmpty()) {
            throw new IllegalArgumentException("an animated GIF needs at least one frame");
        }
        int w = frames.getFirst().getWidth();
        int h = frames.getFirst().getHeight();
        for (int i = 1; i < frames.size(); i++) {
            if (frames.get(i).getWidth() != w || frames.get(i).getHeight() != h) {
                throw new IllegalArgumentException("frame " + i + " is " + frames.get(i).getWidth() + "x"
                        + frames.get(i).getHeight() + " but frame 0 is " + w + "x" + h);
            }
        }
        int centis = Math.max(0, Math.round(delayMs / 10f));
        Iterator<ImageWriter> writers = ImageIO.getImageWritersByFormatName("gif");
        if (!writers.hasNext()) {
            throw new IOException("this Java runtime has no GIF writer");
        }
        ImageWriter writer = writers.next();
        try {
            AtomicFiles.write(out, stream -> {
                try (ImageOutputStream ios = new MemoryCacheImageOutputStream(stream)) {
                    writer.setOutput(ios);
                    ImageWriteParam param = writer.getDefaultWriteParam();
                    writer.prepareWriteSequence(null);
                    for (int i = 0; i < frames.size(); i++) {
                        BufferedImage frame = frames.get(i);
                        IIOMetadata md = frameMetadata(writer, param, frame, centis, i == 0);
                        writer.writeToSequence(new IIOImage(frame, null, md), param);
                    }
                    writer.endWriteSequence();
                }
            });
        } finally {
            writer.dispose();
        }
    }

    private static IIOMetadata frameMetadata(ImageWriter writer, ImageWriteParam param, BufferedImage frame,
            int centis, boolean first) throws IOException {
        IIOMetadata md = writer.getDefaultImageMetadata(ImageTypeSpecifier.createFromRenderedImage(frame), param);
        IIOMetadataNode root = (IIOMetadataNode) md.getAsTree(FORMAT);
        IIOMetadataNode gce = child(root, "GraphicControlExtension");
        gce.setAttribute("disposalMethod", "none");
        gce.setAttribute("userInputFlag", "FALSE");
        gce.setAttribute("transparentColorFlag", "FALSE");
        gce.setAttribute("delayTime", Integer.toString(centis));
        gce.setAttribute("transparentColorIndex", "0");
        if (first) {
            IIOMetadataNode app = new IIOMetadataNode("ApplicationExtension");
            app.setAttribute("applicationID", "NETSCAPE");
            app.setAttribute("authenticationCode", "2.0");
            app.setUserObject(new byte[] {1, 0, 0}); // sub-block 1: loop count 0 (little-endian) = forever
            child(root, "ApplicationExtensions").appendChild(app);
        }
        md.setFromTree(FORMAT, root);
        return md;
    }

    private static IIOMetadataNode child(IIOMetadataNode root, String name) {
        for (int i = 0; i < root.getLength(); i++) {
            if (root.item(i).getNodeName().equalsIgnoreCase(name)) {
                return (IIOMetadataNode) root.item(i);
            }
        }
        IIOMetadataNode node = new IIOMetadataNode(name);
        root.appendChild(node);
        return node;
    }
}

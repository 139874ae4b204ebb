package wganc.runtime.data;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Set;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;
import wganc.runtime.io.FormatException;

/**
 * Reads IDX files, the format of MNIST and Fashion-MNIST: a 4-byte magic {@code 0x00 0x00 type
 * ndim}, {@code ndim} big-endian 32-bit dimensions, then the elements in C order. Images are
 * {@code idx3} (count, height, width), labels {@code idx1} (count), both of type {@code 0x08}
 * (unsigned byte). A file is gzip-compressed when it starts with {@code 1f 8b}, whatever its name.
 *
 * <p>Images come back as floats with shape {@code [N, 1, H, W]}, each pixel mapped by a
 * {@link PixelMap}; labels as ints. A label filter keeps only the images of given classes. Wrong
 * magic, an unsupported type, truncated or over-long data, and image/label count mismatches raise a
 * {@link FormatException} naming the file.
 */
public final class Idx {
    private Idx() {}

    static final int UNSIGNED_BYTE = 0x08;

    /**
     * The pixel map {@code v = (x - subtract) / divide}, evaluated in float arithmetic (as NumPy does
     * on a float32 array), so {@link #MINUS_ONE_TO_ONE} gives the bits of
     * {@code (x.astype("float32") - 127.5) / 127.5}.
     */
    public record PixelMap(float subtract, float divide) {
        /** {@code (x - 127.5) / 127.5}: 0 maps to -1 and 255 to 1. */
        public static final PixelMap MINUS_ONE_TO_ONE = new PixelMap(127.5f, 127.5f);
        /** {@code x / 255}: 0 maps to 0 and 255 to 1. */
        public static final PixelMap ZERO_TO_ONE = new PixelMap(0f, 255f);
        /** The raw byte values 0..255. */
        public static final PixelMap IDENTITY = new PixelMap(0f, 1f);

        /** The map sending 0 to {@code lo} and 255 to {@code hi}: subtract, divide chosen to match. */
        public static PixelMap toRange(float lo, float hi) {
            float divide = 255f / (hi - lo);
            return new PixelMap(-lo * divide, divide);
        }

        /** The map of pixel value {@code x} (integers, or a resized image's levels between them). */
        public float apply(float x) {
            return (x - subtract) / divide;
        }
    }

    /** Images of shape {@code [count, channels, height, width]}, flat in C order. */
    public record Images(float[] data, int count, int channels, int height, int width) {
        public long[] shape() {
            return new long[] {count, channels, height, width};
        }

        /** Elements per image. */
        public int imageSize() {
            return channels * height * width;
        }
    }

    /** Images and their labels, index by index. */
    public record Labeled(Images images, int[] labels) {}

    /** Reads an idx3 file of unsigned bytes, mapping each pixel. */
    public static Images readImages(Path images, PixelMap map) throws IOException {
        Raw raw = readRaw(images, 3);
        return toImages(raw, map, null);
    }

    /** Reads an idx1 file of unsigned bytes. */
    public static int[] readLabels(Path labels) throws IOException {
        Raw raw = readRaw(labels, 1);
        int[] out = new int[raw.dims[0]];
        for (int i = 0; i < out.length; i++) out[i] = raw.data[i] & 0xff;
        return out;
    }

    /** Reads images and labels, which must have the same count. */
    public static Labeled read(Path images, Path labels, PixelMap map) throws IOException {
        return read(images, labels, map, null);
    }

    /**
     * Reads images and labels, keeping only the images whose label is in {@code keep} (all when
     * {@code keep} is null), in file order.
     */
    public static Labeled read(Path images, Path labels, PixelMap map, Set<Integer> keep) throws IOException {
        int[] all = readLabels(labels);
        Raw raw = readRaw(images, 3);
        if (raw.dims[0] != all.length) {
            throw new FormatException("image/label count mismatch: " + images + " holds " + raw.dims[0]
                    + " images but " + labels + " holds " + all.length + " labels");
        }
        if (keep == null) {
            return new Labeled(toImages(raw, map, null), all);
        }
        boolean[] kept = new boolean[all.length];
        int n = 0;
        for (int i = 0; i < all.length; i++) {
            if (keep.contains(all[i])) {
                kept[i] = true;
                n++;
            }
        }
        int[] labelsKept = new int[n];
        for (int i = 0, j = 0; i < all.length; i++) {
            if (kept[i]) labelsKept[j++] = all[i];
        }
        return new Labeled(toImages(raw, map, kept), labelsKept);
    }

    private static Images toImages(Raw raw, PixelMap map, boolean[] kept) {
        int count = raw.dims[0];
        int h = raw.dims[1];
        int w = raw.dims[2];
        int size = h * w;
        float[] table = new float[256];
        for (int x = 0; x < 256; x++) table[x] = map.apply(x);
        int n = 0;
        if (kept == null) {
            n = count;
        } else {
            for (boolean k : kept) if (k) n++;
        }
        float[] out = new float[Math.multiplyExact(n, size)];
        int o = 0;
        for (int i = 0; i < count; i++) {
            if (kept != null && !kept[i]) continue;
            int base = i * size;
            for (int p = 0; p < size; p++) out[o++] = table[raw.data[base + p] & 0xff];
        }
        return new Images(out, n, 1, h, w);
    }

    /** The dimensions and bytes of an IDX file of unsigned bytes. */
    record Raw(int[] dims, byte[] data) {}

    static Raw readRaw(Path path, int expectedRank) throws IOException {
        try (InputStream in = open(path)) {
            byte[] magic = in.readNBytes(4);
            if (magic.length < 4) {
                throw new FormatException(path + ": truncated IDX file: " + magic.length
                        + " bytes, less than the 4-byte magic");
            }
            if (magic[0] != 0 || magic[1] != 0) {
                throw new FormatException(String.format(
                        "%s: wrong magic %02x %02x %02x %02x, an IDX file starts with 00 00 <type> <ndim>",
                        path, magic[0], magic[1], magic[2], magic[3]));
            }
            int type = magic[2] & 0xff;
            int rank = magic[3] & 0xff;
            if (type != UNSIGNED_BYTE) {
                throw new FormatException(String.format(
                        "%s: element type 0x%02x is not supported, only 0x08 (unsigned byte)", path, type));
            }
            if (rank != expectedRank) {
                throw new FormatException(path + ": has " + rank + " dimensions, expected " + expectedRank
                        + (expectedRank == 3 ? " (an idx3 image file)" : " (an idx1 label file)"));
            }
            byte[] dimBytes = in.readNBytes(4 * rank);
            if (dimBytes.length < 4 * rank) {
                throw new FormatException(path + ": truncated IDX header: " + rank + " dimensions need "
                        + 4 * rank + " bytes, found " + dimBytes.length);
            }
            int[] dims = new int[rank];
            long total = 1;
            for (int i = 0; i < rank; i++) {
                dims[i] = ((dimBytes[4 * i] & 0xff) << 24) | ((dimBytes[4 * i + 1] & 0xff) << 16)
                        | ((dimBytes[4 * i + 2] & 0xff) << 8) | (dimBytes[4 * i + 3] & 0xff);
                if (dims[i] < 0) {
                    throw new FormatException(path + ": dimension " + i + " is negative");
                }
                total *= dims[i];
                if (total > Integer.MAX_VALUE - 16) {
                    throw new FormatException(path + ": shape " + Arrays.toString(dims) + " is too large");
                }
            }
            byte[] data = in.readNBytes((int) total);
            if (data.length < total) {
                throw new FormatException(path + ": truncated IDX file: shape " + Arrays.toString(dims)
                        + " needs " + total + " bytes of data, found " + data.length);
            }
            if (in.read() != -1) {
                throw new FormatException(path + ": extra bytes after the " + total + " bytes of data for shape "
                        + Arrays.toString(dims));
            }
            return new Raw(dims, data);
        } catch (EOFException | ZipException e) {
            throw new FormatException(path + ": truncated or corrupt gzip stream: " + e.getMessage(), e);
        }
    }

    /** Opens a file, decompressing when it starts with the gzip magic {@code 1f 8b}. */
    static InputStream open(Path path) throws IOException {
        InputStream in = new BufferedInputStream(Files.newInputStream(path), 1 << 16);
        in.mark(2);
        int b0 = in.read();
        int b1 = in.read();
        in.reset();
        if (b0 == 0x1f && b1 == 0x8b) {
            return new BufferedInputStream(new GZIPInputStream(in, 1 << 16), 1 << 16);
        }
        return in;
    }
}

package wganc.runtime.data;

import static org.junit.jupiter.api.Assertions.*;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Set;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import wganc.runtime.io.FormatException;

class IdxTest {
    @TempDir Path dir;

    static byte[] idx(int rank, int[] dims, byte[] data) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[] {0, 0, 0x08, (byte) rank});
        for (int d : dims) out.writeBytes(new byte[] {(byte) (d >>> 24), (byte) (d >>> 16), (byte) (d >>> 8), (byte) d});
        out.writeBytes(data);
        return out.toByteArray();
    }

    Path write(String name, byte[] bytes, boolean gzip) throws IOException {
        Path p = dir.resolve(name);
        if (gzip) {
            try (OutputStream o = new GZIPOutputStream(Files.newOutputStream(p))) {
                o.write(bytes);
            }
        } else {
            Files.write(p, bytes);
        }
        return p;
    }

    /** Three 2x3 images with distinct pixels in 0..245. */
    static byte[] imageData() {
        byte[] d = new byte[3 * 6];
        for (int i = 0; i < 3; i++) for (int p = 0; p < 6; p++) d[i * 6 + p] = (byte) (50 * i + 10 * p + (i == 2 ? 95 : 0));
        return d;
    }

    @Test
    void readsPlainAndGzippedImagesWithTheSameResult() throws IOException {
        byte[] bytes = idx(3, new int[] {3, 2, 3}, imageData());
        Path plain = write("imgs", bytes, false);
        Path gz = write("imgs.gz.renamed", bytes, true);
        Idx.Images a = Idx.readImages(plain, Idx.PixelMap.MINUS_ONE_TO_ONE);
        Idx.Images b = Idx.readImages(gz, Idx.PixelMap.MINUS_ONE_TO_ONE);
        assertArrayEquals(new long[] {3, 1, 2, 3}, a.shape());
        assertArrayEquals(a.data(), b.data());
        byte[] raw = imageData();
        for (int i = 0; i < raw.length; i++) {
            assertEquals(((raw[i] & 0xff) - 127.5f) / 127.5f, a.data()[i], "pixel " + i);
        }
        assertEquals(-1f, a.data()[0]);
        Idx.Images c = Idx.readImages(plain, Idx.PixelMap.ZERO_TO_ONE);
        assertEquals((raw[7] & 0xff) / 255f, c.data()[7]);
        Idx.PixelMap r = Idx.PixelMap.toRange(-1, 1);
        assertEquals(-1f, r.apply(0), 1e-6);
        assertEquals(1f, r.apply(255), 1e-6);
    }

    @Test
    void labelFilterKeepsOnlyGivenClassesInOrder() throws IOException {
        Path imgs = write("i.gz", idx(3, new int[] {3, 2, 3}, imageData()), true);
        Path labs = write("l", idx(1, new int[] {3}, new byte[] {7, 1, 7}), false);
        Idx.Labeled all = Idx.read(imgs, labs, Idx.PixelMap.IDENTITY);
        assertArrayEquals(new int[] {7, 1, 7}, all.labels());
        Idx.Labeled sevens = Idx.read(imgs, labs, Idx.PixelMap.IDENTITY, Set.of(7));
        assertArrayEquals(new int[] {7, 7}, sevens.labels());
        assertEquals(2, sevens.images().count());
        float[] all6 = all.images().data();
        assertArrayEquals(Arrays.copyOfRange(all6, 0, 6), Arrays.copyOfRange(sevens.images().data(), 0, 6));
        assertArrayEquals(Arrays.copyOfRange(all6, 12, 18), Arrays.copyOfRange(sevens.images().data(), 6, 12));
        assertEquals(0, Idx.read(imgs, labs, Idx.PixelMap.IDENTITY, Set.of(3)).images().count());
    }

    @Test
    void countMismatchIsReported() throws IOException {
        Path imgs = write("i", idx(3, new int[] {3, 2, 3}, imageData()), false);
        Path labs = write("l", idx(1, new int[] {2}, new byte[] {0, 1}), false);
        FormatException e = assertThrows(FormatException.class, () -> Idx.read(imgs, labs, Idx.PixelMap.IDENTITY));
        assertTrue(e.getMessage().contains("3 images") && e.getMessage().contains("2 labels"), e.getMessage());
    }

    @Test
    void truncatedFilesAreReported() throws IOException {
        byte[] full = idx(3, new int[] {3, 2, 3}, imageData());
        byte[] cut = Arrays.copyOf(full, full.length - 5);
        Path plain = write("cut", cut, false);
        String m = assertThrows(FormatException.class, () -> Idx.readImages(plain, Idx.PixelMap.IDENTITY)).getMessage();
        assertTrue(m.startsWith(plain + ": truncated") && m.contains("needs 18 bytes of data, found 13"), m);
        Path header = write("hdr", Arrays.copyOf(full, 9), false);
        assertTrue(assertThrows(FormatException.class, () -> Idx.readImages(header, Idx.PixelMap.IDENTITY))
                .getMessage().contains("truncated IDX header"));
        ByteArrayOutputStream gz = new ByteArrayOutputStream();
        try (OutputStream o = new GZIPOutputStream(gz)) {
            o.write(full);
        }
        byte[] gzBytes = gz.toByteArray();
        Path gzCut = write("cut.gz", Arrays.copyOf(gzBytes, gzBytes.length - 12), false);
        assertTrue(assertThrows(FormatException.class, () -> Idx.readImages(gzCut, Idx.PixelMap.IDENTITY))
                .getMessage().startsWith(gzCut + ": truncated"));
    }

    @Test
    void wrongMagicTypeRankAndTrailingBytesAreReported() throws IOException {
        Path bad = write("bad", new byte[] {1, 2, 3, 4, 5, 6, 7, 8}, false);
        assertTrue(assertThrows(FormatException.class, () -> Idx.readLabels(bad)).getMessage()
                .contains("wrong magic 01 02 03 04"));
        byte[] floats = idx(1, new int[] {1}, new byte[] {0, 0, 0, 0});
        floats[2] = 0x0D;
        Path f = write("floats", floats, false);
        assertTrue(assertThrows(FormatException.class, () -> Idx.readLabels(f)).getMessage().contains("0x0d"));
        Path labels = write("labels", idx(1, new int[] {2}, new byte[] {1, 2}), false);
        assertTrue(assertThrows(FormatException.class, () -> Idx.readImages(labels, Idx.PixelMap.IDENTITY))
                .getMessage().contains("has 1 dimensions, expected 3"));
        Path extra = write("extra", idx(1, new int[] {2}, new byte[] {1, 2, 3}), false);
        assertTrue(assertThrows(FormatException.class, () -> Idx.readLabels(extra)).getMessage().contains("extra bytes"));
    }
}

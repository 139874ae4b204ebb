package wganc.runtime.io;

import static org.junit.jupiter.api.Assertions.*;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NpyTest {
    @TempDir Path dir;

    /** What {@code numpy.save(f, np.array([[1, 2, 3], [4, 5, 6]], dtype='<f4'))} writes (checked with NumPy 2.4). */
    static byte[] handBuilt() {
        String dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }";
        // 20 spaces of growth room (21 minus one digit of shape[0]); then 38 so that 10 + 59 + 20 + 38 + 1 = 128
        String header = dict + " ".repeat(20) + " ".repeat(38) + "\n";
        assertEquals(118, header.length());
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0, 118, 0});
        out.writeBytes(header.getBytes(StandardCharsets.US_ASCII));
        for (float f : new float[] {1, 2, 3, 4, 5, 6}) {
            int b = Float.floatToIntBits(f);
            out.writeBytes(new byte[] {(byte) b, (byte) (b >>> 8), (byte) (b >>> 16), (byte) (b >>> 24)});
        }
        return out.toByteArray();
    }

    @Test
    void writesTheHandBuiltBytes() {
        assertArrayEquals(handBuilt(), Npy.toBytes(new float[] {1, 2, 3, 4, 5, 6}, 2, 3));
    }

    @Test
    void headersAlignTo64ForEveryRank() {
        for (long[] shape : new long[][] {{}, {7}, {3, 4}, {1234567, 1, 28, 28}, {2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2}}) {
            byte[] h = Npy.header(shape);
            assertEquals(0, h.length % 64, Arrays.toString(shape));
            assertEquals('\n', h[h.length - 1]);
        }
        String one = new String(Npy.header(new long[] {7}), StandardCharsets.US_ASCII);
        assertTrue(one.contains("'shape': (7,), }"), one);
    }

    @Test
    void roundTrips() throws IOException {
        float[] data = new float[2 * 1 * 3 * 5];
        for (int i = 0; i < data.length; i++) data[i] = (float) Math.cos(i) * 100;
        data[3] = Float.NaN;
        data[4] = Float.NEGATIVE_INFINITY;
        Path f = dir.resolve("x.npy");
        Npy.write(f, data, 2, 1, 3, 5);
        Tensor t = Npy.read(f);
        assertEquals(DType.F32, t.dtype());
        assertArrayEquals(new long[] {2, 1, 3, 5}, t.shape());
        assertArrayEquals(data, t.toFloatArray());
        assertEquals(Tensor.f32(new float[] {42f}, new long[0]), Npy.parse(Npy.toBytes(new float[] {42f}), "s"));
    }

    @Test
    void rejectsWhatItCannotRead() throws IOException {
        byte[] good = handBuilt();
        byte[] cut = Arrays.copyOf(good, good.length - 4);
        String m = assertThrows(FormatException.class, () -> Npy.parse(cut, "cut.npy")).getMessage();
        assertTrue(m.startsWith("cut.npy: shape [2, 3]") && m.contains("needs 24 bytes"), m);
        byte[] bigEndian = good.clone();
        bigEndian[10 + 11] = '>';
        assertTrue(assertThrows(FormatException.class, () -> Npy.parse(bigEndian, "be")).getMessage().contains("`>f4`"));
        byte[] notNpy = good.clone();
        notNpy[1] = 'X';
        assertTrue(assertThrows(FormatException.class, () -> Npy.parse(notNpy, "x")).getMessage().contains("bad magic"));
        assertThrows(IllegalArgumentException.class, () -> Npy.toBytes(new float[5], 2, 3));
        Files.write(dir.resolve("f.npy"), good);
        assertEquals(6, Npy.read(dir.resolve("f.npy")).size());
    }
}

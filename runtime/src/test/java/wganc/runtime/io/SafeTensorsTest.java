package wganc.runtime.io;

import static org.junit.jupiter.api.Assertions.*;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafeTensorsTest {
    @TempDir Path dir;

    /** A file built byte by byte from the format description, as the Python library writes it. */
    private static byte[] handBuilt() {
        String json = "{\"__metadata__\":{\"format\":\"pt\"},"
                + "\"b\":{\"dtype\":\"F64\",\"shape\":[],\"data_offsets\":[0,8]},"
                + "\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8,16]}}";
        assertEquals(138, json.length());
        String header = json + "      "; // 6 spaces pad 138 to 144, a multiple of 8
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[] {(byte) 144, 0, 0, 0, 0, 0, 0, 0});
        out.writeBytes(header.getBytes(StandardCharsets.US_ASCII));
        out.writeBytes(new byte[] {0, 0, 0, 0, 0, 0, (byte) 0xe0, 0x3f}); // 0.5 as little-endian f64
        out.writeBytes(new byte[] {0, 0, (byte) 0x80, 0x3f}); // 1.0f
        out.writeBytes(new byte[] {0, 0, 0, (byte) 0xc0}); // -2.0f
        return out.toByteArray();
    }

    @Test
    void writesTheGoldenBytes() {
        SafeTensors st = new SafeTensors()
                .put("a", Tensor.f32(new float[] {1f, -2f}, 2))
                .put("b", Tensor.f64(new double[] {0.5}, new long[0]))
                .putMetadata("format", "pt");
        assertArrayEquals(handBuilt(), st.toBytes());
    }

    @Test
    void readsTheGoldenBytes() throws IOException {
        SafeTensors st = SafeTensors.parse(handBuilt(), "golden");
        assertEquals(List.of("b", "a"), List.copyOf(st.tensors().keySet()));
        assertEquals("pt", st.metadata().get("format"));
        assertArrayEquals(new float[] {1f, -2f}, st.floats("a"));
        assertArrayEquals(new long[] {2}, st.get("a").shape());
        assertEquals(0, st.get("b").rank());
        assertArrayEquals(new double[] {0.5}, st.doubles("b"));
        assertArrayEquals(new float[] {0.5f}, st.floats("b"));
    }

    @Test
    void roundTripIsByteIdenticalWhateverTheInsertionOrder() throws IOException {
        float[] w = new float[3 * 4 * 5 * 5];
        for (int i = 0; i < w.length; i++) w[i] = (float) Math.sin(i) * 1e-3f;
        SafeTensors one = new SafeTensors()
                .put("critic.conv1.weight", Tensor.f32(w, 3, 4, 5, 5))
                .put("critic.conv1.bias", Tensor.f32(new float[] {1, 2, 3}, 3))
                .put("step", Tensor.i64(new long[] {Long.MAX_VALUE}, 1))
                .put("count", Tensor.i32(new int[] {-7, 8}, 2))
                .putMetadata("z", "last").putMetadata("a", "first");
        SafeTensors two = new SafeTensors()
                .put("count", Tensor.i32(new int[] {-7, 8}, 2))
                .put("step", Tensor.i64(new long[] {Long.MAX_VALUE}, 1))
                .put("critic.conv1.bias", Tensor.f32(new float[] {1, 2, 3}, 3))
                .put("critic.conv1.weight", Tensor.f32(w.clone(), 3, 4, 5, 5))
                .putMetadata("a", "first").putMetadata("z", "last");
        Path f = dir.resolve("ckpt.safetensors");
        one.write(f);
        assertArrayEquals(two.toBytes(), Files.readAllBytes(f));
        SafeTensors back = SafeTensors.read(f);
        assertEquals(List.of("step", "critic.conv1.bias", "critic.conv1.weight", "count"),
                List.copyOf(back.tensors().keySet()));
        for (String name : one.tensors().keySet()) {
            assertEquals(one.get(name), back.get(name), name);
        }
        assertEquals(one.metadata(), back.metadata());
        long n = ByteBuffer.wrap(Files.readAllBytes(f)).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
        assertEquals(0, n % 8);
    }

    private static byte[] withHeader(String json, int dataBytes) {
        byte[] h = json.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + h.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(h.length).put(h);
        return b.array();
    }

    private static String reject(byte[] bytes) {
        return assertThrows(FormatException.class, () -> SafeTensors.parse(bytes, "bad.safetensors")).getMessage();
    }

    /** Bytes as Python's safetensors 0.8.0 writes them: U8 after F32, a byte per element. */
    @Test
    void bytesRoundTripAfterTheFloats() throws IOException {
        SafeTensors st = new SafeTensors().put("m", Tensor.u8(new byte[] {0, 1, 1, (byte) 255}, 2, 2))
                .put("x", Tensor.f32(new float[] {0.5f}, 1));
        String header = "{\"x\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
                + "\"m\":{\"dtype\":\"U8\",\"shape\":[2,2],\"data_offsets\":[4,8]}}";
        byte[] bytes = st.toBytes();
        int n = (int) ByteBuffer.wrap(bytes, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        String written = new String(bytes, 8, n, StandardCharsets.UTF_8).strip();
        assertEquals(header, written);
        SafeTensors back = SafeTensors.parse(bytes, "u8");
        assertEquals(st.get("m"), back.get("m"));
        assertArrayEquals(new double[] {0, 1, 1, 255}, back.get("m").toDoubleArray());
        assertArrayEquals(new float[] {0, 1, 1, 255}, back.get("m").toFloatArray());
    }

    @Test
    void rejectsBadHeaderLength() {
        byte[] b = withHeader("{}", 0);
        b[0] = 100;
        String m = reject(b);
        assertTrue(m.startsWith("bad.safetensors: bad header length 100"), m);
        assertTrue(reject(new byte[] {1, 2}).contains("too short"));
    }

    @Test
    void rejectsOffsetsOutOfRange() {
        String m = reject(withHeader("{\"w\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]}}", 8));
        assertTrue(m.contains("bad.safetensors: tensor `w`") && m.contains("out of range"), m);
    }

    @Test
    void rejectsOverlap() {
        String m = reject(withHeader("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}", 12));
        assertTrue(m.contains("tensor `b`") && m.contains("overlaps tensor `a`"), m);
    }

    @Test
    void rejectsGapsAndTrailingBytes() {
        String gap = reject(withHeader("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", 8));
        assertTrue(gap.contains("gap of 4 bytes") && gap.contains("`a`"), gap);
        String tail = reject(withHeader("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", 8));
        assertTrue(tail.contains("data section has 8 bytes but the tensors cover 4"), tail);
    }

    @Test
    void rejectsShapeByteCountMismatch() {
        String m = reject(withHeader("{\"w\":{\"dtype\":\"F64\",\"shape\":[2,3],\"data_offsets\":[0,24]}}", 24));
        assertTrue(m.contains("tensor `w`") && m.contains("need 48 bytes") && m.contains("span 24"), m);
    }

    @Test
    void rejectsUnsupportedDtypeAndDuplicates() {
        String m = reject(withHeader("{\"w\":{\"dtype\":\"BF16\",\"shape\":[1],\"data_offsets\":[0,2]}}", 2));
        assertTrue(m.contains("tensor `w`") && m.contains("`BF16` is not supported"), m);
        String d = reject(withHeader("{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
                + "\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", 4));
        assertTrue(d.contains("not valid JSON") && d.contains("w"), d);
    }

    @Test
    void readNamesTheFile() throws IOException {
        Path f = dir.resolve("broken.safetensors");
        Files.write(f, withHeader("{\"w\":{\"dtype\":\"F32\",\"shape\":[-1],\"data_offsets\":[0,4]}}", 4));
        FormatException e = assertThrows(FormatException.class, () -> SafeTensors.read(f));
        assertTrue(e.getMessage().startsWith(f + ": tensor `w`"), e.getMessage());
    }
}

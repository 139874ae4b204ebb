package wganc.runtime.io;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** SHA-256 checksums of tensors and header in a safetensors file's metadata. */
class ChecksumsTest {
    /** One tensor of every dtype, named as a checkpoint names its kinds of tensors. */
    static SafeTensors sample() {
        float[] w = new float[3 * 4];
        for (int i = 0; i < w.length; i++) w[i] = (float) Math.sin(i);
        return new SafeTensors()
                .put("G.0.weight", Tensor.f32(w, 3, 4))
                .put("G.1.running_var", Tensor.f64(new double[] {0.25, 4}, 2))
                .put("critic.t", Tensor.i64(new long[] {151}, new long[0]))
                .put("critic.D.0.weight.m", Tensor.i32(new int[] {-7, 8, 9}, 3))
                .put("D.1.mask.0", Tensor.u8(new byte[] {0, 1, 1, 0, 1}, 5))
                .putMetadata("step", "30").putMetadata("model", "toy")
                .withChecksums();
    }

    static int headerLength(byte[] file) {
        return (int) ByteBuffer.wrap(file, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
    }

    static JsonNode header(byte[] file) throws IOException {
        return new ObjectMapper().readTree(new String(file, 8, headerLength(file), StandardCharsets.UTF_8));
    }

    static String reject(byte[] file) {
        return assertThrows(FormatException.class, () -> SafeTensors.parse(file, "ck.safetensors")).getMessage();
    }

    @Test
    void checksumsAreStringMetadataOverTheDataBytesAndReadBackVerified() throws Exception {
        SafeTensors st = sample();
        byte[] file = st.toBytes();
        JsonNode md = header(file).get("__metadata__");
        // 0.25 and 4.0 as little-endian doubles: what `hashlib.sha256(t.numpy().tobytes())` hashes
        byte[] data = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putDouble(0.25).putDouble(4).array();
        String want = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
        assertEquals(want, md.get("sha256:G.1.running_var").textValue());
        assertEquals(List.of("header_sha256", "model", "sha256:D.1.mask.0", "sha256:G.0.weight",
                "sha256:G.1.running_var", "sha256:critic.D.0.weight.m", "sha256:critic.t", "step"),
                md.properties().stream().map(Map.Entry::getKey).toList());
        md.properties().forEach(e -> assertTrue(e.getValue().isTextual(), e.getKey()));

        SafeTensors back = SafeTensors.parse(file, "ck.safetensors");
        assertTrue(back.checksummed());
        assertEquals(Map.of("step", "30", "model", "toy"), back.metadata());
        for (String name : st.tensors().keySet()) assertEquals(st.get(name), back.get(name), name);
        assertArrayEquals(file, back.toBytes(), "a file read back writes the same bytes");
    }

    @Test
    void aFileWithoutChecksumsReadsAsBefore() throws IOException {
        SafeTensors plain = new SafeTensors().put("w", Tensor.f32(new float[] {1, 2}, 2)).putMetadata("step", "3");
        byte[] file = plain.toBytes();
        assertNull(header(file).get("__metadata__").get("header_sha256"));
        SafeTensors back = SafeTensors.parse(file, "old.safetensors");
        assertFalse(back.checksummed());
        assertEquals(Map.of("step", "3"), back.metadata());
        assertArrayEquals(file, back.toBytes());
    }

    @Test
    void aChangedByteInAnyTensorsDataIsRefusedNamingThatTensor() throws IOException {
        byte[] file = sample().toBytes();
        int dataStart = 8 + headerLength(file);
        JsonNode header = header(file);
        for (Map.Entry<String, JsonNode> e : header.properties()) {
            if (e.getKey().equals("__metadata__")) continue;
            long begin = e.getValue().get("data_offsets").get(0).longValue();
            long end = e.getValue().get("data_offsets").get(1).longValue();
            byte[] bad = file.clone();
            bad[dataStart + (int) ((begin + end) / 2)] ^= 0x10;
            String m = reject(bad);
            assertEquals("ck.safetensors: damaged: the data of `" + e.getKey() + "` does not match its SHA-256 checksum",
                    m);
        }
        byte[] two = file.clone();
        two[file.length - 1] ^= 1;  // the last tensor, U8
        two[dataStart] ^= 1;        // the first, I64
        assertEquals("ck.safetensors: damaged: the data of `critic.t`, `D.1.mask.0` do not match their SHA-256 checksums",
                reject(two));
    }

    @Test
    void aChangedByteAnywhereInTheHeaderIsRefused() {
        byte[] file = sample().toBytes();
        int end = 8 + headerLength(file);
        for (int i = 0; i < end; i++) {
            for (int flip : new int[] {0x01, 0x20, 0x80}) {
                byte[] bad = file.clone();
                bad[i] ^= (byte) flip;
                int at = i;
                assertThrows(FormatException.class, () -> SafeTensors.parse(bad, "ck"),
                        () -> "byte " + at + " ^ " + flip + " was accepted");
            }
        }
    }

    @Test
    void aDtypeOfTheSameSizeOrAnEditedValueBreaksTheHeaderChecksum() {
        byte[] file = sample().toBytes();
        String text = new String(file, StandardCharsets.ISO_8859_1);
        for (String[] edit : new String[][] {{"\"F32\"", "\"I32\""}, {"\"step\":\"30\"", "\"step\":\"31\""}}) {
            byte[] bad = text.replace(edit[0], edit[1]).getBytes(StandardCharsets.ISO_8859_1);
            assertEquals("ck.safetensors: damaged: the header (tensor names, dtypes, shapes, offsets or metadata) "
                    + "does not match its SHA-256 checksum", reject(bad), edit[1]);
        }
    }

    @Test
    void aFileWithSomeChecksumsMustHaveThemAll() {
        byte[] file = new SafeTensors().put("a", Tensor.f32(new float[] {1}, 1)).put("b", Tensor.f32(new float[] {2}, 1))
                .putMetadata("sha256:c", "00").toBytes();
        assertEquals("ck.safetensors: damaged: `a`, `b` have no checksum though the file carries checksums; "
                + "the checksum `sha256:c` names no tensor in the file; "
                + "the header checksum `header_sha256` is missing", reject(file));
    }
}

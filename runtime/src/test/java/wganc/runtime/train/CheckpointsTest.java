package wganc.runtime.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import wganc.runtime.io.SafeTensors;
import wganc.runtime.io.Tensor;

class CheckpointsTest {
  /** Flips one bit in the middle of {@code tensor}'s data in the safetensors file {@code file}. */
  static void damage(Path file, String tensor) throws IOException {
    byte[] b = Files.readAllBytes(file);
    int n = (int) ByteBuffer.wrap(b, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
    JsonNode offsets = new ObjectMapper().readTree(new String(b, 8, n, StandardCharsets.UTF_8))
        .get(tensor).get("data_offsets");
    b[8 + n + (offsets.get(0).intValue() + offsets.get(1).intValue()) / 2] ^= 1;
    Files.write(file, b);
  }

  static void write(Path dir, long step) throws IOException {
    new SafeTensors().put("w", Tensor.f32(new float[] {step}, 1)).withChecksums()
        .write(dir.resolve(Checkpoints.fileName(step)));
  }

  @Test
  void theFallbackIsTheNewestIntactCheckpointBeforeTheDamagedOne(@TempDir Path dir) throws IOException {
    for (long s : new long[] {0, 4, 8, 12, 16}) write(dir, s);
    Path at12 = dir.resolve("step-000012.safetensors");
    damage(at12, "w");
    assertEquals(new Checkpoints.Fallback(dir.resolve("step-000008.safetensors"), List.of()),
        Checkpoints.fallback(at12));
    damage(dir.resolve("step-000008.safetensors"), "w");
    assertEquals(new Checkpoints.Fallback(dir.resolve("step-000004.safetensors"),
        List.of(dir.resolve("step-000008.safetensors"))), Checkpoints.fallback(at12));
    damage(dir.resolve("step-000004.safetensors"), "w");
    damage(dir.resolve("step-000000.safetensors"), "w");
    Checkpoints.Fallback none = Checkpoints.fallback(at12);
    assertNull(none.intact());
    assertEquals(3, none.alsoDamaged().size());
    // a file that is no regular checkpoint falls back on the newest regular one
    Path nan = dir.resolve(Checkpoints.beforeNanName(5));
    Files.copy(at12, nan);
    assertEquals(dir.resolve("step-000016.safetensors"), Checkpoints.fallback(nan).intact());
  }
}

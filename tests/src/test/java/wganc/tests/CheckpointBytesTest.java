package wganc.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import wganc.runtime.data.DataPath;

/**
 * The compiler's output, pinned to the byte: 20 steps of two seed models on the JVM backend end in
 * checkpoints whose SHA-256 was recorded before issue 14's restructuring (2026-12-07, 3057e4d). The
 * numbers depend neither on the thread count nor the vector width (VectorWidthTest), so a changed
 * digest means a change of the arithmetic the compiler emits: deliberate ones update the digests
 * here and say why in the commit. Changed so far: mnist-wgan-clip on 2026-12-08, when strided and
 * stride-1 backward-input passes (its conv_transposes among them) became forward convolutions by
 * phases, which sum each output's terms in another order.
 */
class CheckpointBytesTest {
  @TempDir Path dir;

  private String digestAfter20Steps(String model) throws Exception {
    Path run = dir.resolve(model);
    Cli cli = Cli.run("train", "models/" + model + ".wgan", "--steps", "20", "--checkpoint-every", "10",
        "--out", run.toString(), "--progress", "lines");
    assertEquals(0, cli.status(), cli.err());
    byte[] bytes = Files.readAllBytes(run.resolve("checkpoints/step-000020.safetensors"));
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
  }

  @Test
  void toy8WganGp() throws Exception {
    assertEquals("e9edc05af2d654931032e8777b18b6b42ef561fae734a6311d983c2f5296246f",
        digestAfter20Steps("toy8-wgan-gp"));
  }

  @Test
  void mnistWganClip() throws Exception {
    try {
      DataPath.standard(null).resolve("train-images-idx3-ubyte.gz");
    } catch (IOException e) {
      Assumptions.abort("no MNIST-format images to train on (" + e.getMessage().lines().findFirst().orElse("")
          + "); apt-get install dataset-fashion-mnist");
    }
    assertEquals("87b0f1a7d2190fa41746b48581f1603161255be0cd666238a766cfe41b9261e7",
        digestAfter20Steps("mnist-wgan-clip"));
  }
}

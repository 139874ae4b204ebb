package wganc.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
import wganc.compile.Checked;
import wganc.compile.Compiler;
import wganc.emit.Backend;
import wganc.emit.java.JvmBackend;
import wganc.runtime.io.FormatException;
import wganc.runtime.io.SafeTensors;
import wganc.runtime.train.CompiledModel;
import wganc.runtime.train.Progress;
import wganc.runtime.train.TrainOptions;
import wganc.runtime.train.Trainer;

/**
 * Checkpoints of a compiled model carry checksums: one changed byte in any kind of tensor a
 * checkpoint holds (weight, bias, batchnorm running statistic, Adam moment, an update's iteration
 * counter) or anywhere in its header is refused, and through the CLI the refusal is one paragraph
 * that says what to do, which then works.
 */
class CheckpointIntegrityTest {
  @TempDir Path dir;

  static final String MODEL = """
      model tiny_bn
      data  real: [2] = toy("8gaussians", scale=2, std=0.02)
      noise z: [2] ~ normal(0, 1)
      network G(z: [2]) -> [2] { dense 8; batchnorm; relu; dense 2 }
      network D(x: [2]) -> [1] { dense 8; relu; dense 1 }
      train batch 16, steps 2, seed 1 {
        critic D with adam(lr=1e-4, beta1=0.5, beta2=0.9), 2 per generator step {
          fake  = G(z)
          alpha ~ uniform(0, 1) per sample
          xhat  = real + alpha * (fake - real)
          gp    = mean((norm(grad(D(xhat), xhat)) - 1)^2)
          loss  = mean(D(fake)) - mean(D(real)) + 10 * gp
        }
        generator G with adam(lr=1e-4, beta1=0.5, beta2=0.9) { loss = -mean(D(G(z))) }
      }
      """;

  /** One tensor of every kind the model's checkpoints hold. */
  static final List<String> KINDS = List.of("G.0.weight", "D.2.bias", "G.1.running_mean", "G.1.running_var",
      "critic.D.0.weight.m", "generator.G.3.bias.v", "critic.t", "generator.t");

  /** Flips one bit in the middle of {@code tensor}'s data. */
  static void damage(Path file, String tensor) throws IOException {
    byte[] b = Files.readAllBytes(file);
    int n = (int) ByteBuffer.wrap(b, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
    JsonNode at = new ObjectMapper().readTree(new String(b, 8, n, StandardCharsets.UTF_8)).get(tensor);
    assertNotNull(at, () -> "the checkpoint holds no `" + tensor + "`");
    b[8 + n + (at.get("data_offsets").get(0).intValue() + at.get("data_offsets").get(1).intValue()) / 2] ^= 1;
    Files.write(file, b);
  }

  @Test
  void aChangedByteInAnyKindOfTensorOrInTheHeaderIsRefused() throws Exception {
    Checked o = Compiler.check("tiny.wgan", MODEL.getBytes(StandardCharsets.UTF_8));
    assertTrue(o.ok(), () -> o.diagnostics().toString());
    CompiledModel model = new JvmBackend().compile(o.result().model(), MODEL, Backend.Options.defaults());
    Path run = dir.resolve("run");
    TrainOptions options = TrainOptions.defaults(run).withCheckpointEvery(1)
        .withProgress(null, Progress.Style.LINES, 0);
    new Trainer(model, options).train();
    Path newest = run.resolve("checkpoints/step-000002.safetensors");
    byte[] intact = Files.readAllBytes(newest);
    assertTrue(SafeTensors.read(newest).checksummed());
    for (String tensor : KINDS) {
      damage(newest, tensor);
      IOException e = assertThrows(IOException.class, () -> new Trainer(model, options.withSteps(3).withResume(true)).train());
      assertTrue(e.getMessage().startsWith(newest + ": damaged: the data of `" + tensor + "` does not match"),
          e.getMessage());
      assertTrue(e.getMessage().contains("to resume from " + run.resolve("checkpoints/step-000001.safetensors")
          + " (step 1)"), e.getMessage());
      Files.write(newest, intact);
    }
    int n = (int) ByteBuffer.wrap(intact, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
    for (int i = 0; i < 8 + n; i++) {
      byte[] bad = intact.clone();
      bad[i] ^= 1;
      int at = i;
      assertThrows(FormatException.class, () -> SafeTensors.parse(bad, "ck"), () -> "byte " + at + " was accepted");
    }
  }

  @Test
  void theCliRefusesADamagedCheckpointInOneParagraphAndItsAdviceWorks() throws Exception {
    Path model = dir.resolve("tiny.wgan");
    Files.writeString(model, MODEL);
    Path run = dir.resolve("run");
    String[] train = {"train", model.toString(), "--out", run.toString(), "--checkpoint-every", "1", "--progress", "lines"};
    Cli first = Cli.run(train);
    assertEquals(0, first.status(), first.err());
    Path newest = run.resolve("checkpoints/step-000002.safetensors");
    Path previous = run.resolve("checkpoints/step-000001.safetensors");
    damage(newest, "critic.D.0.weight.m");
    List<Path> stale = List.of(run.resolve(".samples.gif.k2j4.tmp"), run.resolve("checkpoints/.step-000003.safetensors.9z.tmp"));
    for (Path p : stale) Files.writeString(p, "left by a killed run");

    String[] resume = {"train", model.toString(), "--out", run.toString(), "--steps", "3", "--resume", "--progress", "lines"};
    Cli refused = Cli.run(resume);
    assertEquals(1, refused.status(), refused.err());
    assertEquals("error: " + newest + ": damaged: the data of `critic.D.0.weight.m` does not match its SHA-256 checksum;"
        + " --resume continues from the newest checkpoint, so to resume from " + previous + " (step 1), the newest intact"
        + " one, delete " + newest + " and run again with --resume", lastLine(refused.err()));
    assertEquals(1, refused.err().lines().filter(l -> l.contains("error")).count(), refused.err());
    assertFalse(refused.err().contains("Exception"), refused.err());

    Cli sample = Cli.run("sample", run.toString(), "--n", "8", "-o", dir.resolve("s.npy").toString());
    assertEquals(1, sample.status(), sample.err());
    assertEquals("error: " + newest + ": damaged: the data of `critic.D.0.weight.m` does not match its SHA-256 checksum;"
        + " sample from " + previous + " (step 1), the newest intact checkpoint before it, by giving that file instead of "
        + run, lastLine(sample.err()));
    Cli sampled = Cli.run("sample", previous.toString(), "--n", "8", "-o", dir.resolve("s.npy").toString());
    assertEquals(0, sampled.status(), sampled.err());

    Files.delete(newest);
    Cli resumed = Cli.run(resume);
    assertEquals(0, resumed.status(), resumed.err());
    assertTrue(resumed.err().contains("done after 3 of 3 steps"), resumed.err());
    for (Path p : stale) assertFalse(Files.exists(p), p.toString());
    assertTrue(SafeTensors.read(run.resolve("checkpoints/step-000003.safetensors")).checksummed());
  }

  static String lastLine(String text) {
    return text.strip().lines().toList().getLast();
  }
}

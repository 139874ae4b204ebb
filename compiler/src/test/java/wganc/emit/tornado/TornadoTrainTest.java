package wganc.emit.tornado;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import wganc.Frontend;
import wganc.emit.Backend;
import wganc.emit.java.JvmBackend;
import wganc.runtime.train.ModelSpec;

/**
 * Training on TornadoVM (skipped without {@code TORNADOVM_HOME}): toy8 at batch 2 for 4 steps, in a
 * child JVM as `wganc train --backend tornado` runs it. Parameters and optimiser state stay on the
 * device: what a run moves (the manifest's {@code device.bytes_to_device} and {@code bytes_to_host})
 * is about one upload and one download of them, and a step moves less than 2 % of them, where copying
 * them every phase would move 6 times them per step. And 2 steps, then {@code --resume} to 4, gives
 * the same checkpoint bytes as 4 steps at once.
 */
class TornadoTrainTest {
  @Test
  void parametersStayOnTheDeviceAndResumeIsBitExact(@TempDir Path dir) throws Exception {
    TornadoSdk sdk = TornadoAgreementTest.sdkOrSkip();
    Path model = Path.of("../models/toy8-wgan-gp.wgan");
    String text = TornadoAgreementTest.small(Files.readString(model));
    Frontend.Outcome o = Frontend.compile(model.toString(), text.getBytes(StandardCharsets.UTF_8));
    assertTrue(o.ok(), () -> o.diagnostics().toString());
    Path jar = dir.resolve("trainer.jar");
    JvmBackend.Sources sources = new TornadoBackend().writeTrainer(jar, o.result().model(), text, Backend.Options.defaults());

    Path once = dir.resolve("once"), twice = dir.resolve("twice");
    train(sdk, jar, once, 4, false, dir);
    train(sdk, jar, twice, 2, false, dir);
    train(sdk, jar, twice, 4, true, dir);
    String last = "checkpoints/step-000004.safetensors";
    assertArrayEquals(Files.readAllBytes(once.resolve(last)), Files.readAllBytes(twice.resolve(last)),
        "2 steps + resume to 4 differs from 4 steps");

    long stateBytes = 0;
    ModelSpec spec = sources.spec();
    for (ModelSpec.Param p : spec.params()) stateBytes += 4L * TornadoAgreementTest.size(p.shape());
    for (ModelSpec.State s : spec.state()) stateBytes += 4L * TornadoAgreementTest.size(s.shape());
    JsonNode four = device(once), two = device(twice);  // 4 steps; the resumed run's 2 steps
    assertEquals("tornado", four.get("backend").asText());
    long in4 = four.get("bytes_to_device").asLong(), out4 = four.get("bytes_to_host").asLong();
    long in2 = two.get("bytes_to_device").asLong(), out2 = two.get("bytes_to_host").asLong();
    // each run: one upload (and its constants once), one download for the final checkpoint
    assertTrue(in4 < 1.5 * stateBytes, "sent " + in4 + " bytes for " + stateBytes + " bytes of parameters and state");
    assertTrue(out4 < 1.5 * stateBytes, "received " + out4 + " bytes for " + stateBytes + " bytes of state");
    // a step moves data batches, step counters and losses: far less than the parameters
    assertTrue((in4 - in2) / 2 < stateBytes / 50, "a step sent " + (in4 - in2) / 2 + " bytes");
    assertTrue((out4 - out2) / 2 < stateBytes / 50, "a step received " + (out4 - out2) / 2 + " bytes");
  }

  private static JsonNode device(Path run) throws java.io.IOException {
    return new ObjectMapper().readTree(run.resolve("manifest.json").toFile()).get("device");
  }

  private static void train(TornadoSdk sdk, Path jar, Path out, int steps, boolean resume, Path dir) throws Exception {
    List<String> args = new ArrayList<>(List.of("--out", out.toString(), "--steps", Integer.toString(steps),
        "--sample-every", "1000", "--checkpoint-every", "1000"));
    if (resume) args.add("--resume");
    Path log = dir.resolve("train.log");
    Process p = new ProcessBuilder(sdk.command(jar.toString(), null, "wganc.runtime.train.TrainerMain", args))
        .redirectErrorStream(true).redirectOutput(log.toFile()).start();
    int code = p.waitFor();
    assertEquals(0, code, () -> "trainer failed:\n" + TornadoAgreementTest.read(log));
  }
}

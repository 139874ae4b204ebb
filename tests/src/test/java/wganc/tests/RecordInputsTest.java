package wganc.tests;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import wganc.cli.Main;
import wganc.runtime.io.DType;
import wganc.runtime.io.SafeTensors;
import wganc.runtime.metrics.Manifest;

/**
 * `wganc train --record-inputs`: one file per phase invocation named by its rng_step, holding every
 * input `trace --list` names (data, noise, sampled values, dropout keep-masks as bytes), an initial
 * checkpoint, and a run that is bit-identical to one that records nothing. (Whether the recorded
 * numbers are the ones training used is what the PyTorch replay checks: ReplayPyTorchTest.)
 */
class RecordInputsTest {
  @TempDir Path dir;

  /** toy8 narrowed to 32 units, with dropout in the critic so that masks are recorded too. */
  private Path model() throws Exception {
    String text = Files.readString(Path.of("models/toy8-wgan-gp.wgan"))
        .replace("dense 512; relu\n  dense 1", "dense 512; relu; dropout 0.25\n  dense 1")
        .replace("dense 512", "dense 32")
        .replace("train batch 256, steps 5000, seed 1", "train batch 16, steps 2, seed 1");
    assertTrue(text.contains("dropout 0.25"), "the test's model edit no longer applies");
    Path model = dir.resolve("toy8-dropout.wgan");
    Files.writeString(model, text);
    return model;
  }

  private static void train(Path model, Path run, String... extra) {
    List<String> args = new ArrayList<>(List.of("train", model.toString(), "--out", run.toString(), "--progress", "lines"));
    args.addAll(List.of(extra));
    StringWriter err = new StringWriter();
    assertEquals(0, Main.run(args.toArray(String[]::new), new PrintWriter(new StringWriter()), new PrintWriter(err)),
        err.toString());
  }

  @Test
  void everyPhaseInvocationLeavesItsInputsAndTrainingIsUnchanged() throws Exception {
    Path model = model();
    Path recorded = dir.resolve("recorded"), plain = dir.resolve("plain");
    train(model, recorded, "--record-inputs");
    train(model, plain);

    // 2 steps of 5 critic phases and 1 generator phase, numbered by rng_step
    List<String> files;
    try (Stream<Path> s = Files.list(recorded.resolve("inputs"))) {
      files = s.map(p -> p.getFileName().toString()).sorted().toList();
    }
    List<String> expected = new ArrayList<>();
    for (int i = 0; i < 12; i++) expected.add(String.format("%06d-%s.safetensors", i, i % 6 == 5 ? "generator" : "critic"));
    assertEquals(expected, files);
    assertTrue(Files.notExists(plain.resolve("inputs")), "recording is off by default");

    SafeTensors critic = SafeTensors.read(recorded.resolve("inputs/000007-critic.safetensors"));
    assertEquals(List.of("D.6.mask.0", "D.6.mask.1", "D.6.mask.2", "alpha", "real", "z"),
        critic.tensors().keySet().stream().sorted().toList());
    assertEquals("7", critic.metadata().get("rng_step"));
    assertEquals("2", critic.metadata().get("step"));
    assertEquals("critic", critic.metadata().get("update"));
    assertArrayEquals(new long[] {16, 2}, critic.get("real").shape());
    assertArrayEquals(new long[] {16}, critic.get("alpha").shape());
    var mask = critic.get("D.6.mask.1");
    assertEquals(DType.U8, mask.dtype());
    assertArrayEquals(new long[] {16, 32}, mask.shape());
    int kept = 0;
    for (double v : mask.toDoubleArray()) {
      assertTrue(v == 0 || v == 1, "a keep-mask holds 0 or 1, found " + v);
      kept += (int) v;
    }
    assertTrue(kept > 16 * 32 / 2 && kept < 16 * 32, "about 3/4 kept, found " + kept + " of 512");
    for (double a : critic.doubles("alpha")) assertTrue(a >= 0 && a < 1, "alpha ~ uniform(0, 1), found " + a);
    // each invocation draws afresh
    SafeTensors next = SafeTensors.read(recorded.resolve("inputs/000008-critic.safetensors"));
    assertTrue(!java.util.Arrays.equals(critic.floats("z"), next.floats("z")));
    SafeTensors generator = SafeTensors.read(recorded.resolve("inputs/000011-generator.safetensors"));
    assertEquals(List.of("D.6.mask.0", "z"), generator.tensors().keySet().stream().sorted().toList());

    // the initial state and the manifest's schedule, which a replay follows
    SafeTensors initial = SafeTensors.read(recorded.resolve("checkpoints/step-000000.safetensors"));
    assertEquals("0", initial.metadata().get("step"));
    assertArrayEquals(new float[] {1}, initial.floats("critic.t"));
    var manifest = Manifest.read(recorded.resolve("manifest.json"));
    assertEquals(List.of("critic", "critic", "critic", "critic", "critic", "generator"), manifest.get("schedule"));

    // recording changes nothing of training: equal checkpoints, byte for byte
    for (String ck : List.of("step-000000.safetensors", "step-000002.safetensors")) {
      assertArrayEquals(Files.readAllBytes(plain.resolve("checkpoints").resolve(ck)),
          Files.readAllBytes(recorded.resolve("checkpoints").resolve(ck)), ck);
    }
  }

  @Test
  void theTornadoBackendRefusesToRecord() throws Exception {
    StringWriter err = new StringWriter();
    int code = Main.run(new String[] {"train", model().toString(), "--out", dir.resolve("t").toString(), "--backend",
        "tornado", "--record-inputs"}, new PrintWriter(new StringWriter()), new PrintWriter(err));
    assertEquals(2, code);
    assertTrue(err.toString().contains("--record-inputs needs the JVM backend"), err.toString());
    assertTrue(Files.notExists(dir.resolve("t")));
  }
}

package wganc.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import wganc.check.Model;
import wganc.check.Summary;
import wganc.compile.Checked;
import wganc.compile.Compiler;
import wganc.emit.Backend;
import wganc.emit.java.JvmBackend;
import wganc.runtime.io.SafeTensors;
import wganc.runtime.train.CompiledModel;
import wganc.runtime.train.DataFeed;
import wganc.runtime.train.ModelSpec;
import wganc.runtime.train.Progress;
import wganc.runtime.train.TrainOptions;
import wganc.runtime.train.Trainer;

/**
 * models/cifar-resnet-wgan-gp.wgan, the WGAN-GP authors' CIFAR-10 ResNet: its parameters against the
 * same networks built with torch.nn by bench/resnet_params.py (every state-dict name and shape, and
 * the counts; skipped without PyTorch), and a training step (5 critic updates, 1 generator update) on the JVM backend at batch 2 on
 * synthetic images (CIFAR-10 is not on the machines that run the tests).
 */
class CifarResNetTest {
  static final Path MODEL = Path.of("models/cifar-resnet-wgan-gp.wgan");

  static Model model() {
    Checked o = Compiler.check(MODEL);
    assertTrue(o.ok(), () -> o.diagnostics().toString());
    return o.result().model();
  }

  /** `G.2.0.branch.3.weight 128 128 3 3` for every parameter and running statistic, then the counts. */
  static List<String> described(Model m) {
    List<String> lines = new ArrayList<>();
    for (Model.Network n : m.networks().stream().sorted((a, b) -> b.name().compareTo(a.name())).toList()) {
      for (Model.Param p : n.params()) {
        lines.add(p.name() + " " + String.join(" ", p.shape().stream().map(String::valueOf).toList()));
      }
      lines.add(n.name() + " trainable " + Summary.trainable(n));
      lines.add(n.name() + " non-trainable " + (Summary.total(n) - Summary.trainable(n)));
    }
    return lines;
  }

  @Test
  void parametersAreThoseOfTheSameNetworksInPyTorch() throws Exception {
    String python = System.getenv().getOrDefault("WGANC_PYTHON", "python3");
    Path log = Files.createTempFile("wganc-resnet", ".txt");
    int status;
    try {
      Process p = new ProcessBuilder(python, "bench/resnet_params.py").redirectErrorStream(true)
          .redirectOutput(log.toFile()).start();
      if (!p.waitFor(300, TimeUnit.SECONDS)) p.destroyForcibly().waitFor();
      status = p.exitValue();
    } catch (IOException e) {
      status = -1;
    }
    String out = Files.readString(log, StandardCharsets.UTF_8);
    Files.delete(log);
    boolean noTorch = status != 0 && (status == -1 || out.contains("No module named 'torch'"));
    Assumptions.assumeFalse(noTorch, () -> "no PyTorch (" + python + " bench/resnet_params.py: " + out.strip()
        + "); set WGANC_PYTHON to a python with torch");
    assertEquals(0, status, out);
    assertEquals(described(model()), out.lines().toList());
  }

  @Test
  void trainsAStepOnTheJvmAtBatchTwo(@TempDir Path out) throws Exception {
    Model m = model().withBatch(2);
    String text = Files.readString(MODEL);
    CompiledModel compiled = new JvmBackend().compile(m, text, new Backend.Options(4));
    ModelSpec spec = compiled.spec();
    TrainOptions options = TrainOptions.defaults(out).withSteps(1).withCheckpointEvery(1).withSampleEvery(1000)
        .withProgress(null, Progress.Style.LINES, 0);
    Trainer.Result r = new Trainer(compiled, options, DataFeed.synthetic(spec, 3, 16)).train();
    assertEquals(1, r.steps());
    for (var e : r.metrics().entrySet()) assertTrue(Double.isFinite(e.getValue()), e.toString());
    SafeTensors before = SafeTensors.read(out.resolve("checkpoints/step-000000.safetensors"));
    SafeTensors after = SafeTensors.read(out.resolve("checkpoints/step-000001.safetensors"));
    for (String name : List.of("G.2.0.branch.3.weight", "G.4.0.shortcut.1.weight", "D.0.0.shortcut.1.weight",
        "D.1.0.branch.3.bias", "D.3.0.branch.1.weight", "D.6.weight")) {
      float[] w0 = before.floats(name), w2 = after.floats(name);
      assertFalse(Arrays.equals(w0, w2), name + " did not change");
      for (float v : w2) assertTrue(Float.isFinite(v), name);
    }
  }
}

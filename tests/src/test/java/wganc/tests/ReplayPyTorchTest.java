package wganc.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import wganc.cli.Main;
import wganc.runtime.io.SafeTensors;
import wganc.runtime.io.Tensor;
import wganc.runtime.data.DataPath;

/**
 * Whole training runs that PyTorch reproduces: each seed model trains 20 steps (mnist-wgan-gp 10) with
 * `--record-inputs --checkpoint-every 1`, then `bench/replay_pytorch.py` rebuilds its networks in
 * PyTorch, replays every update from the initial checkpoint and the recorded inputs with PyTorch's
 * autograd and torch.optim, in float32 and float64, and compares every parameter, running statistic
 * and optimiser slot of each of wganc's checkpoints (its exit status says whether the tolerance of
 * docs/replay.md holds). A control shows that the comparison can fail: one recorded number changed
 * (one interpolation weight of toy8's first critic update) makes the replay disagree at step 1.
 * Needs a Python with torch, numpy and safetensors ($WGANC_PYTHON, which .ci/run sets up, else
 * python3); skipped, saying so, without one. The image models need Fashion-MNIST.
 */
class ReplayPyTorchTest {
  @TempDir static Path dir;
  static String python;

  @BeforeAll
  static void findPyTorch() throws Exception {
    String candidate = System.getenv().getOrDefault("WGANC_PYTHON", "python3");
    String why = run(List.of(candidate, "-c", "import torch, numpy, safetensors; print(torch.__version__)"), 120);
    Assumptions.assumeTrue(why == null, () -> "no PyTorch to replay with (" + candidate
        + " -c 'import torch, numpy, safetensors' failed: " + why + "); .ci/run installs it into .ci/venv");
    python = candidate;
  }

  /** Runs a command; null when it exits 0, else its status and output. */
  private static String run(List<String> cmd, long timeoutS) throws IOException, InterruptedException {
    Path log = Files.createTempFile("wganc-replay", ".log");
    Process p;
    try {
      p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    } catch (IOException e) {
      return e.getMessage();
    }
    boolean finished = p.waitFor(timeoutS, TimeUnit.SECONDS);
    if (!finished) p.destroyForcibly().waitFor();
    String text = Files.readString(log, StandardCharsets.UTF_8);
    Files.delete(log);
    System.out.println(String.join(" ", cmd) + "\n" + text);
    if (!finished) return "timed out after " + timeoutS + " s:\n" + text;
    return p.exitValue() == 0 ? null : "exit " + p.exitValue() + ":\n" + text;
  }

  private static Path train(String model, int steps, String... extra) {
    Path run = dir.resolve(model);
    List<String> args = new ArrayList<>(List.of("train", "models/" + model + ".wgan", "--steps", "" + steps, "--out",
        run.toString(), "--record-inputs", "--checkpoint-every", "1", "--progress", "lines"));
    args.addAll(List.of(extra));
    StringWriter err = new StringWriter();
    assertEquals(0, Main.run(args.toArray(String[]::new), new PrintWriter(new StringWriter()), new PrintWriter(err)),
        err.toString());
    return run;
  }

  private static void trainAndReplay(String model, int steps, String... extra) throws Exception {
    Path run = train(model, steps, extra);
    String failure = run(List.of(python, "bench/replay_pytorch.py", run.toString(), "--threads", "2"), 900);
    assertTrue(failure == null, "PyTorch's replay of " + model + " disagrees: " + failure);
  }

  private static void needFashionMnist() {
    try {
      DataPath.standard(null).resolve("train-images-idx3-ubyte.gz");
    } catch (IOException e) {
      Assumptions.abort("no MNIST-format images to train on (" + e.getMessage().lines().findFirst().orElse("")
          + "); apt-get install dataset-fashion-mnist");
    }
  }

  @Test
  void toy8WganGpReplaysInPyTorch() throws Exception {
    trainAndReplay("toy8-wgan-gp", 20);
    // the control: the same run, with alpha[0] of the first critic update moved from a to 1 - a
    Path run = dir.resolve("toy8-wgan-gp");
    Path inputs = run.resolve("inputs/000000-critic.safetensors");
    SafeTensors first = SafeTensors.read(inputs);
    Tensor alpha = first.get("alpha");
    float[] a = alpha.toFloatArray();
    a[0] = 1 - a[0];
    first.put("alpha", Tensor.f32(a, alpha.shape()));
    first.write(inputs);
    String failure = run(List.of(python, "bench/replay_pytorch.py", run.toString(), "--steps", "1", "--threads", "2"), 300);
    assertTrue(failure != null && failure.startsWith("exit 1") && failure.contains("FAIL"),
        "the replay of a run whose recorded alpha[0] was changed must fail at step 1: " + failure);
  }

  /**
   * The demo's linear learning-rate decay, over a model of 20 steps so that the rate falls from 1e-3
   * to 1/100 of it (critic) and 1/20 (generator) within the replayed run. The control: the same run
   * replayed as if the model had 40 steps (a slower decay) must disagree.
   */
  @Test
  void toy8DemoWithItsLinearDecayReplaysInPyTorch() throws Exception {
    String text = Files.readString(Path.of("models/toy8-demo.wgan"));
    String short20 = text.replaceFirst("(train batch \\d+, steps )\\d+", "$120");
    assertTrue(!short20.equals(text) && short20.contains("decay=linear"), short20);
    Path model = dir.resolve("toy8-demo-20.wgan");
    Files.writeString(model, short20);
    Path run = dir.resolve("toy8-demo-20");
    StringWriter err = new StringWriter();
    assertEquals(0, Main.run(new String[] {"train", model.toString(), "--out", run.toString(), "--record-inputs",
        "--checkpoint-every", "1", "--progress", "lines"}, new PrintWriter(new StringWriter()), new PrintWriter(err)),
        err.toString());
    String failure = run(List.of(python, "bench/replay_pytorch.py", run.toString(), "--threads", "2"), 600);
    assertTrue(failure == null, "PyTorch's replay of toy8-demo disagrees: " + failure);
    // by step 3 the critic's rate is 0.91-0.95 of lr under the 20-step decay and 0.96-0.98 under 40
    Files.writeString(run.resolve("model.wgan"), short20.replaceFirst("steps 20", "steps 40"));
    failure = run(List.of(python, "bench/replay_pytorch.py", run.toString(), "--steps", "3", "--threads", "2"), 600);
    assertTrue(failure != null && failure.startsWith("exit 1") && failure.contains("FAIL"),
        "a replay with a decay over 40 steps must disagree with a run that decayed over 20: " + failure);
  }

  @Test
  void mnistWganGpReplaysInPyTorch() throws Exception {
    needFashionMnist();
    // 10 steps (30 critic and 10 generator updates): PyTorch's float64 replay of this model is the
    // slowest part of CI (560 s for 20 steps on 2 cores); toy8 and mnist-wgan-clip replay 20
    trainAndReplay("mnist-wgan-gp", 10, "--batch", "64");
  }

  @Test
  void mnistWganClipReplaysInPyTorch() throws Exception {
    needFashionMnist();
    trainAndReplay("mnist-wgan-clip", 20);
  }
}

package wganc.lower;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import wganc.check.Model;
import wganc.compile.Checked;
import wganc.compile.Compiler;
import wganc.interp.Float64Tensor;
import wganc.interp.Interpreter;

/**
 * Class noise is one-hot rows of uniformly drawn classes, keyed like every draw (the same step gives
 * the same classes); labelled data are one input of rows [values, one-hot label] split into the data
 * and its labels, so they come from the same samples.
 */
class ConditionalLoweringTest {
  static final int BATCH = 600;
  static final String MODEL = """
      model cond
      data real: image[1, 2, 2], y: class[3] = idx("i.gz", labels="l.gz")
      noise z: [2] ~ normal(0, 1)
      noise c: class[3] ~ uniform
      network G(z: [2], y: [3]) -> [1, 2, 2] { concat y; dense 4; reshape [1, 2, 2] }
      network D(x: [1, 2, 2], y: [3]) -> [1] { concat y; flatten; dense 1 }
      train batch %d, steps 1 {
        critic D with sgd(lr=0.1) {
          img = real
          lab = y
          loss = mean(D(G(z, y), y)) - mean(D(real, y))
        }
        generator G with sgd(lr=0.1) {
          k ~ c
          loss = -mean(D(G(z, k), k))
        }
      }
      """.formatted(BATCH);

  static Model model() {
    Checked o = Compiler.check("cond.wgan", MODEL.getBytes(StandardCharsets.UTF_8));
    assertTrue(o.ok(), () -> o.diagnostics().toString());
    return o.result().model();
  }

  static Interpreter.Result run(Lowering.PhaseGraph p, Model m, long step) {
    Map<String, Float64Tensor> feeds = new HashMap<>(Shrunk.feeds(m, p.graph(), new Random(3), 1));
    feeds.put("rng_step", new Float64Tensor(List.of(), new double[] {step}));
    return Interpreter.run(p.graph(), feeds);
  }

  @Test
  void classNoiseIsOneHotUniformAndKeyedByTheStep() {
    Model m = model();
    Lowering.PhaseGraph g = Lowering.lower(m, Lowering.Draws.RANDOM).getLast();
    double[] k = run(g, m, 5).output("k").data();
    assertEquals(BATCH * 3, k.length);
    int[] counts = new int[3];
    for (int i = 0; i < BATCH; i++) {
      double sum = 0;
      for (int j = 0; j < 3; j++) {
        double v = k[i * 3 + j];
        assertTrue(v == 0 || v == 1, "row " + i + " holds " + v);
        sum += v;
        if (v == 1) counts[j]++;
      }
      assertEquals(1, sum, "row " + i);
    }
    // 600 uniform classes of 3: each count 200 +- 4 standard deviations (11.5)
    for (int c : counts) assertTrue(Math.abs(c - 200) < 46, Arrays.toString(counts));
    assertArrayEquals(k, run(g, m, 5).output("k").data(), "the same step draws the same classes");
    assertFalse(Arrays.equals(k, run(g, m, 6).output("k").data()), "another step draws others");
  }

  @Test
  void labelledDataAreSplitFromOneRowPerSample() {
    Model m = model();
    Lowering.PhaseGraph critic = Lowering.lower(m, Lowering.Draws.RANDOM).getFirst();
    Map<String, Float64Tensor> feeds = new HashMap<>(Shrunk.feeds(m, critic.graph(), new Random(3), 1));
    feeds.put("rng_step", new Float64Tensor(List.of(), new double[] {0}));
    double[] rows = new double[BATCH * 7];
    for (int i = 0; i < rows.length; i++) rows[i] = i;
    feeds.put("real", new Float64Tensor(List.of(BATCH, 7), rows));
    Interpreter.Result r = Interpreter.run(critic.graph(), feeds);
    double[] img = r.output("img").data(), lab = r.output("lab").data();
    assertEquals(List.of(BATCH, 1, 2, 2), r.output("img").shape());
    assertEquals(List.of(BATCH, 3), r.output("lab").shape());
    for (int i = 0; i < BATCH; i++) {
      for (int p = 0; p < 4; p++) assertEquals(7 * i + p, img[4 * i + p]);
      for (int c = 0; c < 3; c++) assertEquals(7 * i + 4 + c, lab[3 * i + c]);
    }
  }
}

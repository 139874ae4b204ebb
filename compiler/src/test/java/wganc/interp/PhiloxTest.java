package wganc.interp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import wganc.ir.DType;
import wganc.ir.Graph;
import wganc.ir.GraphBuilder;
import wganc.ir.TensorType;
import wganc.ir.Value;
import wganc.ops.RandomDraw;

class PhiloxTest {
  @Test
  void knownAnswerForZeroCounterAndKey() {
    int[] out = Philox.block(new int[4], new int[2]);
    assertArrayEquals(new int[] {0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8}, out);
  }

  /** Random123's kat_vectors: philox4x32 10, all-ones counter and key. */
  @Test
  void knownAnswerForAllOnes() {
    int[] out = Philox.block(new int[] {-1, -1, -1, -1}, new int[] {-1, -1});
    assertArrayEquals(new int[] {0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd}, out);
  }

  static Map<String, double[]> draw(long step) {
    GraphBuilder b = new GraphBuilder();
    Value s = b.input("step", TensorType.of(DType.I64));
    b.output("u", b.randomUniform(s, 42, 0, TensorType.f32(1000)));
    b.output("u1", b.randomUniform(s, 42, 1, TensorType.f32(1000)));
    b.output("n", b.randomNormal(s, 42, 0, TensorType.f32(4000)));
    Graph g = b.build();
    Interpreter.Result r = Interpreter.run(g, Map.of("step", Tensor.scalar(step)));
    return Map.of("u", r.output("u").data(), "u1", r.output("u1").data(), "n",
        r.output("n").data());
  }

  @Test
  void drawsArePureFunctionsOfTheirKeys() {
    Map<String, double[]> a = draw(7);
    Map<String, double[]> again = draw(7);
    Map<String, double[]> next = draw(8);
    assertArrayEquals(a.get("u"), again.get("u"));
    assertArrayEquals(a.get("n"), again.get("n"));
    assertNotEquals(a.get("u")[0], next.get("u")[0]);
    assertNotEquals(a.get("u")[0], a.get("u1")[0]);
  }

  @Test
  void uniformIsTheTop24BitsOfTheFirstWord() {
    double[] u = draw(0).get("u");
    int[] words = Philox.block(new int[] {0, 0, 0, 0}, new int[] {42, 0});
    for (int k = 0; k < 4; k++) {
      assertEquals((words[k] >>> 8) / 16777216.0, u[k]);
      assertEquals(RandomDraw.uniform(words[k]), u[k]);
    }
  }

  @Test
  void momentsAreRoughlyRight() {
    double[] u = draw(3).get("u");
    double[] n = draw(3).get("n");
    double mu = 0;
    for (double x : u) {
      assertTrue(x >= 0 && x < 1);
      mu += x / u.length;
    }
    assertEquals(0.5, mu, 0.05);
    double mean = 0;
    double sq = 0;
    for (double x : n) {
      mean += x / n.length;
      sq += x * x / n.length;
    }
    assertEquals(0.0, mean, 0.06);
    assertEquals(1.0, sq, 0.08);
  }

  @Test
  void normalDrawsAreBoxMullerPairs() {
    double[] n = draw(5).get("n");
    int[] w = Philox.block(new int[] {0, 0, 5, 0}, new int[] {42, 0});
    double r = Math.sqrt(-2 * Math.log(1 - RandomDraw.uniform(w[0])));
    double theta = 2 * Math.PI * RandomDraw.uniform(w[1]);
    assertEquals(r * Math.cos(theta), n[0]);
    assertEquals(r * Math.sin(theta), n[1]);
    assertEquals(List.of(), List.of());
  }
}

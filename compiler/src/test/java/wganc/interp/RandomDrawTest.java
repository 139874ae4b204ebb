package wganc.interp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;
import wganc.ir.ElementType;
import wganc.ir.Graph;
import wganc.ir.GraphBuilder;
import wganc.ir.TensorType;
import wganc.ir.Value;
import wganc.runtime.rng.Philox;

/** Random ops in the interpreter draw exactly the runtime's Philox numbers (the backends' contract). */
class RandomDrawTest {
  static Map<String, double[]> draw(long step) {
    GraphBuilder b = new GraphBuilder();
    Value s = b.input("step", TensorType.of(ElementType.I64));
    b.output("u", b.randomUniform(s, 42, 0, TensorType.f32(1000)));
    b.output("u1", b.randomUniform(s, 42, 1, TensorType.f32(1000)));
    b.output("n", b.randomNormal(s, 42, 0, TensorType.f32(4000)));
    Graph g = b.build();
    Interpreter.Result r = Interpreter.run(g, Map.of("step", Float64Tensor.scalar(step)));
    return Map.of("u", r.output("u").data(), "u1", r.output("u1").data(), "n", r.output("n").data());
  }

  @Test
  void drawsArePureFunctionsOfTheirKeys() {
    Map<String, double[]> a = draw(7);
    assertArrayEquals(a.get("u"), draw(7).get("u"));
    assertArrayEquals(a.get("n"), draw(7).get("n"));
    assertNotEquals(a.get("u")[0], draw(8).get("u")[0]);
    assertNotEquals(a.get("u")[0], a.get("u1")[0]);
  }

  @Test
  void drawsAreTheRuntimesPhiloxNumbers() {
    Map<String, double[]> a = draw(5);
    for (int e = 0; e < 1000; e++) {
      assertEquals(Philox.uniform(42, 0, 5, e), a.get("u")[e]);
      assertEquals(Philox.uniform(42, 1, 5, e), a.get("u1")[e]);
    }
    for (int e = 0; e < 4000; e++) assertEquals(Philox.normal(42, 0, 5, e), a.get("n")[e]);
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
    double mean = 0, sq = 0;
    for (double x : n) {
      mean += x / n.length;
      sq += x * x / n.length;
    }
    assertEquals(0.0, mean, 0.06);
    assertEquals(1.0, sq, 0.08);
  }
}

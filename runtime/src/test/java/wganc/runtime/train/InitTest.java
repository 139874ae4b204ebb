package wganc.runtime.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class InitTest {
  static final int FAN_IN = 300;
  static final int FAN_OUT = 100;

  static ModelSpec.Param param(String init, double a, double b) {
    return new ModelSpec.Param("D.0.weight", new int[] {FAN_OUT, FAN_IN}, "weight", true, init, a, b, FAN_IN, FAN_OUT);
  }

  static double mean(float[] x) {
    double s = 0;
    for (float v : x) s += v;
    return s / x.length;
  }

  static double std(float[] x) {
    double m = mean(x), s = 0;
    for (float v : x) s += (v - m) * (v - m);
    return Math.sqrt(s / x.length);
  }

  static double maxAbs(float[] x) {
    double m = 0;
    for (float v : x) m = Math.max(m, Math.abs(v));
    return m;
  }

  @Test
  void uniformInitialisersStayInTheirLimitsWithTheirVariance() {
    for (String init : new String[] {"glorot_uniform", "he_uniform"}) {
      double limit = init.startsWith("glorot") ? Math.sqrt(6.0 / (FAN_IN + FAN_OUT)) : Math.sqrt(6.0 / FAN_IN);
      float[] w = Init.param(param(init, 0, 0), 0, 1);
      assertTrue(maxAbs(w) < limit, init);
      assertTrue(maxAbs(w) > 0.99 * limit, init + " reaches near its limit");
      assertEquals(0, mean(w), 0.01 * limit, init);
      assertEquals(limit / Math.sqrt(3), std(w), 0.01 * limit, init);
    }
  }

  @Test
  void truncatedNormalsHaveTheRequestedStdAndNoValueBeyondTwoOfTheirs() {
    for (String init : new String[] {"glorot_normal", "he_normal"}) {
      double target = init.startsWith("glorot") ? Math.sqrt(2.0 / (FAN_IN + FAN_OUT)) : Math.sqrt(2.0 / FAN_IN);
      double drawStd = target / Init.TRUNCATED_STD;
      float[] w = Init.param(param(init, 0, 0), 3, 1);
      assertTrue(maxAbs(w) <= 2 * drawStd * (1 + 1e-6), init);
      assertTrue(maxAbs(w) > 1.95 * drawStd, init + " uses the whole truncated range");
      assertEquals(0, mean(w), 0.01 * target, init);
      assertEquals(target, std(w), 0.01 * target, init);
    }
  }

  @Test
  void normalUniformAndConstant() {
    float[] n = Init.param(param("normal", 0.5, 0.02), 0, 9);
    assertEquals(0.5, mean(n), 0.001);
    assertEquals(0.02, std(n), 0.0005);
    float[] u = Init.param(param("uniform", -2, 3), 0, 9);
    assertTrue(Arrays.stream(box(u)).allMatch(v -> v >= -2 && v < 3));
    assertEquals(0.5, mean(u), 0.05);
    assertEquals(5 / Math.sqrt(12), std(u), 0.02);
    float[] c = Init.param(param("constant", 0.25, 0), 0, 9);
    for (float v : c) assertEquals(0.25f, v);
    assertThrows(IllegalArgumentException.class, () -> Init.param(param("orthogonal", 0, 0), 0, 9));
  }

  private static Float[] box(float[] x) {
    Float[] b = new Float[x.length];
    for (int i = 0; i < x.length; i++) b[i] = x[i];
    return b;
  }

  @Test
  void eachParameterHasItsOwnStreamAndTheSeedDecides() {
    ModelSpec.Param p = param("glorot_uniform", 0, 0);
    assertArrayEquals(Init.param(p, 2, 5), Init.param(p, 2, 5));
    assertFalse(Arrays.equals(Init.param(p, 2, 5), Init.param(p, 3, 5)));
    assertFalse(Arrays.equals(Init.param(p, 2, 5), Init.param(p, 2, 6)));
  }

  @Test
  void stateStartsAtItsInitialValue() {
    float[] t = Init.state(new ModelSpec.State("critic.t", new int[0], 1));
    assertArrayEquals(new float[] {1f}, t);
    float[] m = Init.state(new ModelSpec.State("critic.D.0.weight.m", new int[] {3, 2}, 0));
    assertArrayEquals(new float[6], m);
  }
}

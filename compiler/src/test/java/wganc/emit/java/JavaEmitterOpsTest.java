package wganc.emit.java;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import wganc.interp.Interpreter;
import wganc.interp.Float64Tensor;
import wganc.ir.Binding;
import wganc.ir.Graph;
import wganc.ir.GraphBuilder;
import wganc.ir.Node;
import wganc.ir.TensorType;
import wganc.ir.Value;
import wganc.plan.Schedule;
import wganc.runtime.train.Phase;

/** Each kernel kind of the JVM emitter against the reference interpreter, on small odd shapes. */
class JavaEmitterOpsTest {
  record Case(String name, Function<GraphBuilder, Value> build) {
    @Override public String toString() { return name; }
  }

  static Value in(GraphBuilder b, String name, int... dims) { return b.input(name, TensorType.f32(dims)); }

  static Stream<Arguments> cases() {
    List<Case> cs = new ArrayList<>();
    for (boolean ta : new boolean[] {false, true}) {
      for (boolean tb : new boolean[] {false, true}) {
        cs.add(new Case("matmul ta=" + ta + " tb=" + tb, b -> b.matmul(ta ? in(b, "a", 7, 5) : in(b, "a", 5, 7),
            tb ? in(b, "c", 3, 7) : in(b, "c", 7, 3), ta, tb)));
      }
    }
    cs.add(new Case("reduce axis 0", b -> b.reduceSum(in(b, "a", 6, 5), new int[] {0}, false)));
    cs.add(new Case("reduce axis 1 keep", b -> b.reduceSum(in(b, "a", 6, 5), new int[] {1}, true)));
    cs.add(new Case("reduce 0,2,3", b -> b.reduceSum(in(b, "a", 2, 3, 4, 5), new int[] {0, 2, 3}, true)));
    cs.add(new Case("sum all", b -> b.sum(in(b, "a", 3, 4, 5))));
    cs.add(new Case("broadcast row", b -> b.add(in(b, "a", 6, 5), in(b, "c", 5))));
    cs.add(new Case("broadcast scalar", b -> b.mul(in(b, "a", 6, 5), in(b, "c"))));
    cs.add(new Case("broadcast to vector", b -> b.broadcastTo(in(b, "c"), List.of(7))));
    cs.add(new Case("broadcast channel", b -> b.add(in(b, "a", 2, 3, 4, 5), b.reshape(in(b, "c", 3), 1, 3, 1, 1))));
    cs.add(new Case("broadcast per sample", b -> b.mul(in(b, "a", 2, 3, 4, 5), b.reshape(in(b, "c", 2), 2, 1, 1, 1))));
    cs.add(new Case("column broadcast", b -> b.sub(in(b, "a", 6, 5), in(b, "c", 6, 1))));
    cs.add(new Case("select chain", b -> {
      Value x = in(b, "a", 4, 9);
      return b.select(b.greater(x, 0.0), b.tanh(x), b.mul(x, 0.2));
    }));
    cs.add(new Case("transpose", b -> b.transpose(in(b, "a", 2, 3, 4), 2, 0, 1)));
    cs.add(new Case("pad", b -> b.pad2d(in(b, "a", 2, 3, 4, 5), 1, 2, 0, 3)));
    cs.add(new Case("crop", b -> b.crop2d(in(b, "a", 2, 3, 7, 6), 1, 2, 2, 1)));
    cs.add(new Case("upsample", b -> b.upsample(in(b, "a", 2, 3, 4, 5), 2, 3)));
    cs.add(new Case("sum pool", b -> b.sumPool(in(b, "a", 2, 3, 4, 6), 2, 3)));
    cs.add(new Case("rsqrt exp log", b -> b.add(b.rsqrt(b.add(b.abs(in(b, "a", 33)), 1.0)),
        b.log(b.exp(in(b, "c", 33))))));
    cs.add(new Case("softplus far from 0 (no overflow)", b -> b.apply(wganc.ops.Unary.SOFTPLUS, b.mul(in(b, "a", 33), 1000.0))));
    cs.add(new Case("large elementwise (parallel)", b -> b.mul(b.sigmoid(in(b, "a", 300, 257)), in(b, "c", 257))));
    cs.add(new Case("conv2d stride 2 same", b -> b.conv2dSame(in(b, "a", 2, 3, 9, 8), in(b, "c", 4, 3, 4, 4), 2, 2)));
    cs.add(new Case("conv2d valid", b -> b.conv2d(in(b, "a", 2, 3, 7, 6), in(b, "c", 5, 3, 3, 2), new int[] {1, 2},
        new int[] {0, 0, 0, 0})));
    cs.add(new Case("conv backward input", b -> b.conv2dBackwardInput(in(b, "a", 2, 4, 5, 4), in(b, "c", 4, 3, 4, 4),
        new int[] {2, 2}, new int[] {1, 2, 1, 2}, new int[] {9, 8})));
    cs.add(new Case("conv backward weight", b -> b.conv2dBackwardWeight(in(b, "a", 2, 3, 9, 8), in(b, "c", 2, 4, 5, 4),
        new int[] {2, 2}, new int[] {1, 2, 1, 2}, new int[] {4, 4})));
    cs.add(new Case("conv transpose same", b -> b.convTranspose(in(b, "a", 2, 3, 5, 5), in(b, "c", 3, 4, 4, 4), 2, 2, true)));
    cs.add(new Case("conv transpose valid k<s", b -> b.convTranspose(in(b, "a", 2, 3, 4, 4), in(b, "c", 3, 2, 2, 2), 3, 3,
        false)));
    cs.add(new Case("reshape of input", b -> b.mul(b.reshape(in(b, "a", 6, 5), 30), 2.0)));
    return cs.stream().map(Arguments::of);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void kernelMatchesInterpreter(Case c) throws Exception {
    GraphBuilder b = new GraphBuilder();
    Value y = c.build().apply(b);
    b.output("y", y);
    Graph g = b.build();
    Map<String, Float64Tensor> feeds = new HashMap<>();
    Random r = new Random(1);
    for (Binding bd : g.bindings()) {
      if (bd.node() instanceof Node.Input i) {
        double[] x = new double[bd.value().type().size()];
        for (int k = 0; k < x.length; k++) x[k] = (float) (2 * r.nextDouble() - 1);
        feeds.put(i.name(), new Float64Tensor(bd.value().type().dims(), x));
      }
    }
    double[] expected = Interpreter.run(g, feeds).output("y").data();
    String src = JavaEmitter.emit(Schedule.of(g, Schedule.Rule.GROUPS), "t", "T", "t", "test").toString();
    Map<String, String> sources = new LinkedHashMap<>();
    sources.put("t.T", src);
    Phase p = (Phase) InMemoryCompiler.load(InMemoryCompiler.compile(sources)).loadClass("t.T")
        .getDeclaredConstructor().newInstance();
    float[][] out = JvmAgreementTest.run(p, feeds, 0);
    for (int i = 0; i < expected.length; i++) {
      final int k = i;
      assertTrue(Math.abs(out[0][i] - expected[i]) <= 1e-5 * (1 + Math.abs(expected[i])),
          () -> c.name() + " [" + k + "]: " + out[0][k] + " vs " + expected[k] + "\n" + src);
    }
  }

  /**
   * Transcendental functions give the same bits wherever an element sits and however often the
   * kernel has run: every element equals the scalar StrictMath formula, in flat loops, loops along
   * an inner axis, and a dense layer's epilogue, on the first run (interpreted, the Vector API's Java
   * fallback) and after many (C2-compiled, where the Vector API would use the CPU's SVML stubs).
   */
  @Test
  void transcendentalsHaveTheScalarFormulasBitsInEveryRun() throws Exception {
    GraphBuilder b = new GraphBuilder();
    Value a = in(b, "a", 64, 37), w = in(b, "w", 37, 40), c = in(b, "c", 40);
    b.output("tanh", b.tanh(a));
    b.output("sigmoid", b.sigmoid(b.add(a, b.reshape(in(b, "r", 64), 64, 1))));
    b.output("exp", b.exp(a));
    b.output("dense", b.tanh(b.add(b.matmul(a, w, false, false), c)));
    Graph g = b.build();
    Map<String, Float64Tensor> feeds = new HashMap<>();
    Random r = new Random(3);
    for (Binding bd : g.bindings())
      if (bd.node() instanceof Node.Input i) {
        double[] x = new double[bd.value().type().size()];
        for (int k = 0; k < x.length; k++) x[k] = (float) (6 * r.nextDouble() - 3);
        feeds.put(i.name(), new Float64Tensor(bd.value().type().dims(), x));
      }
    String src = JavaEmitter.emit(Schedule.of(g, Schedule.Rule.GROUPS), "t", "T", "t", "test").toString();
    Phase p = (Phase) InMemoryCompiler.load(InMemoryCompiler.compile(Map.of("t.T", src))).loadClass("t.T")
        .getDeclaredConstructor().newInstance();
    double[] av = feeds.get("a").data(), rv = feeds.get("r").data();
    float[][] first = JvmAgreementTest.run(p, feeds, 0);
    for (int i = 0; i < av.length; i++) {
      float x = (float) av[i];
      assertBits((float) StrictMath.tanh(x), first[0][i], "tanh", i);
      float s = x + (float) rv[i / 37];
      assertBits((float) (1.0 / (1.0 + StrictMath.exp(-s))), first[1][i], "sigmoid", i);
      assertBits((float) StrictMath.exp(x), first[2][i], "exp", i);
    }
    for (int run = 0; run < 3000; run++) {
      float[][] again = JvmAgreementTest.run(p, feeds, 0);
      if (run % 1000 == 999)
        for (int o = 0; o < first.length; o++)
          for (int i = 0; i < first[o].length; i++) assertBits(first[o][i], again[o][i], "output " + o + " run " + run, i);
    }
  }

  private static void assertBits(float want, float got, String what, int i) {
    if (Float.floatToRawIntBits(want) != Float.floatToRawIntBits(got))
      throw new AssertionError(what + " [" + i + "]: " + got + " vs " + want);
  }
}

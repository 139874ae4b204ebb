package wganc.loop;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import wganc.ir.Attrs;
import wganc.ir.TensorType;
import wganc.ops.Binary;
import wganc.ops.Conv2d;
import wganc.ops.Conv2dBackwardInput;
import wganc.ops.Conv2dBackwardWeight;
import wganc.ops.Matmul;
import wganc.ops.Op;
import wganc.ops.Pad;
import wganc.ops.ReduceSum;
import wganc.ops.Resample;
import wganc.ops.Transpose;

/**
 * Every op's loop kernel computes what the op's reference evaluation computes: the loop nest (for a
 * library call, the nest it carries) is run here by a small interpreter of the loop IR in double
 * and compared with {@code Op.evaluate} on random inputs, over odd shapes, strides, paddings, crops
 * and transposes. The printers are checked by the backends' agreement tests; this pins the IR.
 */
class LoopKernelTest {
  private final Random random = new Random(7);

  @Test
  void sums() {
    check(ReduceSum.INSTANCE, Attrs.of("axes", List.of(0)), TensorType.f32(5, 3));
    check(ReduceSum.INSTANCE, Attrs.of("axes", List.of(0, 2, 3)), TensorType.f32(3, 4, 2, 5));
    check(ReduceSum.INSTANCE, Attrs.of("axes", List.of(1), "keepdims", true), TensorType.f32(3, 4, 2));
    check(ReduceSum.INSTANCE, Attrs.of("axes", List.of(0, 1)), TensorType.f32(3, 4));
  }

  @Test
  void layoutMoves() {
    check(Transpose.INSTANCE, Attrs.of("perm", List.of(1, 0)), TensorType.f32(3, 5));
    check(Transpose.INSTANCE, Attrs.of("perm", List.of(2, 0, 3, 1)), TensorType.f32(2, 3, 4, 5));
    check(Pad.INSTANCE, Attrs.of("lo", List.of(0, 0, 1, 2), "hi", List.of(0, 0, 2, 1)), TensorType.f32(2, 3, 4, 4));
    check(Pad.INSTANCE, Attrs.of("lo", List.of(0, -1, -1), "hi", List.of(0, -2, 1)), TensorType.f32(2, 5, 4));
    check(Resample.UPSAMPLE, Attrs.of("factor", List.of(2, 3)), TensorType.f32(2, 3, 2, 2));
    check(Resample.SUM_POOL, Attrs.of("factor", List.of(2, 2)), TensorType.f32(2, 3, 4, 6));
  }

  @Test
  void contractions() {
    for (boolean ta : new boolean[] {false, true}) {
      for (boolean tb : new boolean[] {false, true}) {
        check(Matmul.INSTANCE, Attrs.of("ta", ta, "tb", tb), ta ? TensorType.f32(4, 3) : TensorType.f32(3, 4),
            tb ? TensorType.f32(5, 4) : TensorType.f32(4, 5));
      }
    }
    for (int stride : new int[] {1, 2}) {
      Attrs conv = Attrs.of("stride", List.of(stride, stride), "pad", List.of(1, 2, 0, 1));
      TensorType x = TensorType.f32(2, 3, 7, 6), w = TensorType.f32(4, 3, 3, 2);
      TensorType y = Conv2d.INSTANCE.infer(List.of(x, w), conv);
      check(Conv2d.INSTANCE, conv, x, w);
      check(Conv2dBackwardInput.INSTANCE, conv.with("in_hw", List.of(7, 6)), y, w);
      check(Conv2dBackwardWeight.INSTANCE, conv.with("kernel", List.of(3, 2)), x, y);
    }
  }

  @Test
  void elementwiseOpsHaveNoKernelOfTheirOwn() {
    TensorType t = TensorType.f32(2);
    var e = assertThrows(IllegalArgumentException.class,
        () -> LoopKernel.of(Binary.ADD, List.of(t, t), Attrs.of(), t));
    assertEquals("`add` has no kernel of its own: it is fused into loops", e.getMessage());
  }

  @Test
  void textForm() {
    TensorType x = TensorType.f32(4, 8);
    assertEquals("gather [8] = sum(r0<4; double) in0[r0 * 8 + i0]",
        LoopKernel.of(ReduceSum.INSTANCE, List.of(x), Attrs.of("axes", List.of(0)), TensorType.f32(8)).text());
    assertEquals("gemm m=4 n=5 k=8 tb",
        LoopKernel.of(Matmul.INSTANCE, List.of(x, TensorType.f32(5, 8)), Attrs.of("ta", false, "tb", true),
            TensorType.f32(4, 5)).text());
    assertEquals("all_sum [32, 5]", LoopKernel.of(wganc.ops.AllSum.INSTANCE, List.of(x, TensorType.f32(5)), Attrs.of(),
        TensorType.f32(37)).text());
    assertEquals("(i0 + 2) * 3 - 1 >= 0", new Val.Cond.NonNegative(Ix.var("i0").plus(2).times(3).plus(-1)).java());
  }

  private void check(Op op, Attrs attrs, TensorType... inputs) {
    List<TensorType> types = List.of(inputs);
    TensorType out = op.infer(types, attrs);
    List<double[]> values = new ArrayList<>();
    for (TensorType t : types) {
      double[] v = new double[t.size()];
      for (int i = 0; i < v.length; i++) v[i] = random.nextGaussian();
      values.add(v);
    }
    double[] expected = op.evaluate(types, values, attrs, out);
    LoopKernel.Gather g = switch (LoopKernel.of(op, types, attrs, out)) {
      case LoopKernel.Gather x -> x;
      case LoopKernel.Gemm x -> x.loops();
      case LoopKernel.Conv x -> x.loops();
      case LoopKernel.Draw x -> throw new AssertionError("a draw");
      case LoopKernel.AllSum x -> throw new AssertionError("a collective");
    };
    assertEquals(out.size(), g.size(), op.opName() + ": the nest covers the output");
    double[] actual = new double[g.size()];
    List<Integer> space = g.space();
    for (int o = 0; o < actual.length; o++) {
      Map<String, Long> env = new HashMap<>();
      long rest = o;
      for (int d = space.size() - 1; d >= 0; d--) {
        env.put("i" + d, rest % space.get(d));
        rest /= space.get(d);
      }
      actual[o] = value(g.value(), env, values);
    }
    assertArrayEquals(expected, actual, 1e-12, () -> op.opName() + " " + attrs + " over " + types + ": " + g.text());
  }

  private static double value(Val v, Map<String, Long> env, List<double[]> in) {
    return switch (v) {
      case Val.Load l -> in.get(l.operand())[Math.toIntExact(index(l.at(), env))];
      case Val.Product p -> value(p.a(), env, in) * value(p.b(), env, in);
      case Val.Let l -> {
        Map<String, Long> inner = new HashMap<>(env);
        inner.put(l.name(), index(l.value(), env));
        yield value(l.body(), inner, in);
      }
      case Val.Where w -> w.conds().stream().allMatch(c -> holds(c, env)) ? value(w.then(), env, in) : 0;
      case Val.Sum s -> sum(s.axes(), 0, s.body(), env, in);
    };
  }

  private static double sum(List<Val.Axis> axes, int a, Val body, Map<String, Long> env, List<double[]> in) {
    if (a == axes.size()) return value(body, env, in);
    double acc = 0;
    for (long i = 0; i < axes.get(a).extent(); i++) {
      Map<String, Long> inner = new HashMap<>(env);
      inner.put(axes.get(a).name(), i);
      acc += sum(axes, a + 1, body, inner, in);
    }
    return acc;
  }

  private static boolean holds(Val.Cond c, Map<String, Long> env) {
    return switch (c) {
      case Val.Cond.NonNegative n -> index(n.x(), env) >= 0;
      case Val.Cond.Below b -> index(b.x(), env) < b.n();
      case Val.Cond.Multiple m -> index(m.x(), env) % m.k() == 0;
    };
  }

  private static long index(Ix x, Map<String, Long> env) {
    return switch (x) {
      case Ix.Var v -> {
        Long value = env.get(v.name());
        if (value == null) throw new AssertionError("unbound " + v.name());
        yield value;
      }
      case Ix.Lit l -> l.value();
      case Ix.Add a -> index(a.a(), env) + index(a.b(), env);
      case Ix.Mul m -> index(m.a(), env) * m.k();
      case Ix.Div d -> index(d.a(), env) / d.k();
      case Ix.Mod m -> index(m.a(), env) % m.k();
    };
  }
}

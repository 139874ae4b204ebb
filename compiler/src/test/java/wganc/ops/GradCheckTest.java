package wganc.ops;

import static wganc.ops.GradCheck.Domain.ANY;
import static wganc.ops.GradCheck.Domain.APART_FROM_FIRST;
import static wganc.ops.GradCheck.Domain.AWAY_FROM_ZERO;
import static wganc.ops.GradCheck.Domain.POSITIVE;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.function.Function;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import wganc.check.LayerSpec;
import wganc.ir.GraphBuilder;
import wganc.ir.TensorType;
import wganc.ops.GradCheck.Domain;
import wganc.ops.GradCheck.Row;

/**
 * The gradcheck table: (op, arity, input domain) rows, each checked to second order against
 * central finite differences on random small shapes. {@link #everyRow} runs every row once;
 * the property draws rows and seeds at random.
 */
class GradCheckTest {
  /** Rank 0..3, dims 1..3. */
  static List<Integer> anyShape(Random r) {
    int rank = r.nextInt(4);
    List<Integer> dims = new ArrayList<>();
    for (int i = 0; i < rank; i++) {
      dims.add(1 + r.nextInt(3));
    }
    return dims;
  }

  static Function<Random, List<TensorType>> same(int arity) {
    return r -> {
      TensorType t = new TensorType(wganc.ir.ElementType.F64, anyShape(r));
      return Collections.nCopies(arity, t);
    };
  }

  static Function<Random, List<TensorType>> fixed(int[]... shapes) {
    return r -> {
      List<TensorType> ts = new ArrayList<>();
      for (int[] s : shapes) {
        ts.add(TensorType.of(wganc.ir.ElementType.F64, s));
      }
      return ts;
    };
  }

  static Row unary(String name, Domain d, GradCheck.Body body) {
    return new Row(name, same(1), List.of(d), body);
  }

  static Row binary(String name, Domain d0, Domain d1, GradCheck.Body body) {
    return new Row(name, same(2), List.of(d0, d1), body);
  }

  static int dim(Random r) {
    return 1 + r.nextInt(3);
  }

  /** NCHW input and [O,C,kh,kw] weight with a random stride and asymmetric padding. */
  record ConvCase(int n, int c, int h, int w, int o, int kh, int kw, int[] stride, int[] pad) {
    static ConvCase draw(Random r) {
      int kh = 1 + r.nextInt(3);
      int kw = 1 + r.nextInt(3);
      int[] stride = {1 + r.nextInt(2), 1 + r.nextInt(2)};
      int[] pad = {r.nextInt(2), r.nextInt(3), r.nextInt(2), r.nextInt(3)};
      int h = kh + r.nextInt(3);
      int w = kw + r.nextInt(3);
      return new ConvCase(1 + r.nextInt(2), dim(r), h, w, dim(r), kh, kw, stride, pad);
    }

    int oh() {
      return (h + pad[0] + pad[1] - kh) / stride[0] + 1;
    }

    int ow() {
      return (w + pad[2] + pad[3] - kw) / stride[1] + 1;
    }
  }

  static final List<Row> ROWS = rows();

  static List<Row> rows() {
    List<Row> rows = new ArrayList<>();
    rows.add(unary("neg", ANY, (b, x) -> b.neg(x.get(0))));
    rows.add(unary("exp", ANY, (b, x) -> b.exp(x.get(0))));
    rows.add(unary("log", POSITIVE, (b, x) -> b.log(x.get(0))));
    rows.add(unary("sqrt", POSITIVE, (b, x) -> b.sqrt(x.get(0))));
    rows.add(unary("rsqrt", POSITIVE, (b, x) -> b.rsqrt(x.get(0))));
    rows.add(unary("abs", AWAY_FROM_ZERO, (b, x) -> b.abs(x.get(0))));
    rows.add(unary("sign", AWAY_FROM_ZERO, (b, x) -> b.mul(b.sign(x.get(0)), x.get(0))));
    rows.add(unary("tanh", ANY, (b, x) -> b.tanh(x.get(0))));
    rows.add(unary("sigmoid", ANY, (b, x) -> b.sigmoid(x.get(0))));
    rows.add(unary("softplus", ANY, (b, x) -> b.apply(Unary.SOFTPLUS, x.get(0))));
    rows.add(unary("pow 2", ANY, (b, x) -> b.pow(x.get(0), 2.0)));
    rows.add(unary("pow 3", ANY, (b, x) -> b.pow(x.get(0), 3.0)));
    rows.add(unary("pow -1.5", POSITIVE, (b, x) -> b.pow(x.get(0), -1.5)));
    rows.add(unary("pow 1", ANY, (b, x) -> b.pow(x.get(0), 1.0)));
    rows.add(unary("relu", AWAY_FROM_ZERO, (b, x) -> b.relu(x.get(0))));
    rows.add(unary("leaky_relu", AWAY_FROM_ZERO, (b, x) -> LayerSpec.LeakyRelu.apply(b, x.get(0), 0.2)));
    rows.add(unary("clip", AWAY_FROM_ZERO, (b, x) -> b.clip(x.get(0), -0.2, 0.25)));
    rows.add(unary("safe sqrt", POSITIVE, (b, x) -> Norm.safeSqrt(b, x.get(0))));
    rows.add(binary("add", ANY, ANY, (b, x) -> b.add(x.get(0), x.get(1))));
    rows.add(binary("sub", ANY, ANY, (b, x) -> b.sub(x.get(0), x.get(1))));
    rows.add(binary("mul", ANY, ANY, (b, x) -> b.mul(x.get(0), x.get(1))));
    rows.add(binary("div", ANY, AWAY_FROM_ZERO, (b, x) -> b.div(x.get(0), x.get(1))));
    rows.add(binary("maximum", ANY, APART_FROM_FIRST, (b, x) -> b.maximum(x.get(0), x.get(1))));
    rows.add(binary("minimum", ANY, APART_FROM_FIRST, (b, x) -> b.minimum(x.get(0), x.get(1))));
    rows.add(binary("comparison mask", ANY, APART_FROM_FIRST,
        (b, x) -> b.mul(b.greater(x.get(0), x.get(1)), b.mul(x.get(0), x.get(1)))));
    rows.add(new Row("select", same(3), List.of(AWAY_FROM_ZERO, ANY, ANY),
        (b, x) -> b.select(b.greater(x.get(0), 0.0), b.mul(x.get(1), x.get(2)), b.exp(x.get(2)))));
    rows.add(new Row("broadcasting add", fixed(new int[] {2, 3}, new int[] {3}), List.of(ANY, ANY),
        (b, x) -> b.mul(b.add(x.get(0), x.get(1)), x.get(1))));
    rows.add(new Row("broadcast_to", fixed(new int[] {2, 1, 3}), List.of(ANY),
        (b, x) -> b.broadcastTo(x.get(0), List.of(2, 4, 3))));
    rows.add(new Row("reduce_sum", r -> List.of(TensorType.of(wganc.ir.ElementType.F64, dim(r),
        dim(r), dim(r))), List.of(ANY), (b, x) -> {
          int[] axes = new Random(x.get(0).type().size()).nextBoolean() ? new int[] {0, 2}
              : new int[] {1};
          return b.mul(b.reduceSum(x.get(0), axes, false), b.reduceSum(x.get(0), axes, false));
        }));
    rows.add(new Row("reduce_sum keepdims", same(1), List.of(ANY), (b, x) -> {
      Value0 v = new Value0(x.get(0));
      int[] axes = GraphBuilder.allAxes(v.x());
      return b.mul(b.reduceSum(v.x(), axes, true), b.reduceSum(v.x(), axes, true));
    }));
    rows.add(new Row("mean of squares", same(1), List.of(ANY),
        (b, x) -> b.mean(b.pow(x.get(0), 2.0))));
    rows.add(new Row("reshape", fixed(new int[] {2, 3, 2}), List.of(ANY),
        (b, x) -> b.pow(b.reshape(x.get(0), 3, 4), 2.0)));
    rows.add(new Row("transpose", fixed(new int[] {2, 3, 4}), List.of(ANY),
        (b, x) -> b.pow(b.transpose(x.get(0), 2, 0, 1), 3.0)));
    // in one process the concatenation; its VJP (all_sum of the cotangent, cut back) to second order
    rows.add(new Row("all_sum", fixed(new int[] {2, 3}, new int[] {4}), List.of(ANY, ANY),
        (b, x) -> b.pow(b.allSum(List.of(x.get(0), x.get(1))), 3.0)));
    rows.add(new Row("pad and crop", fixed(new int[] {2, 4, 3}), List.of(ANY),
        (b, x) -> b.pow(b.pad(x.get(0), new int[] {1, -1, 2}, new int[] {0, -2, 1}), 2.0)));
    rows.add(new Row("upsample", r -> List.of(TensorType.of(wganc.ir.ElementType.F64, dim(r), dim(r),
        dim(r), dim(r))), List.of(ANY), (b, x) -> b.pow(b.upsample(x.get(0), 2, 3), 2.0)));
    rows.add(new Row("sum_pool", r -> List.of(TensorType.of(wganc.ir.ElementType.F64, dim(r), dim(r),
        2 * dim(r), 3 * dim(r))), List.of(ANY), (b, x) -> b.pow(b.sumPool(x.get(0), 2, 3), 2.0)));
    for (boolean ta : new boolean[] {false, true}) {
      for (boolean tb : new boolean[] {false, true}) {
        rows.add(new Row("matmul ta=" + ta + " tb=" + tb, r -> {
          int m = dim(r);
          int k = dim(r);
          int n = dim(r);
          return List.of(TensorType.of(wganc.ir.ElementType.F64, ta ? k : m, ta ? m : k),
              TensorType.of(wganc.ir.ElementType.F64, tb ? n : k, tb ? k : n));
        }, List.of(ANY, ANY), (b, x) -> b.matmul(x.get(0), x.get(1), ta, tb)));
      }
    }
    rows.add(new Row("conv2d", List.of(ANY, ANY), r -> {
      ConvCase c = ConvCase.draw(r);
      return new GradCheck.Instance(List.of(f64(c.n, c.c, c.h, c.w), f64(c.o, c.c, c.kh, c.kw)),
          (b, x) -> b.conv2d(x.get(0), x.get(1), c.stride, c.pad));
    }));
    rows.add(new Row("conv2d_backward_input", List.of(ANY, ANY), r -> {
      ConvCase c = ConvCase.draw(r);
      return new GradCheck.Instance(List.of(f64(c.n, c.o, c.oh(), c.ow()),
          f64(c.o, c.c, c.kh, c.kw)), (b, x) -> b.conv2dBackwardInput(x.get(0), x.get(1),
              c.stride, c.pad, new int[] {c.h, c.w}));
    }));
    rows.add(new Row("conv2d_backward_weight", List.of(ANY, ANY), r -> {
      ConvCase c = ConvCase.draw(r);
      return new GradCheck.Instance(List.of(f64(c.n, c.c, c.h, c.w), f64(c.n, c.o, c.oh(),
          c.ow())), (b, x) -> b.conv2dBackwardWeight(x.get(0), x.get(1), c.stride, c.pad,
              new int[] {c.kh, c.kw}));
    }));
    rows.add(new Row("conv2d same, then tanh", fixed(new int[] {2, 2, 5, 4},
        new int[] {3, 2, 4, 2}), List.of(ANY, ANY),
        (b, x) -> b.tanh(b.conv2dSame(x.get(0), x.get(1), 2, 2))));
    rows.add(new Row("conv_transpose same", fixed(new int[] {1, 2, 3, 2},
        new int[] {2, 3, 4, 3}), List.of(ANY, ANY),
        (b, x) -> b.tanh(b.convTranspose(x.get(0), x.get(1), 2, 2, true))));
    rows.add(new Row("dense", r -> {
      int n = dim(r);
      int i = dim(r);
      int o = dim(r);
      return List.of(TensorType.of(wganc.ir.ElementType.F64, n, i), TensorType.of(wganc.ir.ElementType.F64,
          o, i), TensorType.of(wganc.ir.ElementType.F64, o));
    }, List.of(ANY, ANY, ANY), (b, x) -> b.tanh(LayerSpec.Dense.apply(b, x.get(0), x.get(1), x.get(2)))));
    rows.add(new Row("norm per sample", r -> List.of(TensorType.of(wganc.ir.ElementType.F64, dim(r),
        dim(r), 2)), List.of(ANY), (b, x) -> Norm.perSample(b, x.get(0))));
    rows.add(new Row("gradient penalty term", r -> List.of(TensorType.of(wganc.ir.ElementType.F64,
        dim(r), 3)), List.of(ANY), (b, x) -> b.pow(b.sub(Norm.perSample(b, x.get(0)), 1.0), 2.0)));
    rows.add(new Row("batchnorm training", fixed(new int[] {3, 2, 2, 2}, new int[] {2},
        new int[] {2}), List.of(ANY, ANY, ANY),
        (b, x) -> LayerSpec.BatchNorm.training(b, x.get(0), x.get(1), x.get(2), 1e-3).y()));
    rows.add(new Row("batchnorm inference", fixed(new int[] {2, 2, 2, 1}, new int[] {2},
        new int[] {2}, new int[] {2}, new int[] {2}), List.of(ANY, ANY, ANY, ANY, POSITIVE),
        (b, x) -> LayerSpec.BatchNorm.inference(b, x.get(0), x.get(1), x.get(2), x.get(3), x.get(4),
            1e-3)));
    rows.add(new Row("layernorm", fixed(new int[] {2, 3, 4}, new int[] {3, 4}, new int[] {3, 4}),
        List.of(ANY, ANY, ANY),
        (b, x) -> LayerSpec.LayerNorm.apply(b, x.get(0), new int[] {1, 2}, x.get(1), x.get(2), 1e-5)));
    rows.add(new Row("dropout", fixed(new int[] {2, 3}, new int[] {2, 3}),
        List.of(ANY, AWAY_FROM_ZERO), (b, x) -> b.pow(LayerSpec.Dropout.apply(b, x.get(0),
            b.greater(x.get(1), 0.0), 0.3), 2.0)));
    return List.copyOf(rows);
  }

  /** Names a lambda parameter without changing its type. */
  record Value0(wganc.ir.Value x) {}

  @Example
  void everyRow() {
    for (Row row : ROWS) {
      GradCheck.check(row, row.name().hashCode());
    }
  }

  @Property(tries = 150)
  void vjpAndVjpOfVjpMatchFiniteDifferences(@ForAll("rows") Row row, @ForAll long seed) {
    GradCheck.check(row, seed);
  }

  static TensorType f64(int... dims) {
    return TensorType.of(wganc.ir.ElementType.F64, dims);
  }

  @Provide("rows")
  Arbitrary<Row> rowArbitrary() {
    return Arbitraries.of(ROWS);
  }
}

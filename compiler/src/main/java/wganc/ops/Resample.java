package wganc.ops;

import java.util.List;
import wganc.ir.Attrs;
import wganc.loop.Val;
import wganc.loop.LoopKernel;
import wganc.loop.Ix;
import wganc.ir.GraphBuilder;
import wganc.ir.TensorType;
import wganc.ir.Value;

/**
 * Nearest-neighbour {@code upsample} of the spatial axes of NCHW tensors by {@code factor=[fh,fw]},
 * and its transpose {@code sum_pool} (sums of non-overlapping fh x fw windows). Each is the
 * other's VJP.
 */
public enum Resample implements Op {
  UPSAMPLE("upsample"),
  SUM_POOL("sum_pool");

  private final String name;

  Resample(String name) {
    this.name = name;
  }

  @Override
  public String opName() {
    return name;
  }

  @Override
  public TensorType infer(List<TensorType> inputs, Attrs attrs) {
    Shapes.arity(name, inputs, 1);
    TensorType x = inputs.get(0);
    Shapes.rank(name, x, 4, "an NCHW operand");
    int[] f = attrs.intArray("factor");
    if (f.length != 2 || f[0] < 1 || f[1] < 1) {
      throw Shapes.error(name, "`factor` of two positive ints", attrs.ints("factor").toString());
    }
    if (this == UPSAMPLE) {
      return x.withDims(List.of(x.dim(0), x.dim(1), x.dim(2) * f[0], x.dim(3) * f[1]));
    }
    if (x.dim(2) % f[0] != 0 || x.dim(3) % f[1] != 0) {
      throw Shapes.error(name, "spatial dims divisible by " + attrs.ints("factor"), x.toString());
    }
    return x.withDims(List.of(x.dim(0), x.dim(1), x.dim(2) / f[0], x.dim(3) / f[1]));
  }

  @Override
  public Fusion fusion() {
    return this == UPSAMPLE ? Fusion.LAYOUT : Fusion.REDUCTION;
  }

  @Override
  public Value[] vjp(GraphBuilder b, List<Value> inputs, Attrs attrs, Value out, Value dout,
      boolean[] need) {
    if (!need[0]) {
      return new Value[1];
    }
    Resample other = this == UPSAMPLE ? SUM_POOL : UPSAMPLE;
    return new Value[] {b.apply(other, List.of(dout), attrs)};
  }

  @Override
  public double[] evaluate(List<TensorType> types, List<double[]> inputs, Attrs attrs,
      TensorType out) {
    int[] f = attrs.intArray("factor");
    TensorType big = this == UPSAMPLE ? out : types.get(0);
    double[] x = inputs.get(0);
    double[] y = new double[out.size()];
    int planes = big.dim(0) * big.dim(1);
    int bh = big.dim(2);
    int bw = big.dim(3);
    int sh = bh / f[0];
    int sw = bw / f[1];
    for (int p = 0; p < planes; p++) {
      for (int h = 0; h < bh; h++) {
        for (int w = 0; w < bw; w++) {
          int bigIndex = (p * bh + h) * bw + w;
          int smallIndex = (p * sh + h / f[0]) * sw + w / f[1];
          if (this == UPSAMPLE) {
            y[bigIndex] = x[smallIndex];
          } else {
            y[smallIndex] += x[bigIndex];
          }
        }
      }
    }
    return y;
  }
  /** Each output element of an upsample reads its source; a sum pool sums its window in float, row by row. */
  public LoopKernel.Gather kernel(List<TensorType> inputs, Attrs attrs, TensorType out) {
    List<Integer> in = inputs.get(0).dims();
    int[] f = attrs.intArray("factor");
    Ix n = LoopKernel.Gather.coordinate(0), c = LoopKernel.Gather.coordinate(1);
    Ix y = LoopKernel.Gather.coordinate(2), x = LoopKernel.Gather.coordinate(3);
    if (this == UPSAMPLE) {
      return new LoopKernel.Gather(out.dims(), new Val.Load(0, Ix.rowMajor(List.of(n, c, y.div(f[0]), x.div(f[1])), in)));
    }
    Val window = new Val.Load(0, Ix.rowMajor(List.of(n, c, y.times(f[0]).plus(Ix.var("dy")),
        x.times(f[1]).plus(Ix.var("dx"))), in));
    return new LoopKernel.Gather(out.dims(), new Val.Sum(List.of(new Val.Axis("dy", f[0]), new Val.Axis("dx", f[1])),
        window, Val.Precision.FLOAT));
  }
}

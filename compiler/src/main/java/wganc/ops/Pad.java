package wganc.ops;

import java.util.ArrayList;
import java.util.List;
import wganc.ir.Attrs;
import wganc.loop.Val;
import wganc.loop.LoopKernel;
import wganc.loop.Ix;
import wganc.ir.GraphBuilder;
import wganc.ir.TensorType;
import wganc.ir.Value;

/**
 * {@code pad x {lo=[...], hi=[...]}}: signed amounts per axis; positive adds zeros, negative crops,
 * so padding and cropping are one op and each is the other's VJP ({@code pad -lo -hi}).
 * {@code out[o] = x[o - lo]} where that index is inside {@code x}, else 0.
 */
public enum Pad implements Op {
  INSTANCE;

  @Override
  public String opName() {
    return "pad";
  }

  @Override
  public TensorType infer(List<TensorType> inputs, Attrs attrs) {
    Shapes.arity("pad", inputs, 1);
    TensorType x = inputs.get(0);
    List<Integer> lo = attrs.ints("lo");
    List<Integer> hi = attrs.ints("hi");
    if (lo.size() != x.rank() || hi.size() != x.rank()) {
      throw Shapes.error("pad", "`lo` and `hi` with " + x.rank() + " entries",
          "lo=" + lo + " hi=" + hi);
    }
    List<Integer> dims = new ArrayList<>();
    for (int i = 0; i < x.rank(); i++) {
      int d = x.dim(i) + lo.get(i) + hi.get(i);
      if (d < 0) {
        throw Shapes.error("pad", "a crop no larger than axis " + i + " of " + x,
            "lo=" + lo + " hi=" + hi);
      }
      dims.add(d);
    }
    return x.withDims(dims);
  }

  @Override
  public Fusion fusion() {
    return Fusion.LAYOUT;
  }

  @Override
  public Value[] vjp(GraphBuilder b, List<Value> inputs, Attrs attrs, Value out, Value dout,
      boolean[] need) {
    if (!need[0]) {
      return new Value[1];
    }
    return new Value[] {b.pad(dout, negate(attrs.intArray("lo")), negate(attrs.intArray("hi")))};
  }

  private static int[] negate(int[] a) {
    int[] r = new int[a.length];
    for (int i = 0; i < a.length; i++) {
      r[i] = -a[i];
    }
    return r;
  }

  @Override
  public double[] evaluate(List<TensorType> types, List<double[]> inputs, Attrs attrs,
      TensorType out) {
    double[] x = inputs.get(0);
    int[] lo = attrs.intArray("lo");
    int[] inDims = types.get(0).dimsArray();
    int[] inStrides = types.get(0).strides();
    int[] outDims = out.dimsArray();
    double[] y = new double[out.size()];
    int[] idx = new int[outDims.length];
    for (int o = 0; o < y.length; o++) {
      int src = 0;
      boolean inside = true;
      for (int i = 0; i < idx.length; i++) {
        int s = idx[i] - lo[i];
        if (s < 0 || s >= inDims[i]) {
          inside = false;
          break;
        }
        src += s * inStrides[i];
      }
      y[o] = inside ? x[src] : 0.0;
      for (int i = idx.length - 1; i >= 0; i--) {
        if (++idx[i] < outDims[i]) {
          break;
        }
        idx[i] = 0;
      }
    }
    return y;
  }
  /** {@code out[i] = in[i - lo]} where that is inside the input, else 0 (a crop where lo < 0). */
  public LoopKernel.Gather kernel(List<TensorType> inputs, Attrs attrs, TensorType out) {
    List<Integer> in = inputs.get(0).dims();
    int[] lo = attrs.intArray("lo");
    List<Ix> coords = new java.util.ArrayList<>();
    List<Val.Cond> inside = new java.util.ArrayList<>();
    for (int d = 0; d < in.size(); d++) {
      Ix src = LoopKernel.Gather.coordinate(d).plus(-lo[d]);
      coords.add(src);
      if (lo[d] > 0 || out.dim(d) - lo[d] > in.get(d)) inside.addAll(Val.Cond.inside(src, in.get(d)));
    }
    Val load = new Val.Load(0, Ix.rowMajor(coords, in));
    return new LoopKernel.Gather(out.dims(), inside.isEmpty() ? load : new Val.Where(inside, load));
  }
}

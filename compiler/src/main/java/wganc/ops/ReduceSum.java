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
 * {@code reduce_sum x {axes=[...], keepdims=b}}. The reference sums in input row-major order.
 * VJP: reshape the cotangent to the keepdims shape, then {@code broadcast_to} the input shape.
 */
public enum ReduceSum implements Op {
  INSTANCE;

  @Override
  public String opName() {
    return "reduce_sum";
  }

  static boolean[] reduced(TensorType x, List<Integer> axes) {
    boolean[] r = new boolean[x.rank()];
    for (int a : axes) {
      if (a < 0 || a >= x.rank() || r[a]) {
        throw Shapes.error("reduce_sum", "distinct axes in [0," + x.rank() + ")",
            axes + " for " + x);
      }
      r[a] = true;
    }
    return r;
  }

  static List<Integer> keptDims(TensorType x, boolean[] reduced) {
    List<Integer> dims = new ArrayList<>();
    for (int i = 0; i < x.rank(); i++) {
      dims.add(reduced[i] ? 1 : x.dim(i));
    }
    return dims;
  }

  @Override
  public TensorType infer(List<TensorType> inputs, Attrs attrs) {
    Shapes.arity("reduce_sum", inputs, 1);
    TensorType x = inputs.get(0);
    boolean[] r = reduced(x, attrs.ints("axes"));
    if (attrs.b("keepdims", false)) {
      return x.withDims(keptDims(x, r));
    }
    List<Integer> dims = new ArrayList<>();
    for (int i = 0; i < x.rank(); i++) {
      if (!r[i]) {
        dims.add(x.dim(i));
      }
    }
    return x.withDims(dims);
  }

  @Override
  public Fusion fusion() {
    return Fusion.REDUCTION;
  }

  @Override
  public Value[] vjp(GraphBuilder b, List<Value> inputs, Attrs attrs, Value out, Value dout,
      boolean[] need) {
    if (!need[0]) {
      return new Value[1];
    }
    TensorType x = inputs.get(0).type();
    Value kept = b.reshape(dout, keptDims(x, reduced(x, attrs.ints("axes"))));
    return new Value[] {b.broadcastTo(kept, x.dims())};
  }

  @Override
  public double[] evaluate(List<TensorType> types, List<double[]> inputs, Attrs attrs,
      TensorType out) {
    TensorType xt = types.get(0);
    double[] x = inputs.get(0);
    boolean[] r = reduced(xt, attrs.ints("axes"));
    int[] dims = xt.dimsArray();
    int[] keptStrides = xt.withDims(keptDims(xt, r)).strides();
    double[] y = new double[out.size()];
    int[] idx = new int[dims.length];
    for (int i = 0; i < x.length; i++) {
      int dst = 0;
      for (int a = 0; a < dims.length; a++) {
        if (!r[a]) {
          dst += idx[a] * keptStrides[a];
        }
      }
      y[dst] += x[i];
      for (int a = dims.length - 1; a >= 0; a--) {
        if (++idx[a] < dims[a]) {
          break;
        }
        idx[a] = 0;
      }
    }
    return y;
  }
  /**
   * The loop nest of the sum: adjacent kept axes and adjacent summed axes merged, each output summed
   * in double over its summed axes in row-major order (the same order for every thread count).
   */
  public LoopKernel.Gather kernel(List<TensorType> inputs, Attrs attrs, TensorType out) {
    List<Integer> in = inputs.get(0).dims();
    boolean[] summed = new boolean[in.size()];
    for (int a : attrs.intArray("axes")) summed[a] = true;
    List<Integer> dims = new ArrayList<>(), space = new ArrayList<>();
    List<Boolean> kinds = new ArrayList<>();
    for (int d = 0; d < in.size(); d++) {
      if (!kinds.isEmpty() && kinds.getLast() == summed[d]) {
        dims.set(dims.size() - 1, dims.getLast() * in.get(d));
      } else {
        dims.add(in.get(d));
        kinds.add(summed[d]);
      }
    }
    List<Ix> coords = new ArrayList<>();
    List<Val.Axis> axes = new ArrayList<>();
    for (int d = 0; d < dims.size(); d++) {
      if (kinds.get(d)) {
        axes.add(new Val.Axis("r" + axes.size(), dims.get(d)));
        coords.add(Ix.var(axes.getLast().name()));
      } else {
        coords.add(LoopKernel.Gather.coordinate(space.size()));
        space.add(dims.get(d));
      }
    }
    Val load = new Val.Load(0, Ix.rowMajor(coords, dims));
    return new LoopKernel.Gather(space, axes.isEmpty() ? load : new Val.Sum(axes, load, Val.Precision.DOUBLE));
  }
}

package wganc.ops;

import java.util.List;
import wganc.ir.Attrs;
import wganc.loop.Val;
import wganc.loop.LoopKernel;
import wganc.loop.Ix;
import wganc.ir.GraphBuilder;
import wganc.ir.TensorType;
import wganc.ir.Value;

/** {@code transpose x {perm=[...]}}: output axis i is input axis perm[i]. VJP: inverse perm. */
public enum Transpose implements Op {
  INSTANCE;

  @Override
  public String opName() {
    return "transpose";
  }

  @Override
  public TensorType infer(List<TensorType> inputs, Attrs attrs) {
    Shapes.arity("transpose", inputs, 1);
    TensorType x = inputs.get(0);
    List<Integer> perm = attrs.ints("perm");
    boolean[] seen = new boolean[x.rank()];
    if (perm.size() != x.rank()) {
      throw Shapes.error("transpose", "a permutation of " + x.rank() + " axes", perm.toString());
    }
    Integer[] dims = new Integer[x.rank()];
    for (int i = 0; i < perm.size(); i++) {
      int p = perm.get(i);
      if (p < 0 || p >= x.rank() || seen[p]) {
        throw Shapes.error("transpose", "a permutation of " + x.rank() + " axes", perm.toString());
      }
      seen[p] = true;
      dims[i] = x.dim(p);
    }
    return x.withDims(List.of(dims));
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
    int[] perm = attrs.intArray("perm");
    int[] inverse = new int[perm.length];
    for (int i = 0; i < perm.length; i++) {
      inverse[perm[i]] = i;
    }
    return new Value[] {b.transpose(dout, inverse)};
  }

  @Override
  public double[] evaluate(List<TensorType> types, List<double[]> inputs, Attrs attrs,
      TensorType out) {
    double[] x = inputs.get(0);
    int[] perm = attrs.intArray("perm");
    int[] inStrides = types.get(0).strides();
    int[] outDims = out.dimsArray();
    double[] y = new double[x.length];
    int[] idx = new int[outDims.length];
    for (int o = 0; o < y.length; o++) {
      int src = 0;
      for (int i = 0; i < idx.length; i++) {
        src += idx[i] * inStrides[perm[i]];
      }
      y[o] = x[src];
      for (int i = idx.length - 1; i >= 0; i--) {
        if (++idx[i] < outDims[i]) {
          break;
        }
        idx[i] = 0;
      }
    }
    return y;
  }
  /** {@code out[i0, i1, ..] = in[..]}: output axis d is input axis {@code perm[d]}. */
  public LoopKernel.Gather kernel(List<TensorType> inputs, Attrs attrs, TensorType out) {
    int[] perm = attrs.intArray("perm");
    Ix[] coords = new Ix[perm.length];
    for (int d = 0; d < perm.length; d++) coords[perm[d]] = LoopKernel.Gather.coordinate(d);
    return new LoopKernel.Gather(out.dims(), new Val.Load(0, Ix.rowMajor(List.of(coords), inputs.get(0).dims())));
  }
}

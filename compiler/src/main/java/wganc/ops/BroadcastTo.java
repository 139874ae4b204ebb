package wganc.ops;

import java.util.ArrayList;
import java.util.List;
import wganc.ir.Attrs;
import wganc.ir.GraphBuilder;
import wganc.ir.TensorType;
import wganc.ir.Value;

/**
 * {@code broadcast_to x {shape=[...]}}: same rank, each axis of x either equal or 1 (stretched).
 * VJP: {@code reduce_sum} with keepdims over the stretched axes.
 */
public enum BroadcastTo implements Op {
  INSTANCE;

  @Override
  public String opName() {
    return "broadcast_to";
  }

  @Override
  public TensorType infer(List<TensorType> inputs, Attrs attrs) {
    Shapes.arity("broadcast_to", inputs, 1);
    TensorType x = inputs.get(0);
    List<Integer> shape = attrs.ints("shape");
    boolean ok = shape.size() == x.rank();
    for (int i = 0; ok && i < shape.size(); i++) {
      ok = x.dim(i) == shape.get(i) || x.dim(i) == 1;
    }
    if (!ok) {
      throw Shapes.error("broadcast_to",
          "an operand of rank " + shape.size() + " whose axes equal " + shape + " or are 1",
          x.toString());
    }
    return x.withDims(shape);
  }

  @Override
  public Fusion fusion() {
    return Fusion.LAYOUT;
  }

  @Override
  public boolean broadcasts() {
    return true;
  }

  @Override
  public boolean replicable() {
    return true;
  }

  @Override
  public Value[] vjp(GraphBuilder b, List<Value> inputs, Attrs attrs, Value out, Value dout,
      boolean[] need) {
    if (!need[0]) {
      return new Value[1];
    }
    TensorType x = inputs.get(0).type();
    List<Integer> axes = new ArrayList<>();
    for (int i = 0; i < x.rank(); i++) {
      if (x.dim(i) != out.type().dim(i)) {
        axes.add(i);
      }
    }
    return new Value[] {
      b.reduceSum(dout, axes.stream().mapToInt(Integer::intValue).toArray(), true)
    };
  }

  @Override
  public double[] evaluate(List<TensorType> types, List<double[]> inputs, Attrs attrs,
      TensorType out) {
    double[] x = inputs.get(0);
    int[] inDims = types.get(0).dimsArray();
    int[] inStrides = types.get(0).strides();
    int[] outDims = out.dimsArray();
    double[] y = new double[out.size()];
    int[] idx = new int[outDims.length];
    for (int o = 0; o < y.length; o++) {
      int src = 0;
      for (int i = 0; i < idx.length; i++) {
        src += (inDims[i] == 1 ? 0 : idx[i]) * inStrides[i];
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
}

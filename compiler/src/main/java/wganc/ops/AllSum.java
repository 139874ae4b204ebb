package wganc.ops;

import java.util.ArrayList;
import java.util.List;
import wganc.ir.Attrs;
import wganc.ir.ElementType;
import wganc.ir.GraphBuilder;
import wganc.ir.IrException;
import wganc.ir.TensorType;
import wganc.ir.Value;
import wganc.loop.LoopKernel;

/**
 * {@code all_sum x1 .. xn}: the operands concatenated into one flat vector (row-major, in
 * operand order) and summed element by element over the processes of a data-parallel run, every
 * process getting the sum (one all-reduce of one buffer, {@code wganc.runtime.dist.World#sum}). In
 * one process, and in the float64 reference, it is the concatenation. It is what a graph compiled for
 * several ranks uses wherever a value must be the same on every rank: the parameter gradients and
 * the logged statistics of an update (together, once), and the batch statistics of a synchronised
 * batchnorm (docs/distributed.md).
 *
 * <p>The VJP is the op itself: with every rank's objective its share of the loss, the cotangent of
 * an operand is the sum over the ranks of the cotangents of the result, {@code all_sum} of {@code
 * dout}, cut back into the operands' shapes ({@code pad} with negative amounts, {@code reshape}).
 */
public enum AllSum implements Op {
  INSTANCE;

  @Override
  public String opName() {
    return "all_sum";
  }

  @Override
  public TensorType infer(List<TensorType> inputs, Attrs attrs) {
    if (inputs.isEmpty()) throw new IrException("`all_sum` expects at least one operand, found none");
    long n = 0;
    ElementType type = inputs.getFirst().dtype();
    for (TensorType t : inputs) {
      if (t.dtype() != type || type == ElementType.I64) {
        throw Shapes.error("all_sum", "floating-point operands of one type", inputs.toString());
      }
      n += t.size();
    }
    if (n > Integer.MAX_VALUE) throw Shapes.error("all_sum", "fewer than 2^31 elements in all", Long.toString(n));
    return new TensorType(type, List.of((int) n));
  }

  @Override
  public Fusion fusion() {
    return Fusion.COLLECTIVE;
  }

  @Override
  public Value[] vjp(GraphBuilder b, List<Value> inputs, Attrs attrs, Value out, Value dout, boolean[] need) {
    Value summed = b.allSum(List.of(dout));
    Value[] d = new Value[inputs.size()];
    int at = 0, n = out.type().size();
    for (int i = 0; i < inputs.size(); i++) {
      TensorType t = inputs.get(i).type();
      if (need[i]) d[i] = b.reshape(slice(b, summed, at, t.size(), n), t.dims());
      at += t.size();
    }
    return d;
  }

  /** Elements {@code [from, from + length)} of the flat {@code v} of {@code n} elements. */
  public static Value slice(GraphBuilder b, Value v, int from, int length, int n) {
    if (from == 0 && length == n) return v;
    return b.pad(v, new int[] {-from}, new int[] {-(n - from - length)});
  }

  @Override
  public double[] evaluate(List<TensorType> types, List<double[]> inputs, Attrs attrs, TensorType out) {
    double[] y = new double[out.size()];
    int at = 0;
    for (double[] x : inputs) {
      System.arraycopy(x, 0, y, at, x.length);
      at += x.length;
    }
    return y;
  }

  /** A call of the runtime's all-reduce on the operands, of these sizes. */
  public LoopKernel.AllSum kernel(List<TensorType> inputs, Attrs attrs, TensorType out) {
    List<Integer> sizes = new ArrayList<>();
    for (TensorType t : inputs) sizes.add(t.size());
    return new LoopKernel.AllSum(sizes);
  }
}

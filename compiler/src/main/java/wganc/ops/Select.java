package wganc.ops;

import java.util.List;
import wganc.ir.Attrs;
import wganc.ir.GraphBuilder;
import wganc.ir.TensorType;
import wganc.ir.Value;

/**
 * {@code select mask a b}: {@code a} where the mask is non-zero, else {@code b}. The mask is
 * constant under differentiation; each branch gets the cotangent where it was chosen, so a
 * non-finite value in the branch not taken never reaches a gradient.
 */
public enum Select implements Op {
  INSTANCE;

  @Override
  public String opName() {
    return "select";
  }

  @Override
  public TensorType infer(List<TensorType> inputs, Attrs attrs) {
    return Shapes.sameShape("select", inputs, 3);
  }

  @Override
  public Fusion fusion() {
    return Fusion.ELEMENTWISE;
  }

  @Override
  public boolean differentiable(int index) {
    return index != 0;
  }

  @Override
  public Value[] vjp(GraphBuilder b, List<Value> inputs, Attrs attrs, Value out, Value dout,
      boolean[] need) {
    Value mask = inputs.get(0);
    return new Value[] {
      null,
      need[1] ? b.select(mask, dout, 0.0) : null,
      need[2] ? b.select(mask, b.fill(0.0, dout), dout) : null
    };
  }

  @Override
  public double[] evaluate(List<TensorType> types, List<double[]> inputs, Attrs attrs,
      TensorType out) {
    double[] m = inputs.get(0);
    double[] a = inputs.get(1);
    double[] c = inputs.get(2);
    double[] y = new double[m.length];
    for (int i = 0; i < m.length; i++) {
      y[i] = m[i] != 0.0 ? a[i] : c[i];
    }
    return y;
  }

  @Override
  public String java(List<String> args, Attrs attrs) {
    return "(" + args.get(0) + " != 0f ? " + args.get(1) + " : " + args.get(2) + ")";
  }

  @Override
  public String javaVector(List<String> args, Attrs attrs) {
    return args.get(2) + ".blend(" + args.get(1) + ", " + args.get(0) + ".compare(NE, 0f))";
  }
}

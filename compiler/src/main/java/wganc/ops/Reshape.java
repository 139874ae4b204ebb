package wganc.ops;

import java.util.List;
import wganc.ir.Attrs;
import wganc.ir.GraphBuilder;
import wganc.ir.TensorType;
import wganc.ir.Value;

/** {@code reshape x {shape=[...]}}: same elements, row-major, new dims. VJP: reshape back. */
public enum Reshape implements Op {
  INSTANCE;

  @Override
  public String opName() {
    return "reshape";
  }

  @Override
  public TensorType infer(List<TensorType> inputs, Attrs attrs) {
    Shapes.arity("reshape", inputs, 1);
    TensorType out = inputs.get(0).withDims(attrs.ints("shape"));
    if (out.size() != inputs.get(0).size()) {
      throw Shapes.error("reshape", "a shape of " + inputs.get(0).size() + " elements",
          attrs.ints("shape") + " for " + inputs.get(0));
    }
    return out;
  }

  @Override
  public Fusion fusion() {
    return Fusion.LAYOUT;
  }

  @Override
  public boolean aliases() {
    return true;
  }

  @Override
  public Value[] vjp(GraphBuilder b, List<Value> inputs, Attrs attrs, Value out, Value dout,
      boolean[] need) {
    return new Value[] {need[0] ? b.reshape(dout, inputs.get(0).type().dims()) : null};
  }

  @Override
  public double[] evaluate(List<TensorType> types, List<double[]> inputs, Attrs attrs,
      TensorType out) {
    return inputs.get(0).clone();
  }
}

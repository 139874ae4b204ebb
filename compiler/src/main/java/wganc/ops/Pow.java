package wganc.ops;

import java.util.List;
import wganc.ir.Attrs;
import wganc.ir.GraphBuilder;
import wganc.ir.TensorType;
import wganc.ir.Value;

/**
 * {@code pow x {exponent=p}} for a constant exponent. VJP: {@code dy * p * x^(p-1)}, with
 * {@code x^1} written as {@code x} and {@code p = 0} a symbolic zero.
 */
public enum Pow implements Op {
  INSTANCE;

  @Override
  public String opName() {
    return "pow";
  }

  @Override
  public TensorType infer(List<TensorType> inputs, Attrs attrs) {
    attrs.d("exponent");
    return Shapes.sameShape("pow", inputs, 1);
  }

  @Override
  public Fusion fusion() {
    return Fusion.ELEMENTWISE;
  }

  @Override
  public Value[] vjp(GraphBuilder b, List<Value> inputs, Attrs attrs, Value out, Value dout,
      boolean[] need) {
    double p = attrs.d("exponent");
    if (!need[0] || p == 0.0) {
      return new Value[1];
    }
    Value x = inputs.get(0);
    Value scaled = b.mul(dout, p);
    if (p == 1.0) {
      return new Value[] {scaled};
    }
    Value power = p == 2.0 ? x : b.pow(x, p - 1.0);
    return new Value[] {b.mul(scaled, power)};
  }

  public static double apply(double x, double p) {
    return p == 2.0 ? x * x : Math.pow(x, p);
  }

  @Override
  public double[] evaluate(List<TensorType> types, List<double[]> inputs, Attrs attrs,
      TensorType out) {
    double p = attrs.d("exponent");
    double[] x = inputs.get(0);
    double[] y = new double[x.length];
    for (int i = 0; i < x.length; i++) {
      y[i] = apply(x[i], p);
    }
    return y;
  }

  @Override
  public String java(List<String> args, Attrs attrs) {
    double p = attrs.d("exponent");
    String x = args.get(0);
    if (p == 2) return "(" + x + " * " + x + ")";
    if (p == 1) return x;
    if (p == 0.5) return "((float) Math.sqrt(" + x + "))";
    return "((float) StrictMath.pow(" + x + ", " + p + "))";
  }

  @Override
  public String javaVector(List<String> args, Attrs attrs) {
    double p = attrs.d("exponent");
    String x = args.get(0);
    if (p == 2) return x + ".mul(" + x + ")";
    if (p == 1) return x;
    if (p == 0.5) return x + ".sqrt()";
    throw new UnsupportedOperationException("pow " + p + " runs scalar (exactInVectors)");
  }

  @Override
  public boolean exactInVectors(Attrs attrs) {
    double p = attrs.d("exponent");
    return p == 2 || p == 1 || p == 0.5;
  }
}

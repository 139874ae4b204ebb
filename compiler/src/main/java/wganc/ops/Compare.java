package wganc.ops;

import java.util.List;
import wganc.ir.Attrs;
import wganc.ir.GraphBuilder;
import wganc.ir.TensorType;
import wganc.ir.Value;

/**
 * Comparisons producing masks (1 where true, 0 elsewhere) of the operands' type. A mask is constant
 * under differentiation: these ops have no cotangents and autodiff does not reach through them.
 */
public enum Compare implements Op {
  GREATER("greater") {
    @Override public boolean test(double a, double b) { return a > b; }
  },
  GREATER_EQUAL("greater_equal") {
    @Override public boolean test(double a, double b) { return a >= b; }
  },
  LESS("less") {
    @Override public boolean test(double a, double b) { return a < b; }
  },
  LESS_EQUAL("less_equal") {
    @Override public boolean test(double a, double b) { return a <= b; }
  },
  EQUAL("equal") {
    @Override public boolean test(double a, double b) { return a == b; }
  };

  private final String name;

  Compare(String name) {
    this.name = name;
  }

  public abstract boolean test(double a, double b);

  @Override
  public String opName() {
    return name;
  }

  @Override
  public TensorType infer(List<TensorType> inputs, Attrs attrs) {
    return Shapes.sameShape(name, inputs, 2);
  }

  @Override
  public Fusion fusion() {
    return Fusion.ELEMENTWISE;
  }

  @Override
  public boolean replicable() {
    return true;
  }

  @Override
  public boolean differentiable(int index) {
    return false;
  }

  @Override
  public Value[] vjp(GraphBuilder b, List<Value> inputs, Attrs attrs, Value out, Value dout,
      boolean[] need) {
    return new Value[2];
  }

  @Override
  public double[] evaluate(List<TensorType> types, List<double[]> inputs, Attrs attrs,
      TensorType out) {
    double[] a = inputs.get(0);
    double[] b = inputs.get(1);
    double[] y = new double[a.length];
    for (int i = 0; i < a.length; i++) {
      y[i] = test(a[i], b[i]) ? 1.0 : 0.0;
    }
    return y;
  }

  @Override
  public String java(List<String> args, Attrs attrs) {
    String a = args.get(0), b = args.get(1);
    String op = switch (this) {
      case GREATER -> " > ";
      case GREATER_EQUAL -> " >= ";
      case LESS -> " < ";
      case LESS_EQUAL -> " <= ";
      case EQUAL -> " == ";
    };
    return "(" + a + op + b + " ? 1f : 0f)";
  }

  /** The comparison as a {@code VectorMask} (for a select that consumes it directly). */
  public String javaVectorMask(List<String> args) {
    String op = switch (this) {
      case GREATER -> "GT";
      case GREATER_EQUAL -> "GE";
      case LESS -> "LT";
      case LESS_EQUAL -> "LE";
      case EQUAL -> "EQ";
    };
    return args.get(0) + ".compare(" + op + ", " + args.get(1) + ")";
  }

  @Override
  public String javaVector(List<String> args, Attrs attrs) {
    String op = switch (this) {
      case GREATER -> "GT";
      case GREATER_EQUAL -> "GE";
      case LESS -> "LT";
      case LESS_EQUAL -> "LE";
      case EQUAL -> "EQ";
    };
    return "ZERO.blend(ONE, " + args.get(0) + ".compare(" + op + ", " + args.get(1) + "))";
  }
}

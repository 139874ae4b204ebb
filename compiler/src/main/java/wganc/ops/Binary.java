package wganc.ops;

import java.util.List;
import wganc.ir.Attrs;
import wganc.ir.GraphBuilder;
import wganc.ir.TensorType;
import wganc.ir.Value;

/**
 * Binary elementwise arithmetic on operands of one type (the builder inserts explicit broadcasts).
 * {@code maximum}/{@code minimum} route the cotangent with a {@code select} whose mask is constant
 * under differentiation; ties go to the first operand.
 */
public enum Binary implements Op {
  ADD("add") {
    @Override public double apply(double a, double b) { return a + b; }
    @Override Value[] grad(GraphBuilder g, Value a, Value b, Value y, Value dy, boolean[] need) {
      return new Value[] {need[0] ? dy : null, need[1] ? dy : null};
    }
  },
  SUB("sub") {
    @Override public double apply(double a, double b) { return a - b; }
    @Override Value[] grad(GraphBuilder g, Value a, Value b, Value y, Value dy, boolean[] need) {
      return new Value[] {need[0] ? dy : null, need[1] ? g.neg(dy) : null};
    }
  },
  MUL("mul") {
    @Override public double apply(double a, double b) { return a * b; }
    @Override Value[] grad(GraphBuilder g, Value a, Value b, Value y, Value dy, boolean[] need) {
      return new Value[] {need[0] ? g.mul(dy, b) : null, need[1] ? g.mul(dy, a) : null};
    }
  },
  DIV("div") {
    @Override public double apply(double a, double b) { return a / b; }
    /** {@code da = dy / b}, {@code db = -(dy y) / b}. */
    @Override Value[] grad(GraphBuilder g, Value a, Value b, Value y, Value dy, boolean[] need) {
      return new Value[] {
        need[0] ? g.div(dy, b) : null, need[1] ? g.neg(g.div(g.mul(dy, y), b)) : null
      };
    }
  },
  MAXIMUM("maximum") {
    @Override public double apply(double a, double b) { return a >= b ? a : b; }
    @Override Value[] grad(GraphBuilder g, Value a, Value b, Value y, Value dy, boolean[] need) {
      return route(g, g.greaterEqual(a, b), dy, need);
    }
  },
  MINIMUM("minimum") {
    @Override public double apply(double a, double b) { return a <= b ? a : b; }
    @Override Value[] grad(GraphBuilder g, Value a, Value b, Value y, Value dy, boolean[] need) {
      return route(g, g.lessEqual(a, b), dy, need);
    }
  };

  private final String name;

  Binary(String name) {
    this.name = name;
  }

  public abstract double apply(double a, double b);

  abstract Value[] grad(GraphBuilder g, Value a, Value b, Value y, Value dy, boolean[] need);

  private static Value[] route(GraphBuilder g, Value firstWins, Value dy, boolean[] need) {
    return new Value[] {
      need[0] ? g.select(firstWins, dy, 0.0) : null,
      need[1] ? g.select(firstWins, g.fill(0.0, dy), dy) : null
    };
  }

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
  public Value[] vjp(GraphBuilder b, List<Value> inputs, Attrs attrs, Value out, Value dout,
      boolean[] need) {
    return grad(b, inputs.get(0), inputs.get(1), out, dout, need);
  }

  @Override
  public double[] evaluate(List<TensorType> types, List<double[]> inputs, Attrs attrs,
      TensorType out) {
    double[] a = inputs.get(0);
    double[] b = inputs.get(1);
    double[] y = new double[a.length];
    for (int i = 0; i < a.length; i++) {
      y[i] = apply(a[i], b[i]);
    }
    return y;
  }

  @Override
  public String java(List<String> args, Attrs attrs) {
    String a = args.get(0), b = args.get(1);
    return switch (this) {
      case ADD -> "(" + a + " + " + b + ")";
      case SUB -> "(" + a + " - " + b + ")";
      case MUL -> "(" + a + " * " + b + ")";
      case DIV -> "(" + a + " / " + b + ")";
      case MAXIMUM -> "(" + a + " >= " + b + " ? " + a + " : " + b + ")";
      case MINIMUM -> "(" + a + " <= " + b + " ? " + a + " : " + b + ")";
    };
  }

  @Override
  public String javaVector(List<String> args, Attrs attrs) {
    String a = args.get(0), b = args.get(1);
    return switch (this) {
      case ADD -> a + ".add(" + b + ")";
      case SUB -> a + ".sub(" + b + ")";
      case MUL -> a + ".mul(" + b + ")";
      case DIV -> a + ".div(" + b + ")";
      case MAXIMUM -> b + ".blend(" + a + ", " + a + ".compare(GE, " + b + "))";
      case MINIMUM -> b + ".blend(" + a + ", " + a + ".compare(LE, " + b + "))";
    };
  }
}

package wganc.ops;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import wganc.ir.Attrs;
import wganc.ir.GraphBuilder;
import wganc.ir.TensorType;
import wganc.ir.Value;

/**
 * Unary elementwise ops. Each VJP reuses the output {@code y} where that is cheaper (exp, tanh,
 * sigmoid, sqrt); differentiating the VJP again goes through {@code y}'s own binding. An op with a
 * function name is also a function of train blocks ({@link #functions}): a new elementwise function
 * is a constant here (reference value, VJP, {@link #scalar} and {@link #vector} Java forms) and a
 * gradcheck row.
 */
public enum Unary implements Op {
  NEG("neg") {
    @Override public double apply(double x) { return -x; }
    @Override Value grad(GraphBuilder b, Value x, Value y, Value dy) { return b.neg(dy); }
    @Override String scalar(String x) { return "(-" + x + ")"; }
    @Override String vector(String x) { return x + ".neg()"; }
  },
  ABS("abs", "abs") {
    @Override public double apply(double x) { return Math.abs(x); }
    @Override Value grad(GraphBuilder b, Value x, Value y, Value dy) {
      return b.mul(dy, b.sign(x));
    }
    @Override String scalar(String x) { return "Math.abs(" + x + ")"; }
    @Override String vector(String x) { return x + ".abs()"; }
  },
  SQRT("sqrt", "sqrt") {
    @Override public double apply(double x) { return Math.sqrt(x); }
    /** {@code dy / (2 y)}. */
    @Override Value grad(GraphBuilder b, Value x, Value y, Value dy) {
      return b.div(dy, b.mul(y, 2.0));
    }
    @Override String scalar(String x) { return "((float) Math.sqrt(" + x + "))"; }
    @Override String vector(String x) { return x + ".sqrt()"; }
  },
  RSQRT("rsqrt") {
    @Override public double apply(double x) { return 1.0 / Math.sqrt(x); }
    /** {@code -0.5 dy y / x}. */
    @Override Value grad(GraphBuilder b, Value x, Value y, Value dy) {
      return b.mul(b.div(b.mul(dy, y), x), -0.5);
    }
    @Override String scalar(String x) { return "((float) (1.0 / Math.sqrt(" + x + ")))"; }
    @Override String vector(String x) { return "ONE.div(" + x + ".sqrt())"; }
  },
  EXP("exp", "exp") {
    @Override public double apply(double x) { return Math.exp(x); }
    @Override Value grad(GraphBuilder b, Value x, Value y, Value dy) { return b.mul(dy, y); }
    @Override String scalar(String x) { return "((float) StrictMath.exp(" + x + "))"; }
  },
  LOG("log", "log") {
    @Override public double apply(double x) { return Math.log(x); }
    @Override Value grad(GraphBuilder b, Value x, Value y, Value dy) { return b.div(dy, x); }
    @Override String scalar(String x) { return "((float) StrictMath.log(" + x + "))"; }
  },
  SIGN("sign") {
    @Override public double apply(double x) { return Math.signum(x); }
    @Override Value grad(GraphBuilder b, Value x, Value y, Value dy) { return null; }
    @Override public boolean differentiable(int index) { return false; }
    @Override String scalar(String x) { return "Math.signum(" + x + ")"; }
    @Override String vector(String x) {
      return "ZERO.blend(ONE, " + x + ".compare(GT, 0f)).sub(ZERO.blend(ONE, " + x
          + ".compare(LT, 0f)))";
    }
  },
  TANH("tanh", "tanh") {
    @Override public double apply(double x) { return Math.tanh(x); }
    /** {@code dy (1 - y^2)}. */
    @Override Value grad(GraphBuilder b, Value x, Value y, Value dy) {
      return b.mul(dy, b.sub(b.fill(1.0, y), b.mul(y, y)));
    }
    @Override String scalar(String x) { return "((float) StrictMath.tanh(" + x + "))"; }
  },
  SIGMOID("sigmoid", "sigmoid") {
    @Override public double apply(double x) { return 1.0 / (1.0 + Math.exp(-x)); }
    /** {@code dy y (1 - y)}. */
    @Override Value grad(GraphBuilder b, Value x, Value y, Value dy) {
      return b.mul(dy, b.mul(y, b.sub(b.fill(1.0, y), y)));
    }
    @Override String scalar(String x) { return "((float) (1.0 / (1.0 + StrictMath.exp(-" + x + "))))"; }
  },
  SOFTPLUS("softplus", "softplus") {
    /** {@code log(1 + exp(x))} as {@code max(x, 0) + log1p(exp(-|x|))}, which never overflows. */
    @Override public double apply(double x) { return Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x))); }
    /** {@code dy sigmoid(x)}. */
    @Override Value grad(GraphBuilder b, Value x, Value y, Value dy) { return b.mul(dy, b.sigmoid(x)); }
    /** TornadoMath has no log1p: log(1 + e) gives 0 where softplus is below 1e-16 (x < -37). */
    @Override String scalar(String x) {
      return "((float) (Math.max(" + x + ", 0.0f) + StrictMath.log(1.0 + StrictMath.exp(-Math.abs(" + x + ")))))";
    }
  };

  private final String name;
  private final String function;

  /** An op of the IR only. */
  Unary(String name) {
    this(name, null);
  }

  /** An op that train blocks also call as {@code function(x)}. */
  Unary(String name, String function) {
    this.name = name;
    this.function = function;
  }

  /**
   * The elementwise functions of train blocks by name, in the order the docs and diagnostics list
   * them: `relu` (a select) and `square` (a product), built from primitives, and each op with a
   * function name, the ones added last at the end.
   */
  public static Map<String, BiFunction<GraphBuilder, Value, Value>> functions() {
    return FUNCTIONS;
  }

  private static final Map<String, BiFunction<GraphBuilder, Value, Value>> FUNCTIONS = functionTable();

  private static Map<String, BiFunction<GraphBuilder, Value, Value>> functionTable() {
    Map<String, BiFunction<GraphBuilder, Value, Value>> fs = new LinkedHashMap<>();
    fs.put("relu", GraphBuilder::relu);
    for (Unary u : values()) {
      if (u == TANH) fs.put("square", (b, x) -> b.mul(x, x));
      if (u.function != null) fs.put(u.function, (b, x) -> b.apply(u, x));
    }
    return java.util.Collections.unmodifiableMap(fs);
  }

  public abstract double apply(double x);

  abstract Value grad(GraphBuilder b, Value x, Value y, Value dy);

  /**
   * The float32 Java expression of the operand expression {@code x} ({@link Op#java}). TornadoVM's
   * kernels use it with `Math.` and `StrictMath.` read as `TornadoMath.`, so it may call only
   * functions that TornadoMath also has (no `log1p`, `expm1`).
   */
  abstract String scalar(String x);

  /**
   * The same over the {@code FloatVector} {@code x} ({@link Op#javaVector}), or null for
   * transcendental functions, whose expressions run scalar with StrictMath ({@link Op#exactInVectors}).
   */
  String vector(String x) {
    return null;
  }

  @Override
  public String opName() {
    return name;
  }

  @Override
  public TensorType infer(List<TensorType> inputs, Attrs attrs) {
    return Shapes.sameShape(name, inputs, 1);
  }

  @Override
  public Fusion fusion() {
    return Fusion.ELEMENTWISE;
  }

  @Override
  public Value[] vjp(GraphBuilder b, List<Value> inputs, Attrs attrs, Value out, Value dout,
      boolean[] need) {
    return new Value[] {need[0] ? grad(b, inputs.get(0), out, dout) : null};
  }

  @Override
  public double[] evaluate(List<TensorType> types, List<double[]> inputs, Attrs attrs,
      TensorType out) {
    double[] x = inputs.get(0);
    double[] y = new double[x.length];
    for (int i = 0; i < x.length; i++) {
      y[i] = apply(x[i]);
    }
    return y;
  }

  @Override
  public String java(List<String> args, Attrs attrs) {
    return scalar(args.get(0));
  }

  @Override
  public boolean exactInVectors(Attrs attrs) {
    return vector("x") != null;
  }

  @Override
  public String javaVector(List<String> args, Attrs attrs) {
    String v = vector(args.get(0));
    if (v == null) throw new UnsupportedOperationException("`" + opName() + "` runs scalar (exactInVectors)");
    return v;
  }
}

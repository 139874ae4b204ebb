package wganc.ops;

import wganc.runtime.rng.Philox;

import java.util.List;
import wganc.ir.Attrs;
import wganc.loop.LoopKernel;
import wganc.ir.ElementType;
import wganc.ir.GraphBuilder;
import wganc.ir.IrException;
import wganc.ir.TensorType;
import wganc.ir.Value;

/**
 * {@code random_uniform step {seed, stream, shape}} and {@code random_normal ...}: counter-based
 * draws (Philox4x32-10) that are a pure function of (seed, stream, step, element index), so every
 * backend draws the same numbers and CSE may merge identical draws. {@code step} is an {@code i64}
 * scalar; the output is f32 of {@code shape}. The numbers are {@link Philox}'s (the runtime's, whose
 * javadoc gives the exact keying and the uniform and Box-Muller formulas). The VJP is zero.
 */
public enum RandomDraw implements Op {
  UNIFORM("random_uniform"),
  NORMAL("random_normal");

  private final String name;

  RandomDraw(String name) {
    this.name = name;
  }

  public static Attrs attrs(long seed, int stream, TensorType type) {
    return Attrs.of("seed", seed, "stream", stream, "shape", type.dims());
  }

  @Override
  public String opName() {
    return name;
  }

  @Override
  public TensorType infer(List<TensorType> inputs, Attrs attrs) {
    Shapes.arity(name, inputs, 1);
    if (inputs.get(0).rank() != 0) {
      throw Shapes.error(name, "a scalar step", inputs.get(0).toString());
    }
    attrs.l("seed");
    attrs.i("stream");
    return new TensorType(ElementType.F32, attrs.ints("shape"));
  }

  @Override
  public Fusion fusion() {
    return Fusion.RANDOM;
  }

  @Override
  public boolean differentiable(int index) {
    return false;
  }

  @Override
  public Value[] vjp(GraphBuilder b, List<Value> inputs, Attrs attrs, Value out, Value dout,
      boolean[] need) {
    return new Value[1];
  }

  @Override
  public double[] evaluate(List<TensorType> types, List<double[]> inputs, Attrs attrs,
      TensorType out) {
    throw new IrException("`" + name + "` needs a counter-based generator: call the overload");
  }

  /**
   * The draws for {@code step}: element e is {@code Philox.uniform|normal(seed, stream, step, e)} of
   * the runtime, as float32, so the interpreter sees exactly the numbers every backend draws.
   */
  public double[] evaluate(double[] step, Attrs attrs, TensorType out) {
    long seed = attrs.l("seed");
    int stream = attrs.i("stream");
    long s = (long) step[0];
    double[] y = new double[out.size()];
    for (int e = 0; e < y.length; e++) {
      y[e] = this == UNIFORM ? Philox.uniform(seed, stream, s, e) : Philox.normal(seed, stream, s, e);
    }
    return y;
  }

  /** The top 24 bits of a word over 2^24: exact in f32, in [0,1). */
  public static double uniform(int word) {
    return (word >>> 8) / 16777216.0;
  }
  /** One draw per output element, keyed by the element's index, the step, the seed and the stream. */
  public LoopKernel.Draw kernel(List<TensorType> inputs, Attrs attrs, TensorType out) {
    return new LoopKernel.Draw(this, attrs.l("seed"), attrs.i("stream"), out.size(), attrs.b("sharded", false));
  }
}

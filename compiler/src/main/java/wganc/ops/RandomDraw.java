package wganc.ops;

import java.util.List;
import wganc.ir.Attrs;
import wganc.ir.DType;
import wganc.ir.GraphBuilder;
import wganc.ir.IrException;
import wganc.ir.TensorType;
import wganc.ir.Value;

/**
 * {@code random_uniform step {seed, stream, shape}} and {@code random_normal ...}: counter-based
 * draws (Philox4x32-10) that are a pure function of (seed, stream, step, element index), so every
 * backend draws the same numbers and CSE may merge identical draws. {@code step} is an {@code i64}
 * scalar; the output is f32 of {@code shape}.
 *
 * <p>Keying: key = (seed low 32 bits, seed high 32 bits); counter = (block, stream, step low 32,
 * step high 32). Element e uses block e/4, word e%4. Uniform: {@code (word >>> 8) / 2^24} in [0,1).
 * Normal: the words (0,1) and (2,3) of a block form Box-Muller pairs: u1 = 1 - uniform(first),
 * u2 = uniform(second), r = sqrt(-2 ln u1); element e%4 = 0 or 2 takes r cos(2 pi u2), 1 or 3
 * takes r sin(2 pi u2). The VJP is zero (draws do not depend on differentiable values).
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
    return new TensorType(DType.F32, attrs.ints("shape"));
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

  /** The draws for {@code step}, from the block function {@code rng}. */
  public double[] evaluate(double[] step, Attrs attrs, TensorType out, CounterRng rng) {
    long seed = attrs.l("seed");
    int stream = attrs.i("stream");
    long s = (long) step[0];
    int[] key = {(int) seed, (int) (seed >>> 32)};
    double[] y = new double[out.size()];
    int[] words = null;
    for (int e = 0; e < y.length; e++) {
      if (e % 4 == 0) {
        words = rng.block(new int[] {e / 4, stream, (int) s, (int) (s >>> 32)}, key);
      }
      int k = e % 4;
      if (this == UNIFORM) {
        y[e] = uniform(words[k]);
      } else {
        int first = k & ~1;
        double u1 = 1.0 - uniform(words[first]);
        double u2 = uniform(words[first + 1]);
        double r = Math.sqrt(-2.0 * Math.log(u1));
        double theta = 2.0 * Math.PI * u2;
        y[e] = (k & 1) == 0 ? r * Math.cos(theta) : r * Math.sin(theta);
      }
    }
    return y;
  }

  /** The top 24 bits of a word over 2^24: exact in f32, in [0,1). */
  public static double uniform(int word) {
    return (word >>> 8) / 16777216.0;
  }
}

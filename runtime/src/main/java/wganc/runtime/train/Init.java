package wganc.runtime.train;

import java.util.Arrays;
import wganc.runtime.rng.Philox;

/**
 * Initial values of parameters ({@link ModelSpec.Param}) and optimiser state
 * ({@link ModelSpec.State}), as Keras defines its initialisers, drawn from {@link Philox}: parameter
 * {@code p} (its position in {@link ModelSpec#params()}) uses stream {@link Streams#INIT}{@code + p},
 * element {@code i} (flat C order) uses index {@code i}, and the counter's step is the redraw
 * attempt (always 0 except for truncated normals). Draws use the 53-bit {@link Philox#uniformDouble}
 * and {@link Philox#normalDouble}; the value is computed in double and rounded to float once.
 *
 * <ul>
 * <li>{@code glorot_uniform}: uniform on {@code [-l, l)}, {@code l = sqrt(6 / (fanIn + fanOut))};</li>
 * <li>{@code glorot_normal}: truncated normal, {@code std = sqrt(2 / (fanIn + fanOut)) / 0.87962566103423978};</li>
 * <li>{@code he_uniform}: uniform on {@code [-l, l)}, {@code l = sqrt(6 / fanIn)};</li>
 * <li>{@code he_normal}: truncated normal, {@code std = sqrt(2 / fanIn) / 0.87962566103423978};</li>
 * <li>{@code normal(a, b)}: mean a, std b (not truncated); {@code uniform(a, b)}: on {@code [a, b)};
 *     {@code constant(a)}.</li>
 * </ul>
 * A truncated normal (Keras' {@code TruncatedNormal}, mean 0) redraws element {@code i} with
 * attempt 1, 2, ... while the standard normal lies beyond 2 in absolute value; the constant
 * 0.8796... is the standard deviation of a standard normal truncated to [-2, 2], so the result has
 * the requested variance.
 */
public final class Init {
  private Init() {}

  /** The standard deviation of a standard normal truncated to [-2, 2]. */
  public static final double TRUNCATED_STD = 0.87962566103423978;

  /** The initial value of {@code p}, the parameter at position {@code index} of the spec. */
  public static float[] param(ModelSpec.Param p, int index, long seed) {
    float[] out = new float[size(p.shape())];
    fill(out, p.init(), p.a(), p.b(), p.fanIn(), p.fanOut(), seed, Streams.INIT + index, p.name());
    return out;
  }

  /** Fills {@code out} by initialiser {@code init} from stream {@code stream}. */
  public static void fill(float[] out, String init, double a, double b, int fanIn, int fanOut, long seed, int stream,
      String what) {
    switch (init) {
      case "glorot_uniform" -> uniform(out, seed, stream, Math.sqrt(6.0 / (fanIn + fanOut)));
      case "he_uniform" -> uniform(out, seed, stream, Math.sqrt(6.0 / fanIn));
      case "glorot_normal" -> truncated(out, seed, stream, Math.sqrt(2.0 / (fanIn + fanOut)) / TRUNCATED_STD);
      case "he_normal" -> truncated(out, seed, stream, Math.sqrt(2.0 / fanIn) / TRUNCATED_STD);
      case "normal" -> {
        for (int i = 0; i < out.length; i++) out[i] = (float) (a + b * Philox.normalDouble(seed, stream, 0, i));
      }
      case "uniform" -> {
        for (int i = 0; i < out.length; i++) out[i] = (float) (a + (b - a) * Philox.uniformDouble(seed, stream, 0, i));
      }
      case "constant" -> Arrays.fill(out, (float) a);
      default -> throw new IllegalArgumentException("unknown initialiser `" + init + "` for `" + what
          + "`; expected glorot_uniform, glorot_normal, he_uniform, he_normal, normal, uniform or constant");
    }
  }

  private static void uniform(float[] out, long seed, int stream, double limit) {
    for (int i = 0; i < out.length; i++) {
      out[i] = (float) (limit * (2 * Philox.uniformDouble(seed, stream, 0, i) - 1));
    }
  }

  private static void truncated(float[] out, long seed, int stream, double std) {
    for (int i = 0; i < out.length; i++) {
      double z = Philox.normalDouble(seed, stream, 0, i);
      for (long attempt = 1; Math.abs(z) > 2; attempt++) z = Philox.normalDouble(seed, stream, attempt, i);
      out[i] = (float) (std * z);
    }
  }

  /** The initial value of a state tensor: {@code initial} everywhere. */
  public static float[] state(ModelSpec.State s) {
    float[] out = new float[size(s.shape())];
    Arrays.fill(out, (float) s.initial());
    return out;
  }

  static int size(int[] shape) {
    int n = 1;
    for (int d : shape) n = Math.multiplyExact(n, d);
    return n;
  }
}

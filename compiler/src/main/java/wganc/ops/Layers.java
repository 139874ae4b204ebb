package wganc.ops;

import java.util.ArrayList;
import java.util.List;
import wganc.ir.GraphBuilder;
import wganc.ir.Value;

/**
 * Layers and penalty pieces built from primitives only; none has a derivative rule of its own.
 * Layouts: NCHW activations, batch axis first, dense weight {@code [out,in]}.
 */
public final class Layers {
  private Layers() {}

  /** {@code x [N,in] . w^T + bias}, {@code w [out,in]}; {@code bias [out]} or null. */
  public static Value dense(GraphBuilder b, Value x, Value w, Value bias) {
    Value y = b.matmul(x, w, false, true);
    return bias == null ? y : b.add(y, bias);
  }

  /** Conv bias {@code [C]} added to an NCHW tensor (reshaped to {@code [1,C,1,1]}, broadcast). */
  public static Value addChannelBias(GraphBuilder b, Value x, Value bias) {
    return b.add(x, b.reshape(bias, 1, bias.type().dim(0), 1, 1));
  }

  /** {@code select(x > 0, x, 0)}. */
  public static Value relu(GraphBuilder b, Value x) {
    return b.relu(x);
  }

  /** {@code select(x > 0, x, slope * x)}. */
  public static Value leakyRelu(GraphBuilder b, Value x, double slope) {
    return b.select(b.greater(x, 0.0), x, b.mul(x, slope));
  }

  /** The normalised output and the batch statistics, shaped {@code [C]}. */
  public record BatchNorm(Value y, Value mean, Value variance) {}

  /** Axes reduced by batchnorm: all but axis 1 (channels; features for rank 2). */
  private static int[] statAxes(Value x) {
    List<Integer> axes = new ArrayList<>();
    for (int i = 0; i < x.type().rank(); i++) {
      if (i != 1) {
        axes.add(i);
      }
    }
    return axes.stream().mapToInt(Integer::intValue).toArray();
  }

  /** {@code [C]} to {@code [1,C,1,...]} so it broadcasts against {@code x}. */
  private static Value perChannel(GraphBuilder b, Value v, Value x) {
    int[] dims = new int[x.type().rank()];
    java.util.Arrays.fill(dims, 1);
    dims[1] = x.type().dim(1);
    return b.reshape(v, dims);
  }

  /**
   * Batchnorm in training mode (Keras): batch mean and biased variance over every axis but the
   * channel axis, {@code y = (x - mean) * rsqrt(var + eps) * gamma + beta}. Keras' default eps is
   * 1e-3. Returns the statistics so the caller can update the moving ones with
   * {@link #updateMoving}.
   */
  public static BatchNorm batchNormTraining(GraphBuilder b, Value x, Value gamma, Value beta,
      double eps) {
    int[] axes = statAxes(x);
    Value mean = b.reduceMean(x, axes, true);
    Value centered = b.sub(x, mean);
    Value variance = b.reduceMean(b.mul(centered, centered), axes, true);
    Value y = b.mul(centered, b.rsqrt(b.add(variance, eps)));
    y = b.add(b.mul(y, perChannel(b, gamma, x)), perChannel(b, beta, x));
    int c = x.type().dim(1);
    return new BatchNorm(y, b.reshape(mean, c), b.reshape(variance, c));
  }

  /** Batchnorm in inference mode, with the moving statistics. */
  public static Value batchNormInference(GraphBuilder b, Value x, Value gamma, Value beta,
      Value movingMean, Value movingVariance, double eps) {
    Value scale = b.mul(gamma, b.rsqrt(b.add(movingVariance, eps)));
    Value y = b.mul(b.sub(x, perChannel(b, movingMean, x)), perChannel(b, scale, x));
    return b.add(y, perChannel(b, beta, x));
  }

  /** Keras' moving statistic update: {@code moving * momentum + stat * (1 - momentum)}. */
  public static Value updateMoving(GraphBuilder b, Value moving, Value stat, double momentum) {
    return b.add(b.mul(moving, momentum), b.mul(stat, 1.0 - momentum));
  }

  /**
   * Layer normalisation over {@code axes} (per sample), biased variance; {@code gamma}/{@code beta}
   * shaped like the normalised axes' trailing dims, or null.
   */
  public static Value layerNorm(GraphBuilder b, Value x, int[] axes, Value gamma, Value beta,
      double eps) {
    Value mean = b.reduceMean(x, axes, true);
    Value centered = b.sub(x, mean);
    Value variance = b.reduceMean(b.mul(centered, centered), axes, true);
    Value y = b.mul(centered, b.rsqrt(b.add(variance, eps)));
    if (gamma != null) {
      y = b.mul(y, gamma);
    }
    if (beta != null) {
      y = b.add(y, beta);
    }
    return y;
  }

  /** Inverted dropout: {@code x * keep / (1 - rate)}, {@code keep} a 0/1 mask input of x's shape. */
  public static Value dropout(GraphBuilder b, Value x, Value keep, double rate) {
    return b.mul(b.mul(x, keep), 1.0 / (1.0 - rate));
  }

  /** A keep mask for {@link #dropout}: {@code uniform >= rate}, drawn from a random op. */
  public static Value keepMask(GraphBuilder b, Value step, long seed, int stream, Value like,
      double rate) {
    Value u = b.randomUniform(step, seed, stream, like.type());
    return b.greaterEqual(u, rate);
  }

  /**
   * The Euclidean norm per sample, over every non-batch axis: {@code [N,...]} to {@code [N]}.
   *
   * <p>Safe at zero without changing any value: with {@code s = sum(x^2)} and {@code pos = s > 0},
   * {@code norm = select(pos, sqrt(select(pos, s, 1)), 0)}. Where {@code s > 0} this is exactly
   * {@code sqrt(s)}; at {@code s = 0} it is 0. Differentiating, the division in sqrt's VJP is by
   * {@code select(pos, sqrt(s), 1)}, never by zero, and both selects zero the cotangent where
   * {@code s = 0}, so the gradient is finite (0) there, to every order. Adding a tiny epsilon
   * inside the root is not used because it changes values.
   */
  public static Value norm(GraphBuilder b, Value x) {
    int[] axes = new int[x.type().rank() - 1];
    for (int i = 0; i < axes.length; i++) {
      axes[i] = i + 1;
    }
    Value s = b.reduceSum(b.mul(x, x), axes, false);
    return safeSqrt(b, s);
  }

  /** {@code sqrt(s)} for {@code s >= 0} whose derivatives are finite at 0 (see {@link #norm}). */
  public static Value safeSqrt(GraphBuilder b, Value s) {
    Value pos = b.greater(s, 0.0);
    Value root = b.sqrt(b.select(pos, s, 1.0));
    return b.select(pos, root, 0.0);
  }
}

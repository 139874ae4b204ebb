package wganc.ops;

import wganc.ir.GraphBuilder;
import wganc.ir.Value;

/**
 * The penalty's Euclidean norm, built from primitives: exact values, and derivatives that are
 * finite (0) at a zero norm to every order.
 */
public final class Norm {
  private Norm() {}

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
  public static Value perSample(GraphBuilder b, Value x) {
    int[] axes = new int[x.type().rank() - 1];
    for (int i = 0; i < axes.length; i++) {
      axes[i] = i + 1;
    }
    Value s = b.reduceSum(b.mul(x, x), axes, false);
    return safeSqrt(b, s);
  }

  /** {@code sqrt(s)} for {@code s >= 0} whose derivatives are finite at 0 (see {@link #perSample}). */
  public static Value safeSqrt(GraphBuilder b, Value s) {
    Value pos = b.greater(s, 0.0);
    Value root = b.sqrt(b.select(pos, s, 1.0));
    return b.select(pos, root, 0.0);
  }
}

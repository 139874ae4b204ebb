package wganc.loop;

import java.util.List;

/**
 * The float value a loop nest computes at one output element, from loads of its operands. A
 * {@link Sum} accumulates its body over its axes in row-major order; a sum inside a sum of the same
 * precision (directly, or under a {@link Let} or {@link Where}) accumulates into the outer one, so
 * {@code Sum([c, i], Where(.., Sum([j], ..)))} adds in the order of the loops {@code c, i, j} and the
 * condition is tested once per {@code (c, i)}.
 */
public sealed interface Val {
  /** Element {@code at} (row-major) of the kernel's operand {@code operand}. */
  record Load(int operand, Ix at) implements Val {}

  record Product(Val a, Val b) implements Val {}

  record Sum(List<Axis> axes, Val body, Precision precision) implements Val {
    public Sum {
      axes = List.copyOf(axes);
    }
  }

  /** {@code then} where every condition holds, else 0. */
  record Where(List<Cond> conds, Val then) implements Val {
    public Where {
      conds = List.copyOf(conds);
    }
  }

  /** {@code body} with the int local {@code name} bound to {@code value}. */
  record Let(String name, Ix value, Val body) implements Val {}

  /** A sequential loop variable {@code name} over {@code [0, extent)}. */
  record Axis(String name, int extent) {}

  /** The accumulator's type: batch sums run in double (as the peers'), window sums in float. */
  enum Precision { FLOAT, DOUBLE }

  /** A condition on an index. */
  sealed interface Cond {
    /** {@code 0 <= x}. */
    record NonNegative(Ix x) implements Cond {}

    /** {@code x < n}. */
    record Below(Ix x, long n) implements Cond {}

    /** {@code x % k == 0}. */
    record Multiple(Ix x, long k) implements Cond {}

    default String java() {
      return switch (this) {
        case NonNegative c -> c.x().java() + " >= 0";
        case Below c -> c.x().java() + " < " + c.n();
        case Multiple c -> (c.x() instanceof Ix.Add ? "(" + c.x().java() + ")" : c.x().java()) + " % " + c.k() + " == 0";
      };
    }

    /** {@code 0 <= x < n}, the conditions of a read inside an axis of extent n. */
    static List<Cond> inside(Ix x, long n) {
      return List.of(new NonNegative(x), new Below(x, n));
    }
  }
}

package wganc.loop;

import java.util.List;

/**
 * Integer index expressions of loop nests: loop variables, constants, sums and products, quotients
 * and remainders by constants. The builders fold the trivial cases ({@code x + 0}, {@code x * 1},
 * {@code x / 1}), so that a printed index reads as one would write it.
 */
public sealed interface Ix {
  /** A loop variable or an {@code int} local. */
  record Var(String name) implements Ix {}

  record Lit(long value) implements Ix {}

  record Add(Ix a, Ix b) implements Ix {}

  record Mul(Ix a, long k) implements Ix {}

  record Div(Ix a, long k) implements Ix {}

  record Mod(Ix a, long k) implements Ix {}

  static Ix var(String name) {
    return new Var(name);
  }

  static Ix lit(long value) {
    return new Lit(value);
  }

  default Ix plus(Ix o) {
    if (o instanceof Lit l && l.value() == 0) return this;
    if (this instanceof Lit l && l.value() == 0) return o;
    return new Add(this, o);
  }

  default Ix plus(long c) {
    return plus(lit(c));
  }

  default Ix times(long k) {
    if (k == 1) return this;
    if (k == 0) return lit(0);
    return new Mul(this, k);
  }

  default Ix div(long k) {
    return k == 1 ? this : new Div(this, k);
  }

  default Ix mod(long k) {
    return new Mod(this, k);
  }

  /** The row-major flat index of {@code coords} in a tensor of shape {@code dims}. */
  static Ix rowMajor(List<Ix> coords, List<Integer> dims) {
    Ix at = lit(0);
    long stride = 1;
    for (int d = dims.size() - 1; d >= 0; d--) {
      at = coords.get(d).times(stride).plus(at);
      stride *= dims.get(d);
    }
    return at;
  }

  /** The Java text of this index ({@code int} arithmetic). */
  default String java() {
    return switch (this) {
      case Var v -> v.name();
      case Lit l -> Long.toString(l.value());
      case Add a -> a.b() instanceof Lit l && l.value() < 0 ? a.a().java() + " - " + (-l.value())
          : a.a().java() + " + " + a.b().java();
      case Mul m -> operand(m.a()) + " * " + m.k();
      case Div d -> operand(d.a()) + " / " + d.k();
      case Mod m -> operand(m.a()) + " % " + m.k();
    };
  }

  private static String operand(Ix x) {
    return x instanceof Add ? "(" + x.java() + ")" : x.java();
  }
}

package wganc.emit.tornado;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import wganc.emit.Codegen;
import wganc.plan.Schedule;

/**
 * Fused elementwise trees ({@link Schedule.Expr}) as scalar Java expressions of TornadoVM kernels:
 * each leaf read through its operand at the loop's flat index (or a broadcast index), each op through
 * its {@code java} form with {@code Math.} read as {@code TornadoMath.}.
 */
final class Expressions {
  private Expressions() {}

  /** Math. and StrictMath. (the JVM's scalar forms of transcendental functions) become TornadoMath. */
  private static final Pattern MATH = Pattern.compile("(?<![\\w.])(?:Strict)?Math\\.");

  /** The result expression of a contraction at flat output index {@code o} from accumulator {@code acc}. */
  static String finish(Schedule.Kernel.Primitive o, Operands ops) {
    if (o.epilogue() == null) return "acc";
    return expression(o.epilogue(), ops, o.out().type().dims(), "o", Map.of(o.inner().id(), "acc"));
  }

  /**
   * The scalar Java expression of {@code e} at flat index {@code var} of a loop over {@code dims};
   * a leaf reading a value in {@code locals} is that local ({@code acc}, an earlier part of a group).
   * java.lang.Math calls become TornadoMath calls.
   */
  static String expression(Schedule.Expr e, Operands ops, List<Integer> dims, String var, Map<Integer, String> locals) {
    return switch (e) {
      case Schedule.Expr.Literal l -> Codegen.floatLiteral(l.value());
      case Schedule.Expr.Leaf l -> {
        String local = locals.get(l.source().id());
        if (local != null) yield local;
        yield ops.get(ops.indexOf(l.source()), l.from() == null ? var : broadcastIndex(l.from(), dims, var));
      }
      case Schedule.Expr.Apply a -> {
        List<String> args = new ArrayList<>();
        for (Schedule.Expr x : a.args()) args.add(expression(x, ops, dims, var, locals));
        yield MATH.matcher(a.op().java(args, a.attrs())).replaceAll("TornadoMath.");
      }
    };
  }

  /** Row-major index into shape {@code from} broadcast over a loop over {@code dims} at flat {@code var}. */
  static String broadcastIndex(List<Integer> from, List<Integer> dims, String var) {
    long[] loopStride = strides(dims);
    long[] fromStride = strides(from);
    List<String> terms = new ArrayList<>();
    for (int d = 0; d < from.size(); d++) {
      if (from.get(d) == 1) continue;
      String coord = d == 0 ? (loopStride[0] == 1 ? var : var + " / " + loopStride[0])
          : (loopStride[d] == 1 ? var + " % " + dims.get(d) : "(" + var + " / " + loopStride[d] + ") % " + dims.get(d));
      terms.add(fromStride[d] == 1 ? "(" + coord + ")" : "(" + coord + ") * " + fromStride[d]);
    }
    return terms.isEmpty() ? "0" : String.join(" + ", terms);
  }

  /** Row-major strides of {@code dims}. */
  static long[] strides(List<Integer> dims) {
    long[] s = new long[dims.size()];
    long acc = 1;
    for (int d = dims.size() - 1; d >= 0; d--) {
      s[d] = acc;
      acc *= dims.get(d);
    }
    return s;
  }
}

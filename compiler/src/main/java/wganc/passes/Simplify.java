package wganc.passes;

import java.util.ArrayList;
import java.util.List;
import wganc.ir.Attrs;
import wganc.ir.Binding;
import wganc.ir.Graph;
import wganc.ir.Node;
import wganc.ir.TensorType;
import wganc.ir.Value;
import wganc.ops.Binary;
import wganc.ops.Fusion;
import wganc.ops.Matmul;
import wganc.ops.Op;
import wganc.ops.Pad;
import wganc.ops.Pow;
import wganc.ops.ReduceSum;
import wganc.ops.Reshape;
import wganc.ops.Select;
import wganc.ops.Transpose;
import wganc.ops.Unary;

/**
 * Local algebraic simplification and constant folding.
 *
 * <p>Algorithm: one forward sweep. Each application has its inputs renamed through the
 * substitutions made so far and is matched against the rules below; a rule either forwards an
 * existing value (the binding is dropped and its uses renamed), turns the binding into a constant,
 * or rewrites it into another application under the same id. Because operands are simplified
 * before their users, chains such as {@code neg(neg(neg x))} or {@code (x*1)+0} reduce in one sweep.
 *
 * <p>Rules: elementwise ops on constants fold (constants are uniform, so one scalar evaluation
 * suffices); layout ops and {@code reduce_sum} of constants fold; {@code x+0}, {@code 0+x},
 * {@code x-0}, {@code x*1}, {@code 1*x}, {@code x/1}, {@code pow(x,1)} forward {@code x};
 * {@code 0-x} becomes {@code neg x}; {@code x*0}, {@code 0*x} and contractions with a zero operand
 * become the zero constant (IEEE: this drops NaN/Inf propagation from {@code x}, which is the
 * intended reading of a symbolic zero); {@code neg(neg x)} forwards {@code x}; {@code select} with a
 * constant mask or equal branches forwards a branch; identity {@code reshape}, {@code transpose},
 * {@code broadcast_to}, {@code pad} and empty reductions forward their operand, and
 * {@code reshape(reshape x)} reads {@code x}.
 *
 * <p>Left to other passes: dead bindings (EliminateDeadCode) and duplicates
 * (EliminateCommonSubexpressions), which these rewrites often expose.
 */
public final class Simplify implements Pass {
  @Override
  public String name() {
    return "simplify";
  }

  /** What a rule decided for one binding. */
  private sealed interface Outcome {}

  private record Forward(Value value) implements Outcome {}

  private record Become(Node node) implements Outcome {}

  @Override
  public Graph run(Graph in) {
    Rewriter r = new Rewriter(in);
    for (Binding b : in.bindings()) {
      if (!(b.node() instanceof Node.Apply original)) {
        r.emit(b, b.node());
        continue;
      }
      Node.Apply a = Rewriter.withInputs(original, r.renamed(original.inputs()));
      Outcome o = simplify(a, r);
      // Follow rewrites into other applications until no rule applies (each step shrinks).
      while (o instanceof Become(Node.Apply next) && !next.equals(a)) {
        a = next;
        o = simplify(a, r);
      }
      switch (o) {
        case Forward f -> r.replace(b, f.value());
        case Become become -> r.emit(b, become.node());
      }
    }
    return r.result();
  }

  private static Double constant(Rewriter r, Value v) {
    return r.node(v) instanceof Node.Constant c ? c.value() : null;
  }

  private static boolean is(Double c, double v) {
    return c != null && c == v;
  }

  private static Outcome simplify(Node.Apply a, Rewriter r) {
    Op op = a.op();
    List<Value> in = a.inputs();
    TensorType type = a.type();
    Become zero = new Become(new Node.Constant(0.0, type));
    List<Double> consts = new ArrayList<>();
    boolean allConstant = true;
    for (Value v : in) {
      Double c = constant(r, v);
      consts.add(c);
      allConstant &= c != null;
    }
    if (allConstant && !in.isEmpty()) {
      Double folded = fold(op, a.attrs(), in, consts, type);
      if (folded != null) {
        return new Become(new Node.Constant(folded, type));
      }
    }
    Double c0 = consts.isEmpty() ? null : consts.get(0);
    Double c1 = consts.size() < 2 ? null : consts.get(1);
    if (op == Binary.ADD) {
      if (is(c1, 0)) {
        return new Forward(in.get(0));
      }
      if (is(c0, 0)) {
        return new Forward(in.get(1));
      }
    } else if (op == Binary.SUB) {
      if (is(c1, 0)) {
        return new Forward(in.get(0));
      }
      if (is(c0, 0)) {
        return new Become(new Node.Apply(Unary.NEG, List.of(in.get(1)), Attrs.NONE, type,
            a.source()));
      }
    } else if (op == Binary.MUL) {
      if (is(c0, 0) || is(c1, 0)) {
        return zero;
      }
      if (is(c1, 1)) {
        return new Forward(in.get(0));
      }
      if (is(c0, 1)) {
        return new Forward(in.get(1));
      }
    } else if (op == Binary.DIV) {
      if (is(c1, 1)) {
        return new Forward(in.get(0));
      }
    } else if (op == Unary.NEG) {
      if (r.node(in.get(0)) instanceof Node.Apply inner && inner.op() == Unary.NEG) {
        return new Forward(inner.inputs().get(0));
      }
    } else if (op == Pow.INSTANCE) {
      if (a.attrs().d("exponent") == 1.0) {
        return new Forward(in.get(0));
      }
    } else if (op == Select.INSTANCE) {
      if (c0 != null) {
        return new Forward(c0 != 0.0 ? in.get(1) : in.get(2));
      }
      if (in.get(1).equals(in.get(2))) {
        return new Forward(in.get(1));
      }
    } else if (op.fusion() == Fusion.CONTRACTION) {
      if (is(c0, 0) || is(c1, 0)) {
        return zero;
      }
    } else if (op == Reshape.INSTANCE
        && r.node(in.get(0)) instanceof Node.Apply inner && inner.op() == Reshape.INSTANCE) {
      return new Become(new Node.Apply(Reshape.INSTANCE, inner.inputs(), a.attrs(), type,
          a.source()));
    } else if (op == Transpose.INSTANCE && isIdentity(a.attrs().intArray("perm"))) {
      return new Forward(in.get(0));
    }
    if (op.fusion() == Fusion.LAYOUT || op == ReduceSum.INSTANCE) {
      if (in.size() == 1 && in.get(0).type().equals(type) && op != Transpose.INSTANCE
          && (op != Pad.INSTANCE || isZero(a.attrs()))) {
        return new Forward(in.get(0));
      }
    }
    return new Become(a);
  }

  private static boolean isIdentity(int[] perm) {
    for (int i = 0; i < perm.length; i++) {
      if (perm[i] != i) {
        return false;
      }
    }
    return true;
  }

  private static boolean isZero(Attrs padAttrs) {
    for (int v : padAttrs.intArray("lo")) {
      if (v != 0) {
        return false;
      }
    }
    for (int v : padAttrs.intArray("hi")) {
      if (v != 0) {
        return false;
      }
    }
    return true;
  }

  /** The folded value of an op on uniform constants, or null when the result is not uniform. */
  private static Double fold(Op op, Attrs attrs, List<Value> in, List<Double> consts,
      TensorType type) {
    return switch (op.fusion()) {
      case ELEMENTWISE -> {
        List<TensorType> scalars = new ArrayList<>();
        List<double[]> values = new ArrayList<>();
        for (int i = 0; i < in.size(); i++) {
          scalars.add(in.get(i).type().withDims(List.of()));
          values.add(new double[] {consts.get(i)});
        }
        yield op.evaluate(scalars, values, attrs, type.withDims(List.of()))[0];
      }
      case LAYOUT -> {
        if (op == Pad.INSTANCE) {
          boolean crops = true;
          for (int v : attrs.intArray("lo")) {
            crops &= v <= 0;
          }
          for (int v : attrs.intArray("hi")) {
            crops &= v <= 0;
          }
          yield crops || consts.get(0) == 0.0 ? consts.get(0) : null;
        }
        yield consts.get(0);
      }
      case REDUCTION -> (double) (in.get(0).type().size() / Math.max(1, type.size()))
          * consts.get(0);
      case CONTRACTION -> consts.contains(0.0) ? 0.0 : null;
      case RANDOM, COLLECTIVE -> null;
    };
  }
}

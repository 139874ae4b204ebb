package wganc.ops;

import java.util.List;
import wganc.ir.IrException;
import wganc.ir.TensorType;

/** Shape-rule helpers shared by the ops. */
final class Shapes {
  private Shapes() {}

  static IrException error(String op, String expected, String found) {
    return new IrException("`" + op + "`: expected " + expected + ", found " + found);
  }

  static void arity(String op, List<TensorType> in, int n) {
    if (in.size() != n) {
      throw error(op, n + " operand" + (n == 1 ? "" : "s"), in.size() + "");
    }
  }

  static void rank(String op, TensorType t, int rank, String what) {
    if (t.rank() != rank) {
      throw error(op, what + " of rank " + rank, t.toString());
    }
  }

  /** Elementwise ops: every operand has the same dims and dtype; the result has them too. */
  static TensorType sameShape(String op, List<TensorType> in, int n) {
    arity(op, in, n);
    TensorType first = in.get(0);
    for (TensorType t : in) {
      if (!t.equals(first)) {
        StringBuilder sb = new StringBuilder();
        for (TensorType x : in) {
          sb.append(sb.isEmpty() ? "" : " and ").append(x);
        }
        throw error(op, "operands of one type (broadcast explicitly with `broadcast_to`)",
            sb.toString());
      }
    }
    return first;
  }

  static int[] unravel(int flat, int[] dims) {
    int[] idx = new int[dims.length];
    for (int i = dims.length - 1; i >= 0; i--) {
      idx[i] = flat % dims[i];
      flat /= dims[i];
    }
    return idx;
  }
}

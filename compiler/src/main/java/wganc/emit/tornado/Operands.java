package wganc.emit.tornado;

import java.util.List;
import wganc.ir.Value;

/**
 * How a kernel reads its operands, in first-read order: operand j is either the kernel parameter
 * {@code in<k>} or, for a parameter or optimiser state tensor, its region of the resident
 * {@code state} array, at a constant offset.
 *
 * @param values  the operands
 * @param offsets offset of each operand in {@code state}, or -1 when it is a parameter of its own
 */
record Operands(List<Value> values, int[] offsets) {
  /** The operands {@code values}; {@code offset(v)} is the offset of v in {@code state}, or -1. */
  static Operands of(List<Value> values, java.util.function.ToIntFunction<Value> offset) {
    int[] offsets = new int[values.size()];
    for (int j = 0; j < offsets.length; j++) offsets[j] = offset.applyAsInt(values.get(j));
    return new Operands(List.copyOf(values), offsets);
  }

  Value value(int j) {
    return values.get(j);
  }

  List<Integer> dims(int j) {
    return values.get(j).type().dims();
  }

  /** Whether some operand lives in {@code state}. */
  boolean readsState() {
    for (int o : offsets) if (o >= 0) return true;
    return false;
  }

  /** The kernel parameter name of operand j: {@code in<k>}, counting only operands outside {@code state}. */
  String param(int j) {
    if (offsets[j] >= 0) return "state";
    int k = 0;
    for (int i = 0; i < j; i++) if (offsets[i] < 0) k++;
    return "in" + k;
  }

  /** The expression reading operand j at flat {@code index}. */
  String get(int j, String index) {
    return offsets[j] < 0 ? param(j) + ".get(" + index + ")" : "state.get(" + offsets[j] + " + " + index + ")";
  }

  int indexOf(Value v) {
    for (int i = 0; i < values.size(); i++) if (values.get(i).id() == v.id()) return i;
    throw new IllegalStateException("leaf not an operand");
  }
}

package wganc.ops;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import wganc.ir.IrException;

/** The primitive set, by name (the parser's lookup). Closed under {@code vjp}. */
public final class Ops {
  private static final Map<String, Op> BY_NAME;

  static {
    List<Op> all = new ArrayList<>();
    Collections.addAll(all, Unary.values());
    Collections.addAll(all, Binary.values());
    Collections.addAll(all, Compare.values());
    Collections.addAll(all, Resample.values());
    Collections.addAll(all, RandomDraw.values());
    Collections.addAll(all, Pow.INSTANCE, Select.INSTANCE, Reshape.INSTANCE, Transpose.INSTANCE,
        BroadcastTo.INSTANCE, ReduceSum.INSTANCE, Pad.INSTANCE, Matmul.INSTANCE, Conv2d.INSTANCE,
        Conv2dBackwardInput.INSTANCE, Conv2dBackwardWeight.INSTANCE, AllSum.INSTANCE);
    Map<String, Op> m = new LinkedHashMap<>();
    for (Op op : all) {
      m.put(op.opName(), op);
    }
    BY_NAME = Collections.unmodifiableMap(m);
  }

  private Ops() {}

  public static Op byName(String name) {
    Op op = BY_NAME.get(name);
    if (op == null) {
      throw new IrException("unknown op `" + name + "`");
    }
    return op;
  }

  public static List<Op> all() {
    return List.copyOf(BY_NAME.values());
  }
}

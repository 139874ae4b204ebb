package wganc.plan;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import wganc.ir.Binding;
import wganc.ir.Value;
import wganc.plan.Schedule.Kernel;

/**
 * Memory planning: a buffer for every value a kernel writes, reused after its last use.
 *
 * <p>Algorithm: greedy by length, in kernel order. Inputs and parameters are the caller's arrays and
 * get none. First the last kernel reading each buffer owner (a reshape's reads count for the value
 * it aliases, {@link Plan#owner}). Then for each kernel: each value it writes takes a free buffer of
 * its length (the most recently freed) or a new one; an output always gets a new one, since it is
 * copied to (or is) the caller's array at the end. After the kernel, the buffers it read for the
 * last time, and those of values it wrote that nothing reads later, are freed, except outputs' and
 * those aliased by an output. Last, each alias takes its owner's buffer, and a contraction's
 * {@code inner} value its epilogue's ({@link FuseEpilogues}: the epilogue runs in place). The
 * schedule's buffer list is what the emitters allocate.
 */
final class PlanBuffers {
  private PlanBuffers() {}

  static Plan run(Plan in) {
    List<Kernel> kernels = in.kernels();
    Map<Integer, Integer> lastUse = new HashMap<>();
    for (int k = 0; k < kernels.size(); k++) {
      for (int leaf : Schedule.reads(kernels.get(k))) lastUse.put(in.owner(leaf), k);
    }
    Map<Integer, Integer> buffer = new LinkedHashMap<>();
    List<Integer> sizes = new ArrayList<>();
    Map<Integer, List<Integer>> free = new HashMap<>();   // length -> free buffers, last freed last
    for (int k = 0; k < kernels.size(); k++) {
      Kernel kernel = kernels.get(k);
      List<int[]> written = new ArrayList<>();  // (value, slot) of each value the kernel writes
      for (Value o : kernel.outs()) {
        int id = o.id();
        int size = o.type().size();
        List<Integer> pool = free.getOrDefault(size, new ArrayList<>());
        int slot;
        if (!pool.isEmpty() && !in.outputs().contains(id)) {
          slot = pool.removeLast();
        } else {
          slot = sizes.size();
          sizes.add(size);
        }
        buffer.put(id, slot);
        written.add(new int[] {id, slot});
      }
      for (int r : Schedule.reads(kernel).stream().map(in::owner).distinct().toList()) {
        if (lastUse.get(r) == k && buffer.containsKey(r) && freeable(in, r)) {
          free.computeIfAbsent(sizes.get(buffer.get(r)), s -> new ArrayList<>()).add(buffer.get(r));
        }
      }
      for (int[] w : written) {
        if (lastUse.getOrDefault(w[0], -1) <= k && freeable(in, w[0])) {
          free.computeIfAbsent(sizes.get(w[1]), s -> new ArrayList<>()).add(w[1]);
        }
      }
    }
    for (Binding b : in.graph().bindings()) {
      int id = b.value().id();
      if (in.aliasRoot().containsKey(id) && buffer.containsKey(in.owner(id))) buffer.put(id, buffer.get(in.owner(id)));
    }
    for (Kernel k : kernels) {
      if (k instanceof Kernel.Primitive o && o.inner() != null) buffer.put(o.inner().id(), buffer.get(o.out().id()));
    }
    Plan.Buffers out = new Plan.Buffers(buffer, sizes);
    return out.equals(in.buffers()) ? in : in.withBuffers(out);
  }

  /** Whether the buffer of {@code owner} may be freed: it is neither an output nor aliased by one. */
  private static boolean freeable(Plan in, int owner) {
    if (in.outputs().contains(owner)) return false;
    for (int o : in.outputs()) if (in.owner(o) == owner) return false;
    return true;
  }
}

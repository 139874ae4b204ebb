package wganc.emit.tornado;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import wganc.runtime.train.DeviceCounters;
import wganc.runtime.train.ModelSpec;

/**
 * Where each persistent tensor lives in {@code state} (the spec's parameters, then its state, in
 * order), and the data sources the device holds ({@code data}, in the spec's order: source
 * {@code d} is arrays {@code data<d>} and {@code order<d>} and words {@link DeviceCounters#word} of
 * {@code counters}).
 */
record DeviceLayout(List<String> names, List<Integer> offsets, List<Integer> sizes, Map<String, Integer> offset, int total,
                    List<ModelSpec.Data> data) {
  /** The resident array of parameters and optimiser state, statically imported from DeviceState. */
  static final String STATE = "state";
  /** The step counter and the data cursors ({@link DeviceCounters}), resident on the device. */
  static final String COUNTERS = "counters";
  /**
   * The first graphs of the plan: send every resident array (the first upload), send {@code state},
   * bring it back, send {@code counters}. Each source's data and order graphs follow.
   */
  static final List<String> MOVERS = List.of("start", "upload", "download", "counters");

  /** The layout of {@code spec}'s parameters, state and data sources. */
  static DeviceLayout of(ModelSpec spec) {
    List<String> names = new ArrayList<>();
    List<Integer> offsets = new ArrayList<>(), sizes = new ArrayList<>();
    Map<String, Integer> offset = new LinkedHashMap<>();
    int at = 0;
    List<Map.Entry<String, int[]>> all = new ArrayList<>();
    for (ModelSpec.Param p : spec.params()) all.add(Map.entry(p.name(), p.shape()));
    for (ModelSpec.State s : spec.state()) all.add(Map.entry(s.name(), s.shape()));
    for (var e : all) {
      int n = 1;
      for (int d : e.getValue()) n = Math.multiplyExact(n, d);
      names.add(e.getKey());
      offsets.add(at);
      sizes.add(n);
      offset.put(e.getKey(), at);
      at = Math.addExact(at, n);
    }
    return new DeviceLayout(List.copyOf(names), List.copyOf(offsets), List.copyOf(sizes), Map.copyOf(offset), at,
        List.copyOf(spec.data()));
  }

  boolean has(String name) {
    return offset.containsKey(name);
  }

  int offset(String name) {
    return offset.get(name);
  }

  /** The index of data source {@code name}, or -1. */
  int dataIndex(String name) {
    for (int d = 0; d < data.size(); d++) if (data.get(d).name().equals(name)) return d;
    return -1;
  }

  /** Words of {@code counters} ({@link DeviceCounters}). */
  int counters() {
    return DeviceCounters.words(data.size());
  }

  /** The arrays that stay on the device: {@code state}, {@code counters}, then each source's data and order. */
  List<String> resident() {
    List<String> r = new ArrayList<>(List.of(STATE, COUNTERS));
    for (int d = 0; d < data.size(); d++) {
      r.add("data" + d);
      r.add("order" + d);
    }
    return r;
  }

  /** Whether resident array {@code name} holds ints ({@code counters}, each source's order). */
  static boolean ints(String name) {
    return name.equals(COUNTERS) || name.startsWith("order");
  }

  /** The plan's graphs before the phases': the {@link #MOVERS}, then each source's data and order. */
  int firstPhaseGraph() {
    return MOVERS.size() + 2 * data.size();
  }
}

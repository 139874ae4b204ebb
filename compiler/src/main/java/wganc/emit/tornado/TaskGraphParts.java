package wganc.emit.tornado;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Cuts a phase's tasks, in program order, into consecutive parts, one TornadoVM task graph each, and
 * works out what every part moves.
 *
 * <p>Why: TornadoVM 5.2 builds a graph of at most 1024 nodes per task graph (about three per array
 * it touches and two per task; {@code TornadoGraph.resize} is not implemented) and holds at most 256
 * tasks per execution context. The GP critics of the MNIST models have about 240 kernels over more
 * than a hundred arrays, so their phase runs as several task graphs of one execution plan, one after
 * another ({@code plan.withGraph(i).execute()}).
 *
 * <p>How arrays cross from one graph to the next: TornadoVM's {@code consumeFromDevice} takes the
 * device buffer of each consumed array from the task graph that ran last. So a part consumes every
 * array live across its start (used before it and at or after it), even one it does not use itself,
 * so that it can hand the buffer on; and persists every array live across its end. An array that comes
 * from the host (the sampling noise, a trace's draws: every run; a constant: the first run) is sent
 * by the part that first uses it. The phase's writes count as uses after the last task, so they stay
 * on the device for the commit graph and for fetching. The resident arrays ({@code state},
 * {@code counters}, the data sources') are consumed and persisted by every part of every phase.
 */
final class TaskGraphParts {
  private TaskGraphParts() {}

  /** TornadoVM's node limit per task graph, with room to spare (the estimate is an upper bound). */
  static final int NODE_BUDGET = 900;
  /** TornadoVM's task limit per execution context is 256. */
  static final int MAX_TASKS = 200;

  /** A task: its arrays, as the field names it passes (the outputs first). */
  record Task(String name, List<String> arrays) {}

  /**
   * Part {@code [from, to)} of the tasks: arrays consumed from the graph that ran before, sent on
   * every run, sent on the first run, and persisted for the graph that runs next.
   */
  record Part(int from, int to, List<String> consume, List<String> everyRun, List<String> once, List<String> persist) {}

  /**
   * @param everyRun arrays the host fills before every run (the sampling noise, a trace's draws)
   * @param once     arrays sent once (constants)
   * @param ends     arrays used after the last task (the phase's writes)
   * @param resident the arrays every part consumes and persists
   */
  static List<Part> split(List<Task> tasks, Set<String> everyRun, Set<String> once, List<String> ends,
      List<String> resident) {
    Map<String, Integer> first = new HashMap<>();
    Map<String, Integer> last = new HashMap<>();
    List<String> order = new ArrayList<>();
    for (int t = 0; t < tasks.size(); t++) {
      for (String a : tasks.get(t).arrays()) {
        if (first.putIfAbsent(a, t) == null) order.add(a);
        last.put(a, t);
      }
    }
    for (String a : ends) {
      if (first.putIfAbsent(a, tasks.size()) == null) order.add(a);
      last.put(a, tasks.size());
    }
    List<Integer> cuts = new ArrayList<>(List.of(0));
    Set<String> used = new LinkedHashSet<>();
    int start = 0;
    for (int t = 0; t < tasks.size(); t++) {
      Set<String> with = new LinkedHashSet<>(used);
      with.addAll(tasks.get(t).arrays());
      with.addAll(live(order, first, last, start));
      with.addAll(resident);
      int nodes = 3 * with.size() + 2 * (t - start + 1) + 4;
      if (t > start && (nodes > NODE_BUDGET || t - start + 1 > MAX_TASKS)) {
        cuts.add(t);
        start = t;
        used.clear();
      }
      used.addAll(tasks.get(t).arrays());
    }
    cuts.add(tasks.size());
    List<Part> parts = new ArrayList<>();
    for (int p = 0; p + 1 < cuts.size(); p++) {
      int from = cuts.get(p), to = cuts.get(p + 1);
      List<String> consume = new ArrayList<>(resident);
      for (String a : live(order, first, last, from)) if (!resident.contains(a)) consume.add(a);
      List<String> persist = new ArrayList<>(resident);
      for (String a : live(order, first, last, to)) if (!resident.contains(a)) persist.add(a);
      if (p + 2 == cuts.size()) {
        for (String a : ends) if (!persist.contains(a)) persist.add(a);
      }
      List<String> every = new ArrayList<>(), sendOnce = new ArrayList<>();
      for (String a : order) {
        int f = first.get(a);
        if (f < from || f >= to) continue;
        if (everyRun.contains(a)) every.add(a);
        if (once.contains(a)) sendOnce.add(a);
      }
      parts.add(new Part(from, to, consume, every, sendOnce, persist));
    }
    return parts;
  }

  /** Arrays first used before {@code at} and used at or after it, in first-use order. */
  private static List<String> live(List<String> order, Map<String, Integer> first, Map<String, Integer> last, int at) {
    List<String> out = new ArrayList<>();
    for (String a : order) if (first.get(a) < at && last.get(a) >= at) out.add(a);
    return out;
  }
}

package wganc.runtime.train;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The phase invocations of one training step, bound to the run. A step is one generator step: every
 * update of {@link ModelSpec#updates()} in spec order, an update running {@code perGenerator} times
 * (critics; 1 for the generator, which comes last), each time all its phases in order. So toy8 (5
 * critic iterations) runs 6 phases per step: critic x5, generator. Invocation {@code i} of a step
 * runs with {@code rngStep + i}, the global phase counter that generated phases key their draws
 * (noise, interpolation, dropout) and the toy data on. Each phase logs its model's metrics and its
 * Wasserstein estimate ({@link #WASSERSTEIN}); a metric that comes out NaN or infinite stops the step
 * before the phase's writes are swapped in ({@link #failure}).
 */
final class TrainingStep {
  /**
   * The names a phase's Wasserstein estimate goes by: a scalar it writes under one of them is logged
   * as one of its metrics even when the model does not list it.
   */
  static final List<String> WASSERSTEIN = List.of("wasserstein", "wdist");

  private final ModelSpec spec;
  /** The distinct phases, in spec order. */
  final List<BoundPhase> phases;
  /** The invocations of a step, in order. */
  final List<BoundPhase> invocations;

  private TrainingStep(ModelSpec spec, List<BoundPhase> phases, List<BoundPhase> invocations) {
    this.spec = spec;
    this.phases = List.copyOf(phases);
    this.invocations = List.copyOf(invocations);
  }

  /** Binds every training phase of {@code model} to {@code slots} and the sources of {@code feed}. */
  static TrainingStep bind(CompiledModel model, Slots slots, DataFeed feed) {
    List<BoundPhase> distinct = new ArrayList<>();
    List<BoundPhase> invocations = new ArrayList<>();
    for (ModelSpec.Update u : model.spec().updates()) {
      List<BoundPhase> phases = new ArrayList<>();
      for (ModelSpec.PhaseInfo info : u.phases()) {
        Phase p = model.phase(info.name());
        List<String> logged = new ArrayList<>(info.metrics());
        for (String w : WASSERSTEIN) {
          int i = BoundPhase.indexOf(p.writes(), w);
          if (i >= 0 && Init.size(p.writeShapes()[i]) == 1 && !logged.contains(w)) logged.add(w);
        }
        phases.add(new BoundPhase(p, slots, feed.sources(), Map.of(), logged));
      }
      distinct.addAll(phases);
      for (int r = 0; r < Math.max(1, u.perGenerator()); r++) invocations.addAll(phases);
    }
    return new TrainingStep(model.spec(), distinct, invocations);
  }

  /**
   * Runs step {@code step} (1-based) from {@code rngStep}, each invocation's inputs going to
   * {@code recorder} (may be null); returns the position of the invocation that made a metric
   * non-finite, its writes not swapped in, or -1 when every one committed.
   */
  int run(long step, long rngStep, InputRecorder recorder) throws IOException {
    for (int i = 0; i < invocations.size(); i++) {
      BoundPhase p = invocations.get(i);
      int bad = p.run(rngStep + i);
      if (recorder != null) recorder.record(p, rngStep + i, step);
      if (bad >= 0) return i;
      p.commit();
    }
    return -1;
  }

  /**
   * The error for the invocation at {@code position} in step {@code step} (1-based), at
   * {@code rngStep}, naming its non-finite metrics with their place in the source.
   *
   * @param beforeNan the state before it, or null when it could not be written
   * @param last      the newest regular checkpoint and its step, or null
   */
  NonFiniteLossException failure(int position, long step, long rngStep, Path beforeNan, Path last, long lastStep) {
    BoundPhase p = invocations.get(position);
    int iteration = 0;
    int of = 0;
    for (int i = 0; i < invocations.size(); i++) {
      if (invocations.get(i) == p) {
        of++;
        if (i <= position) iteration++;
      }
    }
    Map<String, ModelSpec.Origin> origins = origins(p.name);
    List<NonFiniteLossException.Bad> bad = new ArrayList<>();
    for (int m = 0; m < p.metrics.length; m++) {
      float v = p.metric(m);
      if (!Float.isFinite(v)) {
        bad.add(new NonFiniteLossException.Bad(p.metrics[m], Progress.number(v), origins.get(p.metrics[m])));
      }
    }
    return NonFiniteLossException.of(step, p.name, iteration, of, rngStep, bad, beforeNan, last, lastStep);
  }

  /** Where phase {@code name}'s metric statements are in the source (empty when the spec does not say). */
  private Map<String, ModelSpec.Origin> origins(String name) {
    for (ModelSpec.Update u : spec.updates()) {
      for (ModelSpec.PhaseInfo info : u.phases()) {
        if (info.name().equals(name)) return info.origins();
      }
    }
    return Map.of();
  }
}

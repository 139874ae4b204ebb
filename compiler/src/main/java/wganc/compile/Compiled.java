package wganc.compile;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import wganc.check.Model;
import wganc.diag.Diagnostic;
import wganc.ir.Graph;
import wganc.lower.Lowering;
import wganc.passes.Pipeline;
import wganc.plan.Schedule;
import wganc.runtime.train.ModelSpec;

/**
 * A model compiled for a {@link Target}: everything the backends emit and the commands read, each
 * stage run once by the {@link Compiler}. {@code phases}: every update phase in training order;
 * {@code sample}: the sampling program; {@code spec}: what a trainer needs besides kernels;
 * {@code lints}: the front end's warnings. A target that stops after lowering has no spec, sampling
 * program, passes or schedules (asking for them is an error).
 */
public record Compiled(Model model, String sourceText, List<Diagnostic> lints, Target target, List<Phase> phases,
                       Phase sample, ModelSpec spec) {
  public Compiled {
    lints = List.copyOf(lints);
    phases = List.copyOf(phases);
  }

  /**
   * One phase: its graph as lowered (with its update and checked statements), the standard passes'
   * result and its kernels.
   */
  public record Phase(Lowering.PhaseGraph lowered, Pipeline.Result passes, Schedule schedule) {
    public String name() { return lowered.name(); }

    public Model.Update update() { return lowered.update(); }

    /** The kernels and buffers of the optimised graph. */
    @Override public Schedule schedule() {
      if (schedule == null) throw new IllegalStateException("phase `" + name() + "` was lowered only (Target.lowered)");
      return schedule;
    }

    /** The optimised graph (after the standard passes), which the kernels compute. */
    public Graph graph() { return schedule().graph(); }
  }

  /** The phase called {@code name} (a training phase, or `sample`). */
  public Optional<Phase> phase(String name) {
    return all().stream().filter(p -> p.name().equals(name)).findFirst();
  }

  /** The training phases, then the sampling program when there is one: what a backend emits, in order. */
  public List<Phase> all() {
    List<Phase> all = new ArrayList<>(phases);
    if (sample != null) all.add(sample);
    return all;
  }

  @Override public Phase sample() {
    if (sample == null) throw new IllegalStateException("a compile for " + target + " has no sampling program");
    return sample;
  }

  @Override public ModelSpec spec() {
    if (spec == null) throw new IllegalStateException("a compile for " + target + " has no spec");
    return spec;
  }

  /** The model file's path as given, which generated headers name. */
  public String sourcePath() {
    return model.ast().nameSpan().file().path();
  }

  /** This compile, after checking that its schedules were made under {@code rules} (what {@code backend} emits). */
  public Compiled requireRules(Set<Schedule.Rule> rules, String backend) {
    if (!target.kernels() || !target.rules().equals(rules)) {
      throw new IllegalArgumentException(backend + " emits schedules made under " + rules + ", not a compile for " + target);
    }
    return this;
  }
}

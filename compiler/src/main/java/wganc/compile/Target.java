package wganc.compile;

import java.util.Set;
import wganc.lower.Lowering;
import wganc.lower.Ranks;
import wganc.plan.Schedule;

/**
 * What a compile is for, as a backend (or a command) asks the {@link Compiler} for it: how the
 * phases' draws are lowered, and either lowering alone ({@code kernels} false: the interpreter, `wganc
 * graph`) or also the standard passes, the trainer's spec, the sampling program of {@code sampleN}
 * samples and each phase's schedule under the backend's {@code rules}; {@code ranks}: the processes
 * of a data-parallel run the training phases are for (one: a single process).
 */
public record Target(Lowering.Draws draws, boolean kernels, int sampleN, Set<Schedule.Rule> rules, Ranks ranks) {
  public Target {
    rules = Set.copyOf(rules);
    if (!kernels && !rules.isEmpty()) throw new IllegalArgumentException("schedule rules without kernels: " + rules);
  }

  /** For one process. */
  public Target(Lowering.Draws draws, boolean kernels, int sampleN, Set<Schedule.Rule> rules) {
    this(draws, kernels, sampleN, rules, Ranks.ONE);
  }

  /** The same, for {@code ranks} (data-parallel, docs/distributed.md). */
  public Target withRanks(Ranks ranks) {
    return new Target(draws, kernels, sampleN, rules, ranks);
  }

  /** The phases as lowered, nothing after (no passes, spec, sampling program or schedules). */
  public static Target lowered(Lowering.Draws draws) {
    return new Target(draws, false, 0, Set.of());
  }

  /** Everything a backend emits from, its schedules made under {@code rules}. */
  public static Target kernels(Lowering.Draws draws, int sampleN, Schedule.Rule... rules) {
    return new Target(draws, true, sampleN, Set.of(rules));
  }
}

package wganc.runtime.train;

import java.util.List;
import java.util.Map;
import java.util.function.LongConsumer;
import wganc.runtime.rng.Philox;

/**
 * A hand-written stand-in for a compiled toy model: a critic weight `D.w` [2] and a generator weight
 * `G.w` [2], iteration counters, a critic update run twice per step (batch 4 of toy data) and a
 * generator update. The arithmetic is arbitrary but deterministic, uses rngStep, data and every
 * persistent tensor, so any mistake in state handling, data order or rngStep shows in the values.
 */
final class FakeModel implements CompiledModel {
  static final int BATCH = 4;
  static final int SAMPLE_N = 4;

  /** rngStep at which the critic's loss becomes NaN (-1: never). */
  long nanAt = -1;
  /** The rngStep whose run fails as a device run would ({@link DeviceFailure}), or -1. */
  long failAt = -1;
  /** Called with every critic rngStep (e.g. to request a stop). */
  LongConsumer onCritic = s -> {};

  /** Where the critic's `loss` statement would be in a model file. */
  static final ModelSpec.Origin LOSS_ORIGIN = new ModelSpec.Origin("models/fake.wgan", 9, 5, 19, "    loss = fake - real");

  static ModelSpec makeSpec() {
    return new ModelSpec("fake", "abc123", BATCH, null, 100, 7,
        List.of(new ModelSpec.Data("real", new int[] {2}, "toy", null, null, new int[0], -1, 1, "8gaussians", 2, 0.02, false, 0)),
        List.of(new ModelSpec.Noise("z", new int[] {2}, "normal", 0, 1)),
        List.of(new ModelSpec.Param("G.w", new int[] {2}, "weight", true, "normal", 1, 0.1, 2, 2),
            new ModelSpec.Param("D.w", new int[] {2}, "weight", true, "constant", 0.5, 0, 2, 1)),
        List.of(new ModelSpec.State("critic.t", new int[0], 1), new ModelSpec.State("generator.t", new int[0], 1)),
        List.of(new ModelSpec.Update("critic", "critic", 2,
                List.of(new ModelSpec.PhaseInfo("critic", BATCH, List.of("real"), List.of("real"), List.of("loss", "gp"),
                    Map.of("loss", LOSS_ORIGIN)))),
            new ModelSpec.Update("generator", "generator", 1,
                List.of(new ModelSpec.PhaseInfo("generator", BATCH, List.of(), List.of(), List.of("loss"), null)))),
        new ModelSpec.Sample("sample", "z", new int[] {2}, "sample", new int[] {2}, SAMPLE_N));
  }

  private final ModelSpec spec = makeSpec();

  @Override public ModelSpec spec() {
    return spec;
  }

  @Override public String backend() {
    return "fake";
  }

  @Override public List<Phase> phases() {
    return List.of(new Critic(), new Generator(), new Sample());
  }

  abstract static class Base implements Phase {
    final String name;
    final String[] reads;
    final int[][] readShapes;
    final String[] writes;
    final int[][] writeShapes;

    Base(String name, String[] reads, int[][] readShapes, String[] writes, int[][] writeShapes) {
      this.name = name;
      this.reads = reads;
      this.readShapes = readShapes;
      this.writes = writes;
      this.writeShapes = writeShapes;
    }

    @Override public String name() { return name; }
    @Override public String[] reads() { return reads.clone(); }
    @Override public int[][] readShapes() { return readShapes.clone(); }
    @Override public String[] writes() { return writes.clone(); }
    @Override public int[][] writeShapes() { return writeShapes.clone(); }
  }

  final class Critic extends Base {
    Critic() {
      super("critic", new String[] {"D.w", "G.w", "real", "critic.t"}, new int[][] {{2}, {2}, {BATCH, 2}, {}},
          new String[] {"loss", "gp", "wasserstein", "D.w", "critic.t"}, new int[][] {{}, {}, {}, {2}, {}});
    }

    @Override public void run(long rngStep, float[][] r, float[][] w) {
      onCritic.accept(rngStep);
      float[] d = r[0], g = r[1], x = r[2];
      float mx = 0, my = 0;
      for (int i = 0; i < BATCH; i++) {
        mx += x[2 * i];
        my += x[2 * i + 1];
      }
      if (rngStep == failAt) {
        throw DeviceFailure.of(new String[] {"critic0", "k3MatmulAdd models/fake.wgan:4:2"},
            new IllegalStateException("task critic0.k3MatmulAdd: CL_INVALID_KERNEL"));
      }
      float z = Philox.normal(7, 0, rngStep, 0);
      float real = d[0] * mx / BATCH + d[1] * my / BATCH;
      float fake = d[0] * g[0] * z + d[1] * g[1] * z;
      w[0][0] = rngStep == nanAt ? Float.NaN : fake - real + 0.001f * r[3][0];
      w[1][0] = 1e-3f * rngStep;
      w[2][0] = real - fake;
      w[3][0] = d[0] - 0.01f * (g[0] * z - mx / BATCH);
      w[3][1] = d[1] - 0.01f * (g[1] * z - my / BATCH);
      w[4][0] = r[3][0] + 1;
    }
  }

  static final class Generator extends Base {
    Generator() {
      super("generator", new String[] {"G.w", "D.w", "generator.t"}, new int[][] {{2}, {2}, {}},
          new String[] {"loss", "G.w", "generator.t"}, new int[][] {{}, {2}, {}});
    }

    @Override public void run(long rngStep, float[][] r, float[][] w) {
      float z = Philox.normal(7, 2, rngStep, 0);
      w[0][0] = -(r[1][0] * r[0][0] + r[1][1] * r[0][1]) * z;
      w[1][0] = r[0][0] + 0.01f * r[1][0] * z;
      w[1][1] = r[0][1] + 0.01f * r[1][1] * z;
      w[2][0] = r[2][0] + 1;
    }
  }

  static final class Sample extends Base {
    Sample() {
      super("sample", new String[] {"z", "G.w"}, new int[][] {{SAMPLE_N, 2}, {2}},
          new String[] {"sample"}, new int[][] {{SAMPLE_N, 2}});
    }

    @Override public void run(long rngStep, float[][] r, float[][] w) {
      for (int i = 0; i < SAMPLE_N; i++) {
        w[0][2 * i] = r[0][2 * i] * r[1][0];
        w[0][2 * i + 1] = r[0][2 * i + 1] * r[1][1];
      }
    }
  }
}

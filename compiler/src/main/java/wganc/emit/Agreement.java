package wganc.emit;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Consumer;
import wganc.check.Model;
import wganc.compile.Compiled;
import wganc.interp.Interpreter;
import wganc.interp.Float64Tensor;
import wganc.ir.Binding;
import wganc.ir.Graph;
import wganc.ir.Node;
import wganc.runtime.train.CompiledModel;
import wganc.runtime.train.ModelSpec;
import wganc.runtime.train.Phase;

/**
 * A backend's float32 kernels against the double-precision reference interpreter, on a few
 * consecutive steps of every update: all named values, gradients, new parameters and optimiser state
 * (`wganc verify`, {@code JvmAgreementTest}, {@code TornadoAgreementTest}). The interpreter runs the
 * graph as lowered (before any pass), the backend the optimised and fused graph, so the passes are
 * checked too. A step runs every phase once, in training order, from the same state and the same
 * random inputs on both sides; each step starts both sides from the reference's state (rounded to
 * float32 for the kernels), so errors never accumulate across steps.
 *
 * <p>Tolerance: norm-wise relative error per tensor {@code ||kernels - ref|| <= r ||ref|| + 3e-5},
 * with r = 2e-4 for the named values and the loss and r = 1e-2 for gradients and everything the
 * update writes; a non-finite value fails. Gradients get more room because a pre-activation within
 * float32 rounding of zero can take the other side of a ReLU or leaky-ReLU kink in float32 than in
 * float64, which moves that sample's whole backward path (seen: 3e-3 on a conv critic's kernel
 * gradient); an indexing or formula error is of order 1 and cannot hide in either bound. float32
 * carries 2^-24 = 6e-8 per operation; sums of up to a few thousand products (conv reductions,
 * k = 6400) and the chains of a second-order backward pass grow that by a few hundred at worst, which
 * this bound covers while a wrong index or a missing term cannot pass. The absolute floor covers
 * values that are exactly zero in real arithmetic but sums of cancelling float32 terms in the kernels
 * (the gradient of a conv bias followed by batchnorm: ~1e-5 here).
 */
public final class Agreement {
  private Agreement() {}

  /** r for named values and the loss. */
  public static final double VALUES = 2e-4;
  /** r for gradients and what an update writes (new parameters, optimiser state). */
  public static final double DERIVED = 1e-2;
  /** The absolute floor of every bound. */
  public static final double FLOOR = 3e-5;

  /** A phase's reads and writes in the order its kernels take and return them. */
  public record Io(List<String> reads, List<String> writes) {
    public static Map<String, Io> of(CompiledModel c) {
      Map<String, Io> io = new LinkedHashMap<>();
      for (Phase p : c.phases()) io.put(p.name(), new Io(List.of(p.reads()), List.of(p.writes())));
      return io;
    }

    public static Map<String, Io> of(Map<String, Codegen.Io> emitted) {
      Map<String, Io> io = new LinkedHashMap<>();
      emitted.forEach((name, e) -> io.put(name, new Io(e.reads(), e.writes())));
      return io;
    }
  }

  /**
   * One run of a phase: its reads (float32, in the kernels' order), and for each write its name, the
   * reference's value and r.
   */
  public record Run(String phase, int step, long rngStep, float[][] reads, List<String> writes, List<double[]> expected,
                    double[] relative) {}

  /**
   * One written tensor compared. {@code error} is {@code ||kernels - ref|| / (||ref|| + floor / r)},
   * the norm-wise relative error with the absolute floor folded in, so that the tensor agrees exactly
   * when {@code error <= bound} (bound = r); NaN when the kernels wrote a non-finite value.
   * {@code failure} is null when it agrees, else what is wrong.
   */
  public record Check(String phase, int step, String name, double error, double bound, String failure) {
    public boolean ok() { return failure == null; }

    /** How much of its bound the error uses (above 1: a failure; non-finite: infinite). */
    public double share() { return Double.isFinite(error) ? error / bound : Double.POSITIVE_INFINITY; }
  }

  /**
   * Parameters small and random (seed 3; batchnorm scales near 1, variances positive), state as a
   * fresh optimiser's.
   */
  public static Map<String, Float64Tensor> initialState(ModelSpec spec) {
    Map<String, Float64Tensor> state = new HashMap<>();
    Random r = new Random(3);
    for (ModelSpec.Param p : spec.params()) {
      double[] x = new double[size(p.shape())];
      for (int k = 0; k < x.length; k++) {
        double u = 2 * r.nextDouble() - 1;
        x[k] = (float) switch (p.kind()) {
          case "running_var" -> 1 + 0.5 * Math.abs(u);
          case "weight" -> p.shape().length == 1 ? 1 + 0.1 * u : u * Math.sqrt(3.0 / p.fanIn());
          default -> 0.1 * u;
        };
      }
      state.put(p.name(), new Float64Tensor(dims(p.shape()), x));
    }
    for (ModelSpec.State s : spec.state()) {
      double[] x = new double[size(s.shape())];
      Arrays.fill(x, s.initial());
      state.put(s.name(), new Float64Tensor(dims(s.shape()), x));
    }
    return state;
  }

  /**
   * {@code steps} steps of every phase of {@code compiled} on the interpreter, each graph as lowered,
   * from {@link #initialState} and uniform inputs in [-1, 1) (seed 7, rounded to float32); each step
   * continues from the reference's state.
   */
  public static List<Run> reference(Compiled compiled, Map<String, Io> io, int steps) {
    Map<String, Float64Tensor> state = initialState(compiled.spec());
    Random data = new Random(7);
    long rngStep = 0;
    List<Run> runs = new ArrayList<>();
    for (int step = 0; step < steps; step++) {
      for (Compiled.Phase pg : compiled.phases()) {
        Graph g = pg.lowered().graph();
        Map<String, Float64Tensor> feeds = new HashMap<>(state);
        feeds.put("rng_step", Float64Tensor.scalar(rngStep));
        for (Binding b : g.bindings()) {
          if (b.node() instanceof Node.Input i && !i.name().equals("rng_step")) {
            double[] x = new double[b.value().type().size()];
            for (int k = 0; k < x.length; k++) x[k] = (float) (2 * data.nextDouble() - 1);
            feeds.put(i.name(), new Float64Tensor(b.value().type().dims(), x));
          }
        }
        Interpreter.Result ref = Interpreter.run(g, feeds);
        Io phase = io.get(pg.name());
        if (phase == null) throw new IllegalArgumentException("the kernels have no phase `" + pg.name() + "`");
        float[][] in = new float[phase.reads().size()][];
        for (int r = 0; r < in.length; r++) {
          Float64Tensor t = feeds.get(phase.reads().get(r));
          if (t == null) throw new IllegalArgumentException("no value for `" + phase.reads().get(r) + "`");
          in[r] = floats(t.data());
        }
        List<double[]> expected = new ArrayList<>();
        double[] relative = new double[phase.writes().size()];
        for (int w = 0; w < relative.length; w++) {
          String name = phase.writes().get(w);
          expected.add(ref.output(name).data());
          relative[w] = name.startsWith("grad.") || state.containsKey(name) ? DERIVED : VALUES;
        }
        runs.add(new Run(pg.name(), step, rngStep, in, phase.writes(), expected, relative));
        for (String w : phase.writes()) if (state.containsKey(w)) state.put(w, ref.output(w));
        rngStep++;
      }
    }
    return runs;
  }

  /** Runs each run's phase of an in-process backend; each run's writes. */
  public static List<float[][]> run(CompiledModel c, List<Run> runs) {
    List<float[][]> actual = new ArrayList<>();
    for (Run r : runs) {
      Phase p = c.phase(r.phase());
      int[][] shapes = p.writeShapes();
      float[][] out = new float[shapes.length][];
      for (int w = 0; w < shapes.length; w++) out[w] = new float[size(shapes[w])];
      p.run(r.rngStep(), r.reads(), out);
      actual.add(out);
    }
    return actual;
  }

  /**
   * Reference and kernels of an in-process backend: {@code c}, loaded from {@code compiled};
   * {@code progress} hears what runs.
   */
  public static List<Check> check(Compiled compiled, CompiledModel c, int steps, Consumer<String> progress) {
    progress.accept("running the interpreter (" + steps + " steps of every update) ...");
    List<Run> runs = reference(compiled, Io.of(c), steps);
    progress.accept("running the " + c.backend() + " kernels ...");
    return compare(runs, run(c, runs), c.backend());
  }

  /** Every written tensor of every run against the reference; {@code backend} names the kernels in messages. */
  public static List<Check> compare(List<Run> runs, List<float[][]> actual, String backend) {
    if (actual.size() != runs.size()) {
      throw new IllegalArgumentException(runs.size() + " runs, " + actual.size() + " results");
    }
    List<Check> checks = new ArrayList<>();
    for (int i = 0; i < runs.size(); i++) {
      Run r = runs.get(i);
      float[][] a = actual.get(i);
      if (a.length != r.writes().size()) {
        throw new IllegalArgumentException(r.phase() + ": " + r.writes().size() + " writes, " + a.length + " results");
      }
      for (int w = 0; w < a.length; w++) {
        checks.add(close(r.phase(), r.step(), r.writes().get(w), r.expected().get(w), a[w], r.relative()[w], backend));
      }
    }
    return checks;
  }

  /** One tensor against the reference within {@code relative} (the norm-wise bound above). */
  public static Check close(String phase, int step, String name, double[] expected, float[] actual, double relative,
                            String backend) {
    String what = phase + " step " + step + " `" + name + "`";
    if (expected.length != actual.length) {
      return new Check(phase, step, name, Double.NaN, relative,
          what + ": " + actual.length + " values, the reference has " + expected.length);
    }
    double diff = 0, norm = 0;
    for (int i = 0; i < expected.length; i++) {
      if (!Float.isFinite(actual[i])) return new Check(phase, step, name, Double.NaN, relative, what + "[" + i + "] is " + actual[i]);
      double d = actual[i] - expected[i];
      diff += d * d;
      norm += expected[i] * expected[i];
    }
    diff = Math.sqrt(diff);
    norm = Math.sqrt(norm);
    double bound = relative * norm + FLOOR;
    double error = diff / (norm + FLOOR / relative);
    if (diff <= bound) return new Check(phase, step, name, error, relative, null);
    return new Check(phase, step, name, error, relative,
        what + ": ||" + backend + " - ref|| = " + diff + " > " + bound + " (||ref|| = " + norm + ")"
            + (expected.length > 0 ? " first: " + expected[0] + " vs " + actual[0] : ""));
  }

  /**
   * The model at the smallest batch that gives every update at least {@code batch} samples (an update
   * with its own batch scales with the model's, as {@link Model#withBatch} does): small enough for a
   * quick interpreter, large enough that a batch index error shows.
   */
  public static Model atLeast(Model model, int batch) {
    int smallest = model.training().batch();
    for (Model.Update u : model.training().updates()) {
      for (Model.Phase p : u.phases()) smallest = Math.min(smallest, p.batch());
    }
    long b = ((long) batch * model.training().batch() + smallest - 1) / smallest;
    return model.withBatch((int) b);
  }

  static float[] floats(double[] x) {
    float[] f = new float[x.length];
    for (int k = 0; k < x.length; k++) f[k] = (float) x[k];
    return f;
  }

  static int size(int[] shape) {
    int n = 1;
    for (int d : shape) n *= d;
    return n;
  }

  static List<Integer> dims(int[] shape) {
    return Arrays.stream(shape).boxed().toList();
  }
}

package wganc.check;

import java.util.List;
import java.util.Optional;
import wganc.diag.Span;
import wganc.syntax.Ast;

/**
 * A checked model: every name resolved, every shape known, every argument read and defaulted. This is
 * what the IR lowering consumes. Shapes exclude the batch axis; layouts are PyTorch's (NCHW, dense
 * weight [out, in], conv weight [out, in, kh, kw], conv_transpose weight [in, out, kh, kw]).
 */
public record Model(String name, List<Data> data, List<Noise> noise, List<Network> networks, Training training,
                    Ast.ModelFile ast) {

  /**
   * The same model with another batch size: every phase's batch scales with it (a half-batch phase
   * stays half of the batch), for benchmarks and tests at a batch the file does not name.
   */
  public Model withBatch(int batch) {
    Training t = training;
    List<Update> updates = t.updates().stream().map(u -> new Update(u.role(), u.name(), u.trains(), u.optimizer(), u.schedule(),
        u.perGenerator(), u.phases().stream().map(p -> new Phase(p.name(),
            Math.max(1, (int) ((long) p.batch() * batch / t.batch())), p.stmts(), p.types(), p.exprTypes(), p.draws(),
            p.span()))
            .toList(), u.span())).toList();
    return new Model(name, data, noise, networks, new Training(batch, t.epochs(), t.steps(), t.seed(), updates), ast);
  }

  /** The same model with another seed (the seed keys every draw the compiled phases make). */
  public Model withSeed(long seed) {
    Training t = training;
    return new Model(name, data, noise, networks, new Training(t.batch(), t.epochs(), t.steps(), seed, t.updates()), ast);
  }

  public Optional<Network> network(String name) {
    return networks.stream().filter(n -> n.name().equals(name)).findFirst();
  }

  /**
   * A data source; batches are drawn from it. With {@code labels} (`y: class[10]`), each sample's label
   * is a second value of the batch, a one-hot vector of the same sample.
   */
  public record Data(String name, List<Integer> shape, Optional<Labels> labels, Source source, double lo, double hi,
                     Span span) {}

  /** `y: class[10]`: the labels of a data source's samples, one-hot vectors of {@code classes}. */
  public record Labels(String name, int classes, Span span) {
    public List<Integer> shape() { return List.of(classes); }
  }

  public sealed interface Source permits Idx, Images, Npy, Toy {}

  /** IDX images, optionally filtered by label ({@code keep} empty: all labels). */
  public record Idx(String images, Optional<String> labels, List<Integer> keep) implements Source {}

  /**
   * A folder of PNG and JPEG files, read recursively, each resized and centre-cropped to the declared
   * {@code image[c, h, w]}; {@code skipBad}: leave out files that do not decode instead of refusing them.
   */
  public record Images(String folder, boolean skipBad) implements Source {}

  /** A NumPy {@code .npy} array of shape {@code [N, ...per-sample shape]}. */
  public record Npy(String file) implements Source {}

  /** A toy 2-D distribution: `8gaussians`, `25gaussians` or `swissroll`. */
  public record Toy(String kind, double scale, double std) implements Source {}

  public record Noise(String name, List<Integer> shape, Distribution dist, Span span) {}

  public sealed interface Distribution permits Normal, Uniform, OneHot {}
  public record Normal(double mean, double std) implements Distribution {}
  public record Uniform(double lo, double hi) implements Distribution {}
  /** `class[k] ~ uniform`: a class drawn uniformly from 0 to k-1 per sample, as a one-hot vector of k. */
  public record OneHot(int classes) implements Distribution {}

  /**
   * A network: its first input {@code param} of shape {@code in}, the inputs after it ({@code extra},
   * joined by `concat NAME` statements), its output shape and its layer statements.
   */
  public record Network(String name, String param, List<Integer> in, List<Input> extra, List<Integer> out,
                        List<Layer> layers, Span span) {
    /** How many inputs an application passes. */
    public int arity() { return 1 + extra.size(); }

    public List<Param> params() {
      return layers.stream().flatMap(l -> l.params().stream()).toList();
    }
    public boolean has(Class<? extends LayerSpec> kind) {
      return leaves().stream().anyMatch(l -> kind.isInstance(l.spec()));
    }
    /** Every layer that is no residual, concatenation or block use, in order (those nested included). */
    public List<Layer> leaves() {
      return layers.stream().flatMap(l -> l.leaves().stream()).toList();
    }
  }

  /** A network input after the first: `y: [10]`. */
  public record Input(String name, List<Integer> shape, Span span) {}

  /**
   * One layer statement with its path, shapes and parameters: the path is the statement's index in
   * its network (`3`), or, nested, the enclosing statement's path then the place inside it
   * (`1.branch.0`, `1.shortcut.1`, `2.1.0` for a concatenation's branch 1, `4.2` in a block use).
   * {@code params} holds those of nested statements too.
   */
  public record Layer(String path, LayerSpec spec, List<Integer> in, List<Integer> out, List<Param> params, Span span) {
    public List<Layer> leaves() {
      if (spec.inner().isEmpty()) return List.of(this);
      return spec.inner().stream().flatMap(l -> l.leaves().stream()).toList();
    }
  }

  public enum ParamKind {
    WEIGHT("weight", true), BIAS("bias", true), RUNNING_MEAN("running_mean", false), RUNNING_VAR("running_var", false);
    private final String word;
    private final boolean trainable;
    ParamKind(String word, boolean trainable) { this.word = word; this.trainable = trainable; }
    public String word() { return word; }
    public boolean trainable() { return trainable; }
  }

  /** `<network>.<path>.<kind>`, e.g. `D.0.weight`, `D.1.branch.2.weight` ({@link Layer#path}). */
  public record Param(String name, String network, String layer, ParamKind kind, List<Integer> shape, Init init,
                      Optional<Double> clip) {
    public long size() { return shape.stream().mapToLong(Integer::longValue).reduce(1, (a, b) -> a * b); }
    public boolean trainable() { return kind.trainable(); }
  }

  public sealed interface Init permits Init.Normal, Init.Uniform, Init.Glorot, Init.He, Init.Constant {
    record Normal(double mean, double std) implements Init {}
    record Uniform(double lo, double hi) implements Init {}
    /** Glorot (Xavier), uniform or normal (truncated, Keras). */
    record Glorot(boolean uniform) implements Init {}
    record He(boolean uniform) implements Init {}
    record Constant(double value) implements Init {}
  }

  public record Training(int batch, Optional<Integer> epochs, Optional<Integer> steps, long seed, List<Update> updates) {}

  /**
   * An update: which parameters it trains, its optimiser, how often (critic updates per generator
   * update), and its phases (each one optimiser step on its own batch).
   */
  public record Update(Ast.Role role, String name, List<String> trains, Optimizer optimizer, LrSchedule schedule,
                       int perGenerator, List<Phase> phases, Span span) {}

  /**
   * How an update's learning rate changes over the run: {@link Constant}, or {@link Linear}: at the
   * update's optimiser step t (1-based, counting every phase) it is {@code lr * max(0, 1 - (t-1)/updates)},
   * {@code updates} being the steps the update takes in the model's `steps` (steps x per generator
   * step x phases), so that it falls from lr at the first step towards 0 at the last (the WGAN-GP
   * authors' CIFAR-10 and LSUN schedule).
   */
  public sealed interface LrSchedule permits Constant, Linear {}
  public record Constant() implements LrSchedule {}
  public record Linear(long updates) implements LrSchedule {
    public Linear {
      if (updates < 1) throw new IllegalArgumentException("a linear decay needs at least one update, found " + updates);
    }
  }

  /**
   * An update phase's statements, typed: {@code types} holds the type of every statement by name,
   * {@code exprTypes} that of every expression in them (by identity, as the checker inferred it, so
   * that no later stage checks again), {@code draws} the distribution of every `~` statement by name.
   */
  public record Phase(String name, int batch, List<Ast.Stmt> stmts, java.util.Map<String, Type> types,
                      java.util.Map<Ast.Expr, Type> exprTypes, java.util.Map<String, Distribution> draws, Span span) {
    /** The type of {@code e}, an expression of this phase's statements. */
    public Type type(Ast.Expr e) {
      Type t = exprTypes.get(e);
      if (t == null) throw new IllegalArgumentException("phase `" + name + "` has no expression at " + e.span().position());
      return t;
    }
  }

  /** The type of a train-block expression: per-sample values (batched) or whole-batch values. */
  public record Type(boolean batched, List<Integer> shape) {
    public static final Type SCALAR = new Type(false, List.of());
    public int rank() { return shape.size(); }
    @Override public String toString() {
      String s = shape.toString();
      return batched ? "a batch of " + s : (shape.isEmpty() ? "a scalar" : s);
    }
  }

  public enum Convention { KERAS, PYTORCH }

  public sealed interface Optimizer permits Sgd, RmsProp, Adam {
    double lr();
    default boolean hasMomentum() {
      return switch (this) {
        case Sgd s -> s.momentum() > 0;
        case RmsProp r -> r.momentum() > 0;
        case Adam a -> true;
      };
    }
  }
  public record Sgd(double lr, double momentum, boolean nesterov) implements Optimizer {}
  public record RmsProp(double lr, double rho, double momentum, double eps, boolean centered, Convention convention)
      implements Optimizer {}
  public record Adam(double lr, double beta1, double beta2, double eps, boolean amsgrad, Convention convention)
      implements Optimizer {}
}

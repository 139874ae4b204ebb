package wganc.lower;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import wganc.autodiff.Autodiff;
import wganc.check.LayerSpec;
import wganc.check.Model;
import wganc.ir.ElementType;
import wganc.ir.Graph;
import wganc.ir.GraphBuilder;
import wganc.ir.Source;
import wganc.ir.TensorType;
import wganc.ir.Value;
import wganc.ops.Norm;
import wganc.ops.Unary;
import wganc.syntax.Ast;

/**
 * A checked model to IR: one graph per update phase holding the forward passes, the losses, every
 * gradient (a `grad` inside a loss is the same transform as the parameter gradient, applied first),
 * the optimiser's update, clipping, running statistics, and the draws.
 *
 * <p>Graph interface, by name. Inputs: the data batches (`real`), and, with {@link Draws#INPUTS},
 * the noise, every sampled value and the dropout keep-masks `<net>.<i>.mask.<k>` (k-th application
 * of the network in this update); with {@link Draws#RANDOM} those are counter-based random draws
 * keyed by the model seed, a stream per draw site and the `rng_step` input; {@link Draws#RECORDED}
 * draws them so too and also outputs each under the name it has as an input (what `train
 * --record-inputs` saves). Parameters: network
 * parameters by name (`D.0.weight`), optimiser state `<update>.<param>.<slot>` and the optimiser's
 * 1-based iteration `<update>.t`. Outputs: every let-bound and sampled name, `loss`,
 * `grad.<param>` for each trained parameter, and the new value of every parameter and state it writes
 * under the same name as its input.
 *
 * <p>For several {@link Ranks} (docs/distributed.md) each phase is one rank's share: batches of
 * {@code batch / ranks} rows, draws sharded (the rank's rows of the global draw), a train-block
 * {@code mean} over a batch the rank's sum over the global count (its share of the global mean),
 * batchnorm statistics over the global batch through {@code all_sum} (or the rank's own), and after
 * the gradients one {@code all_sum} of one flat buffer: every gradient and every scalar statement,
 * so each rank applies the optimiser to the global batch's gradient and logs the global values.
 */
public final class Lowering {
  /**
   * Where random values come from: graph inputs (traces), counter-based draws (training), or draws
   * that are also outputs under their input names (training that records what it consumed).
   */
  public enum Draws {
    INPUTS, RANDOM, RECORDED
  }

  /** One update phase as IR. */
  public record PhaseGraph(Model.Update update, Model.Phase phase, Graph graph) {
    public String name() { return phase.name(); }
  }

  private final Model model;
  private final Draws draws;
  private final Ranks ranks;
  private int stream;

  private Lowering(Model model, Draws draws, Ranks ranks) {
    this.model = model;
    this.draws = draws;
    this.ranks = ranks;
  }

  /** Every phase of every update, in training order. */
  public static List<PhaseGraph> lower(Model model, Draws draws) {
    return lower(model, draws, Ranks.ONE);
  }

  /**
   * Every phase of every update, in training order, as one of {@code ranks} computes it; throws
   * {@link IllegalArgumentException} when a phase's batch does not split evenly over them.
   */
  public static List<PhaseGraph> lower(Model model, Draws draws, Ranks ranks) {
    for (Model.Update u : model.training().updates()) {
      for (Model.Phase p : u.phases()) {
        String uneven = ranks.unevenSplit(p.batch());
        if (uneven != null) throw new IllegalArgumentException(uneven);
      }
    }
    Lowering l = new Lowering(model, draws, ranks);
    List<PhaseGraph> out = new ArrayList<>();
    for (Model.Update u : model.training().updates()) {
      for (Model.Phase p : u.phases()) out.add(new PhaseGraph(u, p, l.phase(u, p)));
    }
    return out;
  }

  /** The network the generator update trains first (`G`), which maps noise to data. */
  public static Model.Network generator(Model model) {
    Model.Update g = model.training().updates().stream().filter(u -> u.role() == Ast.Role.GENERATOR).findFirst().orElseThrow();
    String net = g.trains().getFirst().substring(0, g.trains().getFirst().indexOf('.'));
    return model.network(net).orElseThrow();
  }

  /** The noise the generator reads: the first noise declaration with the generator's input shape. */
  public static Model.Noise generatorNoise(Model model) {
    Model.Network g = generator(model);
    return model.noise().stream().filter(z -> z.shape().equals(g.in())).findFirst().orElseThrow();
  }

  /**
   * The sampling program, a phase `sample` of an update `sample` that trains nothing:
   * {@code sample = G(z, training=false)} for a batch of {@code n}, reading the noise as the input `z`
   * (its declared name), each generator input after the first as the input {@link #conditionInput}
   * (`G.y`), and the generator's parameters.
   */
  public static PhaseGraph sample(Model model, int n) {
    Lowering l = new Lowering(model, Draws.INPUTS, Ranks.ONE);
    Model.Network g = generator(model);
    Model.Noise z = generatorNoise(model);
    Model.Update dummy = new Model.Update(Ast.Role.GENERATOR, "sample", List.of(), new Model.Sgd(1, 0, false), new Model.Constant(), 1,
        List.of(), g.span());
    Model.Phase phase = new Model.Phase("sample", n, List.of(), Map.of(), Map.of(), Map.of(), g.span());
    PhaseBuilder pb = l.new PhaseBuilder(dummy, phase);
    List<Value> inputs = new ArrayList<>();
    inputs.add(pb.b.input(z.name(), f32(batched(n, z.shape()))));
    for (Model.Input x : g.extra()) inputs.add(pb.b.input(conditionInput(g, x), f32(batched(n, x.shape()))));
    Value y = pb.networkApply(g, inputs, false);
    pb.b.output("sample", y);
    return new PhaseGraph(dummy, phase, pb.b.build());
  }

  /** The sampling program's input for the generator's input {@code x} after the first: `G.y`. */
  public static String conditionInput(Model.Network g, Model.Input x) {
    return g.name() + "." + x.name();
  }

  private Graph phase(Model.Update u, Model.Phase p) {
    return new PhaseBuilder(u, p).build();
  }

  private static TensorType f32(List<Integer> dims) { return new TensorType(ElementType.F32, dims); }

  private static List<Integer> batched(int batch, List<Integer> shape) {
    List<Integer> d = new ArrayList<>();
    d.add(batch);
    d.addAll(shape);
    return d;
  }

  /** Builds one phase. */
  private final class PhaseBuilder {
    final Model.Update update;
    final Model.Phase phase;
    final int batch;
    final GraphBuilder b = new GraphBuilder();
    final Map<String, Value> params = new LinkedHashMap<>();
    /** Latest value of each persistent tensor written in this phase (running statistics). */
    final Map<String, Value> written = new LinkedHashMap<>();
    final Map<String, Value> env = new LinkedHashMap<>();
    final Map<String, Integer> applications = new LinkedHashMap<>();
    /** Draws already output under their input names ({@link Draws#RECORDED}). */
    final java.util.Set<String> recordedNames = new java.util.HashSet<>();
    Value rngStep;

    PhaseBuilder(Model.Update update, Model.Phase phase) {
      this.update = update;
      this.phase = phase;
      this.batch = phase.batch() / ranks.count();
    }

    Graph build() {
      for (String name : update.trains()) param(name);
      for (Ast.Stmt s : phase.stmts()) {
        b.at(source(s.span()));
        Value v = switch (s) {
          case Ast.Let l -> expr(l.expr());
          case Ast.Sample sm -> sample(sm);
        };
        env.put(s.name(), v);
        b.output(s.name(), v);
      }
      b.at(Source.NONE);
      Value loss = env.get("loss");
      List<Value> wrt = update.trains().stream().map(params::get).toList();
      List<Value> grads = Autodiff.grad(b, loss, wrt);
      if (ranks.distributed()) grads = reduceOverRanks(grads);
      for (int i = 0; i < wrt.size(); i++) b.output("grad." + update.trains().get(i), grads.get(i));
      Optimizers.step(b, update, update.trains(), wrt, grads, this::state, model);
      for (var e : written.entrySet()) b.output(e.getKey(), e.getValue());
      return b.build();
    }

    /**
     * One {@code all_sum} of the gradients, every scalar statement (each rank's share of it) and, with
     * per-rank batch statistics, the running statistics written (each rank's over the ranks, so the
     * sum is their average); the statements' outputs and the writes become the sums. Returns the
     * summed gradients.
     */
    List<Value> reduceOverRanks(List<Value> grads) {
      List<Value> parts = new ArrayList<>(grads);
      List<String> scalars = new ArrayList<>();
      for (Ast.Stmt s : phase.stmts()) {
        Value v = env.get(s.name());
        if (s instanceof Ast.Let && v.type().rank() == 0 && !scalars.contains(s.name())) {
          scalars.add(s.name());
          parts.add(v);
        }
      }
      List<String> averaged = ranks.syncBatchnorm() ? List.of() : new ArrayList<>(written.keySet());
      for (String w : averaged) parts.add(b.mul(written.get(w), 1.0 / ranks.count()));
      Value flat = b.allSum(parts);
      int n = flat.type().size(), at = 0;
      List<Value> out = new ArrayList<>();
      for (int i = 0; i < parts.size(); i++) {
        Value part = parts.get(i);
        Value v = b.reshape(wganc.ops.AllSum.slice(b, flat, at, part.type().size(), n), part.type().dims());
        at += part.type().size();
        if (i < grads.size()) {
          out.add(v);
        } else if (i < grads.size() + scalars.size()) {
          String name = scalars.get(i - grads.size());
          env.put(name, v);
          b.output(name, v);
        } else {
          written.put(averaged.get(i - grads.size() - scalars.size()), v);
        }
      }
      return out;
    }

    Value param(String name) {
      return params.computeIfAbsent(name, n -> {
        Model.Param p = model.networks().stream().flatMap(x -> x.params().stream())
            .filter(x -> x.name().equals(n)).findFirst().orElseThrow();
        return b.parameter(n, f32(p.shape()));
      });
    }

    Value state(String name, List<Integer> shape, ElementType type) {
      return params.computeIfAbsent(name, n -> b.parameter(n, new TensorType(type, shape)));
    }

    Value step() {
      if (rngStep == null) rngStep = b.input("rng_step", new TensorType(ElementType.I64, List.of()));
      return rngStep;
    }

    Value draw(String name, Model.Distribution dist, List<Integer> dims) {
      if (draws == Draws.INPUTS) return b.input(name, f32(dims));
      int s = stream++;
      return recorded(name, switch (dist) {
        case Model.Normal n -> affine(counterDraw(wganc.ops.RandomDraw.NORMAL, s, f32(dims)), n.std(), n.mean());
        case Model.Uniform un -> affine(counterDraw(wganc.ops.RandomDraw.UNIFORM, s, f32(dims)), un.hi() - un.lo(), un.lo());
        case Model.OneHot c -> oneHot(counterDraw(wganc.ops.RandomDraw.UNIFORM, s, f32(List.of(dims.getFirst(), 1))),
            c.classes());
      });
    }

    /**
     * One-hot rows [B, k] of the classes {@code floor(k u)} of uniform draws {@code u} [B, 1] in [0, 1):
     * column j is {@code [k u >= j] - [k u >= j + 1]}, the column numbers j a row [1, k] built by
     * {@link LayerSpec.Concat#join} from constants.
     */
    Value oneHot(Value u, int classes) {
      List<Value> columns = new ArrayList<>();
      for (int j = 0; j < classes; j++) columns.add(b.constant(j, f32(List.of(1, 1))));
      Value index = LayerSpec.Concat.join(b, columns);
      Value x = b.mul(u, classes);
      return b.sub(b.greaterEqual(x, index), b.greaterEqual(x, b.add(index, 1)));
    }

    /** A draw from {@code stream}: this rank's rows of the global batch's draw when distributed. */
    Value counterDraw(wganc.ops.RandomDraw kind, int stream, TensorType type) {
      boolean sharded = ranks.distributed() && type.rank() > 0 && type.dim(0) == batch;
      return b.random(kind, step(), model.training().seed(), stream, type, sharded);
    }

    /** {@code v}, also output as {@code name} when the draws are recorded (and it is not one already). */
    Value recorded(String name, Value v) {
      if (draws == Draws.RECORDED && !recordedNames.contains(name)) {
        recordedNames.add(name);
        b.output(name, v);
      }
      return v;
    }

    Value affine(Value v, double scale, double shift) {
      if (scale != 1) v = b.mul(v, scale);
      if (shift != 0) v = b.add(v, shift);
      return v;
    }

    Value sample(Ast.Sample s) {
      return draw(s.name(), phase.draws().get(s.name()), batched(batch, phase.types().get(s.name()).shape()));
    }

    Value name(String n) {
      Value v = env.get(n);
      if (v != null) return v;
      for (Model.Data d : model.data()) {
        if (d.labels().isPresent() && (d.name().equals(n) || d.labels().get().name().equals(n))) {
          labelledData(d);
          return env.get(n);
        }
        if (d.name().equals(n)) {
          v = b.input(n, f32(batched(batch, d.shape())));
          env.put(n, v);
          return v;
        }
      }
      for (Model.Noise z : model.noise()) {
        if (z.name().equals(n)) {
          v = draw(n, z.dist(), batched(batch, z.shape()));
          env.put(n, v);
          return v;
        }
      }
      throw new IllegalStateException("unresolved name " + n);
    }

    /**
     * Data with labels: one input named after the data, rows [B, size + k] of a sample's values then its
     * one-hot label (how the runtime's feed packs them, so both come from the same samples), split
     * into the data [B, shape...] and the labels [B, k].
     */
    void labelledData(Model.Data d) {
      int size = (int) LayerSpec.product(d.shape()), k = d.labels().get().classes();
      Value rows = b.input(d.name(), f32(List.of(batch, size + k)));
      env.put(d.name(), b.reshape(b.pad(rows, new int[] {0, 0}, new int[] {0, -k}), batched(batch, d.shape())));
      env.put(d.labels().get().name(), b.pad(rows, new int[] {0, -size}, new int[] {0, 0}));
    }

    Value expr(Ast.Expr e) {
      return switch (e) {
        case Ast.Number n -> b.constant(n.value(), f32(List.of()));
        case Ast.Name n -> name(n.name());
        case Ast.Unary u -> u.op().equals("-") ? b.neg(expr(u.operand())) : expr(u.operand());
        case Ast.Binary bin -> binary(bin);
        case Ast.CallExpr c -> call(c);
        case Ast.ListExpr l -> throw new IllegalStateException("list outside norm axes");
      };
    }

    Value binary(Ast.Binary e) {
      if (e.op().equals("^")) return b.pow(expr(e.left()), constant(e.right()));
      Value l = expr(e.left());
      Value r = expr(e.right());
      // a per-sample scalar [B] against a batch [B, ...]: align the batch axis first
      if (l.type().rank() == 1 && r.type().rank() > 1 && l.type().dim(0) == batch && isBatched(e.left())) {
        l = b.reshape(l, ones(r.type().rank(), batch));
      } else if (r.type().rank() == 1 && l.type().rank() > 1 && r.type().dim(0) == batch && isBatched(e.right())) {
        r = b.reshape(r, ones(l.type().rank(), batch));
      }
      return switch (e.op()) {
        case "+" -> b.add(l, r);
        case "-" -> b.sub(l, r);
        case "*" -> b.mul(l, r);
        case "/" -> b.div(l, r);
        default -> throw new IllegalStateException(e.op());
      };
    }

    boolean isBatched(Ast.Expr e) {
      return phase.type(e).batched();
    }

    int[] ones(int rank, int first) {
      int[] d = new int[rank];
      java.util.Arrays.fill(d, 1);
      d[0] = first;
      return d;
    }

    double constant(Ast.Expr e) {
      return switch (e) {
        case Ast.Number n -> n.value();
        case Ast.Unary u -> u.op().equals("-") ? -constant(u.operand()) : constant(u.operand());
        default -> throw new IllegalStateException("not a constant");
      };
    }

    Value call(Ast.CallExpr c) {
      var net = model.network(c.callee());
      if (net.isPresent()) {
        boolean training = true;
        List<Value> inputs = new ArrayList<>();
        for (Ast.ExprArg a : c.args()) {
          if (a.key().isEmpty()) inputs.add(expr(a.value()));
          else training = ((Ast.Name) a.value()).name().equals("true");
        }
        return network(net.get(), inputs, training, c);
      }
      Ast.Expr x = c.args().getFirst().value();
      return switch (c.callee()) {
        case "mean" -> mean(x);
        case "sum" -> b.sum(expr(x));
        case "norm" -> norm(c);
        case "grad" -> {
          Value y = expr(x);
          Value wrt = name(((Ast.Name) c.args().get(1).value()).name());
          yield Autodiff.grad(b, y, List.of(wrt)).getFirst();
        }
        default -> Unary.functions().get(c.callee()).apply(b, expr(x));
      };
    }

    /**
     * {@code mean(x)}; over a batch on one of several ranks, the rank's sum over the global count:
     * its share of the global mean (the shares' sum, which the gradients' {@code all_sum} takes).
     */
    Value mean(Ast.Expr x) {
      Value v = expr(x);
      if (!ranks.distributed() || !isBatched(x)) return b.mean(v);
      return b.mul(b.sum(v), 1.0 / ((double) v.type().size() * ranks.count()));
    }

    Value norm(Ast.CallExpr c) {
      Ast.Expr x = null;
      Ast.ListExpr axes = null;
      for (Ast.ExprArg a : c.args()) {
        if (a.key().isEmpty()) x = a.value(); else axes = (Ast.ListExpr) a.value();
      }
      Value v = expr(x);
      boolean batchedInput = isBatched(x);
      if (axes == null) {
        if (batchedInput) return Norm.perSample(b, v);
        return Norm.safeSqrt(b, b.sum(b.mul(v, v)));
      }
      int[] ax = axes.items().stream().mapToInt(i -> (int) ((Ast.Number) i).value() - (batchedInput ? 0 : 1)).toArray();
      return Norm.safeSqrt(b, b.reduceSum(b.mul(v, v), ax, false));
    }

    Value network(Model.Network net, List<Value> inputs, boolean training, Ast.CallExpr at) {
      Value h = networkApply(net, inputs, training);
      b.at(source(at.span()));
      return h;
    }

    /** {@code net} applied to {@code inputs}: its first input, then those joined by `concat NAME`. */
    Value networkApply(Model.Network net, List<Value> inputs, boolean training) {
      int k = applications.merge(net.name(), 1, Integer::sum) - 1;
      Map<String, Value> extra = new LinkedHashMap<>();
      for (int i = 0; i < net.extra().size(); i++) extra.put(net.extra().get(i).name(), inputs.get(i + 1));
      Value h = inputs.getFirst();
      for (Model.Layer l : net.layers()) {
        b.at(source(l.span()));
        h = layer(net, l, h, training, k, extra);
      }
      return h;
    }

    /** A parameter's latest value in this phase (running statistics change between applications). */
    Value current(String name) {
      Value w = written.get(name);
      return w != null ? w : param(name);
    }

    Value layer(Model.Network net, Model.Layer l, Value h, boolean training, int application, Map<String, Value> inputs) {
      return l.spec().forward(new LayerSpec.Scope() {
        public GraphBuilder graph() { return b; }

        public boolean training() { return training; }

        public Value input(String name) { return inputs.get(name); }

        public Value param(Model.ParamKind kind) {
          return l.params().stream().filter(x -> x.kind() == kind).findFirst().map(x -> current(x.name())).orElse(null);
        }

        public void write(Model.ParamKind kind, Value v) {
          written.put(l.params().stream().filter(x -> x.kind() == kind).findFirst().orElseThrow().name(), v);
        }

        public Value apply(Model.Layer inner, Value x) {
          b.at(source(inner.span()));
          Value y = layer(net, inner, x, training, application, inputs);
          b.at(source(l.span()));
          return y;
        }

        public Value random(String what, TensorType type, java.util.function.UnaryOperator<Value> fromUniform) {
          String name = net.name() + "." + l.path() + "." + what + "." + application;
          if (draws == Draws.INPUTS) return b.input(name, type);
          return recorded(name, fromUniform.apply(counterDraw(wganc.ops.RandomDraw.UNIFORM, stream++, type)));
        }

        public Value batchMean(Value x, int[] axes) {
          if (!ranks.distributed()) return b.reduceMean(x, axes, true);
          long count = 1;
          for (int a : axes) count *= x.type().dim(a);
          Value sum = b.reduceSum(x, axes, true);
          if (!ranks.syncBatchnorm()) return b.mul(sum, 1.0 / count);
          Value global = b.reshape(b.allSum(List.of(sum)), sum.type().dims());
          return b.mul(global, 1.0 / ((double) count * ranks.count()));
        }
      }, h);
    }
  }

  static Source source(wganc.diag.Span span) {
    return new Source(span.file().path(), span.line(), span.column());
  }
}

package wganc.check;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import wganc.check.Model.Type;
import wganc.diag.Diagnostic;
import wganc.diag.Span;
import wganc.diag.Suggest;
import wganc.ops.Unary;
import wganc.syntax.Ast;

/**
 * Checks the train block: options, updates and their parameter selections, optimisers, and the
 * statements of every phase with the types of their expressions (per-sample batches or whole-batch
 * values).
 */
final class TrainChecker {
  /** The reductions and `grad`, then the elementwise functions ({@link Unary#functions}). */
  static final List<String> FUNCTIONS = Stream.concat(Stream.of("mean", "sum", "norm", "grad"),
      Unary.functions().keySet().stream()).toList();
  private static final List<String> OPTIONS = List.of("batch", "epochs", "steps", "seed");
  private static final List<String> OPTIMIZERS = List.of("sgd", "rmsprop", "adam");

  private final Diagnostics diags;
  private final Map<String, Model.Data> data = new LinkedHashMap<>();
  /** The labels of data sources (`y` of `data real: ..., y: class[10]`), by name. */
  private final Map<String, Model.Labels> labels = new LinkedHashMap<>();
  private final Map<String, Model.Noise> noise = new LinkedHashMap<>();
  private final Map<String, Model.Network> networks = new LinkedHashMap<>();

  TrainChecker(Diagnostics diags, List<Model.Data> data, List<Model.Noise> noise, List<Model.Network> networks) {
    this.diags = diags;
    data.forEach(d -> this.data.put(d.name(), d));
    data.forEach(d -> d.labels().ifPresent(l -> this.labels.put(l.name(), l)));
    noise.forEach(n -> this.noise.put(n.name(), n));
    networks.forEach(n -> this.networks.put(n.name(), n));
  }

  Optional<Model.Training> train(Ast.TrainDecl t) {
    Map<String, Ast.Option> opts = new LinkedHashMap<>();
    // errors about the train block as a whole point at its keyword, not at the whole block
    Span keyword = t.span().file().span(t.span().start(), t.span().start() + "train".length());
    boolean misspelt = false;
    for (Ast.Option o : t.options()) {
      if (!OPTIONS.contains(o.key())) {
        misspelt = true;
        String help = Suggest.didYouMean(o.key(), OPTIONS);
        diags.add(Diagnostic.error("E0403", "unknown train option `" + o.key() + "`", o.keySpan(), "not an option")
            .withHelp(help != null ? help : "options are `batch`, `epochs`, `steps` and `seed`"));
        continue;
      }
      if (opts.putIfAbsent(o.key(), o) != null) {
        diags.add(Diagnostic.error("E0104", "option `" + o.key() + "` given twice", o.span(), "repeated here"));
      }
    }
    Integer batch = positiveInt(opts.get("batch"), 1 << 20);
    if (!opts.containsKey("batch") && !misspelt) {
      diags.add(Diagnostic.error("E0404", "the train block needs a batch size", keyword, "no `batch`")
          .withHelp("write `train batch 64, steps 1000 { ... }`"));
    }
    Integer epochs = positiveInt(opts.get("epochs"), 1_000_000);
    Integer steps = positiveInt(opts.get("steps"), 1_000_000_000);
    if (opts.containsKey("epochs") && opts.containsKey("steps")) {
      diags.add(Diagnostic.error("E0405", "give `epochs` or `steps`, not both", opts.get("steps").span(), "second length")
          .withHelp("remove one of them"));
    }
    if (!opts.containsKey("epochs") && !opts.containsKey("steps") && !misspelt) {
      diags.add(Diagnostic.error("E0406", "the train block needs a length", keyword, "no `epochs` or `steps`")
          .withHelp("write `steps 1000` (generator steps) or `epochs 10`"));
    }
    if (opts.containsKey("epochs") && data.values().stream().allMatch(d -> d.source() instanceof Model.Toy)) {
      diags.add(Diagnostic.error("E0407", "`epochs` needs a dataset; toy distributions are endless", opts.get("epochs").span(),
          "no finite data").withHelp("write `steps N` instead"));
    }
    long seed = 0;
    if (opts.containsKey("seed")) {
      Ast.Num n = opts.get("seed").value();
      if (!n.integral() || n.value() < 0 || n.value() > 9.0e15) {
        diags.add(Diagnostic.error("E0408", "`seed` must be a non-negative integer", n.span(), "found " + Args.fmt(n.value())));
      } else {
        seed = (long) n.value();
      }
    }
    List<Model.Update> updates = new ArrayList<>();
    for (Ast.UpdateDecl u : t.updates()) update(u, batch == null ? 1 : batch, steps).ifPresent(updates::add);
    long critics = t.updates().stream().filter(u -> u.role() == Ast.Role.CRITIC).count();
    long generators = t.updates().stream().filter(u -> u.role() == Ast.Role.GENERATOR).count();
    if (critics == 0) {
      diags.add(Diagnostic.error("E0409", "the train block has no `critic` update", keyword, "no critic")
          .withHelp("add `critic D with adam(lr=1e-4), 5 per generator step { loss = ... }`"));
    }
    if (generators != 1) {
      Span at = generators == 0 ? keyword : t.updates().stream().filter(u -> u.role() == Ast.Role.GENERATOR)
          .skip(1).findFirst().get().roleSpan();
      diags.add(Diagnostic.error("E0410", generators == 0 ? "the train block has no `generator` update"
          : "the train block has more than one `generator` update", at, generators == 0 ? "no generator" : "second generator")
          .withHelp(generators == 0 ? "add `generator G with adam(lr=1e-4) { loss = -mean(D(G(z))) }`"
              : "one generator update ends each training step; merge them"));
    }
    t.updates().stream().filter(u -> u.role() == Ast.Role.GENERATOR).findFirst()
        .map(u -> u.selections().getFirst()).ifPresent(this::sampledGenerator);
    Set<String> phaseNames = new HashSet<>();
    for (Model.Update u : updates) {
      for (Model.Phase p : u.phases()) {
        if (!phaseNames.add(p.name())) {
          diags.add(Diagnostic.error("E0411", "two updates are named `" + p.name() + "`", p.span(), "name taken")
              .withHelp("name the phases with `update NAME { ... }`"));
        }
      }
    }
    if (diags.hasErrors() || batch == null || (epochs == null && steps == null)) return Optional.empty();
    return Optional.of(new Model.Training(batch, Optional.ofNullable(epochs), Optional.ofNullable(steps), seed, updates));
  }

  /** The generator samples are drawn from takes noise and at most one class input. */
  private void sampledGenerator(Ast.Selection s) {
    Model.Network g = networks.get(s.network());
    if (g == null || g.extra().size() <= 1) return;
    diags.add(Diagnostic.error("E0418", "generator `" + g.name() + "` takes " + g.arity() + " inputs, but samples give"
        + " it noise and at most one class", s.networkSpan(), "trained as the generator")
        .withNote("`wganc sample` and the training grids feed its second input a one-hot class")
        .withHelp("join the conditions into one input of `" + g.name() + "`"));
  }

  private Integer positiveInt(Ast.Option o, int max) {
    if (o == null) return null;
    Ast.Num n = o.value();
    if (!n.integral() || n.value() < 1 || n.value() > max) {
      diags.add(Diagnostic.error("E0412", "`" + o.key() + "` must be a positive integer", n.span(),
          "found " + Args.fmt(n.value())));
      return null;
    }
    return (int) n.value();
  }

  private Optional<Model.Update> update(Ast.UpdateDecl u, int batch, Integer steps) {
    List<String> trains = new ArrayList<>();
    boolean ok = true;
    for (Ast.Selection s : u.selections()) {
      Model.Network net = networks.get(s.network());
      if (net == null) {
        unknownName(s.network(), s.networkSpan(), "network", networks.keySet());
        ok = false;
        continue;
      }
      List<Model.Param> params = net.params().stream().filter(Model.Param::trainable).toList();
      if (s.part().isPresent()) {
        String part = s.part().get();
        Set<String> kinds = new LinkedHashSet<>();
        net.leaves().stream().filter(l -> l.params().stream().anyMatch(Model.Param::trainable))
            .forEach(l -> kinds.add(l.spec().kind()));
        if (!kinds.contains(part)) {
          String help = Suggest.didYouMean(part, kinds);
          diags.add(Diagnostic.error("E0413", "`" + s.network() + "` has no trainable `" + part + "` layers", s.partSpan(),
              "nothing selected").withHelp(help != null ? help : "layers with parameters in `" + s.network() + "`: "
                  + String.join(", ", kinds.stream().map(k -> "`" + k + "`").toList())));
          ok = false;
          continue;
        }
        params = net.leaves().stream().filter(l -> l.spec().kind().equals(part))
            .flatMap(l -> l.params().stream()).filter(Model.Param::trainable).toList();
      }
      for (Model.Param p : params) {
        if (trains.contains(p.name())) {
          diags.add(Diagnostic.error("E0414", "`" + p.name() + "` is selected twice", s.span(), "already selected"));
          ok = false;
        } else {
          trains.add(p.name());
        }
      }
    }
    int per = 1;
    if (u.perGenerator().isPresent()) {
      Ast.Num n = u.perGenerator().get();
      if (u.role() == Ast.Role.GENERATOR) {
        diags.add(Diagnostic.error("E0415", "`per generator step` belongs to critic updates", n.span(), "on a generator update")
            .withHelp("remove it; the generator updates once per step"));
        ok = false;
      } else if (n.value() < 1 || n.value() > 1000) {
        diags.add(Diagnostic.error("E0412", "critic updates per generator step must be from 1 to 1000", n.span(),
            "found " + Args.fmt(n.value())));
        ok = false;
      } else {
        per = (int) n.value();
      }
    }
    List<Model.Phase> phases = new ArrayList<>();
    for (Ast.Phase p : u.phases()) {
      Optional<Model.Phase> checked = phase(u, p, batch);
      if (checked.isEmpty()) ok = false; else phases.add(checked.get());
    }
    Optional<Optimiser> opt = optimizer(u.optimizer(), steps, (long) per * Math.max(1, phases.size()));
    if (!ok || opt.isEmpty()) return Optional.empty();
    String name = u.role() == Ast.Role.CRITIC ? "critic" : "generator";
    return Optional.of(new Model.Update(u.role(), name, trains, opt.get().optimizer(), opt.get().schedule(), per, phases,
        u.span()));
  }

  /** An update's optimiser and how its learning rate changes. */
  private record Optimiser(Model.Optimizer optimizer, Model.LrSchedule schedule) {}

  /** A linear decay runs over the train block's `steps` (null with `epochs`: an error at {@code at}). */
  private Optional<Model.LrSchedule> linearDecay(Span at, Integer steps, long updatesPerStep) {
    if (steps == null) {
      diags.add(Diagnostic.error("E0417", "`decay=linear` needs the train block's length in `steps`", at,
          "the run's length in steps is unknown").withHelp("write `steps N` instead of `epochs`, or drop `decay=linear`"));
      return Optional.empty();
    }
    return Optional.of(new Model.Linear(steps * updatesPerStep));
  }

  private Optional<Optimiser> optimizer(Ast.Call c, Integer steps, long updatesPerStep) {
    if (!OPTIMIZERS.contains(c.name())) {
      String help = Suggest.didYouMean(c.name(), OPTIMIZERS);
      diags.add(Diagnostic.error("E0416", "unknown optimiser `" + c.name() + "`", c.nameSpan(), "not an optimiser")
          .withHelp(help != null ? help : "optimisers are `sgd`, `rmsprop` and `adam`"));
      return Optional.empty();
    }
    List<String> kw = switch (c.name()) {
      case "sgd" -> List.of("lr", "momentum", "nesterov", "decay");
      case "rmsprop" -> List.of("lr", "rho", "momentum", "eps", "centered", "convention", "decay");
      default -> List.of("lr", "beta1", "beta2", "eps", "amsgrad", "convention", "decay");
    };
    Optional<Args> b = Args.bind(c.name(), c.nameSpan(), c.args(), kw, 1, diags);
    if (b.isEmpty()) return Optional.empty();
    Args a = b.get();
    var lr = a.requiredNumber("lr", 0, 10, true, c.name() + "(lr=1e-4)");
    Optional<String> conv = a.word("convention", "keras", List.of("keras", "pytorch"));
    Optional<String> decay = a.word("decay", "none", List.of("none", "linear"));
    if (lr.isEmpty() || conv.isEmpty() || decay.isEmpty()) return Optional.empty();
    Optional<Model.LrSchedule> schedule = decay.get().equals("linear")
        ? linearDecay(a.spanOf("decay"), steps, updatesPerStep) : Optional.of(new Model.Constant());
    Model.Convention convention = conv.get().equals("keras") ? Model.Convention.KERAS : Model.Convention.PYTORCH;
    boolean keras = convention == Model.Convention.KERAS;
    Optional<Model.Optimizer> optimizer = switch (c.name()) {
      case "sgd" -> {
        var m = a.number("momentum", 0, 0, 1, false);
        var n = a.bool("nesterov", false);
        yield m.isEmpty() || n.isEmpty() ? Optional.empty() : Optional.of(new Model.Sgd(lr.get(), m.get(), n.get()));
      }
      case "rmsprop" -> {
        var rho = a.number("rho", keras ? 0.9 : 0.99, 0, 1, false);
        var m = a.number("momentum", 0, 0, 1, false);
        var eps = a.number("eps", keras ? 1e-7 : 1e-8, 0, 1, true);
        var cen = a.bool("centered", false);
        if (rho.isEmpty() || m.isEmpty() || eps.isEmpty() || cen.isEmpty()) yield Optional.empty();
        yield Optional.of(new Model.RmsProp(lr.get(), rho.get(), m.get(), eps.get(), cen.get(), convention));
      }
      default -> {
        var b1 = a.number("beta1", 0.9, 0, 1, false);
        var b2 = a.number("beta2", 0.999, 0, 1, false);
        var eps = a.number("eps", keras ? 1e-7 : 1e-8, 0, 1, true);
        var ams = a.bool("amsgrad", false);
        if (b1.isEmpty() || b2.isEmpty() || eps.isEmpty() || ams.isEmpty()) yield Optional.empty();
        if (b1.get() >= 1 || b2.get() >= 1) {
          diags.add(Diagnostic.error("E0107", "Adam's betas must be below 1", c.span(), "beta1 = " + Args.fmt(b1.get())
              + ", beta2 = " + Args.fmt(b2.get())));
          yield Optional.empty();
        }
        yield Optional.of(new Model.Adam(lr.get(), b1.get(), b2.get(), eps.get(), ams.get(), convention));
      }
    };
    return optimizer.flatMap(o -> schedule.map(sch -> new Optimiser(o, sch)));
  }

  private Optional<Model.Phase> phase(Ast.UpdateDecl u, Ast.Phase p, int trainBatch) {
    int batch = trainBatch;
    for (Ast.Option o : p.options()) {
      if (!o.key().equals("batch")) {
        diags.add(Diagnostic.error("E0403", "unknown update option `" + o.key() + "`", o.keySpan(), "not an option")
            .withHelp("an update takes `batch N`"));
        return Optional.empty();
      }
      Integer b = positiveInt(o, 1 << 20);
      if (b == null) return Optional.empty();
      batch = b;
    }
    String name = u.phased() ? (u.role() == Ast.Role.CRITIC ? "critic." : "generator.") + p.name() : p.name();
    Map<String, Type> env = new LinkedHashMap<>();
    Map<String, Model.Distribution> draws = new LinkedHashMap<>();
    Map<String, Span> defined = new LinkedHashMap<>();
    Set<String> failed = new HashSet<>();
    Map<Ast.Expr, Type> typed = new IdentityHashMap<>();
    boolean ok = true;
    for (Ast.Stmt s : p.stmts()) {
      if (data.containsKey(s.name()) || labels.containsKey(s.name()) || noise.containsKey(s.name()) || networks.containsKey(s.name())
          || FUNCTIONS.contains(s.name())) {
        diags.add(Diagnostic.error("E0501", "`" + s.name() + "` is already a " + kindOf(s.name()), s.nameSpan(),
            "cannot be redefined").withHelp("choose another name"));
        ok = false;
        continue;
      }
      if (defined.containsKey(s.name())) {
        diags.add(Diagnostic.error("E0502", "`" + s.name() + "` is already defined in this update", s.nameSpan(),
            "defined again").withNote("first defined at " + defined.get(s.name()).position()).withHelp("choose another name"));
        ok = false;
        continue;
      }
      Optional<Type> type = switch (s) {
        case Ast.Let l -> new Exprs(this, env, failed, typed).type(l.expr());
        case Ast.Sample sm -> sample(sm, env, draws, failed, typed);
      };
      if (type.isEmpty()) {
        ok = false;
        failed.add(s.name());
        continue;
      }
      env.put(s.name(), type.get());
      defined.put(s.name(), s.nameSpan());
    }
    if (!ok) return Optional.empty();
    Type loss = env.get("loss");
    if (loss == null) {
      diags.add(Diagnostic.error("E0503", "update `" + name + "` has no `loss`", u.phased() ? p.nameSpan() : u.roleSpan(),
          "no `loss = ...`").withHelp("add `loss = ...`, the scalar this update minimises"));
      return Optional.empty();
    }
    if (loss.batched() || !loss.shape().isEmpty()) {
      Ast.Stmt s = p.stmts().stream().filter(x -> x.name().equals("loss")).findFirst().get();
      diags.add(Diagnostic.error("E0504", "`loss` must be a scalar, found " + loss, ((Ast.Let) s).expr().span(),
          "this is " + loss).withHelp("reduce it, e.g. `mean(...)`"));
      return Optional.empty();
    }
    return Optional.of(new Model.Phase(name, batch, p.stmts(), env, Collections.unmodifiableMap(typed), draws, p.span()));
  }

  private Optional<Type> sample(Ast.Sample s, Map<String, Type> env, Map<String, Model.Distribution> draws,
                                Set<String> failed, Map<Ast.Expr, Type> typed) {
    return switch (s.source()) {
      case Ast.NoiseSource n -> {
        Model.Noise z = noise.get(n.noise());
        if (z == null) {
          unknownName(n.noise(), n.span(), "noise", noise.keySet());
          yield Optional.empty();
        }
        if (!(s.shape() instanceof Ast.Unspecified)) {
          diags.add(Diagnostic.error("E0505", "a draw of noise `" + n.noise() + "` has its declared shape", s.span(),
              "shape given again").withHelp("remove the shape; noise `" + n.noise() + "` is " + z.shape()));
          yield Optional.empty();
        }
        draws.put(s.name(), z.dist());
        yield Optional.of(new Type(true, z.shape()));
      }
      case Ast.DistSource d -> {
        Optional<Model.Distribution> dist = Checker.distribution(d.dist(), diags);
        if (dist.isEmpty()) yield Optional.empty();
        draws.put(s.name(), dist.get());
        yield switch (s.shape()) {
          case Ast.PerSample p -> Optional.of(new Type(true, List.of()));
          case Ast.Explicit e -> {
            if (e.shape().dims().stream().anyMatch(x -> x <= 0 || x > 1_000_000)) {
              diags.add(Diagnostic.error("E0202", "dimensions must be positive integers", e.shape().span(),
                  "found " + e.shape().dims()));
              yield Optional.empty();
            }
            yield Optional.of(new Type(true, e.shape().dims()));
          }
          case Ast.Like l -> {
            Optional<Type> t = new Exprs(this, env, failed, typed).type(l.of());
            if (t.isPresent() && !t.get().batched()) {
              diags.add(Diagnostic.error("E0506", "`like` needs a batch, found " + t.get(), l.of().span(), "not a batch")
                  .withHelp("draw `like` a data, noise or network value"));
              yield Optional.empty();
            }
            yield t;
          }
          case Ast.Unspecified u -> {
            diags.add(Diagnostic.error("E0507", "the draw `" + s.name() + "` needs a shape", s.span(), "no shape")
                .withHelp("write `per sample` (one value per sample), `like x` or `: [dims]`"));
            yield Optional.empty();
          }
        };
      }
    };
  }

  String kindOf(String name) {
    if (data.containsKey(name)) return "data source";
    if (labels.containsKey(name)) return "data source's labels";
    if (noise.containsKey(name)) return "noise";
    if (networks.containsKey(name)) return "network";
    return "function";
  }

  void unknownName(String name, Span span, String what, Set<String> known) {
    String help = Suggest.didYouMean(name, known);
    diags.add(Diagnostic.error("E0508", "unknown " + what + " `" + name + "`", span, "not defined")
        .withHelp(help != null ? help : known.isEmpty() ? "declare it first"
            : what + "s here: " + String.join(", ", known.stream().map(k -> "`" + k + "`").toList())));
  }

  Diagnostics diags() { return diags; }
  Map<String, Model.Data> data() { return data; }
  Map<String, Model.Labels> labels() { return labels; }
  Map<String, Model.Noise> noise() { return noise; }
  Map<String, Model.Network> networks() { return networks; }
}

package wganc.check;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import wganc.diag.Diagnostic;
import wganc.syntax.Ast;

/**
 * Checks that no framework makes, run on a model that type-checks:
 * <ul>
 *   <li>W0701 a penalty's `norm` that leaves non-batch axes unreduced or reduces over the batch;
 *   <li>W0702 an interpolation coefficient that is not drawn uniform on [0, 1] per sample;
 *   <li>W0703 batchnorm in a critic that carries a per-sample gradient penalty;
 *   <li>W0704 clipping on parameters that no update trains;
 *   <li>W0705 an optimiser with momentum on a clipped critic;
 *   <li>W0706 a value or a draw that is never used;
 *   <li>W0707 a block that no network uses (directly or through the blocks it uses).
 * </ul>
 */
final class Lints {
  private final Diagnostics diags;
  private final Model model;

  Lints(Diagnostics diags, Model model) {
    this.diags = diags;
    this.model = model;
  }

  void run() {
    for (Model.Update u : model.training().updates()) {
      for (Model.Phase p : u.phases()) phase(p);
    }
    clipping();
    unusedBlocks();
  }

  private void unusedBlocks() {
    Map<String, Ast.BlockDecl> blocks = new HashMap<>();
    model.ast().blocks().forEach(b -> blocks.putIfAbsent(b.name(), b));
    Set<String> used = new HashSet<>();
    List<Ast.LayerNode> pending = new ArrayList<>();
    model.ast().networks().forEach(n -> pending.addAll(n.layers()));
    while (!pending.isEmpty()) {
      List<Ast.Layer> layers = plainLayers(pending).toList();
      pending.clear();
      for (Ast.Layer l : layers) {
        if (blocks.containsKey(l.kind()) && used.add(l.kind())) pending.addAll(blocks.get(l.kind()).layers());
      }
    }
    for (Ast.BlockDecl b : model.ast().blocks()) {
      if (!used.contains(b.name())) {
        diags.add(Diagnostic.warning("W0707", "block `" + b.name() + "` is never used", b.nameSpan(), "unused")
            .withHelp("use it as a layer in a network, or remove it"));
      }
    }
  }

  private void phase(Model.Phase p) {
    Map<String, Ast.Stmt> byName = new HashMap<>();
    for (Ast.Stmt s : p.stmts()) byName.put(s.name(), s);
    Set<String> used = new HashSet<>();
    for (Ast.Stmt s : p.stmts()) {
      if (s instanceof Ast.Let l) {
        walk(l.expr(), e -> {
          if (e instanceof Ast.Name n) used.add(n.name());
          if (e instanceof Ast.CallExpr c) call(c, p, byName);
        });
      } else if (s instanceof Ast.Sample sm && sm.shape() instanceof Ast.Like like) {
        walk(like.of(), e -> { if (e instanceof Ast.Name n) used.add(n.name()); });
      }
    }
    for (Ast.Stmt s : p.stmts()) {
      if (!s.name().equals("loss") && !used.contains(s.name())) {
        diags.add(Diagnostic.warning("W0706", "`" + s.name() + "` is never used", s.nameSpan(), "unused")
            .withHelp("remove it, or use it in `loss`"));
      }
    }
    interpolation(p, byName);
  }

  private void call(Ast.CallExpr c, Model.Phase p, Map<String, Ast.Stmt> byName) {
    if (c.callee().equals("norm")) {
      for (Ast.ExprArg a : c.args()) {
        if (a.key().isPresent() && a.value() instanceof Ast.ListExpr axes) normAxes(c, axes, p);
      }
    }
    if (c.callee().equals("grad") && c.args().size() == 2 && c.args().get(0).value() instanceof Ast.CallExpr app) {
      Optional<Model.Network> net = model.network(app.callee());
      if (net.isPresent() && net.get().has(LayerSpec.BatchNorm.class)) {
        Model.Layer bn = net.get().leaves().stream().filter(l -> l.spec() instanceof LayerSpec.BatchNorm).findFirst().get();
        diags.add(Diagnostic.warning("W0703", "gradient penalty on `" + net.get().name()
                + "`, whose batchnorm mixes the samples of a batch", c.span(), "per-sample penalty")
            .withNote("`" + net.get().name() + "` normalises across the batch at line " + bn.span().line()
                + ", so each sample's gradient depends on the others")
            .withHelp("use `layernorm` (or no normalisation) in the critic, as the WGAN-GP paper recommends"));
      }
    }
  }

  private void normAxes(Ast.CallExpr c, Ast.ListExpr axes, Model.Phase p) {
    Ast.Expr x = c.args().stream().filter(a -> a.key().isEmpty()).findFirst().get().value();
    Model.Type t = p.type(x);
    if (!t.batched()) return;
    Set<Integer> given = new HashSet<>();
    for (Ast.Expr e : axes.items()) given.add((int) ((Ast.Number) e).value());
    List<Integer> missing = new ArrayList<>();
    for (int i = 1; i <= t.rank(); i++) if (!given.contains(i)) missing.add(i);
    String all = "[" + String.join(", ", java.util.stream.IntStream.rangeClosed(1, t.rank())
        .mapToObj(Integer::toString).toList()) + "]";
    String input = "input is a batch [B, " + String.join(", ", t.shape().stream().map(Object::toString).toList()) + "]";
    if (given.contains(0)) {
      diags.add(Diagnostic.warning("W0701", "gradient penalty norm is taken over the batch", axes.span(),
          input + "; axis 0 is the batch").withHelp("a penalty's norm is per sample: use `axes=" + all + "` or leave `axes` out"));
    } else if (!missing.isEmpty()) {
      diags.add(Diagnostic.warning("W0701", "gradient penalty norm must reduce every non-batch axis", axes.span(),
          input + "; axes " + String.join(" and ", missing.stream().map(Object::toString).toList()) + " stay unreduced")
          .withHelp("use `axes=" + all + "` or leave `axes` out"));
    }
  }

  /** `xhat = a + alpha * (b - a)` or `alpha * a + (1 - alpha) * b` with `alpha` a draw. */
  private void interpolation(Model.Phase p, Map<String, Ast.Stmt> byName) {
    for (Ast.Stmt s : p.stmts()) {
      if (!(s instanceof Ast.Let l)) continue;
      Optional<String> coef = coefficient(l.expr());
      if (coef.isEmpty() || !(byName.get(coef.get()) instanceof Ast.Sample draw)) continue;
      if (!(draw.source() instanceof Ast.DistSource d)) continue;
      Optional<Model.Distribution> dist = Checker.distribution(d.dist(), new Diagnostics());
      boolean uniform01 = dist.isPresent() && dist.get() instanceof Model.Uniform u && u.lo() == 0 && u.hi() == 1;
      boolean perSample = draw.shape() instanceof Ast.PerSample;
      if (uniform01 && perSample) continue;
      String found = (dist.map(x -> x instanceof Model.Normal n ? "normal(" + Args.fmt(n.mean()) + ", " + Args.fmt(n.std()) + ")"
          : "uniform(" + Args.fmt(((Model.Uniform) x).lo()) + ", " + Args.fmt(((Model.Uniform) x).hi()) + ")").orElse("?"))
          + (perSample ? " per sample" : " per element");
      diags.add(Diagnostic.warning("W0702", "interpolation coefficient `" + draw.name() + "` is not uniform on [0, 1] per sample",
              switch (draw.shape()) {
                case Ast.Like like -> like.span();
                case Ast.Explicit e -> e.shape().span();
                case Ast.PerSample ps -> d.dist().span();
                case Ast.Unspecified un -> draw.span();
              }, "drawn " + found)
          .withNote("`" + l.name() + "` at line " + l.span().line() + " interpolates with it; points outside the segment "
              + "between real and fake samples are penalised too")
          .withHelp("the WGAN-GP paper (Gulrajani et al. 2017, Algorithm 1) draws `" + draw.name()
              + " ~ uniform(0, 1) per sample`"));
    }
  }

  private static Optional<String> coefficient(Ast.Expr e) {
    if (!(e instanceof Ast.Binary add) || !add.op().equals("+")) return Optional.empty();
    for (Ast.Expr side : List.of(add.left(), add.right())) {
      if (side instanceof Ast.Binary mul && mul.op().equals("*")) {
        if (mul.left() instanceof Ast.Name n && isDifference(mul.right())) return Optional.of(n.name());
        if (mul.right() instanceof Ast.Name n && isDifference(mul.left())) return Optional.of(n.name());
        if (mul.left() instanceof Ast.Name n && mul.right() instanceof Ast.Name && isOneMinus(other(add, side))) {
          return Optional.of(n.name());
        }
      }
    }
    return Optional.empty();
  }

  private static Ast.Expr other(Ast.Binary add, Ast.Expr side) { return side == add.left() ? add.right() : add.left(); }

  private static boolean isDifference(Ast.Expr e) { return e instanceof Ast.Binary b && b.op().equals("-"); }

  private static boolean isOneMinus(Ast.Expr e) {
    return e instanceof Ast.Binary mul && mul.op().equals("*")
        && (isOneMinusName(mul.left()) || isOneMinusName(mul.right()));
  }

  private static boolean isOneMinusName(Ast.Expr e) {
    return e instanceof Ast.Binary b && b.op().equals("-") && b.left() instanceof Ast.Number n && n.value() == 1
        && b.right() instanceof Ast.Name;
  }

  private void clipping() {
    Set<String> trained = new HashSet<>();
    for (Model.Update u : model.training().updates()) trained.addAll(u.trains());
    for (Model.Network net : model.networks()) {
      for (Model.Layer l : net.leaves()) {
        for (Model.Param p : l.params()) {
          if (p.clip().isPresent() && p.kind() == Model.ParamKind.WEIGHT && !trained.contains(p.name())) {
            diags.add(Diagnostic.warning("W0704", "`" + p.name() + "` is clipped but no update trains it", clipSpan(l),
                "clip on an untrained parameter").withHelp("train `" + net.name() + "` in an update, or remove `clip`"));
          }
        }
      }
    }
    for (Model.Update u : model.training().updates()) {
      Optional<String> clipped = u.trains().stream().filter(name -> param(name).flatMap(Model.Param::clip).isPresent()).findFirst();
      if (clipped.isPresent() && u.optimizer().hasMomentum()) {
        Ast.UpdateDecl decl = model.ast().trains().getFirst().updates().stream()
            .filter(d -> d.span().equals(u.span())).findFirst().get();
        String what = u.role() == Ast.Role.CRITIC ? "a clipped critic" : "clipped weights";
        diags.add(Diagnostic.warning("W0705", "optimiser with momentum on " + what, decl.optimizer().span(),
                "`" + decl.optimizer().name() + "` keeps momentum")
            .withNote("`" + clipped.get() + "` is clipped after every update")
            .withHelp("the WGAN paper (Arjovsky et al. 2017) found momentum unstable with clipping and uses `rmsprop(lr=5e-5)`"));
      }
    }
  }

  private Optional<Model.Param> param(String name) {
    return model.networks().stream().flatMap(n -> n.params().stream()).filter(p -> p.name().equals(name)).findFirst();
  }

  private wganc.diag.Span clipSpan(Model.Layer l) {
    List<Ast.LayerNode> top = new ArrayList<>();
    model.ast().networks().forEach(n -> top.addAll(n.layers()));
    model.ast().blocks().forEach(b -> top.addAll(b.layers()));
    Ast.Layer layer = plainLayers(top).filter(x -> x.span().equals(l.span())).findFirst().get();
    return layer.args().stream().filter(a -> a.key().isPresent() && a.key().get().equals("clip"))
        .map(Ast.Arg::span).findFirst().orElse(l.span());
  }

  /** The layer statements in {@code nodes}, those in residual and concatenation branches included. */
  private static java.util.stream.Stream<Ast.Layer> plainLayers(List<Ast.LayerNode> nodes) {
    return nodes.stream().flatMap(n -> switch (n) {
      case Ast.Layer l -> java.util.stream.Stream.of(l);
      case Ast.Residual r -> java.util.stream.Stream.concat(plainLayers(r.branch().layers()),
          r.shortcut().map(s -> plainLayers(s.layers())).orElse(java.util.stream.Stream.empty()));
      case Ast.Concat c -> c.branches().stream().flatMap(g -> plainLayers(g.layers()));
      case Ast.ConcatInput c -> java.util.stream.Stream.empty();
    });
  }

  static void walk(Ast.Expr e, java.util.function.Consumer<Ast.Expr> visit) {
    visit.accept(e);
    switch (e) {
      case Ast.Unary u -> walk(u.operand(), visit);
      case Ast.Binary b -> { walk(b.left(), visit); walk(b.right(), visit); }
      case Ast.CallExpr c -> c.args().forEach(a -> walk(a.value(), visit));
      case Ast.ListExpr l -> l.items().forEach(i -> walk(i, visit));
      default -> {}
    }
  }
}

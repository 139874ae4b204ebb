package wganc.check;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import wganc.check.Model.Type;
import wganc.diag.Diagnostic;
import wganc.syntax.Ast;

/**
 * Types of train-block expressions. A value is either a batch of per-sample tensors (data, noise,
 * network outputs, draws) or a whole-batch value (numbers, `mean`, `sum`). Arithmetic needs equal
 * per-sample shapes or a scalar on one side; `mean` and `sum` reduce everything; `norm` reduces each
 * sample (or the given axes, the batch being axis 0); `grad(y, x)` has the type of `x`.
 */
final class Exprs {
  private final TrainChecker tc;
  private final Map<String, Type> env;
  /** Names whose definition failed to check: already reported, so their uses stay silent. */
  private final Set<String> failed;
  /** Where the type of every expression that types is recorded (by identity), for the stages after checking. */
  private final Map<Ast.Expr, Type> typed;

  Exprs(TrainChecker tc, Map<String, Type> env, Set<String> failed, Map<Ast.Expr, Type> typed) {
    this.tc = tc;
    this.env = env;
    this.failed = failed;
    this.typed = typed;
  }

  /** The type of {@code e}, recorded with those of its subexpressions; empty after reporting why it has none. */
  Optional<Type> type(Ast.Expr e) {
    Optional<Type> t = infer(e);
    t.ifPresent(x -> typed.put(e, x));
    return t;
  }

  private Optional<Type> infer(Ast.Expr e) {
    return switch (e) {
      case Ast.Number n -> Optional.of(Type.SCALAR);
      case Ast.Name n -> name(n);
      case Ast.Unary u -> type(u.operand());
      case Ast.Binary b -> binary(b);
      case Ast.CallExpr c -> call(c);
      case Ast.ListExpr l -> {
        error("E0601", "a list is not a value here", l.span(), "list", "lists are only for `axes=[...]` of `norm`");
        yield Optional.empty();
      }
    };
  }

  private Optional<Type> name(Ast.Name n) {
    Type t = env.get(n.name());
    if (t != null) return Optional.of(t);
    if (failed.contains(n.name())) return Optional.empty();
    if (tc.data().containsKey(n.name())) return Optional.of(new Type(true, tc.data().get(n.name()).shape()));
    if (tc.labels().containsKey(n.name())) return Optional.of(new Type(true, tc.labels().get(n.name()).shape()));
    if (tc.noise().containsKey(n.name())) return Optional.of(new Type(true, tc.noise().get(n.name()).shape()));
    if (tc.networks().containsKey(n.name())) {
      error("E0602", "network `" + n.name() + "` is not a value", n.span(), "a network",
          "apply it: `" + n.name() + "(x)`");
      return Optional.empty();
    }
    if (TrainChecker.FUNCTIONS.contains(n.name())) {
      error("E0602", "function `" + n.name() + "` is not a value", n.span(), "a function", "call it: `" + n.name() + "(x)`");
      return Optional.empty();
    }
    Set<String> known = new LinkedHashSet<>(env.keySet());
    known.addAll(tc.data().keySet());
    known.addAll(tc.labels().keySet());
    known.addAll(tc.noise().keySet());
    tc.unknownName(n.name(), n.span(), "name", known);
    return Optional.empty();
  }

  private Optional<Type> binary(Ast.Binary b) {
    Optional<Type> l = type(b.left());
    Optional<Type> r = type(b.right());
    if (l.isEmpty() || r.isEmpty()) return Optional.empty();
    if (b.op().equals("^")) {
      if (!(constant(b.right()))) {
        error("E0603", "the exponent of `^` must be a number", b.right().span(), "not a constant",
            "write e.g. `x^2`; use `exp(y * log(x))` for a variable exponent");
        return Optional.empty();
      }
      return l;
    }
    Type lt = l.get(), rt = r.get();
    boolean batched = lt.batched() || rt.batched();
    if (lt.shape().equals(rt.shape())) return Optional.of(new Type(batched, lt.shape()));
    if (lt.shape().isEmpty()) return Optional.of(new Type(batched, rt.shape()));
    if (rt.shape().isEmpty()) return Optional.of(new Type(batched, lt.shape()));
    tc.diags().add(Diagnostic.error("E0604", "`" + b.op() + "` needs equal shapes or a scalar side", b.opSpan(),
            "left is " + lt + ", right is " + rt)
        .withHelp("reduce one side first, e.g. with `norm(...)` or `mean(...)`"));
    return Optional.empty();
  }

  private static boolean constant(Ast.Expr e) {
    return switch (e) {
      case Ast.Number n -> true;
      case Ast.Unary u -> constant(u.operand());
      default -> false;
    };
  }

  private Optional<Type> call(Ast.CallExpr c) {
    Model.Network net = tc.networks().get(c.callee());
    if (net != null) return apply(net, c);
    if (!TrainChecker.FUNCTIONS.contains(c.callee())) {
      Set<String> known = new LinkedHashSet<>(TrainChecker.FUNCTIONS);
      known.addAll(tc.networks().keySet());
      String help = wganc.diag.Suggest.didYouMean(c.callee(), known);
      tc.diags().add(Diagnostic.error("E0605", "unknown function `" + c.callee() + "`", c.calleeSpan(), "not defined")
          .withHelp(help != null ? help : "functions are " + String.join(", ", TrainChecker.FUNCTIONS.stream()
              .map(f -> "`" + f + "`").toList()) + "; networks are " + String.join(", ", tc.networks().keySet().stream()
              .map(f -> "`" + f + "`").toList())));
      return Optional.empty();
    }
    return switch (c.callee()) {
      case "grad" -> grad(c);
      case "norm" -> norm(c);
      case "mean", "sum" -> {
        if (!arity(c, 1)) yield Optional.empty();
        yield type(c.args().getFirst().value()).map(t -> Type.SCALAR);
      }
      default -> {
        if (!arity(c, 1)) yield Optional.empty();
        yield type(c.args().getFirst().value());
      }
    };
  }

  private boolean arity(Ast.CallExpr c, int n) {
    for (Ast.ExprArg a : c.args()) {
      if (a.key().isPresent()) {
        tc.diags().add(Diagnostic.error("E0103", "`" + c.callee() + "` has no argument `" + a.key().get() + "`", a.keySpan(),
            "unknown argument").withHelp("`" + c.callee() + "` takes " + n + " positional argument" + (n == 1 ? "" : "s")));
        return false;
      }
    }
    if (c.args().size() != n) {
      tc.diags().add(Diagnostic.error("E0606", "`" + c.callee() + "` takes " + n + " argument" + (n == 1 ? "" : "s")
          + ", found " + c.args().size(), c.span(), "wrong number of arguments").withHelp(usage(c.callee())));
      return false;
    }
    return true;
  }

  static String usage(String f) {
    return switch (f) {
      case "grad" -> "write `grad(D(xhat), xhat)`";
      case "norm" -> "write `norm(g)` (per sample, over every non-batch axis)";
      default -> "write `" + f + "(x)`";
    };
  }

  private Optional<Type> apply(Model.Network net, Ast.CallExpr c) {
    List<Ast.ExprArg> positional = new ArrayList<>();
    for (Ast.ExprArg a : c.args()) {
      if (a.key().isEmpty()) { positional.add(a); continue; }
      if (!a.key().get().equals("training")) {
        tc.diags().add(Diagnostic.error("E0103", "network `" + net.name() + "` has no argument `" + a.key().get() + "`",
            a.keySpan(), "unknown argument").withHelp("networks take their input and, optionally, `training=false`"));
        return Optional.empty();
      }
      if (!(a.value() instanceof Ast.Name n && (n.name().equals("true") || n.name().equals("false")))) {
        tc.diags().add(Diagnostic.error("E0110", "`training` must be `true` or `false`", a.value().span(), "not a boolean"));
        return Optional.empty();
      }
    }
    List<String> params = new ArrayList<>(List.of(net.param()));
    net.extra().forEach(x -> params.add(x.name()));
    if (positional.size() != net.arity()) {
      tc.diags().add(Diagnostic.error("E0606", "network `" + net.name() + "` takes " + net.arity() + " input"
              + (net.arity() == 1 ? "" : "s") + ", found " + positional.size(), c.span(), "wrong number of inputs")
          .withHelp("write `" + net.name() + "(" + String.join(", ", params) + ")`"));
      return Optional.empty();
    }
    boolean ok = true;
    for (int i = 0; i < positional.size(); i++) {
      List<Integer> shape = i == 0 ? net.in() : net.extra().get(i - 1).shape();
      Optional<Type> in = type(positional.get(i).value());
      if (in.isEmpty()) {
        ok = false;
        continue;
      }
      Type t = in.get();
      if (!t.batched() || !t.shape().equals(shape)) {
        tc.diags().add(Diagnostic.error("E0607", "network `" + net.name() + "` expects a batch of " + shape
                + (net.arity() == 1 ? "" : " as `" + params.get(i) + "`") + ", found " + t,
            positional.get(i).value().span(), "this is " + t).withHelp(t.batched()
                ? "its input `" + params.get(i) + "` is declared " + shape
                : "networks take batches (data, noise or values computed from them)"));
        ok = false;
      }
    }
    return ok ? Optional.of(new Type(true, net.out())) : Optional.empty();
  }

  private Optional<Type> grad(Ast.CallExpr c) {
    if (!arity(c, 2)) return Optional.empty();
    Ast.Expr of = c.args().get(0).value();
    Ast.Expr wrt = c.args().get(1).value();
    Optional<Type> y = type(of);
    if (y.isEmpty()) return Optional.empty();
    if (!(wrt instanceof Ast.Name n)) {
      error("E0608", "`grad` differentiates with respect to a name", wrt.span(), "not a name",
          "bind the value first: `xhat = ...`, then `grad(D(xhat), xhat)`");
      return Optional.empty();
    }
    Optional<Type> x = type(wrt);
    if (x.isEmpty()) return Optional.empty();
    if (!x.get().batched()) {
      error("E0609", "`grad` with respect to `" + n.name() + "`, which is " + x.get(), wrt.span(), "not a batch",
          "differentiate with respect to a batch value such as `xhat`");
      return Optional.empty();
    }
    if (!y.get().shape().isEmpty() && y.get().shape().stream().mapToInt(Integer::intValue).reduce(1, (a, b) -> a * b) != 1) {
      error("E0610", "`grad` needs one score per sample, found " + y.get(), of.span(), "not a score",
          "reduce it per sample first, e.g. with `norm(...)`");
      return Optional.empty();
    }
    return x;
  }

  private Optional<Type> norm(Ast.CallExpr c) {
    List<Ast.ExprArg> pos = c.args().stream().filter(a -> a.key().isEmpty()).toList();
    Ast.ExprArg axesArg = null;
    for (Ast.ExprArg a : c.args()) {
      if (a.key().isEmpty()) continue;
      if (!a.key().get().equals("axes")) {
        tc.diags().add(Diagnostic.error("E0103", "`norm` has no argument `" + a.key().get() + "`", a.keySpan(),
            "unknown argument").withHelp("`norm` takes a value and, optionally, `axes=[...]`"));
        return Optional.empty();
      }
      axesArg = a;
    }
    if (pos.size() != 1) {
      tc.diags().add(Diagnostic.error("E0606", "`norm` takes 1 argument, found " + pos.size(), c.span(),
          "wrong number of arguments").withHelp(usage("norm")));
      return Optional.empty();
    }
    Optional<Type> x = type(pos.getFirst().value());
    if (x.isEmpty()) return Optional.empty();
    Type t = x.get();
    if (axesArg == null) return Optional.of(t.batched() ? new Type(true, List.of()) : Type.SCALAR);
    if (!(axesArg.value() instanceof Ast.ListExpr l) || l.items().isEmpty()) {
      error("E0611", "`axes` must be a list of axis numbers", axesArg.value().span(), "not a list", "write e.g. `axes=[1, 2, 3]`");
      return Optional.empty();
    }
    int rank = t.rank() + (t.batched() ? 1 : 0);
    Set<Integer> axes = new LinkedHashSet<>();
    for (Ast.Expr item : l.items()) {
      if (!(item instanceof Ast.Number num) || !num.integral() || num.value() >= rank) {
        error("E0612", "axis out of range for " + t, item.span(), "not an axis",
            "axes run from 0 (the batch) to " + (rank - 1));
        return Optional.empty();
      }
      if (!axes.add((int) num.value())) {
        error("E0612", "axis " + (int) num.value() + " is listed twice", item.span(), "repeated", "list each axis once");
        return Optional.empty();
      }
    }
    // remaining axes after the reduction; lints judge whether this is what a penalty needs
    boolean batched = t.batched() && !axes.contains(0);
    List<Integer> rest = new ArrayList<>();
    int offset = t.batched() ? 1 : 0;
    for (int i = 0; i < t.rank(); i++) if (!axes.contains(i + offset)) rest.add(t.shape().get(i));
    return Optional.of(new Type(batched, rest));
  }

  private void error(String code, String message, wganc.diag.Span span, String label, String help) {
    tc.diags().add(Diagnostic.error(code, message, span, label).withHelp(help));
  }
}

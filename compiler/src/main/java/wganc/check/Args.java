package wganc.check;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import wganc.diag.Diagnostic;
import wganc.diag.Span;
import wganc.diag.Suggest;
import wganc.syntax.Ast;

/**
 * Reads the arguments of a layer or a call against a declared list of keywords: positional arguments
 * fill keywords in order, unknown or repeated keywords are errors with a "did you mean".
 */
final class Args {
  private final String owner;
  private final Span ownerSpan;
  private final Map<String, Ast.Arg> byKey = new LinkedHashMap<>();
  private final Diagnostics diags;

  private Args(String owner, Span ownerSpan, Diagnostics diags) {
    this.owner = owner;
    this.ownerSpan = ownerSpan;
    this.diags = diags;
  }

  /**
   * Binds {@code args} to {@code keywords}; {@code positional} of them (from the front) may be given
   * without a keyword. Returns empty when an error was reported.
   */
  static Optional<Args> bind(String owner, Span ownerSpan, List<Ast.Arg> args, List<String> keywords, int positional,
                             Diagnostics diags) {
    Args a = new Args(owner, ownerSpan, diags);
    int next = 0;
    boolean ok = true;
    for (Ast.Arg arg : args) {
      String key;
      if (arg.key().isEmpty()) {
        if (next >= positional) {
          String help = keywords.isEmpty() ? "remove it; `" + owner + "` takes no arguments"
              : positional == 0 ? "name the argument, e.g. `" + keywords.getFirst() + "=...`"
              : "`" + owner + "` takes " + positional + " positional argument" + (positional == 1 ? "" : "s")
                + "; name the others (" + String.join(", ", keywords.stream().map(k -> "`" + k + "=`").toList()) + ")";
          diags.add(Diagnostic.error("E0102", "too many positional arguments for `" + owner + "`", arg.span(),
              "unexpected argument").withHelp(help));
          ok = false;
          continue;
        }
        key = keywords.get(next++);
      } else {
        key = arg.key().get();
        if (!keywords.contains(key)) {
          String help = Suggest.didYouMean(key, keywords);
          diags.add(Diagnostic.error("E0103", "`" + owner + "` has no argument `" + key + "`", arg.keySpan(),
              "unknown argument").withHelp(help != null ? help
                  : keywords.isEmpty() ? "`" + owner + "` takes no arguments"
                  : "it takes " + String.join(", ", keywords.stream().map(k -> "`" + k + "`").toList())));
          ok = false;
          continue;
        }
      }
      if (a.byKey.containsKey(key)) {
        diags.add(Diagnostic.error("E0104", "argument `" + key + "` given twice", arg.span(), "repeated here")
            .withHelp("remove one of them"));
        ok = false;
        continue;
      }
      a.byKey.put(key, arg);
    }
    return ok ? Optional.of(a) : Optional.empty();
  }

  boolean has(String key) { return byKey.containsKey(key); }

  Optional<Ast.Arg> arg(String key) { return Optional.ofNullable(byKey.get(key)); }

  Span spanOf(String key) { return byKey.containsKey(key) ? byKey.get(key).span() : ownerSpan; }

  Set<String> keys() { return byKey.keySet(); }

  /** A finite number; {@code min}/{@code max} bound it (inclusive unless stated in the message). */
  Optional<Double> number(String key, double dflt, double min, double max, boolean minExclusive) {
    Ast.Arg a = byKey.get(key);
    if (a == null) return Optional.of(dflt);
    return number(a, min, max, minExclusive);
  }

  Optional<Double> requiredNumber(String key, double min, double max, boolean minExclusive, String example) {
    Ast.Arg a = byKey.get(key);
    if (a == null) {
      diags.add(Diagnostic.error("E0105", "`" + owner + "` needs `" + key + "`", ownerSpan, "missing `" + key + "`")
          .withHelp("write e.g. `" + example + "`"));
      return Optional.empty();
    }
    return number(a, min, max, minExclusive);
  }

  private Optional<Double> number(Ast.Arg a, double min, double max, boolean minExclusive) {
    String key = a.key().orElse("argument");
    if (!(a.value() instanceof Ast.Num n)) {
      diags.add(Diagnostic.error("E0106", "`" + key + "` of `" + owner + "` must be a number", a.value().span(),
          "found " + describe(a.value())));
      return Optional.empty();
    }
    double v = n.value();
    if (!Double.isFinite(v) || v < min || v > max || (minExclusive && v == min)) {
      String range = (minExclusive ? "(" : "[") + fmt(min) + ", " + fmt(max) + "]";
      diags.add(Diagnostic.error("E0107", "`" + key + "` of `" + owner + "` is out of range", n.span(),
          "must lie in " + range));
      return Optional.empty();
    }
    return Optional.of(v);
  }

  /** A positive integer or a list of {@code n} of them, e.g. `kernel=4` or `kernel=[4, 3]`. */
  Optional<int[]> ints(String key, int n, int[] dflt, int min) {
    Ast.Arg a = byKey.get(key);
    if (a == null) return Optional.ofNullable(dflt);
    List<Ast.Value> items = a.value() instanceof Ast.ListValue l ? l.items() : List.of(a.value());
    boolean listGiven = a.value() instanceof Ast.ListValue;
    if (listGiven && items.size() != n && !(n == 4 && items.size() == 2)) {
      diags.add(Diagnostic.error("E0108", "`" + key + "` of `" + owner + "` takes 1 or " + n + " integers", a.value().span(),
          "found " + items.size()));
      return Optional.empty();
    }
    List<Integer> vals = new ArrayList<>();
    for (Ast.Value v : items) {
      if (!(v instanceof Ast.Num num) || !num.integral() || num.value() < min || num.value() > 1_000_000) {
        diags.add(Diagnostic.error("E0109", "`" + key + "` of `" + owner + "` must be " + (min > 0 ? "a positive" : "a non-negative")
            + " integer", v.span(), "found " + describe(v)));
        return Optional.empty();
      }
      vals.add((int) num.value());
    }
    int[] out = new int[n];
    if (vals.size() == 1) java.util.Arrays.fill(out, vals.get(0));
    else if (vals.size() == 2 && n == 4) { out[0] = out[1] = vals.get(0); out[2] = out[3] = vals.get(1); }
    else for (int i = 0; i < n; i++) out[i] = vals.get(i);
    return Optional.of(out);
  }

  Optional<Boolean> bool(String key, boolean dflt) {
    Ast.Arg a = byKey.get(key);
    if (a == null) return Optional.of(dflt);
    if (a.value() instanceof Ast.Ident id && (id.name().equals("true") || id.name().equals("false"))) {
      return Optional.of(id.name().equals("true"));
    }
    diags.add(Diagnostic.error("E0110", "`" + key + "` of `" + owner + "` must be `true` or `false`", a.value().span(),
        "found " + describe(a.value())));
    return Optional.empty();
  }

  /** One of the given words, e.g. `padding=same`. */
  Optional<String> word(String key, String dflt, List<String> allowed) {
    Ast.Arg a = byKey.get(key);
    if (a == null) return Optional.of(dflt);
    if (a.value() instanceof Ast.Ident id && allowed.contains(id.name())) return Optional.of(id.name());
    String found = describe(a.value());
    Diagnostic d = Diagnostic.error("E0111", "`" + key + "` of `" + owner + "` must be one of "
        + String.join(", ", allowed.stream().map(s -> "`" + s + "`").toList()), a.value().span(), "found " + found);
    if (a.value() instanceof Ast.Ident id) d = d.withHelp(Suggest.didYouMean(id.name(), allowed));
    diags.add(d);
    return Optional.empty();
  }

  static String describe(Ast.Value v) {
    return switch (v) {
      case Ast.Num n -> "number `" + fmt(n.value()) + "`";
      case Ast.Str s -> "string \"" + s.value() + "\"";
      case Ast.Ident i -> "`" + i.name() + "`";
      case Ast.ListValue l -> "a list";
      case Ast.Call c -> "`" + c.name() + "(...)`";
    };
  }

  static String fmt(double v) {
    if (v == Math.rint(v) && Math.abs(v) < 1e15) return Long.toString((long) v);
    return Double.toString(v);
  }
}

package wganc.check;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import wganc.check.Model.Init;
import wganc.diag.Diagnostic;
import wganc.diag.Span;
import wganc.diag.Suggest;
import wganc.syntax.Ast;

/**
 * Reads network declarations: the input and output shapes, then each layer statement through its
 * kind in {@link LayerSpec} (which defines the layers), inferring shapes layer by layer; and the
 * initialisers of `init=` and `bias_init=`.
 */
final class Networks {
  private final Diagnostics diags;

  Networks(Diagnostics diags) { this.diags = diags; }

  Optional<Model.Network> network(Ast.NetworkDecl net) {
    List<Integer> in = dims(net.in(), "input");
    List<Integer> declaredOut = dims(net.out(), "output");
    if (in == null || declaredOut == null) return Optional.empty();
    List<Model.Layer> layers = new ArrayList<>();
    List<Integer> shape = in;
    boolean ok = true;
    for (int i = 0; i < net.layers().size(); i++) {
      Ast.Layer layer = net.layers().get(i);
      Optional<Model.Layer> l = layer(net.name(), i, layer, shape);
      if (l.isEmpty()) { ok = false; break; }
      layers.add(l.get());
      shape = l.get().out();
    }
    if (!ok) return Optional.empty();
    if (!shape.equals(declaredOut)) {
      Span at = net.layers().isEmpty() ? net.out().span() : net.layers().getLast().span();
      diags.add(Diagnostic.error("E0201", "network `" + net.name() + "` returns " + shape + " but declares " + declaredOut,
              net.out().span(), "declared " + declaredOut)
          .withNote((net.layers().isEmpty() ? "its input" : "its last layer (line " + at.line() + ")") + " gives " + shape)
          .withHelp(net.layers().isEmpty() ? "add layers" : "declare `-> " + shape + "` or change the layers"));
      return Optional.empty();
    }
    return Optional.of(new Model.Network(net.name(), net.param(), in, declaredOut, layers, net.span()));
  }

  private List<Integer> dims(Ast.Shape s, String what) {
    for (int d : s.dims()) {
      if (d <= 0 || d > 1_000_000) {
        diags.add(Diagnostic.error("E0202", "dimensions must be positive integers", s.span(), "found " + s.dims())
            .withHelp("the batch axis is implicit; write per-sample shapes such as `[1, 28, 28]`"));
        return null;
      }
    }
    if (s.dims().isEmpty()) {
      diags.add(Diagnostic.error("E0203", "the " + what + " shape is empty", s.span(), "no dimensions")
          .withHelp("write per-sample shapes such as `[128]` or `[1, 28, 28]`"));
      return null;
    }
    return s.dims();
  }

  private Optional<Model.Layer> layer(String net, int index, Ast.Layer l, List<Integer> in) {
    Optional<LayerSpec.Kind> kind = LayerSpec.kind(l.kind());
    if (kind.isEmpty()) {
      List<String> names = LayerSpec.KINDS.stream().map(LayerSpec.Kind::name).toList();
      String help = Suggest.didYouMean(l.kind(), names);
      diags.add(Diagnostic.error("E0204", "unknown layer `" + l.kind() + "`", l.kindSpan(), "not a layer")
          .withHelp(help != null ? help : "layers are " + String.join(", ", names.stream().sorted()
              .map(k -> "`" + k + "`").toList())));
      return Optional.empty();
    }
    LayerSpec.Kind k = kind.get();
    Optional<Args> bound = Args.bind(l.kind(), l.kindSpan(), l.args(), k.keywords(), k.positional(), diags);
    if (bound.isEmpty()) return Optional.empty();
    return k.read().apply(new LayerStatement(l, bound.get(), in, net, index, diags));
  }

  private static final List<String> INITS = List.of("glorot_uniform", "glorot_normal", "he_uniform", "he_normal",
      "zeros", "ones", "normal", "uniform", "constant");

  static Optional<Init> init(Ast.Value v, Diagnostics diags) {
    String name = v instanceof Ast.Ident id ? id.name() : v instanceof Ast.Call c ? c.name() : null;
    if (name == null || !INITS.contains(name)) {
      Diagnostic d = Diagnostic.error("E0210", "unknown initialiser " + Args.describe(v), v.span(), "not an initialiser");
      String help = name == null ? null : Suggest.didYouMean(name, INITS);
      diags.add(d.withHelp(help != null ? help : "initialisers are " + String.join(", ",
          INITS.stream().map(s -> "`" + s + "`").toList())));
      return Optional.empty();
    }
    boolean takesArgs = name.equals("normal") || name.equals("uniform") || name.equals("constant");
    if (v instanceof Ast.Ident && takesArgs) {
      diags.add(Diagnostic.error("E0211", "`" + name + "` needs arguments", v.span(), "no arguments")
          .withHelp(name.equals("normal") ? "write e.g. `normal(0, 0.02)`" : name.equals("uniform")
              ? "write e.g. `uniform(-0.05, 0.05)`" : "write e.g. `constant(0.1)`"));
      return Optional.empty();
    }
    if (v instanceof Ast.Call c && !takesArgs) {
      diags.add(Diagnostic.error("E0212", "`" + name + "` takes no arguments", c.span(), "arguments given")
          .withHelp("write `" + name + "`"));
      return Optional.empty();
    }
    return switch (name) {
      case "glorot_uniform" -> Optional.of(new Init.Glorot(true));
      case "glorot_normal" -> Optional.of(new Init.Glorot(false));
      case "he_uniform" -> Optional.of(new Init.He(true));
      case "he_normal" -> Optional.of(new Init.He(false));
      case "zeros" -> Optional.of(new Init.Constant(0));
      case "ones" -> Optional.of(new Init.Constant(1));
      default -> {
        Ast.Call c = (Ast.Call) v;
        List<String> kw = switch (name) {
          case "normal" -> List.of("mean", "std");
          case "uniform" -> List.of("lo", "hi");
          default -> List.of("value");
        };
        Optional<Args> b = Args.bind(name, c.nameSpan(), c.args(), kw, kw.size(), diags);
        if (b.isEmpty()) yield Optional.empty();
        Args args = b.get();
        yield switch (name) {
          case "normal" -> {
            var mean = args.number("mean", 0, -1e6, 1e6, false);
            var std = args.requiredNumber("std", 0, 1e6, true, "normal(0, 0.02)");
            yield mean.isEmpty() || std.isEmpty() ? Optional.empty() : Optional.of(new Init.Normal(mean.get(), std.get()));
          }
          case "uniform" -> {
            var lo = args.requiredNumber("lo", -1e6, 1e6, false, "uniform(-0.05, 0.05)");
            var hi = args.requiredNumber("hi", -1e6, 1e6, false, "uniform(-0.05, 0.05)");
            if (lo.isEmpty() || hi.isEmpty()) yield Optional.empty();
            if (hi.get() <= lo.get()) {
              diags.add(Diagnostic.error("E0213", "`uniform` needs lo < hi", c.span(), "empty range"));
              yield Optional.empty();
            }
            yield Optional.of(new Init.Uniform(lo.get(), hi.get()));
          }
          default -> {
            var value = args.requiredNumber("value", -1e6, 1e6, false, "constant(0.1)");
            yield value.map(Init.Constant::new);
          }
        };
      }
    };
  }
}

package wganc.check;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import wganc.check.Model.Init;
import wganc.diag.Diagnostic;
import wganc.diag.Span;
import wganc.diag.Suggest;
import wganc.syntax.Ast;

/**
 * Reads network declarations: the input and output shapes, then each layer statement through its
 * kind in {@link LayerSpec} (which defines the layers), inferring shapes layer by layer; residual
 * sums and concatenations through each branch; `concat NAME` of an input after the first; uses of
 * `block` declarations by substituting their arguments into the block's statements; and the
 * initialisers of `init=` and `bias_init=`.
 */
final class Networks {
  private final Diagnostics diags;
  private final Map<String, Ast.BlockDecl> blocks;

  Networks(Diagnostics diags, List<Ast.BlockDecl> blocks) {
    this.diags = diags;
    this.blocks = new LinkedHashMap<>();
    for (Ast.BlockDecl b : blocks) {
      if (LayerSpec.kind(b.name()).isPresent()) {
        diags.add(Diagnostic.error("E0215", "block `" + b.name() + "` has the name of a layer", b.nameSpan(),
            "a layer's name").withHelp("rename the block"));
        continue;
      }
      Set<String> seen = new HashSet<>();
      for (Ast.BlockParam p : b.params()) {
        if (!seen.add(p.name())) {
          diags.add(Diagnostic.error("E0301", "`" + p.name() + "` is declared twice", p.span(), "declared again here")
              .withHelp("give each parameter of `" + b.name() + "` its own name"));
        }
      }
      this.blocks.putIfAbsent(b.name(), b);
    }
  }

  Optional<Model.Network> network(Ast.NetworkDecl net) {
    List<Integer> in = dims(net.in(), "input");
    List<Integer> declaredOut = dims(net.out(), "output");
    if (in == null || declaredOut == null) return Optional.empty();
    Map<String, Model.Input> inputs = inputs(net);
    if (inputs == null) return Optional.empty();
    Set<String> joined = new HashSet<>();
    Optional<List<Model.Layer>> read = sequence(new Where(net.name(), "", Map.of(), List.of(), inputs, joined),
        net.layers(), in);
    if (read.isEmpty()) return Optional.empty();
    List<Model.Layer> layers = read.get();
    for (Ast.Input x : net.extra()) {
      if (!joined.contains(x.name())) {
        return error(Diagnostic.error("E0232", "input `" + x.name() + "` of network `" + net.name() + "` is never used",
            x.nameSpan(), "not joined by any layer").withNote("an input after the first enters the network through `concat "
            + x.name() + "`").withHelp("add `concat " + x.name() + "` where the layers should see it"));
      }
    }
    List<Integer> shape = layers.isEmpty() ? in : layers.getLast().out();
    if (!shape.equals(declaredOut)) {
      Span at = net.layers().isEmpty() ? net.out().span() : net.layers().getLast().span();
      diags.add(Diagnostic.error("E0201", "network `" + net.name() + "` returns " + shape + " but declares " + declaredOut,
              net.out().span(), "declared " + declaredOut)
          .withNote((net.layers().isEmpty() ? "its input" : "its last layer (line " + at.line() + ")") + " gives " + shape)
          .withHelp(net.layers().isEmpty() ? "add layers" : "declare `-> " + shape + "` or change the layers"));
      return Optional.empty();
    }
    return Optional.of(new Model.Network(net.name(), net.param(), in, List.copyOf(inputs.values()), declaredOut, layers,
        net.span()));
  }

  /** The inputs after the first, by name: flat shapes, names distinct from the first; null after an error. */
  private Map<String, Model.Input> inputs(Ast.NetworkDecl net) {
    Map<String, Model.Input> inputs = new LinkedHashMap<>();
    for (Ast.Input x : net.extra()) {
      if (x.name().equals(net.param()) || inputs.containsKey(x.name())) {
        diags.add(Diagnostic.error("E0301", "`" + x.name() + "` is declared twice", x.nameSpan(), "declared again here")
            .withHelp("give each input of `" + net.name() + "` its own name"));
        return null;
      }
      List<Integer> shape = dims(x.shape(), "input");
      if (shape == null) return null;
      if (shape.size() != 1) {
        diags.add(Diagnostic.error("E0230", "input `" + x.name() + "` must be a flat vector [k], found " + shape,
                x.shape().span(), "declared " + shape)
            .withNote("inputs after the first are conditions (a one-hot class, an embedding) joined by `concat "
                + x.name() + "`").withHelp("declare it `" + x.name() + ": [" + LayerSpec.product(shape) + "]`"));
        return null;
      }
      inputs.put(x.name(), new Model.Input(x.name(), shape, x.nameSpan()));
    }
    return inputs;
  }

  /**
   * Where statements are read: the network, the path prefix of their parameters (`1.branch.`), the
   * values of the enclosing blocks' parameters, the block uses that led here (for recursion), the
   * network's inputs after the first and which of them a `concat NAME` has joined so far.
   */
  private record Where(String net, String prefix, Map<String, Ast.Value> bound, List<String> uses,
                       Map<String, Model.Input> inputs, Set<String> joined) {
    Where nested(String prefix) { return new Where(net, prefix, bound, uses, inputs, joined); }
  }

  /** Statements in order from {@code in}; empty after an error (reported). */
  private Optional<List<Model.Layer>> sequence(Where at, List<Ast.LayerNode> nodes, List<Integer> in) {
    for (int i = 0; i < nodes.size(); i++) {
      if (nodes.get(i) instanceof Ast.Layer p && at.bound().containsKey(p.kind())) return parameterAsLayer(nodes, i);
    }
    List<Model.Layer> layers = new ArrayList<>();
    List<Integer> shape = in;
    for (int i = 0; i < nodes.size(); i++) {
      Optional<Model.Layer> l = node(at, at.prefix() + i, nodes.get(i), shape);
      if (l.isEmpty()) return Optional.empty();
      layers.add(l.get());
      shape = l.get().out();
    }
    return Optional.of(layers);
  }

  /**
   * `conv c kernel=3` in a block with parameter `c`: a positional argument is a number, a list or a
   * string, so `c` reads as a layer statement of its own.
   */
  private Optional<List<Model.Layer>> parameterAsLayer(List<Ast.LayerNode> nodes, int i) {
    Ast.Layer p = (Ast.Layer) nodes.get(i);
    String help = "name the argument it gives, e.g. `conv filters=" + p.kind() + "`";
    if (i > 0 && nodes.get(i - 1) instanceof Ast.Layer prev) {
      var kind = LayerSpec.kind(prev.kind());
      if (kind.isPresent() && kind.get().positional() > 0) {
        help = "name the argument: `" + prev.kind() + " " + kind.get().keywords().getFirst() + "=" + p.kind() + "`";
      }
    }
    return error(Diagnostic.error("E0220", "block parameter `" + p.kind() + "` is written as a layer", p.kindSpan(),
        "read as a layer statement").withNote("a positional argument is a number, a list or a string; a parameter "
        + "is given by name").withHelp(help));
  }

  private static List<Integer> out(List<Model.Layer> layers, List<Integer> in) {
    return layers.isEmpty() ? in : layers.getLast().out();
  }

  private static List<Model.Param> params(List<Model.Layer> layers) {
    return layers.stream().flatMap(l -> l.params().stream()).toList();
  }

  private Optional<Model.Layer> node(Where at, String path, Ast.LayerNode node, List<Integer> in) {
    return switch (node) {
      case Ast.Layer l -> blocks.containsKey(l.kind()) ? block(at, path, l, in) : layer(at, path, l, in);
      case Ast.Residual r -> residual(at, path, r, in);
      case Ast.Concat c -> concat(at, path, c, in);
      case Ast.ConcatInput c -> concatInput(at, path, c, in);
    };
  }

  /**
   * `concat y`: the network input `y` [k] joined to {@code in} along its first axis: [n] gives
   * [n + k]; an image [c, h, w] gives [c + k, h, w], `y` repeated over every pixel.
   */
  private Optional<Model.Layer> concatInput(Where at, String path, Ast.ConcatInput c, List<Integer> in) {
    Model.Input x = at.inputs().get(c.input());
    if (x == null) {
      String help = Suggest.didYouMean(c.input(), at.inputs().keySet());
      return error(Diagnostic.error("E0231", "network `" + at.net() + "` has no input `" + c.input() + "` to join",
          c.inputSpan(), "not an input").withHelp(help != null ? help : at.inputs().isEmpty()
              ? "declare it after the first input: `network " + at.net() + "(x: [...], " + c.input() + ": [k])`"
              : "inputs to join: " + String.join(", ", at.inputs().keySet().stream().map(k -> "`" + k + "`").toList())));
    }
    if (in.size() != 1 && in.size() != 3) {
      return error(Diagnostic.error("E0233", "`concat " + c.input() + "` joins a flat [n] or an image [c, h, w], found " + in,
          c.keywordSpan(), "value is " + in).withHelp("add `flatten` before it"));
    }
    at.joined().add(c.input());
    List<Integer> out = new ArrayList<>(in);
    out.set(0, in.getFirst() + x.shape().getFirst());
    return Optional.of(new Model.Layer(path, new LayerSpec.ConcatInput(c.input()), in, List.copyOf(out), List.of(),
        c.span()));
  }

  private Optional<Model.Layer> residual(Where at, String path, Ast.Residual r, List<Integer> in) {
    var branch = sequence(at.nested(path + ".branch."), r.branch().layers(), in);
    if (branch.isEmpty()) return Optional.empty();
    var shortcut = r.shortcut().isEmpty() ? Optional.of(List.<Model.Layer>of())
        : sequence(at.nested(path + ".shortcut."), r.shortcut().get().layers(), in);
    if (shortcut.isEmpty()) return Optional.empty();
    List<Integer> b = out(branch.get(), in), s = out(shortcut.get(), in);
    if (!b.equals(s)) {
      Diagnostic d = r.shortcut().isPresent()
          ? Diagnostic.error("E0216", "the shortcut gives " + s + " but the residual branch gives " + b,
              r.shortcut().get().span(), "gives " + s)
          : Diagnostic.error("E0216", "the identity shortcut gives " + in + " but the residual branch gives " + b,
              r.keywordSpan(), "no shortcut: the input " + in);
      return error(d.withNote("a residual adds its branch (line " + r.branch().span().line() + ") and its shortcut, "
          + "so both must give the same shape").withHelp(shortcutHelp(in, b)));
    }
    List<Model.Param> ps = new ArrayList<>(params(branch.get()));
    ps.addAll(params(shortcut.get()));
    return Optional.of(new Model.Layer(path, new LayerSpec.Residual(branch.get(), shortcut.get()), in, b, ps, r.span()));
  }

  /** A shortcut mapping {@code in} to {@code out}: resampling, then a 1x1 conv for the channels. */
  private static String shortcutHelp(List<Integer> in, List<Integer> out) {
    if (in.size() != 3 || out.size() != 3) return "make the shortcut give " + out;
    List<String> layers = new ArrayList<>();
    int h = in.get(1), w = in.get(2), oh = out.get(1), ow = out.get(2);
    if (oh < h && h % oh == 0 && w % ow == 0 && h / oh == w / ow) layers.add("avg_pool " + h / oh);
    else if (oh > h && oh % h == 0 && ow % w == 0 && oh / h == ow / w) layers.add("upsample " + oh / h);
    else if (oh != h || ow != w) return "make the shortcut give " + out;
    if (!in.getFirst().equals(out.getFirst()) || layers.isEmpty()) layers.add("conv " + out.getFirst() + " kernel=1");
    return "e.g. `shortcut { " + String.join("; ", layers) + " }`";
  }

  private Optional<Model.Layer> concat(Where at, String path, Ast.Concat c, List<Integer> in) {
    if (c.branches().size() < 2) {
      return error(Diagnostic.error("E0217", "`concat` needs at least two branches", c.keywordSpan(),
          c.branches().size() + " branch").withHelp("write `concat { layers } { layers }`; an empty `{ }` passes the input"));
    }
    List<List<Model.Layer>> branches = new ArrayList<>();
    List<Integer> first = null;
    int channels = 0;
    for (int k = 0; k < c.branches().size(); k++) {
      Ast.Group g = c.branches().get(k);
      var branch = sequence(at.nested(path + "." + k + "."), g.layers(), in);
      if (branch.isEmpty()) return Optional.empty();
      List<Integer> o = out(branch.get(), in);
      if (first == null) {
        first = o;
      } else if (o.size() != first.size() || !o.subList(1, o.size()).equals(first.subList(1, first.size()))) {
        List<Integer> want = new ArrayList<>(first);
        want.set(0, o.getFirst());
        return error(Diagnostic.error("E0218", "`concat` branch " + (k + 1) + " gives " + o + " but branch 1 gives " + first,
                g.span(), "gives " + o)
            .withNote("`concat` joins its branches along the first axis (channels), so every other axis must agree")
            .withHelp("make branch " + (k + 1) + " give " + (want.size() == 1 ? "a flat shape [n]" : want.toString())));
      }
      channels += o.getFirst();
      branches.add(branch.get());
    }
    List<Integer> outShape = new ArrayList<>(first);
    outShape.set(0, channels);
    List<Model.Param> ps = branches.stream().flatMap(b -> params(b).stream()).toList();
    return Optional.of(new Model.Layer(path, new LayerSpec.Concat(branches), in, List.copyOf(outShape), ps, c.span()));
  }

  /**
   * A use of a block: binds its arguments to the block's parameters, substitutes them into the
   * block's statements and reads those under the use's path. Errors inside the block get a note
   * naming the use.
   */
  private Optional<Model.Layer> block(Where at, String path, Ast.Layer use, List<Integer> in) {
    Ast.BlockDecl decl = blocks.get(use.kind());
    if (at.uses().contains(decl.name())) {
      Diagnostic d = Diagnostic.error("E0219", "block `" + decl.name() + "` uses itself", use.kindSpan(), "used inside itself");
      if (at.uses().size() > 1) {
        d = d.withNote("through " + String.join(" -> ", at.uses().stream().map(u -> "`" + u + "`").toList()) + " -> `"
            + decl.name() + "`");
      }
      return error(d.withHelp("a block cannot contain itself; write the layers out"));
    }
    List<String> names = decl.params().stream().map(Ast.BlockParam::name).toList();
    String declared = "`" + decl.name() + "` is declared at line " + decl.span().line() + " with ("
        + String.join(", ", names) + ")";
    List<Ast.Arg> positional = use.args().stream().filter(a -> a.key().isEmpty()).toList();
    if (positional.size() > names.size()) {
      return error(Diagnostic.error("E0102", "too many positional arguments for `" + decl.name() + "`",
              positional.get(names.size()).span(), "unexpected argument")
          .withNote(declared)
          .withHelp(names.isEmpty() ? "remove it; `" + decl.name() + "` takes no arguments"
              : "`" + decl.name() + "` takes " + names.size() + " argument" + (names.size() == 1 ? "" : "s")));
    }
    Optional<Args> bound = Args.bind(decl.name(), use.kindSpan(), substitute(use.args(), at.bound()), names, names.size(), diags);
    if (bound.isEmpty()) return Optional.empty();
    List<String> missing = names.stream().filter(n -> !bound.get().has(n)).toList();
    if (!missing.isEmpty()) {
      return error(Diagnostic.error("E0112", "block `" + decl.name() + "` needs " + names.size() + " argument"
              + (names.size() == 1 ? "" : "s") + ", found " + (names.size() - missing.size()), use.span(),
              "missing " + String.join(", ", missing.stream().map(m -> "`" + m + "`").toList()))
          .withNote(declared)
          .withHelp("write e.g. `" + decl.name() + " " + String.join(" ", names.stream().map(n -> n + "=...").toList()) + "`"));
    }
    Map<String, Ast.Value> values = new LinkedHashMap<>();
    for (String n : names) values.put(n, bound.get().arg(n).get().value());
    List<String> uses = new ArrayList<>(at.uses());
    uses.add(decl.name());
    Diagnostics inside = new Diagnostics();
    Optional<List<Model.Layer>> layers = new Networks(inside, blocks)
        .sequence(new Where(at.net(), path + ".", values, uses, at.inputs(), at.joined()), decl.layers(), in);
    for (Diagnostic d : inside.sorted()) {
      diags.add(d.withNote("in block `" + decl.name() + "`, used at line " + use.span().line() + " as `"
          + at.net() + "." + path + "`"));
    }
    if (layers.isEmpty()) return Optional.empty();
    return Optional.of(new Model.Layer(path, new LayerSpec.Block(decl.name(), layers.get()), in,
        out(layers.get(), in), params(layers.get()), use.span()));
  }

  private Networks(Diagnostics diags, Map<String, Ast.BlockDecl> blocks) {
    this.diags = diags;
    this.blocks = blocks;
  }

  /** {@code args} with every name of a block parameter replaced by its value (inside lists too). */
  private static List<Ast.Arg> substitute(List<Ast.Arg> args, Map<String, Ast.Value> bound) {
    if (bound.isEmpty()) return args;
    return args.stream().map(a -> new Ast.Arg(a.key(), a.keySpan(), substitute(a.value(), bound), a.span())).toList();
  }

  private static Ast.Value substitute(Ast.Value v, Map<String, Ast.Value> bound) {
    return switch (v) {
      case Ast.Ident id when bound.containsKey(id.name()) -> respan(bound.get(id.name()), id.span());
      case Ast.ListValue l -> new Ast.ListValue(l.items().stream().map(i -> substitute(i, bound)).toList(), l.span());
      case Ast.Call c -> new Ast.Call(c.name(), c.nameSpan(), substitute(c.args(), bound), c.span());
      default -> v;
    };
  }

  /** A parameter's value where the block names it, so that errors point into the block. */
  private static Ast.Value respan(Ast.Value v, Span at) {
    return switch (v) {
      case Ast.Num n -> new Ast.Num(n.value(), n.integral(), at);
      case Ast.Str s -> new Ast.Str(s.value(), at);
      case Ast.Ident i -> new Ast.Ident(i.name(), at);
      case Ast.ListValue l -> new Ast.ListValue(l.items(), at);
      case Ast.Call c -> new Ast.Call(c.name(), c.nameSpan(), c.args(), at);
    };
  }

  private <T> Optional<T> error(Diagnostic d) {
    diags.add(d);
    return Optional.empty();
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

  private Optional<Model.Layer> layer(Where at, String path, Ast.Layer l, List<Integer> in) {
    Optional<LayerSpec.Kind> kind = LayerSpec.kind(l.kind());
    if (kind.isEmpty()) {
      List<String> names = new ArrayList<>(LayerSpec.KINDS.stream().map(LayerSpec.Kind::name).toList());
      names.addAll(blocks.keySet());
      String help = Suggest.didYouMean(l.kind(), names);
      diags.add(Diagnostic.error("E0204", "unknown layer `" + l.kind() + "`", l.kindSpan(), "not a layer")
          .withHelp(help != null ? help : "layers are " + String.join(", ", names.stream().sorted()
              .map(k -> "`" + k + "`").toList())));
      return Optional.empty();
    }
    LayerSpec.Kind k = kind.get();
    Ast.Layer read = new Ast.Layer(l.kind(), l.kindSpan(), substitute(l.args(), at.bound()), l.span());
    Optional<Args> bound = Args.bind(l.kind(), l.kindSpan(), read.args(), k.keywords(), k.positional(), diags);
    if (bound.isEmpty()) return Optional.empty();
    return k.read().apply(new LayerStatement(read, bound.get(), in, at.net(), path, diags));
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

package wganc.check;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import wganc.check.Model.Init;
import wganc.check.Model.Param;
import wganc.check.Model.ParamKind;
import wganc.diag.Diagnostic;
import wganc.diag.Span;
import wganc.diag.Suggest;
import wganc.ops.ConvGeometry;
import wganc.syntax.Ast;

/**
 * Reads layer statements and infers shapes through a network: the place where every layer's
 * arguments, defaults (Keras semantics), output shape and parameters are defined.
 */
final class Layers {
  /** Layer kinds and their keywords (positional ones first). */
  static final Map<String, List<String>> KEYWORDS = Map.ofEntries(
      Map.entry("dense", List.of("units", "bias", "init", "bias_init", "clip")),
      Map.entry("conv", List.of("filters", "kernel", "stride", "padding", "bias", "init", "bias_init", "clip")),
      Map.entry("conv_transpose", List.of("filters", "kernel", "stride", "padding", "bias", "init", "bias_init", "clip")),
      Map.entry("batchnorm", List.of("momentum", "eps")),
      Map.entry("layernorm", List.of("eps")),
      Map.entry("dropout", List.of("rate")),
      Map.entry("leaky_relu", List.of("alpha")),
      Map.entry("relu", List.of()),
      Map.entry("tanh", List.of()),
      Map.entry("sigmoid", List.of()),
      Map.entry("upsample", List.of("factor")),
      Map.entry("pad", List.of("amount")),
      Map.entry("crop", List.of("amount")),
      Map.entry("reshape", List.of("shape")),
      Map.entry("flatten", List.of()));

  private static final Map<String, Integer> POSITIONAL = Map.ofEntries(
      Map.entry("dense", 1), Map.entry("conv", 1), Map.entry("conv_transpose", 1), Map.entry("dropout", 1),
      Map.entry("leaky_relu", 1), Map.entry("upsample", 1), Map.entry("pad", 1), Map.entry("crop", 1),
      Map.entry("reshape", 1));

  private final Diagnostics diags;

  Layers(Diagnostics diags) { this.diags = diags; }

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
    List<String> keywords = KEYWORDS.get(l.kind());
    if (keywords == null) {
      String help = Suggest.didYouMean(l.kind(), KEYWORDS.keySet());
      diags.add(Diagnostic.error("E0204", "unknown layer `" + l.kind() + "`", l.kindSpan(), "not a layer")
          .withHelp(help != null ? help : "layers are " + String.join(", ", KEYWORDS.keySet().stream().sorted()
              .map(k -> "`" + k + "`").toList())));
      return Optional.empty();
    }
    Optional<Args> bound = Args.bind(l.kind(), l.kindSpan(), l.args(), keywords, POSITIONAL.getOrDefault(l.kind(), 0), diags);
    if (bound.isEmpty()) return Optional.empty();
    Args a = bound.get();
    String prefix = net + "." + index + ".";
    return switch (l.kind()) {
      case "dense" -> dense(a, l, in, prefix, index, net);
      case "conv", "conv_transpose" -> conv(a, l, in, prefix, index, net, l.kind().equals("conv_transpose"));
      case "batchnorm" -> {
        var m = a.number("momentum", 0.99, 0, 1, false);
        var e = a.number("eps", 1e-3, 0, 1, true);
        if (m.isEmpty() || e.isEmpty()) yield Optional.empty();
        int c = in.getFirst();
        List<Param> ps = List.of(
            new Param(prefix + "weight", net, index, ParamKind.WEIGHT, List.of(c), new Init.Constant(1), Optional.empty()),
            new Param(prefix + "bias", net, index, ParamKind.BIAS, List.of(c), new Init.Constant(0), Optional.empty()),
            new Param(prefix + "running_mean", net, index, ParamKind.RUNNING_MEAN, List.of(c), new Init.Constant(0), Optional.empty()),
            new Param(prefix + "running_var", net, index, ParamKind.RUNNING_VAR, List.of(c), new Init.Constant(1), Optional.empty()));
        yield Optional.of(new Model.Layer(index, new LayerSpec.BatchNorm(m.get(), e.get()), in, in, ps, l.span()));
      }
      case "layernorm" -> {
        var e = a.number("eps", 1e-3, 0, 1, true);
        if (e.isEmpty()) yield Optional.empty();
        List<Param> ps = List.of(
            new Param(prefix + "weight", net, index, ParamKind.WEIGHT, in, new Init.Constant(1), Optional.empty()),
            new Param(prefix + "bias", net, index, ParamKind.BIAS, in, new Init.Constant(0), Optional.empty()));
        yield Optional.of(new Model.Layer(index, new LayerSpec.LayerNorm(e.get()), in, in, ps, l.span()));
      }
      case "dropout" -> {
        var r = a.requiredNumber("rate", 0, 1, false, "dropout 0.3");
        if (r.isEmpty()) yield Optional.empty();
        if (r.get() >= 1) {
          diags.add(Diagnostic.error("E0107", "`rate` of `dropout` is out of range", a.spanOf("rate"), "must lie in [0, 1)"));
          yield Optional.empty();
        }
        yield simple(new LayerSpec.Dropout(r.get()), index, in, l);
      }
      case "leaky_relu" -> {
        var al = a.number("alpha", 0.3, 0, 1e6, false);
        yield al.isEmpty() ? Optional.empty() : simple(new LayerSpec.LeakyRelu(al.get()), index, in, l);
      }
      case "relu" -> simple(new LayerSpec.Relu(), index, in, l);
      case "tanh" -> simple(new LayerSpec.Tanh(), index, in, l);
      case "sigmoid" -> simple(new LayerSpec.Sigmoid(), index, in, l);
      case "upsample" -> {
        if (!image(l, in)) yield Optional.empty();
        var f = a.ints("factor", 2, new int[] {2, 2}, 1);
        if (f.isEmpty()) yield Optional.empty();
        List<Integer> out = List.of(in.get(0), in.get(1) * f.get()[0], in.get(2) * f.get()[1]);
        yield Optional.of(new Model.Layer(index, new LayerSpec.Upsample(f.get()[0], f.get()[1]), in, out, List.of(), l.span()));
      }
      case "pad", "crop" -> {
        if (!image(l, in)) yield Optional.empty();
        var amt = a.ints("amount", 4, null, 0);
        if (amt.isEmpty()) {
          if (!a.has("amount")) {
            diags.add(Diagnostic.error("E0105", "`" + l.kind() + "` needs an amount", l.kindSpan(), "missing amount")
                .withHelp("write `" + l.kind() + " 2` (all sides), `" + l.kind() + " [1, 2]` (rows, columns) or `"
                    + l.kind() + " [top, bottom, left, right]`"));
          }
          yield Optional.empty();
        }
        int[] p = amt.get();
        boolean pad = l.kind().equals("pad");
        int h = pad ? in.get(1) + p[0] + p[1] : in.get(1) - p[0] - p[1];
        int w = pad ? in.get(2) + p[2] + p[3] : in.get(2) - p[2] - p[3];
        if (h <= 0 || w <= 0) {
          diags.add(Diagnostic.error("E0205", "`crop` removes the whole image", l.span(),
              "input is " + in + ", cropping " + java.util.Arrays.toString(p))
              .withHelp("crop fewer than " + in.get(1) + " rows and " + in.get(2) + " columns in all"));
          yield Optional.empty();
        }
        List<Integer> out = List.of(in.get(0), h, w);
        LayerSpec spec = pad ? new LayerSpec.Pad(p) : new LayerSpec.Crop(p);
        yield Optional.of(new Model.Layer(index, spec, in, out, List.of(), l.span()));
      }
      case "reshape" -> {
        Optional<Ast.Arg> arg = a.arg("shape");
        if (arg.isEmpty() || !(arg.get().value() instanceof Ast.ListValue lv)) {
          diags.add(Diagnostic.error("E0105", "`reshape` needs a shape", arg.map(Ast.Arg::span).orElse(l.kindSpan()),
              "missing shape").withHelp("write e.g. `reshape [256, 4, 4]`"));
          yield Optional.empty();
        }
        List<Integer> out = new ArrayList<>();
        for (Ast.Value v : lv.items()) {
          if (!(v instanceof Ast.Num n) || !n.integral() || n.value() <= 0 || n.value() > 1_000_000) {
            diags.add(Diagnostic.error("E0109", "`reshape` dimensions must be positive integers", v.span(),
                "found " + Args.describe(v)));
            yield Optional.empty();
          }
          out.add((int) n.value());
        }
        long from = product(in), to = product(out);
        if (from != to) {
          diags.add(Diagnostic.error("E0206", "`reshape` cannot turn " + in + " into " + out, lv.span(),
              to + " values, but the input has " + from).withHelp(suggestReshape(in, out)));
          yield Optional.empty();
        }
        yield Optional.of(new Model.Layer(index, new LayerSpec.Reshape(List.copyOf(out)), in, List.copyOf(out), List.of(), l.span()));
      }
      case "flatten" -> Optional.of(new Model.Layer(index, new LayerSpec.Flatten(), in, List.of((int) product(in)),
          List.of(), l.span()));
      default -> throw new IllegalStateException(l.kind());
    };
  }

  private static String suggestReshape(List<Integer> in, List<Integer> out) {
    long from = product(in);
    if (out.size() == 3 && from % ((long) out.get(1) * out.get(2)) == 0) {
      return "did you mean `reshape [" + from / ((long) out.get(1) * out.get(2)) + ", " + out.get(1) + ", " + out.get(2) + "]`?";
    }
    return "the product of the dimensions must be " + from;
  }

  private Optional<Model.Layer> simple(LayerSpec spec, int index, List<Integer> in, Ast.Layer l) {
    return Optional.of(new Model.Layer(index, spec, in, in, List.of(), l.span()));
  }

  private boolean image(Ast.Layer l, List<Integer> in) {
    if (in.size() == 3) return true;
    diags.add(Diagnostic.error("E0207", "`" + l.kind() + "` expects an image [channels, height, width], found " + in,
            l.kindSpan(), "input is " + in)
        .withHelp(in.size() == 1 ? "add `reshape [c, h, w]` before it" : "images have 3 dimensions"));
    return false;
  }

  private Optional<Model.Layer> dense(Args a, Ast.Layer l, List<Integer> in, String prefix, int index, String net) {
    if (in.size() != 1) {
      diags.add(Diagnostic.error("E0208", "`dense` expects a flat input [features], found " + in, l.kindSpan(),
          "input is " + in).withHelp("add `flatten` before it"));
      return Optional.empty();
    }
    var units = a.ints("units", 1, null, 1);
    if (units.isEmpty()) {
      if (!a.has("units")) {
        diags.add(Diagnostic.error("E0105", "`dense` needs a number of units", l.kindSpan(), "missing units")
            .withHelp("write e.g. `dense 128`"));
      }
      return Optional.empty();
    }
    var bias = a.bool("bias", true);
    var init = init(a, "init", new Init.Glorot(true));
    var binit = init(a, "bias_init", new Init.Constant(0));
    var clip = clip(a);
    if (bias.isEmpty() || init.isEmpty() || binit.isEmpty() || clip == null) return Optional.empty();
    int u = units.get()[0];
    List<Param> ps = new ArrayList<>();
    ps.add(new Param(prefix + "weight", net, index, ParamKind.WEIGHT, List.of(u, in.getFirst()), init.get(), clip));
    // like Keras' kernel_constraint (and like conv below), `clip` bounds the kernel, not the bias
    if (bias.get()) ps.add(new Param(prefix + "bias", net, index, ParamKind.BIAS, List.of(u), binit.get(), Optional.empty()));
    return Optional.of(new Model.Layer(index, new LayerSpec.Dense(u, bias.get()), in, List.of(u), ps, l.span()));
  }

  private Optional<Model.Layer> conv(Args a, Ast.Layer l, List<Integer> in, String prefix, int index, String net,
                                     boolean transpose) {
    if (!image(l, in)) return Optional.empty();
    var filters = a.ints("filters", 1, null, 1);
    if (filters.isEmpty()) {
      if (!a.has("filters")) {
        diags.add(Diagnostic.error("E0105", "`" + l.kind() + "` needs a number of filters", l.kindSpan(), "missing filters")
            .withHelp("write e.g. `" + l.kind() + " 64 kernel=5 stride=2 padding=same`"));
      }
      return Optional.empty();
    }
    if (!a.has("kernel")) {
      diags.add(Diagnostic.error("E0105", "`" + l.kind() + "` needs a kernel size", l.kindSpan(), "missing `kernel`")
          .withHelp("write e.g. `kernel=5` or `kernel=[5, 3]`"));
      return Optional.empty();
    }
    var kernel = a.ints("kernel", 2, null, 1);
    var stride = a.ints("stride", 2, new int[] {1, 1}, 1);
    var bias = a.bool("bias", true);
    var init = init(a, "init", new Init.Glorot(true));
    var binit = init(a, "bias_init", new Init.Constant(0));
    var clip = clip(a);
    if (kernel.isEmpty() || stride.isEmpty() || bias.isEmpty() || init.isEmpty() || binit.isEmpty() || clip == null) {
      return Optional.empty();
    }
    int f = filters.get()[0], c = in.get(0), h = in.get(1), w = in.get(2);
    int kh = kernel.get()[0], kw = kernel.get()[1], sh = stride.get()[0], sw = stride.get()[1];
    int[] pad = new int[4];
    boolean same = false;
    Optional<Ast.Arg> padArg = a.arg("padding");
    if (padArg.isPresent() && !(padArg.get().value() instanceof Ast.Ident)) {
      if (transpose) {
        diags.add(Diagnostic.error("E0111", "`padding` of `conv_transpose` must be one of `same`, `valid`",
            padArg.get().value().span(), "found " + Args.describe(padArg.get().value())));
        return Optional.empty();
      }
      var p = a.ints("padding", 4, null, 0);
      if (p.isEmpty()) return Optional.empty();
      pad = p.get();
    } else {
      var mode = a.word("padding", "valid", List.of("same", "valid"));
      if (mode.isEmpty()) return Optional.empty();
      same = mode.get().equals("same");
      if (same && !transpose) pad = ConvGeometry.samePadding(h, w, kh, kw, sh, sw);
    }
    int oh, ow;
    if (transpose) {
      oh = ConvGeometry.transposeSize(h, kh, sh, same);
      ow = ConvGeometry.transposeSize(w, kw, sw, same);
    } else {
      int ph = h + pad[0] + pad[1], pw = w + pad[2] + pad[3];
      if (ph < kh || pw < kw) {
        diags.add(Diagnostic.error("E0209", "kernel " + kh + "x" + kw + " is larger than the "
                + (pad[0] + pad[1] + pad[2] + pad[3] > 0 ? "padded " : "") + "input " + ph + "x" + pw,
            a.spanOf("kernel"), "input is " + in).withHelp("use a smaller kernel or `padding=same`"));
        return Optional.empty();
      }
      oh = ConvGeometry.outSize(ph, kh, sh);
      ow = ConvGeometry.outSize(pw, kw, sw);
    }
    if (oh <= 0 || ow <= 0) {
      diags.add(Diagnostic.error("E0209", "`" + l.kind() + "` leaves no output", l.span(), "input is " + in));
      return Optional.empty();
    }
    List<Param> ps = new ArrayList<>();
    List<Integer> wshape = transpose ? List.of(c, f, kh, kw) : List.of(f, c, kh, kw);
    ps.add(new Param(prefix + "weight", net, index, ParamKind.WEIGHT, wshape, init.get(), clip));
    if (bias.get()) ps.add(new Param(prefix + "bias", net, index, ParamKind.BIAS, List.of(f), binit.get(), Optional.empty()));
    LayerSpec spec = transpose ? new LayerSpec.ConvTranspose(f, kh, kw, sh, sw, same, bias.get())
        : new LayerSpec.Conv(f, kh, kw, sh, sw, pad, bias.get());
    return Optional.of(new Model.Layer(index, spec, in, List.of(f, oh, ow), ps, l.span()));
  }

  /** The clip bound of a layer's kernel, or null after an error. */
  private Optional<Double> clip(Args a) {
    if (!a.has("clip")) return Optional.empty();
    var c = a.number("clip", 0, 0, 1e6, true);
    return c.isPresent() ? Optional.of(c.get()) : null;
  }

  private static final List<String> INITS = List.of("glorot_uniform", "glorot_normal", "he_uniform", "he_normal",
      "zeros", "ones", "normal", "uniform", "constant");

  Optional<Init> init(Args a, String key, Init dflt) {
    Optional<Ast.Arg> arg = a.arg(key);
    if (arg.isEmpty()) return Optional.of(dflt);
    return init(arg.get().value(), diags);
  }

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

  static long product(List<Integer> dims) {
    long p = 1;
    for (int d : dims) p *= d;
    return p;
  }
}

package wganc.check;

import java.util.List;
import java.util.Optional;
import wganc.check.Model.Init;
import wganc.check.Model.Param;
import wganc.check.Model.ParamKind;
import wganc.diag.Diagnostic;
import wganc.diag.Span;
import wganc.syntax.Ast;

/**
 * One layer statement while its kind's reader in {@link LayerSpec} reads it: the bound arguments,
 * the input shape, the statement's place in its network, and what every reader needs (errors,
 * parameters named the PyTorch way, the image check, initialisers and `clip=`).
 */
public final class LayerStatement {
  private final Ast.Layer ast;
  private final Args args;
  private final List<Integer> in;
  private final String net;
  private final String path;
  private final Diagnostics diags;

  LayerStatement(Ast.Layer ast, Args args, List<Integer> in, String net, String path, Diagnostics diags) {
    this.ast = ast;
    this.args = args;
    this.in = in;
    this.net = net;
    this.path = path;
    this.diags = diags;
  }

  Args args() { return args; }

  /** The input shape, per sample. */
  List<Integer> in() { return in; }

  String kind() { return ast.kind(); }

  Span kindSpan() { return ast.kindSpan(); }

  Span span() { return ast.span(); }

  void report(Diagnostic d) { diags.add(d); }

  /** Reports {@code d}; the statement has no layer. */
  <T> Optional<T> error(Diagnostic d) {
    diags.add(d);
    return Optional.empty();
  }

  /** The checked layer. */
  Optional<Model.Layer> layer(LayerSpec spec, List<Integer> out, List<Param> params) {
    return Optional.of(new Model.Layer(path, spec, in, out, params, ast.span()));
  }

  /** A layer without parameters that keeps its input's shape. */
  Optional<Model.Layer> sameShape(LayerSpec spec) {
    return layer(spec, in, List.of());
  }

  /** This layer's parameter of {@code kind}, named `NET.PATH.kind` (`D.0.weight`, `D.1.branch.2.weight`). */
  Param param(ParamKind kind, List<Integer> shape, Init init, Optional<Double> clip) {
    return new Param(net + "." + path + "." + kind.word(), net, path, kind, shape, init, clip);
  }

  Param param(ParamKind kind, List<Integer> shape, Init init) {
    return param(kind, shape, init, Optional.empty());
  }

  /** Whether the input is an image `[c, h, w]`; reports E0207 when it is not. */
  boolean image() {
    if (in.size() == 3) return true;
    diags.add(Diagnostic.error("E0207", "`" + kind() + "` expects an image [channels, height, width], found " + in,
            kindSpan(), "input is " + in)
        .withHelp(in.size() == 1 ? "add `reshape [c, h, w]` before it" : "images have 3 dimensions"));
    return false;
  }

  /** The initialiser given as {@code key}, else {@code dflt}; empty after an error. */
  Optional<Init> init(String key, Init dflt) {
    Optional<Ast.Arg> arg = args.arg(key);
    if (arg.isEmpty()) return Optional.of(dflt);
    return Networks.init(arg.get().value(), diags);
  }

  /** The clip bound of the layer's kernel (empty without `clip=`), or null after an error. */
  Optional<Double> clip() {
    if (!args.has("clip")) return Optional.empty();
    var c = args.number("clip", 0, 0, 1e6, true);
    return c.isPresent() ? Optional.of(c.get()) : null;
  }
}

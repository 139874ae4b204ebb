package wganc.syntax;

import java.util.List;
import java.util.Optional;
import wganc.diag.Span;

/**
 * The abstract syntax of a .wgan file: records with source spans, built from the parse tree by
 * {@link AstBuilder}. Nothing here is checked yet; {@code wganc.check} resolves and types it.
 */
public final class Ast {
  private Ast() {}

  /** A whole file. */
  public record ModelFile(String name, Span nameSpan, List<DataDecl> data, List<NoiseDecl> noise,
                          List<NetworkDecl> networks, List<BlockDecl> blocks, List<TrainDecl> trains) {}

  /** `[1, 28, 28]`: a per-sample shape, the batch axis excluded. */
  public record Shape(List<Integer> dims, Span span) {
    @Override public String toString() { return dims.toString(); }
  }

  /**
   * `data real: image[1, 28, 28] = idx("...") scaled to [-1, 1]`, or with the labels as a second value:
   * `data real: image[1, 28, 28], y: class[10] = idx("...", labels="...")`.
   */
  public record DataDecl(String name, Span nameSpan, Optional<String> kind, Span kindSpan, Shape shape,
                         Optional<Labels> labels, Call source, Optional<Scaling> scaling, Span span) {}

  /** `y: class[10]` after a data name: the sample's label, as a one-hot vector. */
  public record Labels(String name, Span nameSpan, String kind, Span kindSpan, Shape shape, Span span) {}

  public record Scaling(double lo, double hi, Span span) {}

  /** `noise z: [128] ~ normal(0, 1)`, `noise c: class[10] ~ uniform` (a bare name is a call without arguments). */
  public record NoiseDecl(String name, Span nameSpan, Optional<String> kind, Span kindSpan, Shape shape, Call dist,
                          Span span) {}

  /**
   * `network G(z: [128]) -> [1, 28, 28] { layers }`; the inputs after the first
   * (`network G(z: [128], y: [10])`) are {@code extra}, joined by `concat y` statements.
   */
  public record NetworkDecl(String name, Span nameSpan, String param, Span paramSpan, Shape in, List<Input> extra,
                            Shape out, List<LayerNode> layers, Span span) {}

  /** `y: [10]`, a network input after the first. */
  public record Input(String name, Span nameSpan, Shape shape) {}

  /** `block up(c) { layers }`: layers a network uses as one statement, `up 128`. */
  public record BlockDecl(String name, Span nameSpan, List<BlockParam> params, List<LayerNode> layers, Span span) {}

  public record BlockParam(String name, Span span) {}

  /** A statement in a network or block body: a layer (or a block use), a residual sum or a concatenation. */
  public sealed interface LayerNode permits Layer, Residual, Concat, ConcatInput {
    Span span();
  }

  /** One layer statement: `conv 64 kernel=5 stride=2 padding=same`, or a block use `up 128`. */
  public record Layer(String kind, Span kindSpan, List<Arg> args, Span span) implements LayerNode {}

  /** `{ layers }`, one branch of a residual or a concatenation. */
  public record Group(List<LayerNode> layers, Span span) {}

  /** `residual { branch } shortcut { shortcut }`: the sum of both; no shortcut is the identity. */
  public record Residual(Span keywordSpan, Group branch, Optional<Group> shortcut, Span span) implements LayerNode {}

  /** `concat { a } { b }`: the branches' outputs joined along their first axis (channels). */
  public record Concat(Span keywordSpan, List<Group> branches, Span span) implements LayerNode {}

  /** `concat y`: the network input `y` joined to the value so far along its first axis. */
  public record ConcatInput(Span keywordSpan, String input, Span inputSpan, Span span) implements LayerNode {}

  /** A positional (key empty) or named argument of a layer or a call. */
  public record Arg(Optional<String> key, Span keySpan, Value value, Span span) {}

  /** Constant values: numbers, strings, lists, identifiers and calls such as `normal(0, 0.02)`. */
  public sealed interface Value permits Num, Str, Ident, ListValue, Call {
    Span span();
  }

  public record Num(double value, boolean integral, Span span) implements Value {}
  public record Str(String value, Span span) implements Value {}
  public record Ident(String name, Span span) implements Value {}
  public record ListValue(List<Value> items, Span span) implements Value {}
  public record Call(String name, Span nameSpan, List<Arg> args, Span span) implements Value {}

  /** `train batch 64, epochs 10 { updates }`. */
  public record TrainDecl(List<Option> options, List<UpdateDecl> updates, Span span) {}

  /** `batch 64`. */
  public record Option(String key, Span keySpan, Num value, Span span) {}

  public enum Role { CRITIC, GENERATOR }

  /** `critic D with adam(...), 3 per generator step { ... }`. */
  public record UpdateDecl(Role role, Span roleSpan, List<Selection> selections, Call optimizer,
                           Optional<Num> perGenerator, List<Phase> phases, boolean phased, Span span) {}

  /** `D` or `D.batchnorm`. */
  public record Selection(String network, Span networkSpan, Optional<String> part, Span partSpan, Span span) {}

  /**
   * One optimiser step of an update. A plain body is one phase named after the role; a phased body
   * (`update real_half batch 32 { ... }`) has several, each its own step on the same optimiser.
   */
  public record Phase(String name, Span nameSpan, List<Option> options, List<Stmt> stmts, Span span) {}

  public sealed interface Stmt permits Let, Sample {
    String name();
    Span nameSpan();
    Span span();
  }

  /** `xhat = real + alpha * (fake - real)`. */
  public record Let(String name, Span nameSpan, Expr expr, Span span) implements Stmt {}

  /** `alpha ~ uniform(0, 1) per sample`, `eps ~ normal(0, 1) like real`, `z2 ~ z`. */
  public record Sample(String name, Span nameSpan, SampleSource source, SampleShape shape, Span span)
      implements Stmt {}

  public sealed interface SampleSource permits DistSource, NoiseSource {}
  public record DistSource(Call dist) implements SampleSource {}
  public record NoiseSource(String noise, Span span) implements SampleSource {}

  public sealed interface SampleShape permits PerSample, Like, Explicit, Unspecified {}
  public record PerSample(String what, Span span) implements SampleShape {}
  public record Like(Expr of, Span span) implements SampleShape {}
  public record Explicit(Shape shape) implements SampleShape {}
  public record Unspecified() implements SampleShape {}

  /** Expressions of the train block. */
  public sealed interface Expr permits Name, Number, Unary, Binary, CallExpr, ListExpr {
    Span span();
  }

  public record Name(String name, Span span) implements Expr {}
  public record Number(double value, boolean integral, Span span) implements Expr {}
  public record Unary(String op, Expr operand, Span span) implements Expr {}
  public record Binary(String op, Expr left, Expr right, Span opSpan, Span span) implements Expr {}
  public record CallExpr(String callee, Span calleeSpan, List<ExprArg> args, Span span) implements Expr {}
  public record ListExpr(List<Expr> items, Span span) implements Expr {}

  public record ExprArg(Optional<String> key, Span keySpan, Expr value, Span span) {}
}

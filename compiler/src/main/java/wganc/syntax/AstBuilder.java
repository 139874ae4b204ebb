package wganc.syntax;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.antlr.v4.runtime.ParserRuleContext;
import org.antlr.v4.runtime.Token;
import wganc.diag.CompileError;
import wganc.diag.Diagnostic;
import wganc.diag.SourceFile;
import wganc.diag.Span;
import wganc.grammar.WganParser;
import wganc.grammar.WganParser.*;

/** Parse tree to AST records with spans; rejects the common mistakes the grammar lets through. */
final class AstBuilder {
  private final SourceFile source;

  AstBuilder(SourceFile source) { this.source = source; }

  Ast.ModelFile file(FileContext ctx) throws CompileError {
    List<Ast.DataDecl> data = new ArrayList<>();
    List<Ast.NoiseDecl> noise = new ArrayList<>();
    List<Ast.NetworkDecl> networks = new ArrayList<>();
    List<Ast.BlockDecl> blocks = new ArrayList<>();
    List<Ast.TrainDecl> trains = new ArrayList<>();
    for (DeclContext d : ctx.decls) {
      switch (d) {
        case DataDeclContext c -> data.add(data(c));
        case NoiseDeclContext c -> noise.add(new Ast.NoiseDecl(c.name.getText(), span(c.name),
            Optional.ofNullable(c.kind).map(Token::getText), c.kind == null ? span(c.shape()) : span(c.kind), shape(c.shape()),
            c.dist != null ? call(c.dist) : new Ast.Call(c.bare.getText(), span(c.bare), List.of(), span(c.bare)), span(c)));
        case NetworkDeclContext c -> networks.add(network(c));
        case BlockDeclContext c -> blocks.add(new Ast.BlockDecl(c.name.getText(), span(c.name),
            c.params.stream().map(t -> new Ast.BlockParam(t.getText(), span(t))).toList(), layers(c.layers), span(c)));
        case TrainDeclContext c -> trains.add(train(c));
        default -> throw new IllegalStateException("unknown declaration " + d.getClass());
      }
    }
    return new Ast.ModelFile(ctx.header.name.getText(), span(ctx.header.name), data, noise, networks, blocks, trains);
  }

  private Ast.DataDecl data(DataDeclContext c) {
    Optional<Ast.Scaling> scaling = Optional.empty();
    if (c.scaling() != null) {
      ScalingContext s = c.scaling();
      scaling = Optional.of(new Ast.Scaling(number(s.lo), number(s.hi), span(s)));
    }
    return new Ast.DataDecl(c.name.getText(), span(c.name), Optional.ofNullable(c.kind).map(Token::getText),
        c.kind == null ? span(c.shape()) : span(c.kind), shape(c.shape()), Optional.ofNullable(c.labels).map(l ->
            new Ast.Labels(l.name.getText(), span(l.name), l.kind.getText(), span(l.kind), shape(l.shape()), span(l))),
        call(c.source), scaling, span(c));
  }

  private Ast.NetworkDecl network(NetworkDeclContext c) {
    return new Ast.NetworkDecl(c.name.getText(), span(c.name), c.param.getText(), span(c.param),
        shape(c.inShape), c.extra.stream().map(i -> new Ast.Input(i.name.getText(), span(i.name), shape(i.shape()))).toList(),
        shape(c.outShape), layers(c.layers), span(c));
  }

  private List<Ast.LayerNode> layers(List<LayerContext> ls) {
    List<Ast.LayerNode> layers = new ArrayList<>();
    for (LayerContext l : ls) layers.add(layer(l));
    return layers;
  }

  private Ast.Group group(LayerGroupContext g) {
    return new Ast.Group(layers(g.layers), span(g));
  }

  private Ast.LayerNode layer(LayerContext layer) {
    return switch (layer) {
      case ResidualLayerContext r -> new Ast.Residual(span(r.RESIDUAL().getSymbol()), group(r.branch),
          Optional.ofNullable(r.shortcut).map(this::group), span(r));
      case ConcatLayerContext c -> new Ast.Concat(span(c.CONCAT().getSymbol()), c.branches.stream().map(this::group).toList(),
          span(c));
      case ConcatInputLayerContext c -> new Ast.ConcatInput(span(c.CONCAT().getSymbol()), c.input.getText(), span(c.input),
          span(c));
      case PlainLayerContext l -> {
        List<Ast.Arg> args = new ArrayList<>();
        for (LayerArgContext a : l.args) {
          switch (a) {
            case NamedLayerArgContext n -> args.add(new Ast.Arg(Optional.of(n.key.getText()), span(n.key), value(n.value()), span(n)));
            case PositionalLayerArgContext p -> {
              Ast.Value v = switch (p.positional()) {
                case NumberPositionalContext n -> num(n.signedNumber());
                case ListPositionalContext lp -> list(lp.list());
                case StringPositionalContext s -> str(s.STRING().getSymbol());
                default -> throw new IllegalStateException();
              };
              args.add(new Ast.Arg(Optional.empty(), v.span(), v, span(p)));
            }
            default -> throw new IllegalStateException();
          }
        }
        yield new Ast.Layer(l.kind.getText(), span(l.kind), args, span(l));
      }
      default -> throw new IllegalStateException("unknown layer statement " + layer.getClass());
    };
  }

  private Ast.TrainDecl train(TrainDeclContext c) throws CompileError {
    List<Ast.UpdateDecl> updates = new ArrayList<>();
    for (UpdateContext u : c.updates) updates.add(update(u));
    return new Ast.TrainDecl(options(c.options), updates, span(c));
  }

  private List<Ast.Option> options(List<OptionContext> os) {
    List<Ast.Option> out = new ArrayList<>();
    for (OptionContext o : os) out.add(new Ast.Option(o.key.getText(), span(o.key), num(o.amount), span(o)));
    return out;
  }

  private Ast.UpdateDecl update(UpdateContext u) throws CompileError {
    Ast.Role role = u.role.getType() == WganParser.CRITIC ? Ast.Role.CRITIC : Ast.Role.GENERATOR;
    List<Ast.Selection> selections = new ArrayList<>();
    for (SelectionContext s : u.selections) {
      selections.add(new Ast.Selection(s.net.getText(), span(s.net), Optional.ofNullable(s.part).map(Token::getText),
          s.part == null ? span(s.net) : span(s.part), span(s)));
    }
    Optional<Ast.Num> per = Optional.empty();
    if (u.count != null) {
      if (!u.stepWord.getText().equals("step") && !u.stepWord.getText().equals("steps")) {
        throw new CompileError(Diagnostic.error("E0011", "expected `step` after `per generator`", span(u.stepWord),
            "found `" + u.stepWord.getText() + "`").withHelp("write `" + u.count.getText() + " per generator step`"));
      }
      per = Optional.of(new Ast.Num(Double.parseDouble(u.count.getText()), true, span(u.count)));
    }
    List<Ast.Phase> phases = new ArrayList<>();
    boolean phased = u.body() instanceof PhasedBodyContext;
    switch (u.body()) {
      case PhasedBodyContext p -> {
        for (PhaseContext ph : p.phases) {
          phases.add(new Ast.Phase(ph.name.getText(), span(ph.name), options(ph.options), stmts(ph.stmts), span(ph)));
        }
      }
      case PlainBodyContext p -> phases.add(new Ast.Phase(role == Ast.Role.CRITIC ? "critic" : "generator",
          span(u.role), List.of(), stmts(p.stmts), span(u)));
      default -> throw new IllegalStateException();
    }
    return new Ast.UpdateDecl(role, span(u.role), selections, call(u.optimizer), per, phases, phased, span(u));
  }

  private List<Ast.Stmt> stmts(List<StmtContext> ss) throws CompileError {
    List<Ast.Stmt> out = new ArrayList<>();
    for (StmtContext s : ss) {
      switch (s) {
        case LetStmtContext l -> out.add(new Ast.Let(l.name.getText(), span(l.name), expr(l.expr()), span(l)));
        case SampleStmtContext sm -> {
          Ast.SampleSource src = switch (sm.dist) {
            case DistSourceContext d -> new Ast.DistSource(call(d.call()));
            case NoiseSourceContext n -> new Ast.NoiseSource(n.IDENT().getText(), span(n));
            default -> throw new IllegalStateException();
          };
          Ast.SampleShape shape = new Ast.Unspecified();
          if (sm.sampleShape() != null) {
            shape = switch (sm.sampleShape()) {
              case PerShapeContext p -> {
                if (!p.what.getText().equals("sample")) {
                  throw new CompileError(Diagnostic.error("E0012", "expected `sample` after `per`", span(p.what),
                      "found `" + p.what.getText() + "`").withHelp("`per sample` draws one value per sample of the batch"));
                }
                yield new Ast.PerSample(p.what.getText(), span(p));
              }
              case LikeShapeContext l -> new Ast.Like(expr(l.expr()), span(l));
              case ExplicitShapeContext e -> new Ast.Explicit(shape(e.shape()));
              default -> throw new IllegalStateException();
            };
          }
          out.add(new Ast.Sample(sm.name.getText(), span(sm.name), src, shape, span(sm)));
        }
        default -> throw new IllegalStateException();
      }
    }
    return out;
  }

  private Ast.Expr expr(ExprContext e) throws CompileError {
    return switch (e) {
      case ParenExprContext p -> expr(p.inner);
      case CallExprContext c -> {
        List<Ast.ExprArg> args = new ArrayList<>();
        for (ExprArgContext a : c.args) {
          args.add(new Ast.ExprArg(Optional.ofNullable(a.key).map(Token::getText), a.key == null ? span(a) : span(a.key),
              expr(a.expr()), span(a)));
        }
        yield new Ast.CallExpr(c.callee.getText(), span(c.callee), args, span(c));
      }
      case ListExprContext l -> {
        List<Ast.Expr> items = new ArrayList<>();
        for (ExprContext i : l.items) items.add(expr(i));
        yield new Ast.ListExpr(items, span(l));
      }
      case NameExprContext n -> new Ast.Name(n.getText(), span(n));
      case NumberExprContext n -> numberExpr(n.getStart(), span(n));
      case PowerExprContext p -> new Ast.Binary("^", expr(p.left), expr(p.right), span(p.op), span(p));
      case UnaryExprContext u -> new Ast.Unary(u.op.getText(), expr(u.operand), span(u));
      case MulExprContext m -> new Ast.Binary(m.op.getText(), expr(m.left), expr(m.right), span(m.op), span(m));
      case AddExprContext a -> new Ast.Binary(a.op.getText(), expr(a.left), expr(a.right), span(a.op), span(a));
      default -> throw new IllegalStateException("unknown expression " + e.getClass());
    };
  }

  private Ast.Expr numberExpr(Token t, Span span) throws CompileError {
    double v = parseNumber(t, span);
    return new Ast.Number(v, t.getType() == WganParser.INT, span);
  }

  private double parseNumber(Token t, Span span) throws CompileError {
    double v;
    try {
      v = Double.parseDouble(t.getText());
    } catch (NumberFormatException ex) {
      v = Double.NaN;
    }
    if (!Double.isFinite(v)) {
      throw new CompileError(Diagnostic.error("E0013", "number `" + t.getText() + "` is too large", span,
          "beyond the range of a double (about 1.8e308)"));
    }
    return v;
  }

  private Ast.Value value(ValueContext v) {
    return switch (v) {
      case NumberValueContext n -> num(n.signedNumber());
      case ListValueContext l -> list(l.list());
      case StringValueContext s -> str(s.STRING().getSymbol());
      case CallValueContext c -> call(c.call());
      case IdentValueContext i -> new Ast.Ident(i.IDENT().getText(), span(i));
      default -> throw new IllegalStateException();
    };
  }

  private Ast.ListValue list(ListContext l) {
    List<Ast.Value> items = new ArrayList<>();
    for (ValueContext v : l.items) items.add(value(v));
    return new Ast.ListValue(items, span(l));
  }

  private Ast.Str str(Token t) {
    String text = t.getText();
    return new Ast.Str(text.substring(1, text.length() - 1), span(t));
  }

  Ast.Call call(CallContext c) {
    List<Ast.Arg> args = new ArrayList<>();
    for (CallArgContext a : c.args) {
      args.add(new Ast.Arg(Optional.ofNullable(a.key).map(Token::getText), a.key == null ? span(a) : span(a.key),
          value(a.value()), span(a)));
    }
    return new Ast.Call(c.name.getText(), span(c.name), args, span(c));
  }

  private Ast.Num num(SignedNumberContext n) {
    double v = number(n);
    return new Ast.Num(v, n.INT() != null, span(n));
  }

  private double number(SignedNumberContext n) {
    String text = n.getText();
    double v;
    try {
      v = Double.parseDouble(text);
    } catch (NumberFormatException e) {
      v = Double.NaN;
    }
    return v;
  }

  private Ast.Shape shape(ShapeContext s) {
    List<Integer> dims = new ArrayList<>();
    for (Token t : s.dims) {
      int d;
      try {
        d = Integer.parseInt(t.getText());
      } catch (NumberFormatException e) {
        d = Integer.MAX_VALUE;
      }
      dims.add(d);
    }
    return new Ast.Shape(dims, span(s));
  }

  private Span span(Token t) { return Parse.span(source, t); }

  private Span span(ParserRuleContext c) {
    Token start = c.getStart();
    Token stop = c.getStop();
    if (stop == null || stop.getStopIndex() < start.getStartIndex()) return Parse.span(source, start);
    return source.span(start.getStartIndex(), stop.getStopIndex() + 1);
  }
}

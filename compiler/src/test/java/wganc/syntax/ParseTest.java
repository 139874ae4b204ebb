package wganc.syntax;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import wganc.diag.CompileError;
import wganc.diag.Diagnostic;

class ParseTest {
  static Ast.ModelFile parse(String text) {
    try {
      return Parse.parse("t.wgan", text.getBytes(StandardCharsets.UTF_8), new wganc.diag.SourceFile[1]);
    } catch (CompileError e) {
      throw new AssertionError("did not parse: " + e.diagnostics(), e);
    }
  }

  static Diagnostic error(String text) {
    return error(text.getBytes(StandardCharsets.UTF_8));
  }

  static Diagnostic error(byte[] bytes) {
    CompileError e = assertThrows(CompileError.class, () -> Parse.parse("t.wgan", bytes, new wganc.diag.SourceFile[1]));
    assertEquals(1, e.diagnostics().size(), e.diagnostics().toString());
    return e.diagnostics().getFirst();
  }

  static String where(Diagnostic d) { return d.span().line() + ":" + d.span().column(); }

  @Test
  void header() {
    Ast.ModelFile f = parse("model mnist_wgan_gp # a comment\n// another\n");
    assertEquals("mnist_wgan_gp", f.name());
    assertEquals("t.wgan:1:7", f.nameSpan().position());
    assertTrue(f.data().isEmpty() && f.noise().isEmpty() && f.networks().isEmpty() && f.trains().isEmpty());
  }

  @Test
  void dataWithKindSourceAndScaling() {
    Ast.ModelFile f = parse("model m\ndata real: image[1, 28, 28] = idx(\"a.gz\", labels=\"b.gz\", keep=[5, 7]) scaled to [-1, 1]\n"
        + "data toy2: [2] = toy(\"8gaussians\", scale=2, std=0.02)");
    Ast.DataDecl d = f.data().getFirst();
    assertEquals("real", d.name());
    assertEquals(Optional.of("image"), d.kind());
    assertEquals(List.of(1, 28, 28), d.shape().dims());
    assertEquals("idx", d.source().name());
    assertEquals(3, d.source().args().size());
    assertEquals(Optional.empty(), d.source().args().get(0).key());
    assertEquals(new Ast.Str("a.gz", d.source().args().get(0).value().span()), d.source().args().get(0).value());
    assertEquals(Optional.of("keep"), d.source().args().get(2).key());
    assertInstanceOf(Ast.ListValue.class, d.source().args().get(2).value());
    assertEquals(-1.0, d.scaling().orElseThrow().lo());
    assertEquals(1.0, d.scaling().orElseThrow().hi());
    Ast.DataDecl t = f.data().get(1);
    assertEquals(Optional.empty(), t.kind());
    assertEquals(List.of(2), t.shape().dims());
    assertTrue(t.scaling().isEmpty());
  }

  @Test
  void noise() {
    Ast.NoiseDecl n = parse("model m\nnoise z: [128] ~ normal(0, 1)").noise().getFirst();
    assertEquals("z", n.name());
    assertEquals(List.of(128), n.shape().dims());
    assertEquals("normal", n.dist().name());
    assertEquals(2, n.dist().args().size());
  }

  @Test
  void conditionalDeclarations() {
    Ast.ModelFile f = parse("""
        model m
        data real: image[1, 28, 28], y: class[10] = idx("i.gz", labels="l.gz")
        noise c: class[10] ~ uniform
        network G(z: [8], y: [10]) -> [18] { concat y }
        """);
    Ast.Labels y = f.data().getFirst().labels().orElseThrow();
    assertEquals(List.of("y", "class", List.of(10)), List.of(y.name(), y.kind(), y.shape().dims()));
    Ast.NoiseDecl c = f.noise().getFirst();
    assertEquals(Optional.of("class"), c.kind());
    assertEquals("uniform", c.dist().name());
    assertTrue(c.dist().args().isEmpty());
    Ast.NetworkDecl g = f.networks().getFirst();
    assertEquals(List.of("y"), g.extra().stream().map(Ast.Input::name).toList());
    Ast.ConcatInput join = assertInstanceOf(Ast.ConcatInput.class, g.layers().getFirst());
    assertEquals("y", join.input());
    assertEquals(4, join.inputSpan().line());
  }

  @Test
  void networkWithEveryKindOfLayerArgument() {
    Ast.NetworkDecl n = parse("""
        model m
        network G(z: [128]) -> [1, 28, 28] {
          dense 4096 bias=false init=normal(0, 0.02); leaky_relu -0.2
          reshape [256, 4, 4]
          conv 64 kernel=[5, 3] padding=same "why"
          tanh
        }""").networks().getFirst();
    assertEquals("G", n.name());
    assertEquals("z", n.param());
    assertEquals(List.of(128), n.in().dims());
    assertEquals(List.of(1, 28, 28), n.out().dims());
    List<Ast.Layer> layers = n.layers().stream().map(Ast.Layer.class::cast).toList();
    assertEquals(List.of("dense", "leaky_relu", "reshape", "conv", "tanh"), layers.stream().map(Ast.Layer::kind).toList());
    Ast.Layer dense = layers.get(0);
    assertEquals(new Ast.Num(4096, true, dense.args().get(0).value().span()), dense.args().get(0).value());
    assertEquals(new Ast.Ident("false", dense.args().get(1).value().span()), dense.args().get(1).value());
    Ast.Call init = assertInstanceOf(Ast.Call.class, dense.args().get(2).value());
    assertEquals("normal", init.name());
    assertEquals(0.02, ((Ast.Num) init.args().get(1).value()).value());
    Ast.Num alpha = (Ast.Num) layers.get(1).args().getFirst().value();
    assertEquals(-0.2, alpha.value());
    assertFalse(alpha.integral());
    Ast.ListValue shape = (Ast.ListValue) layers.get(2).args().getFirst().value();
    assertEquals(3, shape.items().size());
    Ast.Layer conv = layers.get(3);
    assertEquals(Optional.of("kernel"), conv.args().get(1).key());
    assertEquals("t.wgan:5:11", conv.args().get(1).keySpan().position());
    assertInstanceOf(Ast.Str.class, conv.args().get(3).value());
    assertTrue(layers.get(4).args().isEmpty());
  }

  @Test
  void blocksResidualsAndConcatenations() {
    Ast.ModelFile f = parse("""
        model m
        block down(c, k) { relu; conv filters=c kernel=k }
        block plain { residual { relu } }
        network D(x: [3, 8, 8]) -> [1] {
          residual { down 4 3; avg_pool 2 } shortcut { avg_pool 2 }
          residual { relu }
          concat { conv 2 kernel=1 } { } { plain; tanh }
        }""");
    Ast.BlockDecl down = f.blocks().getFirst();
    assertEquals("down", down.name());
    assertEquals(List.of("c", "k"), down.params().stream().map(Ast.BlockParam::name).toList());
    assertEquals("t.wgan:2:12", down.params().getFirst().span().position());
    assertEquals(2, down.layers().size());
    assertEquals(List.of(), f.blocks().get(1).params());
    List<Ast.LayerNode> layers = f.networks().getFirst().layers();
    Ast.Residual r = assertInstanceOf(Ast.Residual.class, layers.get(0));
    assertEquals("t.wgan:5:3", r.keywordSpan().position());
    assertEquals(List.of("down", "avg_pool"), r.branch().layers().stream().map(l -> ((Ast.Layer) l).kind()).toList());
    assertEquals("t.wgan:5:12", r.branch().span().position());
    assertEquals("t.wgan:5:46", r.shortcut().orElseThrow().span().position());
    assertEquals(Optional.empty(), assertInstanceOf(Ast.Residual.class, layers.get(1)).shortcut());
    Ast.Concat c = assertInstanceOf(Ast.Concat.class, layers.get(2));
    assertEquals(List.of(1, 0, 2), c.branches().stream().map(g -> g.layers().size()).toList());
    assertEquals("t.wgan:7:30", c.branches().get(1).span().position());
  }

  @Test
  void branchSyntaxErrors() {
    assertEquals("expected `{`, found name `relu`",
        error("model m\nnetwork D(x: [2]) -> [1] {\n  residual relu\n}\n").message());
    Diagnostic d = error("model m\nnetwork D(x: [2]) -> [1] {\n  shortcut { relu }\n}\n");
    assertTrue(d.message().endsWith("found keyword `shortcut`"), d.message());
    assertEquals("3:3", where(d));
    assertTrue(error("model m\nblock b(c d) { relu }\n").message().contains("found name `d`"));
  }

  @Test
  void trainBlockWithSelectionsPhasesAndStatements() {
    Ast.TrainDecl t = parse("""
        model m
        train batch 64, epochs 10, seed 3 {
          critic D with rmsprop(lr=5e-5), 5 per generator step {
            update real_half batch 32 { loss = mean(-1 * D(real)) }
            update fake_half batch 32 {
              fake = G(z, training=false)
              loss = mean(D(fake))
            }
          }
          generator G, D.batchnorm with adam(lr=1e-4, convention=pytorch) {
            alpha ~ uniform(0, 1) per sample
            eps ~ normal(0, 1) like real
            n ~ normal(0, 1) : [3, 4]
            z2 ~ z
            loss = -mean(D(G(z2)))
          }
        }""").trains().getFirst();
    assertEquals(List.of("batch", "epochs", "seed"), t.options().stream().map(Ast.Option::key).toList());
    assertEquals(3.0, t.options().get(2).value().value());
    Ast.UpdateDecl critic = t.updates().get(0);
    assertEquals(Ast.Role.CRITIC, critic.role());
    assertEquals("D", critic.selections().getFirst().network());
    assertEquals("rmsprop", critic.optimizer().name());
    assertEquals(5.0, critic.perGenerator().orElseThrow().value());
    assertTrue(critic.phased());
    assertEquals(List.of("real_half", "fake_half"), critic.phases().stream().map(Ast.Phase::name).toList());
    assertEquals("batch", critic.phases().get(0).options().getFirst().key());
    Ast.Let fake = (Ast.Let) critic.phases().get(1).stmts().get(0);
    Ast.CallExpr app = (Ast.CallExpr) fake.expr();
    assertEquals("G", app.callee());
    assertEquals(Optional.of("training"), app.args().get(1).key());
    Ast.UpdateDecl gen = t.updates().get(1);
    assertEquals(Ast.Role.GENERATOR, gen.role());
    assertFalse(gen.phased());
    assertEquals(1, gen.phases().size());
    assertEquals("generator", gen.phases().getFirst().name());
    assertEquals(Optional.of("batchnorm"), gen.selections().get(1).part());
    assertTrue(gen.perGenerator().isEmpty());
    List<Ast.Stmt> s = gen.phases().getFirst().stmts();
    assertInstanceOf(Ast.PerSample.class, ((Ast.Sample) s.get(0)).shape());
    assertInstanceOf(Ast.DistSource.class, ((Ast.Sample) s.get(0)).source());
    assertInstanceOf(Ast.Like.class, ((Ast.Sample) s.get(1)).shape());
    assertEquals(List.of(3, 4), ((Ast.Explicit) ((Ast.Sample) s.get(2)).shape()).shape().dims());
    Ast.Sample z2 = (Ast.Sample) s.get(3);
    assertEquals("z", ((Ast.NoiseSource) z2.source()).noise());
    assertInstanceOf(Ast.Unspecified.class, z2.shape());
  }

  static Ast.Expr expr(String e) {
    Ast.ModelFile f = parse("model m\ntrain batch 1, steps 1 { critic D with sgd(lr=1) { loss = " + e + " } }");
    return ((Ast.Let) f.trains().getFirst().updates().getFirst().phases().getFirst().stmts().getFirst()).expr();
  }

  /** A compact prefix form of an expression, for precedence tests. */
  static String show(Ast.Expr e) {
    return switch (e) {
      case Ast.Name n -> n.name();
      case Ast.Number n -> n.integral() ? Long.toString((long) n.value()) : Double.toString(n.value());
      case Ast.Unary u -> "(" + u.op() + " " + show(u.operand()) + ")";
      case Ast.Binary b -> "(" + b.op() + " " + show(b.left()) + " " + show(b.right()) + ")";
      case Ast.CallExpr c -> c.callee() + c.args().stream().map(a -> a.key().map(k -> k + "=").orElse("") + show(a.value()))
          .toList();
      case Ast.ListExpr l -> l.items().stream().map(ParseTest::show).toList().toString();
    };
  }

  @Test
  void expressionPrecedenceAndAssociativity() {
    assertEquals("(+ a (* b (^ c 2)))", show(expr("a + b * c^2")));
    assertEquals("(- (- a b) c)", show(expr("a - b - c")));
    assertEquals("(^ a (^ b c))", show(expr("a ^ b ^ c")));
    assertEquals("(- (^ a 2))", show(expr("-a^2")));
    assertEquals("(^ x (- 0.5))", show(expr("x^-0.5")));
    assertEquals("(* (+ a b) c)", show(expr("(a + b) * c")));
    assertEquals("(/ (* a b) c)", show(expr("a * b / c")));
    assertEquals("(- mean[D[fake]] mean[D[real]])", show(expr("mean(D(fake)) - mean(D(real))")));
    assertEquals("norm[g, axes=[1, 2, 3]]", show(expr("norm(g, axes=[1, 2, 3])")));
    assertEquals("(* 2.5E-4 x)", show(expr("2.5e-4 * x")));
  }

  @Test
  void binarySpansPointAtTheOperator() {
    Ast.Binary b = (Ast.Binary) expr("aa + bb");
    assertEquals("+", b.opSpan().text());
    assertEquals("aa + bb", b.span().text());
  }

  // ---- syntax errors: message and position

  @Test
  void emptyFile() {
    Diagnostic d = error("");
    assertEquals("expected `model`, found end of file", d.message());
    assertEquals("1:1", where(d));
    assertTrue(d.help().contains("`model NAME`"));
  }

  @Test
  void missingClosingBraceNamesTheOpeningLine() {
    Diagnostic d = error("model m\nnetwork D(x: [2]) -> [1] {\n  dense 1\n");
    assertEquals("E0010", d.code());
    assertEquals("expected `}`, found end of file", d.message());
    assertEquals("4:1", where(d));
    assertEquals("close the `{` at line 2 with `}`", d.help());
  }

  @Test
  void strayToken() {
    Diagnostic d = error("model m\nnetwork D(x: [2]) -> [1] {\n  dense 1 )\n}\n");
    assertEquals("expected `}`, found `)`", d.message());
    assertEquals("3:11", where(d));
  }

  @Test
  void expectedSetsAreSortedAndNameRules() {
    Diagnostic d = error("model m\ntrain batch 1, steps 1 { critic D with sgd(lr=1) { loss = * } }");
    assertEquals("expected <expression>, found `*`", d.message());
    Diagnostic e = error("model m\nnoise z: [2] ~ normal(0, 1) extra");
    assertEquals("expected one of `block`, `data`, `network`, `noise`, `train`, end of file; found name `extra`", e.message());
    assertEquals("2:29", where(e));
  }

  @Test
  void lexicalErrors() {
    Diagnostic s = error("model m\ndata real: [2] = toy(\"8gaussians)\n");
    assertEquals("E0003", s.code());
    assertEquals("2:22", where(s));
    Diagnostic c = error("model m @");
    assertEquals("unexpected character `@`", c.message());
    assertEquals("1:9", where(c));
    Diagnostic nul = error("model m\n\0");
    assertEquals("unexpected character U+0000", nul.message());
    assertEquals("2:1", where(nul));
  }

  @Test
  void encoding() {
    Diagnostic d = error(new byte[] {'m', 'o', 'd', 'e', 'l', ' ', (byte) 0xe9});
    assertEquals("file is not valid UTF-8", d.message());
    assertEquals("1:7", where(d));
    assertEquals("invalid byte 0xe9", d.label());
    // a byte-order mark is skipped and does not shift columns
    Diagnostic bom = error(new byte[] {(byte) 0xef, (byte) 0xbb, (byte) 0xbf, 'm', 'o', 'd', 'e', 'l', ' ', '@'});
    assertEquals("1:7", where(bom));
  }

  @Test
  void nestingAndLengthLimits() {
    Diagnostic d = error("model m\ntrain batch 1, steps 1 { critic D with sgd(lr=1) { loss = " + "(".repeat(100) + "1"
        + ")".repeat(100) + " } }");
    assertEquals("E0005", d.code());
    assertEquals("brackets nested too deeply", d.message());
    Diagnostic e = error("model m\ntrain batch 1, steps 1 { critic D with sgd(lr=1) { loss = 1" + " + 1".repeat(300) + " } }");
    assertEquals("E0006", e.code());
    assertEquals("more than 256 operators", e.label());
  }

  @Test
  void targetedMessagesFromTheAstBuilder() {
    Diagnostic step = error("model m\ntrain batch 1, steps 1 { critic D with sgd(lr=1), 5 per generator round { } }");
    assertEquals("expected `step` after `per generator`", step.message());
    assertEquals("2:67", where(step));
    Diagnostic per = error("model m\ntrain batch 1, steps 1 { critic D with sgd(lr=1) { a ~ uniform(0, 1) per batch } }");
    assertEquals("expected `sample` after `per`", per.message());
    Diagnostic big = error("model m\ntrain batch 1, steps 1 { critic D with sgd(lr=1) { loss = 1e999 } }");
    assertEquals("number `1e999` is too large", big.message());
  }
}

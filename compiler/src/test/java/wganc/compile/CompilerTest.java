package wganc.compile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import wganc.check.Model;
import wganc.emit.Backend;
import wganc.emit.Codegen;
import wganc.emit.Sources;
import wganc.emit.java.JvmBackend;
import wganc.emit.tornado.TornadoBackend;
import wganc.ir.IrPrinter;
import wganc.lower.Lowering;
import wganc.passes.Pipeline;
import wganc.syntax.Ast;

/**
 * The driver: the checker types every expression once and lowering reads those types; a compile runs
 * each stage once, and both backends emit exactly the phases, graphs and schedules it holds.
 */
class CompilerTest {
  static final Backend.Options OPTIONS = Backend.Options.defaults();

  static Stream<Path> models() throws IOException {
    return Files.list(Path.of("../models")).filter(p -> p.toString().endsWith(".wgan")).sorted();
  }

  static Checked check(String model) {
    Checked o = Compiler.check(Path.of("../models", model + ".wgan"));
    assertTrue(o.ok(), () -> o.diagnostics().toString());
    return o;
  }

  /**
   * Every expression the checker infers (all but keyword arguments: `axes=[...]`, `training=false`)
   * has its type in the phase, and each statement's value is lowered to a tensor of that type.
   */
  @ParameterizedTest
  @MethodSource("models")
  void theCheckerTypesEveryExpressionAndLoweringFollowsIt(Path path) {
    Checked o = Compiler.check(path);
    assertTrue(o.ok(), () -> o.diagnostics().toString());
    for (Compiled.Phase p : Compiler.compile(o, Target.lowered(Lowering.Draws.INPUTS)).phases()) {
      Model.Phase phase = p.lowered().phase();
      for (Ast.Stmt s : phase.stmts()) {
        switch (s) {
          case Ast.Let l -> {
            walk(l.expr(), e -> phase.type(e));
            assertEquals(phase.types().get(l.name()), phase.type(l.expr()), l.name());
          }
          case Ast.Sample sm -> {
            if (sm.shape() instanceof Ast.Like like) walk(like.of(), e -> phase.type(e));
          }
        }
        Model.Type t = phase.types().get(s.name());
        List<Integer> dims = new ArrayList<>(t.shape());
        if (t.batched()) dims.addFirst(phase.batch());
        assertEquals(dims, p.lowered().graph().outputs().get(s.name()).type().dims(), p.name() + " `" + s.name() + "`");
      }
    }
  }

  private static void walk(Ast.Expr e, java.util.function.Consumer<Ast.Expr> visit) {
    visit.accept(e);
    switch (e) {
      case Ast.Unary u -> walk(u.operand(), visit);
      case Ast.Binary b -> { walk(b.left(), visit); walk(b.right(), visit); }
      case Ast.CallExpr c -> c.args().stream().filter(a -> a.key().isEmpty()).forEach(a -> walk(a.value(), visit));
      default -> {}
    }
  }

  /** Lowering reads the checker's types: without them (and no checker to ask) it cannot lower. */
  @Test
  void loweringReadsTheCheckersTypesAndNeverChecksAgain() {
    Model m = check("toy8-wgan-gp").model();
    Model.Training t = m.training();
    List<Model.Update> untyped = t.updates().stream().map(u -> new Model.Update(u.role(), u.name(), u.trains(),
        u.optimizer(), u.schedule(), u.perGenerator(), u.phases().stream().map(p -> new Model.Phase(p.name(), p.batch(),
            p.stmts(), p.types(), Map.of(), p.draws(), p.span())).toList(), u.span())).toList();
    Model stripped = new Model(m.name(), m.data(), m.noise(), m.networks(),
        new Model.Training(t.batch(), t.epochs(), t.steps(), t.seed(), untyped), m.ast());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Lowering.lower(stripped, Lowering.Draws.RANDOM));
    assertTrue(e.getMessage().startsWith("phase `critic` has no expression at "), e.getMessage());
  }

  /**
   * One compile: the phases in training order then the sampling program, each optimised once (its
   * schedule is of the passes' graph) under the target's rules; the spec is the compile's.
   */
  @ParameterizedTest
  @MethodSource("backends")
  void eachStageRunsOnceAndTheBackendEmitsWhatTheCompileHolds(Backend backend) {
    Checked o = check("mnist-wgan-clip");
    Compiled c = Compiler.compile(o, backend.target(OPTIONS));
    List<String> phases = o.model().training().updates().stream().flatMap(u -> u.phases().stream())
        .map(Model.Phase::name).toList();
    assertEquals(phases, c.phases().stream().map(Compiled.Phase::name).toList());
    assertEquals("sample", c.sample().name());
    assertEquals(o.diagnostics(), c.lints());
    for (Compiled.Phase p : c.all()) {
      assertSame(p.passes().graph(), p.schedule().graph(), p.name());
      assertEquals(IrPrinter.print(Pipeline.standard().run(p.lowered().graph()).graph()), IrPrinter.print(p.graph()), p.name());
    }
    Sources s = backend.sources(c, OPTIONS);
    assertSame(c.spec(), s.spec());
    assertEquals(c.all().stream().map(Compiled.Phase::name).toList(), s.phaseNames());
    for (Compiled.Phase p : c.all()) assertEquals(Codegen.Io.of(p.graph()), s.io().get(p.name()), p.name());
  }

  static Stream<Backend> backends() {
    return Stream.of(new JvmBackend(), new TornadoBackend(null, true));
  }

  /**
   * A backend emits the schedule it is given: a phase swapped in from a compile at another batch is
   * emitted as that compile emits it, and a compile for the other backend's rules is refused.
   */
  @Test
  void backendsEmitTheCompiledSchedulesAndNothingElse() {
    Checked o = check("toy8-wgan-gp");
    JvmBackend jvm = new JvmBackend();
    Compiled c = Compiler.compile(o, jvm.target(OPTIONS));
    Compiled small = Compiler.compile(o.withModel(o.model().withBatch(4)), jvm.target(OPTIONS));
    List<Compiled.Phase> phases = new ArrayList<>(c.phases());
    phases.set(0, small.phases().getFirst());
    Compiled swapped = new Compiled(c.model(), c.sourceText(), c.lints(), c.target(), phases, c.sample(), c.spec());
    String cls = "wganc.generated.toy8_wgan_gp.CriticPhase";
    String emitted = jvm.sources(swapped, OPTIONS).files().get(cls).toString();
    assertEquals(jvm.sources(small, OPTIONS).files().get(cls).toString(), emitted);
    assertNotEquals(jvm.sources(c, OPTIONS).files().get(cls).toString(), emitted);
    TornadoBackend tornado = new TornadoBackend(null, true);
    assertThrows(IllegalArgumentException.class, () -> jvm.sources(Compiler.compile(o, tornado.target(OPTIONS)), OPTIONS));
    assertThrows(IllegalArgumentException.class, () -> tornado.sources(c, OPTIONS));
  }

  /** A target that stops after lowering has the lowered phases and nothing after them. */
  @Test
  void aLoweredTargetStopsAfterLowering() {
    Compiled c = Compiler.compile(check("toy8-wgan-gp"), Target.lowered(Lowering.Draws.RANDOM));
    assertEquals(List.of("critic", "generator"), c.phases().stream().map(Compiled.Phase::name).toList());
    assertFalse(c.phases().getFirst().lowered().graph().bindings().isEmpty());
    assertThrows(IllegalStateException.class, () -> c.phases().getFirst().schedule());
    assertThrows(IllegalStateException.class, c::spec);
    assertThrows(IllegalStateException.class, c::sample);
    assertEquals(2, c.all().size());
  }
}

package wganc.passes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import wganc.ir.Graph;
import wganc.ir.IrException;
import wganc.ir.IrParser;
import wganc.ir.IrPrinter;
import wganc.ir.IrVerifier;
import wganc.ir.Node;

/** Each pass on IR text: the exact text after, and the input itself back at a fixed point. */
class PassesTest {
  static void assertRewrites(Pass pass, String before, String after) {
    Graph in = IrParser.parse(before);
    IrVerifier.verify(in);
    Graph out = pass.run(in);
    IrVerifier.verify(out);
    assertEquals(after, IrPrinter.print(out));
    assertEquals(before, IrPrinter.print(in), "the input graph must not change");
    assertSame(out, pass.run(out), "a second run changes nothing and returns its input");
  }

  @Test
  void simplifyAlgebraAndFolding() {
    assertRewrites(new Simplify(), """
        %0 : f32[2] = input "x"
        %1 : f32[2] = constant 1.0
        %2 : f32[2] = mul %0 %1
        %3 : f32[2] = constant 0.0
        %4 : f32[2] = add %2 %3
        %5 : f32[2] = neg %4
        %6 : f32[2] = neg %5
        %7 : f32[] = constant 2.0
        %8 : f32[] = constant 3.0
        %9 : f32[] = mul %7 %8
        %10 : f32[2] = mul %6 %3
        %11 : f32[2] = sub %3 %0
        %12 : f32[2] = greater %1 %3
        %13 : f32[2] = select %12 %11 %0
        output "y" = %6
        output "c" = %9
        output "z" = %10
        output "s" = %13
        """, """
        %0 : f32[2] = input "x"
        %1 : f32[2] = constant 1.0
        %3 : f32[2] = constant 0.0
        %5 : f32[2] = neg %0
        %7 : f32[] = constant 2.0
        %8 : f32[] = constant 3.0
        %9 : f32[] = constant 6.0
        %10 : f32[2] = constant 0.0
        %11 : f32[2] = neg %0
        %12 : f32[2] = constant 1.0
        output "y" = %0
        output "c" = %9
        output "z" = %10
        output "s" = %11
        """);
  }

  @Test
  void simplifyLayout() {
    assertRewrites(new Simplify(), """
        %0 : f32[2,3] = input "x"
        %1 : f32[6] = reshape %0 {shape=[6]}
        %2 : f32[3,2] = reshape %1 {shape=[3,2]}
        %3 : f32[2,3] = transpose %0 {perm=[0,1]}
        %4 : f32[2,3] = pad %3 {hi=[0,0], lo=[0,0]}
        %5 : f32[2,3] = broadcast_to %4 {shape=[2,3]}
        %6 : f32[2,3] = reduce_sum %5 {axes=[], keepdims=false}
        %7 : f32[1,3] = constant 2.0
        %8 : f32[2,3] = broadcast_to %7 {shape=[2,3]}
        %9 : f32[3] = reduce_sum %8 {axes=[0], keepdims=false}
        %10 : f32[2,3] = pow %6 {exponent=1.0}
        output "a" = %2
        output "b" = %10
        output "c" = %9
        """, """
        %0 : f32[2,3] = input "x"
        %1 : f32[6] = reshape %0 {shape=[6]}
        %2 : f32[3,2] = reshape %0 {shape=[3,2]}
        %7 : f32[1,3] = constant 2.0
        %8 : f32[2,3] = constant 2.0
        %9 : f32[3] = constant 4.0
        output "a" = %2
        output "b" = %0
        output "c" = %9
        """);
  }

  @Test
  void simplifyZeroOperandOfAContraction() {
    assertRewrites(new Simplify(), """
        %0 : f32[4,2] = input "x"
        %1 : f32[3,2] = constant 0.0
        %2 : f32[4,3] = matmul %0 %1 {ta=false, tb=true}
        output "y" = %2
        """, """
        %0 : f32[4,2] = input "x"
        %1 : f32[3,2] = constant 0.0
        %2 : f32[4,3] = constant 0.0
        output "y" = %2
        """);
  }

  @Test
  void eliminateCommonSubexpressions() {
    assertRewrites(new EliminateCommonSubexpressions(), """
        %0 : f32[2,3] = input "x"
        %1 : f32[2,3] = exp %0
        %2 : f32[2,3] = exp %0 @m.wgan:3:7
        %3 : f32[2,3] = constant 2.0
        %4 : f32[2,3] = constant 2.0
        %5 : f32[2,3] = mul %1 %3
        %6 : f32[2,3] = mul %2 %4
        %7 : f32[2,3] = add %5 %6
        %8 : i64[] = input "step"
        %9 : f32[2,3] = random_uniform %8 {seed=1, shape=[2,3], stream=0}
        %10 : f32[2,3] = random_uniform %8 {seed=1, shape=[2,3], stream=1}
        %11 : f32[2,3] = random_uniform %8 {seed=1, shape=[2,3], stream=0}
        %12 : f32[2,3] = add %9 %10
        %13 : f32[2,3] = add %12 %11
        output "y" = %7
        output "r" = %13
        """, """
        %0 : f32[2,3] = input "x"
        %1 : f32[2,3] = exp %0
        %3 : f32[2,3] = constant 2.0
        %5 : f32[2,3] = mul %1 %3
        %7 : f32[2,3] = add %5 %5
        %8 : i64[] = input "step"
        %9 : f32[2,3] = random_uniform %8 {seed=1, shape=[2,3], stream=0}
        %10 : f32[2,3] = random_uniform %8 {seed=1, shape=[2,3], stream=1}
        %12 : f32[2,3] = add %9 %10
        %13 : f32[2,3] = add %12 %9
        output "y" = %7
        output "r" = %13
        """);
  }

  @Test
  void eliminateDeadCodeKeepsTheInterface() {
    assertRewrites(new EliminateDeadCode(), """
        %0 : f32[2] = input "x"
        %1 : f32[2] = parameter "unused"
        %2 : f32[2] = exp %0
        %3 : f32[2] = log %1
        %4 : f32[2] = constant 1.0
        %5 : f32[2] = add %2 %4
        output "y" = %5
        """, """
        %0 : f32[2] = input "x"
        %1 : f32[2] = parameter "unused"
        %2 : f32[2] = exp %0
        %4 : f32[2] = constant 1.0
        %5 : f32[2] = add %2 %4
        output "y" = %5
        """);
  }

  @Test
  void pipelineReportsCountsAndVerifiesAfterEveryPass() {
    Graph g = IrParser.parse("""
        %0 : f32[2] = input "x"
        %1 : f32[2] = constant 1.0
        %2 : f32[2] = mul %0 %1
        %3 : f32[2] = exp %2
        %4 : f32[2] = exp %0
        %5 : f32[2] = add %3 %4
        output "y" = %5
        """);
    Pipeline.Result r = Pipeline.standard().run(g);
    assertEquals("""
        %0 : f32[2] = input "x"
        %3 : f32[2] = exp %0
        %5 : f32[2] = add %3 %3
        output "y" = %5
        """, IrPrinter.print(r.graph()));
    assertEquals("simplify 6->5 (apply 4->3); eliminate-common-subexpressions 5->4 (apply 3->2); "
        + "simplify 4->4 (apply 2->2); masks-from-activations 4->4 (apply 2->2); "
        + "eliminate-dead-code 4->3 (apply 2->2); "
        + "total 6->3 (apply 4->2)", r.report());

    Pass broken = new Pass() {
      @Override
      public String name() {
        return "broken";
      }

      @Override
      public Graph run(Graph in) {
        return new Graph(in.bindings().subList(1, in.size()), in.outputs());
      }
    };
    IrException e = assertThrows(IrException.class,
        () -> new Pipeline(List.of(new Simplify(), broken)).run(g));
    assertTrue(e.getMessage().startsWith("after pass `broken`: at %3: %0 is used before it is "
        + "defined"), e.getMessage());
  }

  @Test
  void passesNeverMutateAndReturnTheInputWhenUnchanged() {
    Graph g = IrParser.parse("""
        %0 : f32[2] = input "x"
        %1 : f32[2] = exp %0
        output "y" = %1
        """);
    for (Pass p : Pipeline.standard().passes()) {
      assertSame(g, p.run(g), p.name());
    }
    assertTrue(g.node(g.output("y")) instanceof Node.Apply);
    assertEquals(Map.of(), Map.of());
  }

  @Test
  void masksAreReadOffReluAndLeakyReluOutputs() {
    assertRewrites(new MasksFromActivations(), """
        %0 : f32[2] = input "x"
        %1 : f32[2] = input "y"
        %2 : f32[2] = input "g"
        %3 : f32[2] = constant 0.0
        %4 : f32[2] = greater %0 %3
        %5 : f32[2] = select %4 %0 %3
        %6 : f32[2] = greater %1 %3
        %7 : f32[2] = constant 0.2
        %8 : f32[2] = mul %1 %7
        %9 : f32[2] = select %6 %1 %8
        %10 : f32[2] = select %4 %2 %3
        %11 : f32[2] = select %6 %10 %3
        output "relu" = %5
        output "leaky" = %9
        output "back" = %11
        output "mask" = %4
        """, """
        %0 : f32[2] = input "x"
        %1 : f32[2] = input "y"
        %2 : f32[2] = input "g"
        %3 : f32[2] = constant 0.0
        %4 : f32[2] = greater %0 %3
        %5 : f32[2] = select %4 %0 %3
        %12 : f32[2] = greater %5 %3
        %6 : f32[2] = greater %1 %3
        %7 : f32[2] = constant 0.2
        %8 : f32[2] = mul %1 %7
        %9 : f32[2] = select %6 %1 %8
        %13 : f32[2] = greater %9 %3
        %10 : f32[2] = select %12 %2 %3
        %11 : f32[2] = select %13 %10 %3
        output "relu" = %5
        output "leaky" = %9
        output "back" = %11
        output "mask" = %12
        """);
  }

  @Test
  void masksOfOtherShapesStay() {
    // a negative slope flips the sign of the output, a mask against 1 is not the activation's
    String text = """
        %0 : f32[2] = input "x"
        %1 : f32[2] = constant 0.0
        %2 : f32[2] = constant 1.0
        %3 : f32[2] = greater %0 %2
        %4 : f32[2] = select %3 %0 %1
        %5 : f32[2] = constant -0.5
        %6 : f32[2] = greater %0 %1
        %7 : f32[2] = mul %0 %5
        %8 : f32[2] = select %6 %0 %7
        %9 : f32[2] = select %3 %8 %1
        %10 : f32[2] = select %6 %4 %1
        output "a" = %9
        output "b" = %10
        """;
    Graph in = IrParser.parse(text);
    assertSame(in, new MasksFromActivations().run(in));
  }
}

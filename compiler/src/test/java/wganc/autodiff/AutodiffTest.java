package wganc.autodiff;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import wganc.check.LayerSpec;
import wganc.interp.Float64Tensor;
import wganc.interp.Interpreter;
import wganc.ir.Graph;
import wganc.ir.GraphBuilder;
import wganc.ir.IrPrinter;
import wganc.ir.IrVerifier;
import wganc.ir.Node;
import wganc.ir.TensorType;
import wganc.ir.Value;
import wganc.ops.Compare;
import wganc.ops.Norm;

class AutodiffTest {
  @Test
  void graphTransformAppendsGradientsAsOutputs() {
    GraphBuilder b = new GraphBuilder();
    Value x = b.input("x", TensorType.f32(3));
    Value w = b.parameter("w", TensorType.f32(3));
    Value unrelated = b.parameter("unrelated", TensorType.f32(2));
    Value y = b.sum(b.mul(b.relu(x), w));
    Graph g = Autodiff.grad(b.output("y", y).build(), y, List.of(w, x, unrelated),
        List.of("dw", "dx", "dunrelated"));
    IrVerifier.verify(g);
    assertEquals("""
        %0 : f32[3] = input "x"
        %1 : f32[3] = parameter "w"
        %2 : f32[2] = parameter "unrelated"
        %3 : f32[3] = constant 0.0
        %4 : f32[3] = greater %0 %3
        %5 : f32[3] = constant 0.0
        %6 : f32[3] = select %4 %0 %5
        %7 : f32[3] = mul %6 %1
        %8 : f32[] = reduce_sum %7 {axes=[0], keepdims=false}
        %9 : f32[] = constant 1.0
        %10 : f32[1] = reshape %9 {shape=[1]}
        %11 : f32[3] = broadcast_to %10 {shape=[3]}
        %12 : f32[3] = mul %11 %1
        %13 : f32[3] = mul %11 %6
        %14 : f32[3] = constant 0.0
        %15 : f32[3] = select %4 %12 %14
        %16 : f32[2] = constant 0.0
        output "y" = %8
        output "dw" = %13
        output "dx" = %15
        output "dunrelated" = %16
        """, IrPrinter.print(g));
  }

  @Test
  void masksGetNoCotangentsAtAnyOrder() {
    GraphBuilder b = new GraphBuilder();
    Value x = b.input("x", TensorType.f32(4));
    Value y = b.sum(b.pow(LayerSpec.LeakyRelu.apply(b, x, 0.2), 3.0));
    Value g = Autodiff.grad(b, y, List.of(x)).getFirst();
    int before = b.bindings().size();
    Autodiff.grad(b, b.sum(b.mul(g, g)), List.of(x));
    for (var binding : b.bindings().subList(before, b.bindings().size())) {
      if (binding.node() instanceof Node.Apply a && a.op() instanceof Compare) {
        throw new AssertionError("second order built a comparison: " + IrPrinter.line(binding));
      }
    }
  }

  @Test
  void normHasFiniteDerivativesAtZeroAndExactValuesElsewhere() {
    GraphBuilder b = new GraphBuilder();
    Value x = b.input("x", TensorType.f32(2, 3));
    Value n = Norm.perSample(b, x);
    Value penalty = b.sum(b.pow(b.sub(n, 1.0), 2.0));
    Value g = Autodiff.grad(b, penalty, List.of(x)).getFirst();
    Value gg = Autodiff.grad(b, b.sum(b.mul(g, g)), List.of(x)).getFirst();
    b.output("n", n).output("g", g).output("gg", gg);
    double[] data = {0, 0, 0, 3, 4, 12};
    Interpreter.Result r = Interpreter.run(b.build(),
        Map.of("x", new Float64Tensor(List.of(2, 3), data)));
    assertEquals(0.0, r.output("n").data()[0]);
    assertEquals(13.0, r.output("n").data()[1]);
    for (double v : r.output("g").data()) {
      assertTrue(Double.isFinite(v));
    }
    for (double v : r.output("gg").data()) {
      assertTrue(Double.isFinite(v));
    }
    assertEquals(List.of(0.0, 0.0, 0.0), List.of(r.output("g").data()[0], r.output("g").data()[1],
        r.output("g").data()[2]));
    // d/dx (|x| - 1)^2 = 2 (|x| - 1) x / |x| = 24 x / 13 for |x| = 13
    assertEquals(24.0 * 3 / 13, r.output("g").data()[3], 1e-12);
  }
}

package wganc.ir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import wganc.autodiff.Autodiff;
import wganc.check.LayerSpec;
import wganc.ops.Norm;

class IrTextTest {
  static final String SMALL = """
      %0 : f32[4,2] = input "x"
      %1 : f32[3,2] = parameter "D.dense1.weight"
      %2 : f32[4,3] = matmul %0 %1 {ta=false, tb=true} @models/toy.wgan:12:5
      %3 : f32[4,3] = constant 0.0
      %4 : f32[4,3] = greater %2 %3
      %5 : f32[4,3] = select %4 %2 %3
      %6 : f32[] = reduce_sum %5 {axes=[0,1], keepdims=false}
      %7 : i64[] = input "step"
      %8 : f32[4,3] = random_normal %7 {seed=12345678901, shape=[4,3], stream=2}
      %9 : f32[4,5] = pad %2 {hi=[0,1], lo=[0,1]}
      %10 : f32[4,3] = pow %8 {exponent=0.001}
      output "loss" = %6
      output "noise" = %10
      """;

  @Test
  void printsWhatItParses() {
    Graph g = IrParser.parse(SMALL);
    IrVerifier.verify(g);
    assertEquals(SMALL, IrPrinter.print(g));
  }

  @Test
  void roundTripsABuiltGraphWithGradients() {
    GraphBuilder b = new GraphBuilder();
    Value x = b.input("x", TensorType.f32(2, 1, 5, 5));
    Value w = b.parameter("w", TensorType.f32(3, 1, 4, 4));
    Value y = LayerSpec.LeakyRelu.apply(b, b.conv2dSame(x, w, 2, 2), 0.2);
    Value n = Norm.perSample(b, y);
    Value loss = b.mean(b.pow(b.sub(n, 1.0), 2.0));
    List<Value> g = Autodiff.grad(b, loss, List.of(x, w));
    Graph graph = b.output("loss", loss).output("dx", g.get(0)).output("dw", g.get(1)).build();
    IrVerifier.verify(graph);
    String text = IrPrinter.print(graph);
    Graph parsed = IrParser.parse(text);
    assertEquals(graph, parsed);
    assertEquals(text, IrPrinter.print(parsed));
  }

  @Test
  void constantsRoundTripExactly() {
    GraphBuilder b = new GraphBuilder();
    b.output("c", b.constant(0.1 + 0.2, TensorType.f32()));
    b.output("d", b.constant(-1.0 / 3.0, TensorType.f32(2)));
    Graph g = b.build();
    assertEquals(g, IrParser.parse(IrPrinter.print(g)));
  }

  @Test
  void verifierRerunsShapeRules() {
    String bad = """
        %0 : f32[4,2] = input "x"
        %1 : f32[3,2] = parameter "w"
        %2 : f32[4,2] = matmul %0 %1 {tb=true}
        """;
    IrException e = assertThrows(IrException.class, () -> IrVerifier.verify(IrParser.parse(bad)));
    assertTrue(e.getMessage().contains("declared f32[4,2] but `matmul` gives f32[4,3]"),
        e.getMessage());
    assertTrue(e.getMessage().contains(" -> %2 : f32[4,2] = matmul %0 %1 {tb=true}"),
        e.getMessage());
  }

  @Test
  void shapeErrorsNameTheOpExpectedAndFound() {
    GraphBuilder b = new GraphBuilder();
    Value x = b.input("x", TensorType.f32(4, 2));
    Value w = b.parameter("w", TensorType.f32(3, 5));
    IrException e = assertThrows(IrException.class, () -> b.matmul(x, w, false, true));
    assertEquals("`matmul`: expected contracted dimensions to agree (ta=false, tb=true), found "
        + "f32[4,2] and f32[3,5]", e.getMessage());
  }

  @Test
  void parserRejectsUseBeforeDefinition() {
    IrException e = assertThrows(IrException.class,
        () -> IrParser.parse("%1 : f32[] = neg %0\n"));
    assertTrue(e.getMessage().startsWith("line 1: value %0 is used before it is defined"),
        e.getMessage());
  }

  @Test
  void verifierRejectsDuplicateNamesAndUnboundOutputs() {
    assertThrows(IrException.class, () -> IrVerifier.verify(IrParser.parse("""
        %0 : f32[] = input "x"
        %1 : f32[] = parameter "x"
        """)));
    Graph g = new Graph(List.of(), java.util.Map.of("y", new Value(3, TensorType.f32())));
    assertThrows(IrException.class, () -> IrVerifier.verify(g));
  }

  @Test
  void builderBroadcastsExplicitly() {
    GraphBuilder b = new GraphBuilder();
    Value x = b.input("x", TensorType.f32(2, 3));
    Value bias = b.parameter("b", TensorType.f32(3));
    b.output("y", b.add(x, bias));
    assertEquals("""
        %0 : f32[2,3] = input "x"
        %1 : f32[3] = parameter "b"
        %2 : f32[1,3] = reshape %1 {shape=[1,3]}
        %3 : f32[2,3] = broadcast_to %2 {shape=[2,3]}
        %4 : f32[2,3] = add %0 %3
        output "y" = %4
        """, IrPrinter.print(b.build()));
  }
}

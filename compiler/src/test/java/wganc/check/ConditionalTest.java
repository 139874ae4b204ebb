package wganc.check;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;
import wganc.diag.Diagnostic;

/** Conditional models: labels as data, class noise, networks with a second input joined by `concat NAME`. */
class ConditionalTest {
  static final String DATA = """
      model cond
      data real: image[1, 8, 8], y: class[4] = idx("i.gz", labels="l.gz")
      noise z: [6] ~ normal(0, 1)
      noise c: class[4] ~ uniform
      """;
  static final String NETS = """
      network G(z: [6], y: [4]) -> [1, 8, 8] { concat y; dense 64; reshape [1, 8, 8]; tanh }
      network D(x: [1, 8, 8], y: [4]) -> [1] { concat y; conv 2 kernel=3 padding=same; flatten; dense 1 }
      """;
  static final String TRAIN = """
      train batch 8, steps 1 {
        critic D with sgd(lr=0.1) {
          fake = G(z, y)
          alpha ~ uniform(0, 1) per sample
          xhat = real + alpha * (fake - real)
          loss = mean(D(fake, y)) - mean(D(real, y)) + mean((norm(grad(D(xhat, y), xhat)) - 1)^2)
        }
        generator G with sgd(lr=0.1) { loss = -mean(D(G(z, c), c)) }
      }
      """;

  static Diagnostic error(String text) {
    List<Diagnostic> errors = CheckTest.errors(text);
    assertEquals(1, errors.size(), errors::toString);
    return errors.getFirst();
  }

  @Test
  void labelsClassNoiseAndSecondInputsCheck() {
    Model m = CheckTest.ok(DATA + NETS + TRAIN).model();
    Model.Data real = m.data().getFirst();
    assertEquals(new Model.Labels("y", 4, real.labels().orElseThrow().span()), real.labels().orElseThrow());
    assertEquals(new Model.OneHot(4), m.noise().get(1).dist());
    Model.Network g = m.network("G").orElseThrow(), d = m.network("D").orElseThrow();
    assertEquals(2, g.arity());
    assertEquals(List.of(10), g.layers().getFirst().out(), "[6] joined with [4]");
    assertEquals(List.of(5, 8, 8), d.layers().getFirst().out(), "an image [1, 8, 8] joined with [4] on every pixel");
    assertEquals("concat y", d.layers().getFirst().spec().kind());
    assertEquals(List.of(List.of(4)), m.training().updates().getFirst().phases().getFirst().exprTypes().entrySet().stream()
        .filter(e -> e.getKey() instanceof wganc.syntax.Ast.Name n && n.name().equals("y")).map(e -> e.getValue().shape())
        .distinct().toList());
    String summary = Summary.of(d);
    assertEquals(true, summary.startsWith("network D (x: [1, 8, 8], y: [4] -> [1])"), summary);
    assertEquals(true, summary.contains(" y (input)                     (None, 4)"), summary);
    assertEquals(true, summary.contains(" 0 concat y                    (None, 5, 8, 8)"), summary);
  }

  @Test
  void aBlockJoinsTheInputOfTheNetworkUsingIt() {
    String block = "block embed(units) { concat y; dense units=units bias=false }\n";
    Model m = CheckTest.ok(DATA + block + NETS.replace("{ concat y; dense 64;", "{ embed 32; dense 64;") + TRAIN).model();
    Model.Layer use = m.network("G").orElseThrow().layers().getFirst();
    assertEquals(List.of(32), use.out());
    assertEquals(List.of(List.of(10), List.of(32)), use.spec().inner().stream().map(Model.Layer::out).toList());
    assertEquals("G.0.1.weight", use.params().getFirst().name());
    assertEquals(List.of(32, 10), use.params().getFirst().shape(), "an embedding of the noise and the class");
  }

  @Test
  void anImageJoinedWithAVectorRepeatsItOverEveryPixel() {
    // x [1, 1, 2, 2] = 1 2 3 4, y [1, 2] = (10, 20): channels 1 and 2 of the result are 10 and 20 everywhere
    double[] out = CheckTest.forward(new LayerSpec.ConcatInput("c"), new int[] {1, 1, 2, 2}, new double[] {1, 2, 3, 4},
        new int[] {1, 2}, new double[] {10, 20});
    assertArrayEquals(new double[] {1, 2, 3, 4, 10, 10, 10, 10, 20, 20, 20, 20}, out, 0);
    double[] flat = CheckTest.forward(new LayerSpec.ConcatInput("c"), new int[] {2, 3}, new double[] {1, 2, 3, 4, 5, 6},
        new int[] {2, 1}, new double[] {7, 8});
    assertArrayEquals(new double[] {1, 2, 3, 7, 4, 5, 6, 8}, flat, 0);
  }

  @Test
  void aNetworkCalledWithTooFewInputsSaysWhatItTakes() {
    Diagnostic e = error(DATA + NETS + TRAIN.replace("-mean(D(G(z, c), c))", "-mean(D(G(z), c))"));
    assertEquals("E0606", e.code());
    assertEquals("network `G` takes 2 inputs, found 1", e.message());
    assertEquals("write `G(z, y)`", e.help());
  }

  @Test
  void aClassOfTheWrongSizeNamesTheInput() {
    List<Diagnostic> errors = CheckTest.errors(DATA.replace("noise c: class[4]", "noise c: class[5]") + NETS + TRAIN);
    assertEquals(List.of("network `G` expects a batch of [4] as `y`, found a batch of [5]",
        "network `D` expects a batch of [4] as `y`, found a batch of [5]"), errors.stream().map(Diagnostic::message).toList());
    assertEquals("its input `y` is declared [4]", errors.getFirst().help());
  }

  @Test
  void anUnjoinedOrUnknownInputIsAnError() {
    Diagnostic unused = error(DATA + NETS.replace("{ concat y; dense 64;", "{ dense 64;") + TRAIN);
    assertEquals("E0232", unused.code());
    assertEquals("input `y` of network `G` is never used", unused.message());
    Diagnostic unknown = error(DATA + NETS.replace("{ concat y; conv", "{ concat yy; conv") + TRAIN);
    assertEquals("E0231", unknown.code());
    assertEquals("network `D` has no input `yy` to join", unknown.message());
    assertEquals("did you mean `y`?", unknown.help());
  }

  @Test
  void labelsNeedTheLabelFileAndAClassShape() {
    assertEquals("E0322", error(DATA.replace(", labels=\"l.gz\"", "") + NETS + TRAIN).code());
    Diagnostic shape = error(DATA.replace("y: class[4]", "y: class[4, 2]") + NETS + TRAIN);
    assertEquals("a class is one of k classes, 2 to 256: write `class[k]`", shape.message());
    Diagnostic kind = error(DATA.replace("y: class[4]", "y: clas[4]") + NETS + TRAIN);
    assertEquals("unknown kind `clas` for labels `y`", kind.message());
    assertEquals("did you mean `class`?", kind.help());
    Diagnostic noise = error(DATA.replace("class[4] ~ uniform", "class[4] ~ normal(0, 1)") + NETS + TRAIN);
    assertEquals("E0323", noise.code());
  }

  /** A folder of pictures gives classes by subfolder; an npy array has none. */
  @Test
  void imageFoldersGiveClassesAndArraysNone() {
    String folder = DATA.replaceFirst("idx\\([^)]*\\)", "images(\"pics\")");
    assertEquals(List.of(4), CheckTest.ok(folder + NETS + TRAIN).model().data().stream()
        .map(d -> d.labels().orElseThrow().classes()).toList());
    Diagnostic npy = error(DATA.replaceFirst("idx\\([^)]*\\)", "npy(\"x.npy\")") + NETS + TRAIN);
    assertEquals("E0322", npy.code());
    assertEquals("`npy` data have no labels", npy.message());
  }
}

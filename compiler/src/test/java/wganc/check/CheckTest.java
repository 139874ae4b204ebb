package wganc.check;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import wganc.diag.CompileError;
import wganc.diag.Diagnostic;
import wganc.diag.SourceFile;
import wganc.interp.Float64Tensor;
import wganc.interp.Interpreter;
import wganc.ir.GraphBuilder;
import wganc.ir.TensorType;
import wganc.ir.Value;
import wganc.syntax.Parse;

/** Shape inference, parameters, optimiser defaults and train-block types. */
class CheckTest {
  static final String PRELUDE = """
      model t
      data real: [2] = toy("8gaussians")
      data img: image[1, 28, 28] = idx("train-images-idx3-ubyte.gz")
      noise z: [2] ~ normal(0, 1)
      network G(z: [2]) -> [2] { dense 2 }
      network D(x: [2]) -> [1] { dense 1 }
      """;
  static final String TRAIN = """
      train batch 8, steps 1 {
        critic D with sgd(lr=0.1) { loss = mean(D(real)) }
        generator G with sgd(lr=0.1) { loss = -mean(D(G(z))) }
      }
      """;

  static Checker.Result check(String text) throws CompileError {
    return Checker.check(Parse.parse("t.wgan", text.getBytes(StandardCharsets.UTF_8), new SourceFile[1]));
  }

  static Checker.Result ok(String text) {
    try {
      return check(text);
    } catch (CompileError e) {
      throw new AssertionError("does not check: " + e.diagnostics(), e);
    }
  }

  static List<Diagnostic> errors(String text) {
    return assertThrows(CompileError.class, () -> check(text)).diagnostics();
  }

  /** A network N with the given input, output and layers, checked inside a complete model. */
  static Model.Network net(String in, String out, String body) {
    return ok(PRELUDE + "network N(x: " + in + ") -> " + out + " {\n" + body + "\n}\n" + TRAIN).model().network("N").orElseThrow();
  }

  static List<List<Integer>> shapes(Model.Network n) { return n.layers().stream().map(Model.Layer::out).toList(); }

  // ---- shapes

  // ---- data sources

  /** The checked data of PRELUDE plus {@code decl}, a data declaration named `own`. */
  static Model.Data own(String decl) {
    return ok(PRELUDE.replace("noise z", decl + "\nnoise z") + TRAIN).model().data().stream()
        .filter(d -> d.name().equals("own")).findFirst().orElseThrow();
  }

  @Test
  void imageFoldersAndNpyArrays() {
    Model.Data rgb = own("data own: image[3, 8, 6] = images(\"faces\") scaled to [-1, 1]");
    assertEquals(new Model.Images("faces", false), rgb.source());
    assertEquals(List.of(-1.0, 1.0), List.of(rgb.lo(), rgb.hi()));
    assertEquals(new Model.Images("a/b", true), own("data own: image[1, 8, 6] = images(\"a/b\", size=[8, 6], bad=\"skip\")").source());
    assertEquals(new Model.Images("sq", false), own("data own: image[1, 5, 5] = images(folder=\"sq\", size=5, bad=\"refuse\")").source());
    Model.Data flat = own("data own: [3] = npy(\"x.npy\")");
    assertEquals(new Model.Npy("x.npy"), flat.source());
    assertEquals(List.of(0.0, 1.0), List.of(flat.lo(), flat.hi()), "float data as they are");
    assertEquals(new Model.Npy("u8.npy"), own("data own: image[1, 4, 4] = npy(file=\"u8.npy\") scaled to [0, 2]").source());
    // a dataset of images allows epochs, as idx does
    ok(PRELUDE.replace("noise z", "data own: image[1, 4, 4] = images(\"f\")\nnoise z").replace("data img", "# data img")
        .replace("data real: [2] = toy(\"8gaussians\")", "data real: [2] = npy(\"p.npy\")") + TRAIN.replace("steps 1", "epochs 1"));
    List<Diagnostic> e = errors(PRELUDE.replace("data img", "# data img") + TRAIN.replace("steps 1", "epochs 1"));
    assertEquals("E0407", e.getFirst().code());
  }

  @Test
  void convSameAndValid() {
    Model.Network n = net("[1, 28, 28]", "[16, 3, 2]", """
        conv 8 kernel=4 stride=2 padding=same
        conv 8 kernel=5 stride=2 padding=same
        conv 8 kernel=3
        conv 16 kernel=[3, 2] stride=[1, 2] padding=valid""");
    assertEquals(List.of(List.of(8, 14, 14), List.of(8, 7, 7), List.of(8, 5, 5), List.of(16, 3, 2)), shapes(n));
    assertArrayEquals(new int[] {1, 2, 1, 2}, ((LayerSpec.Conv) n.layers().get(1).spec()).pad());
  }

  @Test
  void convExplicitPadding() {
    Model.Network n = net("[1, 28, 28]", "[4, 30, 32]", "conv 4 kernel=3 padding=[2, 3]");
    LayerSpec.Conv c = (LayerSpec.Conv) n.layers().getFirst().spec();
    assertArrayEquals(new int[] {2, 2, 3, 3}, c.pad());
  }

  @Test
  void convTransposeSameAndValid() {
    Model.Network n = net("[128, 7, 7]", "[1, 30, 30]", """
        conv_transpose 64 kernel=4 stride=2 padding=same
        conv_transpose 1 kernel=4 stride=2""");
    assertEquals(List.of(List.of(64, 14, 14), List.of(1, 30, 30)), shapes(n));
    LayerSpec.ConvTranspose t = (LayerSpec.ConvTranspose) n.layers().getFirst().spec();
    assertTrue(t.same());
    Model.Network odd = net("[8, 7, 7]", "[4, 14, 14]", "conv_transpose 4 kernel=5 stride=2 padding=same");
    assertTrue(((LayerSpec.ConvTranspose) odd.layers().getFirst().spec()).same());
    // Keras' valid output when the kernel is smaller than the stride: (in - 1) * s + max(k, s)
    assertEquals(List.of(List.of(2, 9, 9)), shapes(net("[3, 3, 3]", "[2, 9, 9]", "conv_transpose 2 kernel=2 stride=3")));
  }

  @Test
  void padCropUpsampleReshapeFlattenConsistent() {
    Model.Network n = net("[1, 28, 28]", "[1568]", """
        pad 2
        crop [1, 3, 2, 2]
        upsample [2, 1]
        pad [1, 2]
        crop [1, 2]
        reshape [2, 28, 28]
        flatten""");
    assertEquals(List.of(List.of(1, 32, 32), List.of(1, 28, 28), List.of(1, 56, 28), List.of(1, 58, 32), List.of(1, 56, 28),
        List.of(2, 28, 28), List.of(1568)), shapes(n));
    assertArrayEquals(new int[] {1, 3, 2, 2}, ((LayerSpec.Crop) n.layers().get(1).spec()).amount());
  }

  @Test
  void avgPoolTilesTheImageAndHasNoParameters() {
    Model.Network n = net("[3, 8, 6]", "[3, 2, 1]", "avg_pool; avg_pool [2, 3]");
    assertEquals(List.of(List.of(3, 4, 3), List.of(3, 2, 1)), shapes(n));
    assertEquals(new LayerSpec.AvgPool(2, 2), n.layers().get(0).spec());
    assertEquals(new LayerSpec.AvgPool(2, 3), n.layers().get(1).spec());
    assertEquals(List.of(), n.params());
    assertTrue(Summary.of(n).lines().toList().contains(" 1 avg_pool                    (None, 3, 2, 1)                        0"),
        Summary.of(n));
    Diagnostic e = errors(PRELUDE + "network N(x: [3, 7, 6]) -> [3, 3, 3] { avg_pool 2 }\n" + TRAIN).getFirst();
    assertEquals("E0214", e.code());
    assertEquals("`avg_pool` windows of 2x2 do not tile the input's 7x6", e.message());
  }

  /** A layer without parameters or draws applied to {@code x} of NCHW shape {@code dims}, in the interpreter. */
  static double[] forward(LayerSpec spec, int[] dims, double[] x) {
    return forward(spec, dims, x, new int[0], new double[0]);
  }

  /** As above, the network's input `c` being {@code y} of shape {@code yDims}. */
  static double[] forward(LayerSpec spec, int[] dims, double[] x, int[] yDims, double[] y) {
    GraphBuilder b = new GraphBuilder();
    Value in = b.input("x", TensorType.f32(dims));
    Value yIn = yDims.length == 0 ? null : b.input("c", TensorType.f32(yDims));
    b.output("y", spec.forward(new LayerSpec.Scope() {
      public GraphBuilder graph() { return b; }
      public boolean training() { return true; }
      public Value input(String name) { return name.equals("c") ? yIn : null; }
      public Value param(Model.ParamKind kind) { throw new AssertionError(kind); }
      public void write(Model.ParamKind kind, Value v) { throw new AssertionError(kind); }
      public Value random(String what, TensorType type, UnaryOperator<Value> fromUniform) { throw new AssertionError(what); }
      public Value apply(Model.Layer l, Value v) { return l.spec().forward(this, v); }
    }, in));
    var feeds = new java.util.HashMap<>(Map.of("x", new Float64Tensor(TensorType.f32(dims).dims(), x)));
    if (yIn != null) feeds.put("c", new Float64Tensor(TensorType.f32(yDims).dims(), y));
    return Interpreter.run(b.build(), feeds).output("y").data();
  }

  @Test
  void avgPoolTakesTheMeanOfEachWindow() {
    double[] x = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};  // [1, 1, 2, 6]
    assertArrayEquals(new double[] {(1 + 2 + 7 + 8) / 4.0, (3 + 4 + 9 + 10) / 4.0, (5 + 6 + 11 + 12) / 4.0},
        forward(new LayerSpec.AvgPool(2, 2), new int[] {1, 1, 2, 6}, x), 1e-12);
    assertArrayEquals(new double[] {2, 5, 8, 11}, forward(new LayerSpec.AvgPool(1, 3), new int[] {1, 1, 2, 6}, x), 1e-12);
  }

  @Test
  void shapePreservingLayersAndDefaults() {
    Model.Network n = net("[16]", "[16]", "batchnorm; layernorm; dropout 0.5; leaky_relu; relu; tanh; sigmoid");
    assertEquals(new LayerSpec.BatchNorm(0.99, 1e-3), n.layers().get(0).spec());
    assertEquals(new LayerSpec.LayerNorm(1e-3), n.layers().get(1).spec());
    assertEquals(new LayerSpec.Dropout(0.5), n.layers().get(2).spec());
    assertEquals(new LayerSpec.LeakyRelu(0.3), n.layers().get(3).spec());
    assertTrue(shapes(n).stream().allMatch(s -> s.equals(List.of(16))));
  }

  // ---- parameters (PyTorch names and layouts)

  static List<String> params(Model.Network n) {
    return n.params().stream().map(p -> p.name() + p.shape() + (p.trainable() ? "" : " frozen")).toList();
  }

  @Test
  void parameterNamesAndShapes() {
    Model.Network n = net("[3, 8, 8]", "[5]", """
        conv 4 kernel=[3, 2]
        conv_transpose 6 kernel=2 bias=false
        batchnorm
        layernorm
        flatten
        dense 5""");
    assertEquals(List.of("N.0.weight[4, 3, 3, 2]", "N.0.bias[4]",
        "N.1.weight[4, 6, 2, 2]",
        "N.2.weight[6]", "N.2.bias[6]", "N.2.running_mean[6] frozen", "N.2.running_var[6] frozen",
        "N.3.weight[6, 7, 8]", "N.3.bias[6, 7, 8]",
        "N.5.weight[5, 336]", "N.5.bias[5]"), params(n));
    assertEquals(List.of(6, 7, 8), n.layers().get(1).out());
  }

  @Test
  void initialisersAndClipping() {
    Model.Network n = net("[4]", "[3]", "dense 3 init=normal(0, 0.02) bias_init=constant(0.1) clip=0.01");
    Model.Param w = n.params().get(0), b = n.params().get(1);
    assertEquals(new Model.Init.Normal(0, 0.02), w.init());
    assertEquals(new Model.Init.Constant(0.1), b.init());
    assertEquals(Optional.of(0.01), w.clip());
    assertEquals(Optional.empty(), b.clip(), "clip bounds the kernel only, like Keras' kernel_constraint");
    assertEquals(new Model.Init.Glorot(true), net("[4]", "[3]", "dense 3").params().get(0).init());
    assertEquals(new Model.Init.He(false), net("[4]", "[3]", "dense 3 init=he_normal").params().get(0).init());
  }

  // ---- residuals, concatenations and blocks

  static final String BLOCKS = """
      block pair(c, k) { conv filters=c kernel=k padding=same; relu }
      block twice(c) { pair c=c k=3; pair k=1 c=c }
      """;

  /** A network N after the blocks {@code BLOCKS}, checked inside a complete model. */
  static Model.Network blockNet(String in, String out, String body) {
    return ok(PRELUDE + BLOCKS + "network N(x: " + in + ") -> " + out + " {\n" + body + "\n}\n" + TRAIN).model()
        .network("N").orElseThrow();
  }

  static Diagnostic blockError(String in, String out, String body) {
    return errors(PRELUDE + BLOCKS + "network N(x: " + in + ") -> " + out + " {\n" + body + "\n}\n" + TRAIN).getFirst();
  }

  @Test
  void residualConcatAndBlockShapesAndParameterPaths() {
    Model.Network n = blockNet("[3, 8, 8]", "[10, 4, 4]", """
        residual { conv 4 kernel=3 padding=same; relu; avg_pool 2 } shortcut { avg_pool 2; conv 4 kernel=1 }
        concat { pair 2 3 } { } { conv 4 kernel=1 bias=false }""");
    assertEquals(List.of(List.of(4, 4, 4), List.of(10, 4, 4)), shapes(n));
    assertEquals(List.of("N.0.branch.0.weight[4, 3, 3, 3]", "N.0.branch.0.bias[4]",
        "N.0.shortcut.1.weight[4, 3, 1, 1]", "N.0.shortcut.1.bias[4]",
        "N.1.0.0.0.weight[2, 4, 3, 3]", "N.1.0.0.0.bias[2]",
        "N.1.2.0.weight[4, 4, 1, 1]"), params(n));
    assertEquals(List.of("conv", "relu", "avg_pool", "avg_pool", "conv", "conv", "relu", "conv"),
        n.leaves().stream().map(l -> l.spec().kind()).toList());
    assertEquals(List.of("0.branch.0", "0.branch.1", "0.branch.2", "0.shortcut.0", "0.shortcut.1", "1.0.0.0", "1.0.0.1",
        "1.2.0"), n.leaves().stream().map(Model.Layer::path).toList());
    Model.Network t = blockNet("[3, 4, 4]", "[5, 4, 4]", "twice 5");
    assertEquals(List.of("N.0.0.0.weight[5, 3, 3, 3]", "N.0.0.0.bias[5]", "N.0.1.0.weight[5, 5, 1, 1]", "N.0.1.0.bias[5]"),
        params(t), "block arguments by name, a parameter passed on to a nested block");
    String summary = Summary.of(n);
    assertTrue(summary.contains(" 1 concat                      (None, 10, 4, 4)                      90\n"
        + "   1.0.0 pair                  (None, 2, 4, 4)                       74\n"
        + "     1.0.0.0 conv              (None, 2, 4, 4)                       74\n"), summary);
    assertEquals(List.of(List.of(12)), shapes(blockNet("[4]", "[12]", "concat { dense 8 } { }")), "flat inputs join features");
  }

  @Test
  void residualAddsAndConcatJoinsChannelsInOrder() {
    Model.Layer relu = new Model.Layer("0.branch.0", new LayerSpec.Relu(), List.of(2, 1, 1), List.of(2, 1, 1), List.of(), null);
    double[] x = {-1, 3};  // [1, 2, 1, 1]
    assertArrayEquals(new double[] {-1, 6}, forward(new LayerSpec.Residual(List.of(relu), List.of()), new int[] {1, 2, 1, 1}, x),
        1e-12);
    assertArrayEquals(new double[] {0, 3, -1, 3, 0, 3},
        forward(new LayerSpec.Concat(List.of(List.of(relu), List.of(), List.of(relu))), new int[] {1, 2, 1, 1}, x), 1e-12);
    assertArrayEquals(new double[] {1},
        forward(new LayerSpec.GlobalAvgPool(), new int[] {1, 1, 2, 2}, new double[] {0, 1, 2, 1}), 1e-12);
  }

  @Test
  void branchAndBlockErrors() {
    Diagnostic d = blockError("[3, 8, 8]", "[4, 4, 4]", "residual { conv 4 kernel=3 padding=same; avg_pool 2 } shortcut { conv 4 kernel=1 }");
    assertEquals("E0216", d.code());
    assertEquals("the shortcut gives [4, 8, 8] but the residual branch gives [4, 4, 4]", d.message());
    assertEquals("e.g. `shortcut { avg_pool 2; conv 4 kernel=1 }`", d.help());
    d = blockError("[3, 8, 8]", "[4, 16, 16]", "residual { upsample; conv 4 kernel=1 }");
    assertEquals("the identity shortcut gives [3, 8, 8] but the residual branch gives [4, 16, 16]", d.message());
    assertEquals("e.g. `shortcut { upsample 2; conv 4 kernel=1 }`", d.help());
    d = blockError("[3, 8, 8]", "[7, 8, 8]", "concat { conv 4 kernel=1 } { avg_pool 2 }");
    assertEquals("E0218", d.code());
    assertEquals("`concat` branch 2 gives [3, 4, 4] but branch 1 gives [4, 8, 8]", d.message());
    assertEquals("make branch 2 give [3, 8, 8]", d.help());
    assertEquals("E0217", blockError("[3, 8, 8]", "[3, 8, 8]", "concat { relu }").code());
    d = blockError("[3, 8, 8]", "[3, 8, 8]", "twise 3");
    assertEquals("E0204", d.code());
    assertEquals("did you mean `twice`?", d.help());
    d = blockError("[3, 8, 8]", "[3, 8, 8]", "pair 3 3 3");
    assertEquals("E0102", d.code());
    assertEquals("too many positional arguments for `pair`", d.message());
    d = blockError("[3, 8, 8]", "[3, 8, 8]", "pair 3");
    assertEquals("E0112", d.code());
    assertEquals("block `pair` needs 2 arguments, found 1", d.message());
    d = blockError("[3, 8, 8]", "[3, 8, 8]", "pair 0 3");
    assertEquals(7, d.span().line(), "filters=0 from the use, reported in the block: " + d);
    assertEquals(List.of("in block `pair`, used at line 10 as `N.0`"), d.notes());
    List<Diagnostic> es = errors(PRELUDE + "block loop { relu; loop }\nnetwork N(x: [2]) -> [2] { loop }\n" + TRAIN);
    assertEquals("block `loop` uses itself", es.getFirst().message());
    es = errors(PRELUDE + "block relu { tanh }\n" + TRAIN);
    assertEquals("block `relu` has the name of a layer", es.getFirst().message());
    es = errors(PRELUDE + "block b(c) { conv c kernel=1 }\nnetwork N(x: [1, 2, 2]) -> [1, 2, 2] { b 1 }\n" + TRAIN);
    assertEquals("E0220", es.getFirst().code());
    assertEquals("name the argument: `conv filters=c`", es.getFirst().help());
  }

  // ---- optimisers

  static Model.Optimizer optimizer(String call) {
    String text = PRELUDE + TRAIN.replace("critic D with sgd(lr=0.1)", "critic D with " + call);
    return ok(text).model().training().updates().getFirst().optimizer();
  }

  @Test
  void optimiserDefaultsFollowTheConvention() {
    assertEquals(new Model.Adam(1e-4, 0.9, 0.999, 1e-7, false, Model.Convention.KERAS), optimizer("adam(lr=1e-4)"));
    assertEquals(new Model.Adam(1e-4, 0.9, 0.999, 1e-8, false, Model.Convention.PYTORCH),
        optimizer("adam(lr=1e-4, convention=pytorch)"));
    assertEquals(new Model.RmsProp(5e-5, 0.9, 0, 1e-7, false, Model.Convention.KERAS), optimizer("rmsprop(lr=5e-5)"));
    assertEquals(new Model.RmsProp(5e-5, 0.99, 0, 1e-8, false, Model.Convention.PYTORCH),
        optimizer("rmsprop(5e-5, convention=pytorch)"));
    assertEquals(new Model.Sgd(0.1, 0, false), optimizer("sgd(lr=0.1)"));
    assertEquals(new Model.Sgd(0.1, 0.9, true), optimizer("sgd(lr=0.1, momentum=0.9, nesterov=true)"));
    assertEquals(new Model.Adam(2e-4, 0.5, 0.9, 1e-6, true, Model.Convention.KERAS),
        optimizer("adam(lr=2e-4, beta1=0.5, beta2=0.9, eps=1e-6, amsgrad=true)"));
  }

  /** decay=linear runs over the model's steps x per-generator-step count x phases; it needs `steps`. */
  @Test
  void linearDecaySpansTheUpdatesStepsAndNeedsSteps() {
    Model.Training t = ok(PRELUDE + """
        train batch 16, steps 7 {
          critic D with rmsprop(lr=5e-5, decay=linear), 5 per generator step {
            update a batch 4 { loss = mean(D(real)) }
            update b { loss = -mean(D(G(z))) }
          }
          generator G with adam(lr=1e-4, decay=none) { loss = -mean(D(G(z))) }
        }
        """).model().training();
    assertEquals(new Model.Linear(7 * 5 * 2), t.updates().get(0).schedule());
    assertEquals(new Model.Constant(), t.updates().get(1).schedule());
    List<Diagnostic> e = errors("""
        model t
        data img: image[1, 28, 28] = idx("train-images-idx3-ubyte.gz")
        noise z: [2] ~ normal(0, 1)
        network G(z: [2]) -> [1, 28, 28] { dense 784; reshape [1, 28, 28] }
        network D(x: [1, 28, 28]) -> [1] { flatten; dense 1 }
        train batch 16, epochs 2 {
          critic D with sgd(lr=0.1, decay=linear) { loss = mean(D(img)) }
          generator G with sgd(lr=0.1) { loss = -mean(D(G(z))) }
        }
        """);
    assertEquals(List.of("E0417"), e.stream().map(Diagnostic::code).toList(), e.toString());
    assertEquals("decay=linear", e.getFirst().span().text());
    e = errors(PRELUDE + TRAIN.replace("critic D with sgd(lr=0.1)", "critic D with sgd(lr=0.1, decay=cosine)"));
    assertEquals(List.of("E0111"), e.stream().map(Diagnostic::code).toList(), e.toString());
  }

  @Test
  void trainingOptionsAndSelections() {
    Model.Training t = ok(PRELUDE.replace("network D(x: [2]) -> [1] { dense 1 }",
        "network D(x: [2]) -> [1] { dense 4; batchnorm; dense 1 }") + """
        train batch 16, steps 7, seed 9 {
          critic D with rmsprop(lr=5e-5), 5 per generator step {
            update a batch 4 { loss = mean(D(real)) }
            update b { loss = -mean(D(G(z, training=false))) }
          }
          generator G, D.batchnorm with adam(lr=1e-4) { loss = -mean(D(G(z))) }
        }
        """).model().training();
    assertEquals(16, t.batch());
    assertEquals(Optional.of(7), t.steps());
    assertEquals(Optional.empty(), t.epochs());
    assertEquals(9, t.seed());
    Model.Update critic = t.updates().get(0);
    assertEquals(5, critic.perGenerator());
    assertEquals(List.of("critic.a", "critic.b"), critic.phases().stream().map(Model.Phase::name).toList());
    assertEquals(List.of(4, 16), critic.phases().stream().map(Model.Phase::batch).toList());
    assertEquals(List.of("D.0.weight", "D.0.bias", "D.1.weight", "D.1.bias", "D.2.weight", "D.2.bias"), critic.trains());
    assertEquals(List.of("G.0.weight", "G.0.bias", "D.1.weight", "D.1.bias"), t.updates().get(1).trains());
  }

  // ---- types of train-block expressions

  static Model.Type typeOf(String stmts, String name) {
    String text = PRELUDE + "train batch 8, steps 1 {\n  critic D with sgd(lr=0.1) {\n" + stmts
        + "\n    loss = mean(D(real))\n  }\n  generator G with sgd(lr=0.1) { loss = -mean(D(G(z))) }\n}\n";
    return ok(text).model().training().updates().getFirst().phases().getFirst().types().get(name);
  }

  static Model.Type batch(Integer... dims) { return new Model.Type(true, List.of(dims)); }

  @Test
  void typesOfValues() {
    String s = """
        fake = G(z)
        alpha ~ uniform(0, 1) per sample
        eps ~ normal(0, 1) like real
        w ~ normal(0, 1) : [3]
        xhat = real + alpha * (fake - real)
        s = D(xhat)
        g = grad(D(xhat), xhat)
        n = norm(g)
        n1 = norm(g, axes=[1])
        nb = norm(g, axes=[0, 1])
        m = mean(n)
        k = sum(D(fake)) / 2 + 3^2
        r = sqrt(abs(exp(log(square(tanh(sigmoid(relu(m))))))))
        ii = mean(img)
        u = -m
        q = w * 2
        y = m * real
        """;
    String all = s;
    assertEquals(batch(2), typeOf(all, "fake"));
    assertEquals(batch(), typeOf(all, "alpha"));
    assertEquals(batch(2), typeOf(all, "eps"));
    assertEquals(batch(3), typeOf(all, "w"));
    assertEquals(batch(2), typeOf(all, "xhat"));
    assertEquals(batch(1), typeOf(all, "s"));
    assertEquals(batch(2), typeOf(all, "g"));
    assertEquals(batch(), typeOf(all, "n"));
    assertEquals(batch(), typeOf(all, "n1"));
    assertEquals(Model.Type.SCALAR, typeOf(all, "nb"));
    assertEquals(Model.Type.SCALAR, typeOf(all, "m"));
    assertEquals(Model.Type.SCALAR, typeOf(all, "k"));
    assertEquals(Model.Type.SCALAR, typeOf(all, "r"));
    assertEquals(Model.Type.SCALAR, typeOf(all, "ii"));
    assertEquals(Model.Type.SCALAR, typeOf(all, "u"));
    assertEquals(batch(3), typeOf(all, "q"));
    assertEquals(batch(2), typeOf(all, "y"));
  }

  static Diagnostic firstError(String stmts) {
    String text = PRELUDE + "train batch 8, steps 1 {\n  critic D with sgd(lr=0.1) {\n" + stmts
        + "\n  }\n  generator G with sgd(lr=0.1) { loss = -mean(D(G(z))) }\n}\n";
    List<Diagnostic> ds = errors(text);
    assertEquals(1, ds.size(), ds.toString());
    return ds.getFirst();
  }

  @Test
  void typeErrors() {
    assertEquals("E0604", firstError("loss = mean(D(real) + real)").code());
    assertEquals("`loss` must be a scalar, found a batch of [1]", firstError("loss = D(real)").message());
    assertEquals("`loss` must be a scalar, found a batch of []", firstError("loss = norm(real)").message());
    assertEquals("E0607", firstError("loss = mean(D(img))").code());
    assertEquals("network `D` expects a batch of [2], found a scalar", firstError("loss = mean(D(1))").message());
    assertEquals("E0608", firstError("loss = mean(grad(D(real), real + 1))").code());
    assertEquals("E0609", firstError("m = mean(real)\n loss = mean(grad(D(real), m))").code());
    assertEquals("E0610", firstError("loss = mean(grad(G(real), real))").code());
    assertEquals("E0603", firstError("loss = mean(D(real))^mean(D(real))").code());
    assertEquals("E0601", firstError("loss = [1, 2]").code());
    assertEquals("E0602", firstError("loss = mean(D)").code());
    assertEquals("E0606", firstError("loss = mean(D(real), 2)").code());
    assertEquals("E0612", firstError("loss = mean(norm(real, axes=[2]))").code());
    assertEquals("E0506", firstError("e ~ normal(0, 1) like 3\n loss = mean(D(real))").code());
    assertEquals("E0507", firstError("e ~ normal(0, 1)\n loss = mean(D(real))").code());
    assertEquals("E0505", firstError("e ~ z per sample\n loss = mean(D(real))").code());
    assertEquals("E0110", firstError("loss = mean(D(real, training=maybe))").code());
    assertEquals("E0503", firstError("l = mean(D(real))").code());
  }

  @Test
  void aFailedDefinitionIsReportedOnce() {
    Diagnostic d = firstError("a = maen(D(real))\n b = a * 2\n loss = b");
    assertEquals("unknown function `maen`", d.message());
    assertEquals("did you mean `mean`?", d.help());
  }

  @Test
  void lintsOfTheCheckedModel() {
    String model = PRELUDE.replace("network D(x: [2]) -> [1] { dense 1 }", "network D(x: [2]) -> [1] { dense 4; batchnorm; dense 1 }") + """
        train batch 8, steps 1 {
          critic D with sgd(lr=0.1) {
            alpha ~ uniform(0, 1) per sample
            xhat = real + alpha * (G(z) - real)
            unused = 2
            loss = mean(D(real)) + mean(norm(grad(D(xhat), xhat), axes=[0, 1]))
          }
          generator G with sgd(lr=0.1) { loss = -mean(D(G(z))) }
        }
        """;
    List<String> codes = ok(model).warnings().stream().map(Diagnostic::code).toList();
    assertEquals(List.of("W0706", "W0703", "W0701"), codes);
    assertFalse(ok(PRELUDE + TRAIN).warnings().stream().anyMatch(Diagnostic::isError));
    assertInstanceOf(List.class, ok(PRELUDE + TRAIN).warnings());
  }
}

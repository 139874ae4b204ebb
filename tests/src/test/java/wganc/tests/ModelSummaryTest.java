package wganc.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import wganc.compile.Checked;
import wganc.compile.Compiler;
import wganc.check.Model;
import wganc.check.Summary;
import wganc.diag.Diagnostic;

/**
 * `wganc check` on every model in models/ (discovered, not listed), compared with a golden summary, plus
 * the parameter counts that Keras prints for the seeds' networks.
 */
class ModelSummaryTest {
  static final Path MODELS = Path.of("models");
  static final Path GOLDENS = Path.of("tests/src/test/resources/golden/ModelSummaryTest");

  static Stream<Path> models() throws IOException {
    try (Stream<Path> s = Files.list(MODELS)) {
      List<Path> all = s.filter(p -> p.toString().endsWith(".wgan")).sorted().toList();
      assertTrue(all.size() >= 8, "expected the seed models in " + MODELS.toAbsolutePath());
      return all.stream();
    }
  }

  static String stem(Path p) {
    String n = p.getFileName().toString();
    return n.substring(0, n.length() - ".wgan".length());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("models")
  void summaryMatchesGolden(Path model) {
    Cli r = Cli.run("check", model.toString());
    assertEquals(0, r.status(), r.err());
    Goldens.check(GOLDENS.resolve(stem(model) + ".txt"), r.out() + r.err());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("models")
  void checksWithoutWarningsExceptTheKnownOne(Path model) {
    Checked o = Compiler.check(model);
    assertTrue(o.ok(), () -> model + " does not check: " + o.diagnostics());
    List<String> codes = o.diagnostics().stream().map(Diagnostic::code).toList();
    if (model.getFileName().toString().equals("mnist-wgan-gp.wgan")) {
      assertEquals(List.of("W0702"), codes, "the keras.io code draws alpha from normal(0, 1)");
    } else {
      assertEquals(List.of(), codes);
    }
  }

  private static Model.Network network(String file, String name) {
    Checked o = Compiler.check(MODELS.resolve(file));
    assertTrue(o.ok(), () -> file + ": " + o.diagnostics());
    return o.result().model().network(name).orElseThrow();
  }

  /** Seed 002 (keras.io WGAN-GP): `d_model.summary()` and `g_model.summary()`. */
  @Test
  void seed002KerasCounts() {
    Model.Network d = network("mnist-wgan-gp.wgan", "D");
    assertEquals(4_305_409, Summary.total(d));
    assertEquals(4_305_409, Summary.trainable(d));
    Model.Network g = network("mnist-wgan-gp.wgan", "G");
    assertEquals(910_660, Summary.total(g));
    assertEquals(902_082, Summary.trainable(g));
  }

  /**
   * The WGAN-GP authors' CIFAR-10 ResNet: the counts of the same networks built with torch.nn
   * (bench/resnet_params.py prints them; CifarResNetTest compares every name and shape when PyTorch
   * is installed). The generator's non-trainable values are its 7 batchnorms' running statistics.
   */
  @Test
  void cifarResNetCountsAreThoseOfPyTorch() {
    Model.Network g = network("cifar-resnet-wgan-gp.wgan", "G");
    assertEquals(1_204_483, Summary.trainable(g));
    assertEquals(1_206_275, Summary.total(g));
    Model.Network d = network("cifar-resnet-wgan-gp.wgan", "D");
    assertEquals(1_053_825, Summary.trainable(d));
    assertEquals(1_053_825, Summary.total(d));
  }

  /** Seed 000 (the MNIST WGAN with weight clipping): critic and generator summaries. */
  @Test
  void seed000KerasCounts() {
    Model.Network d = network("mnist-wgan-clip.wgan", "D");
    assertEquals(70_337, Summary.total(d));
    assertEquals(70_081, Summary.trainable(d));
    Model.Network g = network("mnist-wgan-clip.wgan", "G");
    assertEquals(851_713, Summary.total(g));
    assertEquals(851_201, Summary.trainable(g));
  }
}

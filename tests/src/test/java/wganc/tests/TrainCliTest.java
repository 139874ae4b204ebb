package wganc.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import wganc.cli.Main;

/** `wganc train` on an image model whose dataset is missing: a clear error and no run directory. */
class TrainCliTest {
  @TempDir Path dir;

  /** A small greyscale model of SIDE x SIDE images read from IDX file {@code images}; its data is line 2. */
  private Path imageModel(String file, String name, String images, int side, int steps) throws java.io.IOException {
    String shape = "[1, " + side + ", " + side + "]";
    return Files.writeString(dir.resolve(file), """
        model %s
        data  real: image%s = idx("%s") scaled to [-1, 1]
        noise z: [4] ~ normal(0, 1)
        network G(z: [4]) -> %s { dense %d; reshape %s; tanh }
        network D(x: %s) -> [1] { flatten; dense 1 }
        train batch 4, steps %d {
          critic D with rmsprop(lr=5e-5) { loss = mean(D(G(z))) - mean(D(real)) }
          generator G with rmsprop(lr=5e-5) { loss = -mean(D(G(z))) }
        }
        """.formatted(name, shape, images, shape, side * side, shape, shape, steps));
  }

  @Test
  void missingDatasetSaysWhereItLookedAndWritesNothing() throws Exception {
    Path model = imageModel("m.wgan", "missing_data", "no-such-images.gz", 8, 2);
    Path run = dir.resolve("run");
    Path empty = Files.createDirectory(dir.resolve("empty"));
    StringWriter err = new StringWriter();
    int code = Main.run(new String[] {"train", model.toString(), "--out", run.toString(), "--data-dir", empty.toString()},
        new PrintWriter(new StringWriter()), new PrintWriter(err));
    assertEquals(1, code, err.toString());
    String text = err.toString();
    // an error at the model's data line, before anything is compiled
    assertTrue(text.startsWith("error[E0313]: dataset file `no-such-images.gz` not found"), text);
    assertTrue(text.contains("--> " + model + ":2:1"), text);
    assertTrue(text.contains("2 | data  real: image[1, 8, 8] = idx(\"no-such-images.gz\") scaled to [-1, 1]"), text);
    assertTrue(text.contains("= note: looked in --data-dir " + empty + ": no such file"), text);
    assertTrue(text.contains("= help: put `no-such-images.gz` into " + empty), text);
    assertFalse(text.contains("compiling"), text);
    assertFalse(text.contains("Exception"), text);
    assertFalse(Files.exists(run), "a failed start leaves no run directory");
  }

  /**
   * An explicit --data-dir lacking the file is an error even where the Debian Fashion-MNIST folder
   * has it (it used to fall back there silently); without --data-dir, train names the file it reads first.
   */
  @Test
  void anExplicitDataDirIsTheOnlyPlaceLookedAndTheFilesReadComeFirst() throws Exception {
    Path debian = wganc.runtime.data.DataPath.DEBIAN_FASHION_MNIST;
    org.junit.jupiter.api.Assumptions.assumeTrue(Files.isRegularFile(debian.resolve("train-images-idx3-ubyte.gz"))
        && System.getenv("WGANC_DATA") == null, "needs `apt-get install dataset-fashion-mnist` and WGANC_DATA unset");
    Path model = imageModel("fashion.wgan", "fashion_small", "train-images-idx3-ubyte.gz", 28, 1);
    Path nowhere = dir.resolve("nonexistent");
    StringWriter err = new StringWriter();
    int code = Main.run(new String[] {"train", model.toString(), "--out", dir.resolve("a").toString(), "--data-dir",
        nowhere.toString()}, new PrintWriter(new StringWriter()), new PrintWriter(err));
    assertEquals(1, code, err.toString());
    assertTrue(err.toString().contains("looked in --data-dir " + nowhere + ": folder does not exist"), err.toString());
    assertFalse(err.toString().contains(debian.toString() + "/"), err.toString());

    err = new StringWriter();
    code = Main.run(new String[] {"train", model.toString(), "--out", dir.resolve("b").toString(), "--progress", "lines"},
        new PrintWriter(new StringWriter()), new PrintWriter(err));
    assertEquals(0, code, err.toString());
    assertTrue(err.toString().startsWith("wganc: data `real` images: " + debian.resolve("train-images-idx3-ubyte.gz")
        + " (Fashion-MNIST, from the Debian package `dataset-fashion-mnist`)\n"), err.toString());
  }
}

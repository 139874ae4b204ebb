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

  /** A small conv model of {@code image[c, 8, 8]} data from {@code source}; its data is line 2. */
  private Path ownDataModel(String name, int c, String source, int steps) throws java.io.IOException {
    return Files.writeString(dir.resolve(name + ".wgan"), """
        model %s
        data  real: image[%d, 8, 8] = %s scaled to [-1, 1]
        noise z: [4] ~ normal(0, 1)
        network G(z: [4]) -> [%d, 8, 8] { dense 64; reshape [1, 8, 8]; conv %d kernel=3 padding=same; tanh }
        network D(x: [%d, 8, 8]) -> [1] { conv 4 kernel=3 stride=2 padding=same; leaky_relu 0.2; flatten; dense 1 }
        train batch 4, steps %d {
          critic D with rmsprop(lr=5e-5) { loss = mean(D(G(z))) - mean(D(real)) }
          generator G with rmsprop(lr=5e-5) { loss = -mean(D(G(z))) }
        }
        """.formatted(name, c, source, c, c, c, steps));
  }

  /**
   * Trains from a folder of PNG and JPEG files written here (in two subfolders, of several sizes, one
   * of them not an image): refused without `bad="skip"`, then read with it (12 images), and resumed.
   */
  @Test
  void trainsFromAFolderOfImageFiles() throws Exception {
    Path faces = Files.createDirectories(dir.resolve("data/faces/b"));
    for (int i = 0; i < 12; i++) {
      java.awt.image.BufferedImage im = new java.awt.image.BufferedImage(10 + i, 12, java.awt.image.BufferedImage.TYPE_INT_RGB);
      for (int y = 0; y < im.getHeight(); y++) {
        for (int x = 0; x < im.getWidth(); x++) im.setRGB(x, y, (20 * x) << 16 | (20 * y) << 8 | 17 * i);
      }
      Path to = (i % 2 == 0 ? faces : faces.getParent()).resolve("face" + i + (i % 3 == 0 ? ".jpg" : ".png"));
      assertTrue(javax.imageio.ImageIO.write(im, i % 3 == 0 ? "jpg" : "png", to.toFile()));
    }
    Files.writeString(faces.resolve("broken.png"), "not an image");
    String data = dir.resolve("data").toString();
    Path refusing = ownDataModel("faces_refuse", 3, "images(\"faces\")", 3);
    Cli r = Cli.run("train", refusing.toString(), "--out", dir.resolve("r0").toString(), "--data-dir", data);
    assertEquals(1, r.status(), r.err());
    assertTrue(r.err().contains("error: 1 of 13 files under " + dir.resolve("data/faces") + " do not decode as images:\n  "
        + faces.resolve("broken.png") + " (not a PNG or JPEG file)\n  = help: fix or remove them, or write"
        + " `images(..., bad=\"skip\")`"), r.err());
    assertFalse(r.err().contains("Exception"), r.err());

    Path model = ownDataModel("faces_small", 3, "images(\"faces\", size=[8, 8], bad=\"skip\")", 3);
    Path run = dir.resolve("run");
    r = Cli.run("train", model.toString(), "--out", run.toString(), "--data-dir", data, "--progress", "lines");
    assertEquals(0, r.status(), r.err());
    assertTrue(r.err().startsWith("wganc: data `real` image folder: " + dir.resolve("data/faces") + "\n"), r.err());
    // the decoding lines and the warning about the skipped file go to the progress stream (System.err)
    assertTrue(Files.isRegularFile(run.resolve("checkpoints/step-000003.safetensors")), r.err());
    assertTrue(Files.readString(run.resolve("manifest.json")).contains("images under " + dir.resolve("data/faces") + ", 12 images"));
    assertEquals(4, Files.readAllLines(run.resolve("metrics.csv")).size(), "a header and 3 steps");

    r = Cli.run("train", model.toString(), "--out", run.toString(), "--data-dir", data, "--resume", "--steps", "5",
        "--progress", "lines");
    assertEquals(0, r.status(), r.err());
    assertTrue(Files.isRegularFile(run.resolve("checkpoints/step-000005.safetensors")), r.err());
  }

  /** Greyscale training data from a NumPy array of unsigned bytes, written here byte by byte. */
  @Test
  void trainsFromANpyArrayAndSaysWhereAMissingFolderWasLookedFor() throws Exception {
    int n = 8;
    String header = "{'descr': '|u1', 'fortran_order': False, 'shape': (" + n + ", 1, 8, 8), }";
    header += " ".repeat(63 - (10 + header.length()) % 64) + "\n";
    java.io.ByteArrayOutputStream npy = new java.io.ByteArrayOutputStream();
    npy.writeBytes(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0, (byte) header.length(), 0});
    npy.writeBytes(header.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
    for (int i = 0; i < n * 64; i++) npy.write((i * 7) % 256);
    Path data = Files.createDirectories(dir.resolve("arrays"));
    Files.write(data.resolve("digits.npy"), npy.toByteArray());
    Path model = ownDataModel("digits", 1, "npy(\"digits.npy\")", 2);
    Cli r = Cli.run("train", model.toString(), "--out", dir.resolve("run").toString(), "--data-dir", data.toString(),
        "--progress", "lines");
    assertEquals(0, r.status(), r.err());
    assertTrue(r.err().startsWith("wganc: data `real` array: " + data.resolve("digits.npy") + "\n"), r.err());

    Path folderModel = ownDataModel("nofolder", 1, "images(\"faces\")", 2);
    r = Cli.run("train", folderModel.toString(), "--out", dir.resolve("run2").toString(), "--data-dir", data.toString());
    assertEquals(1, r.status(), r.err());
    assertTrue(r.err().startsWith("error[E0313]: dataset folder `faces` not found"), r.err());
    assertTrue(r.err().contains("= note: looked in --data-dir " + data + ": no such folder"), r.err());
    assertFalse(r.err().contains("= note: tried"), "a folder is looked for under its name only: " + r.err());
    assertFalse(Files.exists(dir.resolve("run2")));
  }
}

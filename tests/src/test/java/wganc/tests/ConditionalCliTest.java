package wganc.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import wganc.cli.Main;

/**
 * models/fashion-mnist-cgan-gp.wgan end to end on a small generated dataset of its file names: two
 * training steps at batch 4, then `wganc sample --class 3` (a square grid) and without `--class` (a
 * column per class), a class out of range refused, and a label file with a label beyond the declared
 * classes refused naming the file and the label.
 */
class ConditionalCliTest {
  static final Path MODEL = Path.of("models/fashion-mnist-cgan-gp.wgan");
  @TempDir Path dir;

  /** 40 images of 28x28 (image i: every pixel 6 * i) and labels i mod 10, with label {@code last} for the last image. */
  private Path dataset(int last) throws IOException {
    Path data = Files.createDirectories(dir.resolve("data"));
    byte[] px = new byte[40 * 28 * 28];
    for (int i = 0; i < px.length; i++) px[i] = (byte) (6 * (i / (28 * 28)));
    byte[] labels = new byte[40];
    for (int i = 0; i < 40; i++) labels[i] = (byte) (i % 10);
    labels[39] = (byte) last;
    Files.write(data.resolve("train-images-idx3-ubyte.gz"), idx(new int[] {40, 28, 28}, px));
    Files.write(data.resolve("train-labels-idx1-ubyte.gz"), idx(new int[] {40}, labels));
    return data;
  }

  private static byte[] idx(int[] dims, byte[] values) throws IOException {
    ByteArrayOutputStream z = new ByteArrayOutputStream();
    try (GZIPOutputStream g = new GZIPOutputStream(z)) {
      g.write(new byte[] {0, 0, 8, (byte) dims.length});
      for (int d : dims) g.write(new byte[] {(byte) (d >>> 24), (byte) (d >>> 16), (byte) (d >>> 8), (byte) d});
      g.write(values);
    }
    return z.toByteArray();
  }

  private record Run(int code, String err) {}

  private static Run wganc(String... args) {
    StringWriter err = new StringWriter();
    int code = Main.run(args, new PrintWriter(new StringWriter()), new PrintWriter(err));
    return new Run(code, err.toString());
  }

  @Test
  void trainsThenSamplesAChosenClassAndRefusesOneOutOfRange() throws Exception {
    Path run = dir.resolve("run");
    Run train = wganc("train", MODEL.toString(), "--out", run.toString(), "--data-dir", dataset(9).toString(),
        "--batch", "4", "--steps", "2", "--progress", "lines");
    assertEquals(0, train.code(), train.err());
    assertTrue(train.err().contains("data `real` labels: " + dir.resolve("data/train-labels-idx1-ubyte.gz")), train.err());
    assertTrue(Files.exists(run.resolve("checkpoints/step-000002.safetensors")), train.err());

    Path three = dir.resolve("three.png");
    Run sample = wganc("sample", run.toString(), "--class", "3", "--n", "16", "-o", three.toString());
    assertEquals(0, sample.code(), sample.err());
    BufferedImage square = ImageIO.read(three.toFile());
    Path all = dir.resolve("all.png");
    Run cycle = wganc("sample", run.toString(), "--n", "16", "-o", all.toString());
    assertEquals(0, cycle.code(), cycle.err());
    BufferedImage columns = ImageIO.read(all.toFile());
    // 16 samples of class 3 make a 4 x 4 grid; without --class, a column per class: 10 wide, 2 rows
    BufferedImage four = wganc.runtime.image.Grid.render(new float[16 * 784], 16, 1, 28, 28, 4, -1, 1);
    BufferedImage ten = wganc.runtime.image.Grid.render(new float[16 * 784], 16, 1, 28, 28, 10, -1, 1);
    assertEquals(java.util.List.of(four.getWidth(), four.getHeight()), java.util.List.of(square.getWidth(), square.getHeight()));
    assertEquals(java.util.List.of(ten.getWidth(), ten.getHeight()), java.util.List.of(columns.getWidth(), columns.getHeight()));

    Path bad = dir.resolve("bad.png");
    Run refused = wganc("sample", run.toString(), "--class", "10", "-o", bad.toString());
    assertEquals(1, refused.code(), refused.err());
    assertEquals("error: class 10 is out of range: model `fashion_mnist_cgan_gp` has 10 classes, 0 to 9\n",
        refused.err().replace("\r", ""));
    assertFalse(Files.exists(bad), "a refused sample writes nothing");
  }

  @Test
  void aLabelBeyondTheDeclaredClassesIsRefusedNamingTheFile() throws Exception {
    Path data = dataset(12);
    Path run = dir.resolve("run");
    Run train = wganc("train", MODEL.toString(), "--out", run.toString(), "--data-dir", data.toString(), "--batch", "4",
        "--steps", "1");
    assertEquals(1, train.code(), train.err());
    assertTrue(train.err().contains(data.resolve("train-labels-idx1-ubyte.gz") + ": label 12 (sample 39) is not one of"
        + " the 10 classes data `real` declares (0 to 9)"), train.err());
    assertFalse(train.err().contains("Exception"), train.err());
  }
}

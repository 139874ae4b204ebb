package wganc.runtime.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import wganc.runtime.data.DataPath;
import wganc.runtime.data.Toy2d;

class DataFeedTest {
  /** Sample i is the single value i. */
  static DataFeed.IdxSource counting(int n) {
    float[] data = new float[n];
    for (int i = 0; i < n; i++) data[i] = i;
    return new DataFeed.IdxSource(data, n, 1, 3, Streams.SHUFFLE);
  }

  @Test
  void permutationIsAPermutationThatDependsOnTheEpoch() {
    int[] p0 = DataFeed.permutation(1000, 3, Streams.SHUFFLE, 0);
    int[] p1 = DataFeed.permutation(1000, 3, Streams.SHUFFLE, 1);
    int[] sorted = p0.clone();
    Arrays.sort(sorted);
    for (int i = 0; i < sorted.length; i++) assertEquals(i, sorted[i]);
    assertFalse(Arrays.equals(p0, p1));
    assertArrayEquals(p0, DataFeed.permutation(1000, 3, Streams.SHUFFLE, 0));
  }

  @Test
  void epochsAreVisitedInOrderAndAPartialLastBatchIsDropped() {
    DataFeed.IdxSource s = counting(10);
    float[] b = new float[3];
    Set<Float> seen = new HashSet<>();
    int[] order = DataFeed.permutation(10, 3, Streams.SHUFFLE, 0);
    for (int k = 0; k < 3; k++) {
      s.next(b, 3, 0);
      for (int j = 0; j < 3; j++) {
        assertEquals(order[3 * k + j], (int) b[j]);
        assertTrue(seen.add(b[j]), "no sample twice in an epoch");
      }
    }
    assertEquals(0, s.epoch());
    assertEquals(9, s.position());
    s.next(b, 3, 0);  // one sample left: dropped, epoch 1 starts
    int[] next = DataFeed.permutation(10, 3, Streams.SHUFFLE, 1);
    assertEquals(1, s.epoch());
    assertEquals(3, s.position());
    assertArrayEquals(new float[] {next[0], next[1], next[2]}, b);
  }

  @Test
  void seekingRestoresTheCursor() {
    DataFeed.IdxSource a = counting(10);
    float[] b = new float[4];
    for (int k = 0; k < 5; k++) a.next(b, 4, 0);
    DataFeed.IdxSource c = counting(10);
    c.seek(a.epoch(), a.position());
    float[] x = new float[4], y = new float[4];
    a.next(x, 4, 0);
    c.next(y, 4, 0);
    assertArrayEquals(x, y);
  }

  @Test
  void takingABatchMovesTheCursorAsNextDoesAndNamesWhereTheBatchIsInTheOrder() {
    DataFeed.IdxSource copied = counting(10), taken = counting(10);
    float[] b = new float[3];
    for (int k = 0; k < 7; k++) {  // across two epoch ends
      copied.next(b, 3, 0);
      int from = taken.take(3);
      int[] order = taken.order();
      for (int j = 0; j < 3; j++) assertEquals(b[j], taken.data()[order[from + j]], "batch " + k);
      assertEquals(copied.epoch(), taken.epoch());
      assertEquals(copied.position(), taken.position());
    }
    assertEquals(2, taken.epoch());
  }

  @Test
  void aSyntheticFeedHasTheSpecsShapesAndRange() {
    ModelSpec.Data img = new ModelSpec.Data("real", new int[] {1, 2, 2}, "idx", "x", null, new int[0], -1, 1, null, 0, 0, false, 0);
    ModelSpec.Data toy = new ModelSpec.Data("pts", new int[] {2}, "toy", null, null, new int[0], -1, 1, "8gaussians", 2, 0.02, false, 0);
    ModelSpec spec = new ModelSpec("m", "x", 1, 1, null, 0, List.of(img, toy), List.of(), List.of(), List.of(), List.of(),
        new ModelSpec.Sample("sample", "z", new int[] {1}, "sample", new int[] {1, 2, 2}, 1));
    DataFeed feed = DataFeed.synthetic(spec, 5, 6);
    DataFeed.IdxSource s = (DataFeed.IdxSource) feed.source("real");
    assertEquals(6, s.count());
    assertEquals(4, s.sampleSize());
    for (float x : s.data()) assertTrue(x >= -1 && x < 1, "value " + x);
    assertTrue(feed.source("pts") instanceof DataFeed.ToySource);
  }

  @Test
  void toySpecMapsToTheWganGpDistributions() {
    // 8gaussians as written: radius `scale`, noise `std` (the ORACLES recipe), no 1.414 division
    ModelSpec.Data d8 = new ModelSpec.Data("real", new int[] {2}, "toy", null, null, new int[0], -1, 1, "8gaussians", 2, 0.02, false, 0);
    assertArrayEquals(Toy2d.eightGaussians(2, 0.02).sample(50, 1, 2, 3), DataFeed.toy(d8).sample(50, 1, 2, 3));
    ModelSpec.Data d25 = new ModelSpec.Data("real", new int[] {2}, "toy", null, null, new int[0], -1, 1, "25gaussians", 2.828, 0.05, false, 0);
    assertArrayEquals(Toy2d.wganGp25().sample(50, 1, 2, 3), DataFeed.toy(d25).sample(50, 1, 2, 3));
    ModelSpec.Data sr = new ModelSpec.Data("real", new int[] {2}, "toy", null, null, new int[0], -1, 1, "swissroll", 7.5, 0.25, false, 0);
    assertArrayEquals(Toy2d.wganGpSwissRoll().sample(50, 1, 2, 3), DataFeed.toy(sr).sample(50, 1, 2, 3));
  }

  @Test
  void toyBatchesAreFreshPerRngStep() {
    var s = new DataFeed.ToySource(Toy2d.wganGp8(), 1, Streams.TOY);
    float[] a = new float[8], b = new float[8], c = new float[8];
    s.next(a, 4, 5);
    s.next(b, 4, 6);
    s.next(c, 4, 5);
    assertFalse(Arrays.equals(a, b));
    assertArrayEquals(a, c);
  }

  static byte[] idx(int type, int[] dims, byte[] data, boolean gzip) throws IOException {
    ByteArrayOutputStream raw = new ByteArrayOutputStream();
    raw.write(new byte[] {0, 0, (byte) type, (byte) dims.length});
    for (int d : dims) raw.write(new byte[] {(byte) (d >>> 24), (byte) (d >>> 16), (byte) (d >>> 8), (byte) d});
    raw.write(data);
    if (!gzip) return raw.toByteArray();
    ByteArrayOutputStream z = new ByteArrayOutputStream();
    try (GZIPOutputStream g = new GZIPOutputStream(z)) {
      g.write(raw.toByteArray());
    }
    return z.toByteArray();
  }

  @Test
  void idxDataAreFoundFilteredAndScaled(@TempDir Path dir) throws IOException {
    // 4 images of 2x2: image i has every pixel 85 * i (0, 85, 170, 255); labels 0, 1, 0, 1
    byte[] px = new byte[16];
    for (int i = 0; i < 4; i++) Arrays.fill(px, 4 * i, 4 * i + 4, (byte) (85 * i));
    Files.write(dir.resolve("img-idx3-ubyte.gz"), idx(8, new int[] {4, 2, 2}, px, true));
    Files.write(dir.resolve("lab-idx1-ubyte"), idx(8, new int[] {4}, new byte[] {0, 1, 0, 1}, false));
    ModelSpec.Data d = new ModelSpec.Data("real", new int[] {1, 2, 2}, "idx", "img-idx3-ubyte.gz", "lab-idx1-ubyte",
        new int[] {1}, -1, 1, null, 0, 0, false, 0);
    ModelSpec spec = new ModelSpec("m", "x", 1, 1, null, 0, List.of(d), List.of(), List.of(), List.of(), List.of(),
        new ModelSpec.Sample("sample", "z", new int[] {1}, "sample", new int[] {1, 2, 2}, 1));
    DataFeed feed = DataFeed.open(spec, 0, new DataPath(dir, k -> null, null), line -> {});
    DataFeed.IdxSource s = (DataFeed.IdxSource) feed.source("real");
    assertEquals(2, s.count());
    assertEquals(2, Trainer.totalSteps(spec, 0, feed));  // 1 epoch of floor(2 / 1) batches
    float[] b = new float[8];
    s.next(b, 2, 0);
    Set<Float> values = new HashSet<>();
    for (float v : b) values.add(v);
    // labels 1 are images 1 (85) and 3 (255): 85 maps to -1 + 2 * 85 / 255
    assertEquals(Set.of((float) (85 - 127.5) / 127.5f, 1f), values);
    assertNotEquals(null, feed.descriptions().get("real"));
  }

  @Test
  void imageFoldersAndNpyArraysBecomeShuffledInMemorySources(@TempDir Path dir) throws IOException {
    // 3 grey PNGs of 4x4 under faces/, image i every pixel 100 * i; fitted to 2x2 and mapped to [-1, 1]
    Files.createDirectories(dir.resolve("faces/more"));
    for (int i = 0; i < 3; i++) {
      java.awt.image.BufferedImage im = new java.awt.image.BufferedImage(4, 4, java.awt.image.BufferedImage.TYPE_BYTE_GRAY);
      for (int y = 0; y < 4; y++) for (int x = 0; x < 4; x++) im.getRaster().setSample(x, y, 0, 100 * i);
      javax.imageio.ImageIO.write(im, "png", dir.resolve(i == 2 ? "faces/more/c.png" : "faces/" + i + ".png").toFile());
    }
    Files.write(dir.resolve("points.npy"), wganc.runtime.io.Npy.toBytes(new float[] {1, 2, 3, 4, 5, 6, 7, 8}, 4, 2));
    ModelSpec.Data faces = new ModelSpec.Data("real", new int[] {1, 2, 2}, "images", "faces", null, new int[0], -1, 1,
        null, 0, 0, false, 0);
    ModelSpec.Data points = new ModelSpec.Data("pts", new int[] {2}, "npy", "points.npy", null, new int[0], 0, 1,
        null, 0, 0, false, 0);
    ModelSpec spec = new ModelSpec("m", "x", 1, 1, null, 0, List.of(faces, points), List.of(), List.of(), List.of(),
        List.of(), new ModelSpec.Sample("sample", "z", new int[] {1}, "sample", new int[] {1, 2, 2}, 1));
    DataPath path = new DataPath(dir, k -> null, null);
    assertEquals(List.of("data `real` image folder: " + dir.resolve("faces"), "data `pts` array: " + dir.resolve("points.npy")),
        List.of(DataFeed.files(faces, path).getFirst().describe(), DataFeed.files(points, path).getFirst().describe()));
    List<String> log = new java.util.ArrayList<>();
    DataFeed feed = DataFeed.open(spec, 0, path, log::add);
    assertTrue(log.getFirst().startsWith("wganc: decoding 3 images under " + dir.resolve("faces")), log.toString());
    DataFeed.IdxSource s = (DataFeed.IdxSource) feed.source("real");
    assertEquals(3, s.count());
    float[] all = new float[12];
    s.next(all, 3, 0);
    Set<Float> values = new HashSet<>();
    for (float v : all) values.add(v);
    assertEquals(Set.of(-1f, (100 - 127.5f) / 127.5f, (200 - 127.5f) / 127.5f), values);
    DataFeed.IdxSource p = (DataFeed.IdxSource) feed.source("pts");
    assertEquals(4, p.count());
    assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6, 7, 8}, p.data());
    assertEquals("npy " + dir.resolve("points.npy") + ", 4 samples", feed.descriptions().get("pts"));
    // scatter plots show the array's points as the real ones, in file order
    assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6, 7, 8}, Samples.realPoints(spec, 0, feed));
  }

  /** 4 images of 2x2, image i every pixel 85 * i, labels {@code labels}; data `real` with `y: class[classes]`. */
  static DataFeed labelledFeed(Path dir, byte[] labels, int classes) throws IOException {
    return labelledFeed(dir, labels, classes, new int[0]);
  }

  static DataFeed labelledFeed(Path dir, byte[] labels, int classes, int[] keep) throws IOException {
    byte[] px = new byte[16];
    for (int i = 0; i < 4; i++) Arrays.fill(px, 4 * i, 4 * i + 4, (byte) (85 * i));
    Files.write(dir.resolve("img-idx3-ubyte.gz"), idx(8, new int[] {4, 2, 2}, px, true));
    Files.write(dir.resolve("lab-idx1-ubyte"), idx(8, new int[] {4}, labels, false));
    ModelSpec.Data d = new ModelSpec.Data("real", new int[] {1, 2, 2}, "idx", "img-idx3-ubyte.gz", "lab-idx1-ubyte",
        keep, 0, 255, null, 0, 0, false, classes);
    ModelSpec spec = new ModelSpec("m", "x", 1, 1, null, 0, List.of(d), List.of(), List.of(), List.of(), List.of(),
        new ModelSpec.Sample("sample", "z", new int[] {1}, "sample", new int[] {1, 2, 2}, 1));
    return DataFeed.open(spec, 3, new DataPath(dir, k -> null, null), line -> {});
  }

  /** Every row is a sample's pixels then its label one-hot, so labels follow their images through every shuffle. */
  @Test
  void labelsAreOneHotRowsBesideTheirImagesInEveryEpoch(@TempDir Path dir) throws IOException {
    DataFeed.IdxSource s = (DataFeed.IdxSource) labelledFeed(dir, new byte[] {2, 0, 1, 2}, 3).source("real");
    assertEquals(4 + 3, s.sampleSize());
    int[] labelOf = {2, 0, 1, 2};
    float[] b = new float[3 * 7];
    for (int epoch = 0; epoch < 3; epoch++) {
      s.next(b, 3, 0);
      for (int k = 0; k < 3; k++) {
        int image = Math.round(b[k * 7] / 85);
        for (int p = 1; p < 4; p++) assertEquals(85f * image, b[k * 7 + p]);
        for (int c = 0; c < 3; c++) assertEquals(c == labelOf[image] ? 1f : 0f, b[k * 7 + 4 + c], "epoch " + epoch);
      }
    }
    assertEquals(2, s.epoch(), "a new epoch, reshuffled, every 3 of 4 samples");
  }

  @Test
  void keptSamplesKeepTheirLabels(@TempDir Path dir) throws IOException {
    // labels 2, 0, 1, 2 keeping 2: images 0 and 3, each with class 2
    DataFeed.IdxSource s = (DataFeed.IdxSource) labelledFeed(dir, new byte[] {2, 0, 1, 2}, 3, new int[] {2}).source("real");
    assertEquals(2, s.count());
    float[] b = new float[2 * 7];
    s.next(b, 2, 0);
    List<Float> firstPixels = List.of(b[0], b[7]);
    assertTrue(firstPixels.containsAll(List.of(0f, 255f)), firstPixels.toString());
    for (int k = 0; k < 2; k++) assertArrayEquals(new float[] {0, 0, 1}, Arrays.copyOfRange(b, k * 7 + 4, k * 7 + 7));
  }

  @Test
  void aLabelBeyondTheDeclaredClassesNamesTheFileAndTheLabel(@TempDir Path dir) {
    IOException e = assertThrows(IOException.class, () -> labelledFeed(dir, new byte[] {0, 1, 7, 2}, 3));
    assertEquals(dir.resolve("lab-idx1-ubyte") + ": label 7 (sample 2) is not one of the 3 classes data `real` declares"
        + " (0 to 2)", e.getMessage());
  }

  @Test
  void syntheticLabelledDataAreOneHot() {
    ModelSpec.Data img = new ModelSpec.Data("real", new int[] {1, 2, 2}, "idx", "x", "y", new int[0], -1, 1, null, 0, 0, false, 5);
    ModelSpec spec = new ModelSpec("m", "x", 1, 1, null, 0, List.of(img), List.of(), List.of(), List.of(), List.of(),
        new ModelSpec.Sample("sample", "z", new int[] {1}, "sample", new int[] {1, 2, 2}, 1));
    DataFeed.IdxSource s = (DataFeed.IdxSource) DataFeed.synthetic(spec, 5, 40).source("real");
    assertEquals(9, s.sampleSize());
    Set<Integer> seen = new HashSet<>();
    for (int i = 0; i < 40; i++) {
      float sum = 0;
      for (int c = 0; c < 5; c++) {
        float v = s.data()[i * 9 + 4 + c];
        assertTrue(v == 0 || v == 1);
        sum += v;
        if (v == 1) seen.add(c);
      }
      assertEquals(1, sum);
    }
    assertEquals(5, seen.size(), "40 draws reach every one of 5 classes");
  }
}

package wganc.runtime.data;

import static org.junit.jupiter.api.Assertions.*;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Image folders: listing order, fitting (resize and crop), channels, bad files; fixtures written here with ImageIO. */
class ImageFolderTest {
  @TempDir Path dir;

  private static final Idx.PixelMap RAW = Idx.PixelMap.IDENTITY;

  /** An RGB image whose pixel (x, y) has red {@code r(x, y)}, green 2 * that and blue a constant. */
  static BufferedImage rgb(int w, int h, java.util.function.IntBinaryOperator red, int blue) {
    BufferedImage im = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        int r = red.applyAsInt(x, y);
        im.setRGB(x, y, (r << 16) | ((2 * r) << 8) | blue);
      }
    }
    return im;
  }

  static BufferedImage grey(int w, int h, java.util.function.IntBinaryOperator level) {
    BufferedImage im = new BufferedImage(w, h, BufferedImage.TYPE_BYTE_GRAY);
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) im.getRaster().setSample(x, y, 0, level.applyAsInt(x, y));
    }
    return im;
  }

  Path write(BufferedImage im, String relative) throws IOException {
    Path p = dir.resolve(relative);
    Files.createDirectories(p.getParent());
    String format = relative.toLowerCase().endsWith(".png") ? "png" : "jpg";
    assertTrue(ImageIO.write(im, format, p.toFile()), "no writer for " + format);
    return p;
  }

  private static List<String> lines = new ArrayList<>();

  static Idx.Images read(Path folder, int c, int h, int w, boolean skip) throws IOException {
    lines = new ArrayList<>();
    return ImageFolder.read(folder, c, h, w, RAW, skip, lines::add);
  }

  @Test
  void anImageOfTheTargetSizeKeepsItsPixelsInChannelMajorOrder() {
    BufferedImage im = rgb(3, 2, (x, y) -> 10 * x + 40 * y, 7);
    float[] out = ImageFolder.fit(im, 3, 2, 3);
    assertArrayEquals(new float[] {0, 10, 20, 40, 50, 60, 0, 20, 40, 80, 100, 120, 7, 7, 7, 7, 7, 7}, out);
  }

  @Test
  void halvingAveragesTwoByTwoBlocks() {
    // 4x4 levels 0..15 row-major; the 2x2 result is the mean of each block
    float[] out = ImageFolder.fit(grey(4, 4, (x, y) -> 4 * y + x), 1, 2, 2);
    assertArrayEquals(new float[] {2.5f, 4.5f, 10.5f, 12.5f}, out);
  }

  @Test
  void aWideImageIsScaledByItsShortSideThenCroppedInTheMiddle() {
    // 8 wide, 4 high to 2x2: scale 1/2 (the height fits), the middle 4 columns (2..5) are kept
    float[] out = ImageFolder.fit(grey(8, 4, (x, y) -> 10 * x + y), 1, 2, 2);
    assertArrayEquals(new float[] {25.5f, 45.5f, 27.5f, 47.5f}, out);
    // a tall image: 2 wide, 6 high to 1x1 keeps rows 2..3 of both columns
    float[] tall = ImageFolder.fit(grey(2, 6, (x, y) -> 10 * y + x), 1, 1, 1);
    assertArrayEquals(new float[] {25.5f}, tall);
  }

  @Test
  void upscalingRepeatsPixels() {
    float[] out = ImageFolder.fit(grey(2, 1, (x, y) -> 100 * x + 50), 1, 2, 4);
    assertArrayEquals(new float[] {50, 50, 150, 150, 50, 50, 150, 150}, out);
  }

  @Test
  void oneChannelIsLuminanceAndGreyFilesGiveTheirLevelsToEveryChannel() {
    float[] lum = ImageFolder.fit(rgb(1, 1, (x, y) -> 100, 30), 1, 1, 1);
    assertEquals(0.299f * 100 + 0.587f * 200 + 0.114f * 30, lum[0], 1e-3);
    float[] grey3 = ImageFolder.fit(grey(1, 1, (x, y) -> 77), 3, 1, 1);
    assertArrayEquals(new float[] {77, 77, 77}, grey3, "no gamma conversion of grey levels");
  }

  @Test
  void sixteenBitGreyAndPalettePngsReadAsTheirLevelsAndColours() throws IOException {
    BufferedImage deep = new BufferedImage(1, 1, BufferedImage.TYPE_USHORT_GRAY);
    deep.getRaster().setSample(0, 0, 0, 128 * 257);
    write(deep, "a-deep.png");
    BufferedImage palette = new BufferedImage(1, 1, BufferedImage.TYPE_BYTE_INDEXED);
    palette.setRGB(0, 0, 0xff0000);
    write(palette, "b-palette.png");
    Idx.Images im = read(dir, 3, 1, 1, false);
    assertArrayEquals(new float[] {128, 128, 128, 255, 0, 0}, im.data());
  }

  @Test
  void readsPngAndJpegRecursivelyInPathOrderAndMapsThePixels() throws IOException {
    write(grey(2, 2, (x, y) -> 10), "b.png");
    write(grey(2, 2, (x, y) -> 20), "a/z.png");
    write(grey(2, 2, (x, y) -> 30), "a/y/1.PNG");
    write(grey(4, 4, (x, y) -> 255), "c.jpeg");
    write(grey(2, 2, (x, y) -> 99), ".hidden/x.png");
    Files.writeString(dir.resolve("notes.txt"), "not an image");
    assertEquals(List.of("a/y/1.PNG", "a/z.png", "b.png", "c.jpeg"),
        ImageFolder.list(dir).stream().map(p -> dir.relativize(p).toString()).toList());
    Idx.Images im = ImageFolder.read(dir, 1, 2, 2, Idx.PixelMap.toRange(-1, 1), false, line -> {});
    assertEquals(4, im.count());
    assertArrayEquals(new long[] {4, 1, 2, 2}, im.shape());
    assertEquals(Idx.PixelMap.toRange(-1, 1).apply(30), im.data()[0]);
    assertEquals(Idx.PixelMap.toRange(-1, 1).apply(20), im.data()[4]);
    assertEquals(Idx.PixelMap.toRange(-1, 1).apply(10), im.data()[8]);
    assertEquals(1f, im.data()[12], 0.02f, "a white JPEG stays near white");
  }

  @Test
  void theOrderIsTheSameWhateverTheThreads() throws IOException {
    for (int i = 0; i < 40; i++) {
      int red = 3 * i;
      write(rgb(3 + i % 4, 3, (x, y) -> red, i), "d" + (i % 3) + "/img" + i + ".png");
    }
    Idx.Images a = read(dir, 3, 2, 2, false);
    Idx.Images b = read(dir, 3, 2, 2, false);
    assertArrayEquals(a.data(), b.data());
    // img0 (d0) comes first, then img12 ("img12" < "img3"), as the relative paths sort
    assertEquals(0, a.data()[0]);
    assertEquals(36, a.data()[12]);
  }

  @Test
  void badFilesAreRefusedWithTheirPathsOrSkippedWithAWarning() throws IOException {
    write(grey(2, 2, (x, y) -> 1), "good.png");
    for (int i = 0; i < 7; i++) Files.writeString(dir.resolve("bad" + i + ".png"), "garbage");
    String m = assertThrows(IOException.class, () -> read(dir, 1, 2, 2, false)).getMessage();
    assertTrue(m.startsWith("7 of 8 files under " + dir + " do not decode as images:\n  " + dir.resolve("bad0.png")), m);
    assertTrue(m.contains(dir.resolve("bad4.png").toString()) && !m.contains("bad5.png"), "lists " + ImageFolder.LISTED_BAD + ": " + m);
    assertTrue(m.contains("and 2 more") && m.contains("bad=\"skip\""), m);
    Idx.Images im = read(dir, 1, 2, 2, true);
    assertEquals(1, im.count());
    assertTrue(lines.stream().anyMatch(l -> l.startsWith("wganc: warning: skipped 7 of 8 files under " + dir)
        && l.contains(dir.resolve("bad0.png").toString())), lines.toString());
  }

  @Test
  void aFolderWithoutImagesIsAnErrorNamingIt() throws IOException {
    Files.writeString(dir.resolve("readme.txt"), "x");
    String m = assertThrows(IOException.class, () -> read(dir, 1, 2, 2, false)).getMessage();
    assertTrue(m.startsWith("image folder " + dir + " holds no image files"), m);
    Files.writeString(dir.resolve("only.png"), "garbage");
    m = assertThrows(IOException.class, () -> read(dir, 1, 2, 2, true)).getMessage();
    assertTrue(m.startsWith("none of the 1 files under " + dir + " decodes"), m);
  }

  /** Classes by subfolder, numbered in the sorted order of their names; skipped files take their labels with them. */
  @Test
  void subfoldersAreClassesInSortedOrderAndSkippedFilesKeepTheRestAligned() throws IOException {
    write(grey(2, 2, (x, y) -> 10), "shoes/a.png");
    write(grey(2, 2, (x, y) -> 20), "bags/b.png");
    write(grey(2, 2, (x, y) -> 30), "bags/deeper/c.png");
    Files.writeString(dir.resolve("bags/broken.png"), "garbage");
    write(grey(2, 2, (x, y) -> 40), "coats/d.png");
    lines = new ArrayList<>();
    Idx.Labeled r = ImageFolder.readClasses(dir, 3, 1, 2, 2, RAW, true, lines::add);
    // reading order: bags/b, bags/broken (skipped), bags/deeper/c, coats/d, shoes/a; classes bags 0, coats 1, shoes 2
    assertEquals(4, r.images().count());
    assertArrayEquals(new int[] {0, 0, 1, 2}, r.labels());
    assertEquals("wganc: classes by subfolder of " + dir + ": 0 bags, 1 coats, 2 shoes", lines.getFirst());
    float[] first = new float[4];
    for (int i = 0; i < 4; i++) first[i] = r.images().data()[i * 4];
    assertArrayEquals(new float[] {20, 30, 40, 10}, first);
  }

  @Test
  void classesNeedOneSubfolderEachAndTheDeclaredCount() throws IOException {
    write(grey(2, 2, (x, y) -> 1), "cats/a.png");
    write(grey(2, 2, (x, y) -> 1), "dogs/b.png");
    String m = assertThrows(IOException.class, () -> ImageFolder.readClasses(dir, 3, 1, 2, 2, RAW, false, l -> {}))
        .getMessage();
    assertEquals("image folder " + dir + " has 2 class subfolders (cats, dogs), but its labels are declared class[3]", m);
    write(grey(2, 2, (x, y) -> 1), "top.png");
    m = assertThrows(IOException.class, () -> ImageFolder.readClasses(dir, 2, 1, 2, 2, RAW, false, l -> {})).getMessage();
    assertTrue(m.startsWith("image folder " + dir + " gives classes by subfolder, but " + dir.resolve("top.png")
        + " lies at its top"), m);
  }
}

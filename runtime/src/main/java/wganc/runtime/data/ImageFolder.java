package wganc.runtime.data;

import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitOption;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Consumer;
import java.util.stream.Stream;
import javax.imageio.ImageIO;

/**
 * Reads a folder of PNG and JPEG files (found recursively, hidden files and folders left out) into
 * {@link Idx.Images} of a fixed {@code [C, H, W]}, decoding with the JDK's {@link ImageIO} on a small
 * pool of threads, all up front, into one array.
 *
 * <p><b>Order</b>: files are sorted by their path relative to the folder, with {@code /} between
 * names, as Java compares strings, so sample {@code i} is the same file on every machine.
 *
 * <p><b>Fitting</b>: each image is scaled, keeping its aspect, so that it covers {@code H x W} (its
 * short side, relative to the target's, fits exactly), then the middle {@code H x W} is kept. Every
 * output pixel is the area-weighted mean of the source pixels under it (a box filter), so an image of
 * exactly {@code H x W} keeps its pixels and halving averages 2x2 blocks.
 *
 * <p><b>Channels</b>: {@code C = 3} reads sRGB red, green and blue; {@code C = 1} the luminance
 * {@code 0.299 R + 0.587 G + 0.114 B} (ITU-R BT.601). A greyscale file gives its stored levels
 * (scaled to 0..255 from 16 bits) for every channel, with no colour-space conversion. Transparency is
 * ignored. Values 0..255 then go through the {@link Idx.PixelMap}, as IDX pixels do.
 *
 * <p><b>Bad files</b> (no PNG or JPEG reader takes them, or decoding fails) are refused, listing up to
 * {@link #LISTED_BAD} of them, or, when skipping, left out with a one-line warning. A folder without
 * image files is an error.
 */
public final class ImageFolder {
  private ImageFolder() {}

  /** File name endings read, in lower case. */
  public static final List<String> EXTENSIONS = List.of(".png", ".jpg", ".jpeg");
  /** Bad files named in a refusal. */
  public static final int LISTED_BAD = 5;

  /** The image files under {@code folder} in reading order. */
  public static List<Path> list(Path folder) throws IOException {
    try (Stream<Path> s = Files.walk(folder, FileVisitOption.FOLLOW_LINKS)) {
      return s.filter(p -> !hidden(folder.relativize(p)) && Files.isRegularFile(p) && isImageName(p))
          .sorted(Comparator.comparing(p -> relative(folder, p)))
          .toList();
    } catch (UncheckedIOException e) {
      throw new IOException("cannot list image folder " + folder + ": " + e.getCause().getMessage(), e.getCause());
    }
  }

  private static boolean isImageName(Path p) {
    String n = p.getFileName().toString().toLowerCase(Locale.ROOT);
    return EXTENSIONS.stream().anyMatch(n::endsWith);
  }

  private static boolean hidden(Path relative) {
    for (Path part : relative) {
      if (part.toString().startsWith(".")) return true;
    }
    return false;
  }

  private static String relative(Path folder, Path p) {
    return folder.relativize(p).toString().replace(p.getFileSystem().getSeparator(), "/");
  }

  /** One file's outcome: its fitted pixels (0..255, [C, H, W]) or why it could not be read. */
  private record Decoded(float[] pixels, String problem) {}

  /**
   * Reads every image file under {@code folder} fitted to {@code [channels, height, width]} and mapped
   * by {@code map}; {@code log} gets a line when decoding starts, every tenth of a large folder, when it
   * ends, and the warning about skipped files.
   */
  public static Idx.Images read(Path folder, int channels, int height, int width, Idx.PixelMap map, boolean skipBad,
                                Consumer<String> log) throws IOException {
    return read(folder, list(folder), channels, height, width, map, skipBad, log).images();
  }

  /**
   * As {@link #read(Path, int, int, int, Idx.PixelMap, boolean, Consumer)}, with each image's class:
   * the folder holds one subfolder per class, classes numbered in the sorted order of the
   * subfolders' names (as torchvision's ImageFolder does); there must be exactly {@code classes}.
   */
  public static Idx.Labeled readClasses(Path folder, int classes, int channels, int height, int width, Idx.PixelMap map,
                                        boolean skipBad, Consumer<String> log) throws IOException {
    List<Path> files = list(folder);
    List<String> names = new ArrayList<>();
    for (Path f : files) {
      Path rel = folder.relativize(f);
      if (rel.getNameCount() < 2) {
        throw new IOException("image folder " + folder + " gives classes by subfolder, but " + f + " lies at its top"
            + "\n  = help: put each class's images in a subfolder of their own (e.g. " + folder.resolve("0")
            + "/), or drop the labels from the data declaration");
      }
      String name = rel.getName(0).toString();
      if (!names.contains(name)) names.add(name);
    }
    names.sort(Comparator.naturalOrder());
    if (!files.isEmpty() && names.size() != classes) {
      throw new IOException("image folder " + folder + " has " + names.size() + " class subfolders ("
          + String.join(", ", names) + "), but its labels are declared class[" + classes + "]");
    }
    StringBuilder listed = new StringBuilder("wganc: classes by subfolder of " + folder + ":");
    for (int k = 0; k < names.size(); k++) listed.append(k == 0 ? " " : ", ").append(k).append(' ').append(names.get(k));
    log.accept(listed.toString());
    Read r = read(folder, files, channels, height, width, map, skipBad, log);
    int[] labels = new int[r.kept().size()];
    for (int i = 0; i < labels.length; i++) labels[i] = names.indexOf(folder.relativize(r.kept().get(i)).getName(0).toString());
    return new Idx.Labeled(r.images(), labels);
  }

  /** The images read and the files they came from, in order. */
  private record Read(Idx.Images images, List<Path> kept) {}

  private static Read read(Path folder, List<Path> files, int channels, int height, int width, Idx.PixelMap map,
                           boolean skipBad, Consumer<String> log) throws IOException {
    if (channels != 1 && channels != 3) throw new IllegalArgumentException("channels must be 1 or 3, not " + channels);
    if (files.isEmpty()) {
      throw new IOException("image folder " + folder + " holds no image files (looked for "
          + String.join(", ", EXTENSIONS) + ", in every subfolder)");
    }
    int size = channels * height * width;
    if ((long) files.size() * size > Integer.MAX_VALUE - 8) {
      throw new IOException(files.size() + " images of " + channels + "x" + height + "x" + width + " under " + folder
          + " are more values than one Java array holds (2^31 - 1); use fewer or smaller images");
    }
    log.accept("wganc: decoding " + files.size() + " images under " + folder + " to " + channels + "x" + height + "x"
        + width);
    long started = System.nanoTime();
    float[] data = new float[files.size() * size];
    List<String> problems = decodeAll(files, channels, height, width, map, data, log);
    List<String> bad = new ArrayList<>();
    List<Path> kept = new ArrayList<>();
    int good = 0;
    for (int i = 0; i < files.size(); i++) {
      if (problems.get(i) != null) {
        bad.add(files.get(i) + " (" + problems.get(i) + ")");
        continue;
      }
      kept.add(files.get(i));
      if (good < i) System.arraycopy(data, i * size, data, good * size, size);  // close the gaps bad files left
      good++;
    }
    if (!bad.isEmpty() && !skipBad) {
      StringBuilder m = new StringBuilder(bad.size() + " of " + files.size() + " files under " + folder
          + " do not decode as images:");
      for (String b : bad.subList(0, Math.min(LISTED_BAD, bad.size()))) m.append("\n  ").append(b);
      if (bad.size() > LISTED_BAD) m.append("\n  and ").append(bad.size() - LISTED_BAD).append(" more");
      m.append("\n  = help: fix or remove them, or write `images(..., bad=\"skip\")` to leave them out");
      throw new IOException(m.toString());
    }
    if (good == 0) throw new IOException("none of the " + files.size() + " files under " + folder + " decodes as an image;"
        + " the first: " + bad.getFirst());
    if (!bad.isEmpty()) {
      log.accept("wganc: warning: skipped " + bad.size() + " of " + files.size() + " files under " + folder
          + " that do not decode; the first: " + bad.getFirst());
    }
    log.accept(String.format(Locale.ROOT, "wganc: decoded %d images in %.1f s", good, (System.nanoTime() - started) / 1e9));
    return new Read(new Idx.Images(good == files.size() ? data : Arrays.copyOf(data, good * size), good, channels,
        height, width), List.copyOf(kept));
  }

  /** Folders of at least this many files get a progress line every tenth. */
  private static final int PROGRESS_FROM = 1000;

  /**
   * Decodes {@code files} on a small pool of threads, image {@code i} mapped into {@code data} at
   * {@code i * C * H * W}; returns, by file, null or why it could not be read.
   */
  private static List<String> decodeAll(List<Path> files, int channels, int height, int width, Idx.PixelMap map,
                                        float[] data, Consumer<String> log) throws IOException {
    int threads = Math.max(1, Math.min(8, Runtime.getRuntime().availableProcessors()));
    ExecutorService pool = Executors.newFixedThreadPool(threads, r -> {
      Thread t = new Thread(r, "wganc-decode");
      t.setDaemon(true);
      return t;
    });
    int size = channels * height * width;
    try {
      List<Future<Decoded>> futures = new ArrayList<>();
      for (Path f : files) futures.add(pool.submit(() -> decode(f, channels, height, width)));
      List<String> problems = new ArrayList<>();
      for (int i = 0; i < files.size(); i++) {
        Decoded d = futures.get(i).get();
        futures.set(i, null);  // so its pixels can go once copied
        problems.add(d.problem());
        if (d.pixels() != null) {
          for (int j = 0; j < size; j++) data[i * size + j] = map.apply(d.pixels()[j]);
        }
        int done = i + 1;
        if (files.size() >= PROGRESS_FROM && done < files.size() && done * 10L / files.size() > i * 10L / files.size()) {
          log.accept("wganc: decoded " + done + " of " + files.size() + " images");
        }
      }
      return problems;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while decoding images", e);
    } catch (ExecutionException e) {
      throw new IOException("decoding images failed: " + e.getCause(), e.getCause());
    } finally {
      pool.shutdownNow();
    }
  }

  private static Decoded decode(Path file, int channels, int height, int width) {
    BufferedImage im;
    try {
      im = ImageIO.read(file.toFile());
    } catch (IOException | RuntimeException e) {
      return new Decoded(null, e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
    }
    if (im == null) return new Decoded(null, "not a PNG or JPEG file");
    if (im.getWidth() < 1 || im.getHeight() < 1) return new Decoded(null, "empty image");
    return new Decoded(fit(im, channels, height, width), null);
  }

  /**
   * Scales {@code im} to cover {@code height x width}, keeping its aspect, and keeps the middle:
   * area-weighted means of the source levels (0..255, see the class comment), {@code [C, height,
   * width]} flat. Rows are read one at a time, so a large photo needs no second copy.
   */
  static float[] fit(BufferedImage im, int channels, int height, int width) {
    int h = im.getHeight(), w = im.getWidth();
    double scale = Math.max((double) height / h, (double) width / w);
    Box rows = Box.of(h, height, scale);
    Box cols = Box.of(w, width, scale);
    float[][] row = new float[channels][w];
    float[][] across = new float[channels][h * width];
    for (int y = 0; y < h; y++) {
      levels(im, y, row);
      for (int c = 0; c < channels; c++) {
        for (int j = 0; j < width; j++) across[c][y * width + j] = cols.mean(row[c], 0, 1, j);
      }
    }
    float[] out = new float[channels * height * width];
    for (int c = 0; c < channels; c++) {
      for (int i = 0; i < height; i++) {
        for (int j = 0; j < width; j++) out[(c * height + i) * width + j] = rows.mean(across[c], j, width, i);
      }
    }
    return out;
  }

  /** Row {@code y} of {@code im} as levels 0..255, one array per channel (see the class comment). */
  private static void levels(BufferedImage im, int y, float[][] row) {
    int w = im.getWidth();
    int channels = row.length;
    ColorModel cm = im.getColorModel();
    if (cm.getColorSpace().getType() == ColorSpace.TYPE_GRAY && !(cm instanceof IndexColorModel)) {
      Raster r = im.getRaster();
      float scale = 255f / ((1 << cm.getComponentSize(0)) - 1);
      for (int x = 0; x < w; x++) row[0][x] = r.getSample(x, y, 0) * scale;
      for (int c = 1; c < channels; c++) System.arraycopy(row[0], 0, row[c], 0, w);
      return;
    }
    int[] argb = im.getRGB(0, y, w, 1, null, 0, w);
    for (int x = 0; x < w; x++) {
      int red = (argb[x] >> 16) & 0xff, green = (argb[x] >> 8) & 0xff, blue = argb[x] & 0xff;
      if (channels == 1) {
        row[0][x] = (float) (0.299 * red + 0.587 * green + 0.114 * blue);
      } else {
        row[0][x] = red;
        row[1][x] = green;
        row[2][x] = blue;
      }
    }
  }

  /**
   * A box filter along one axis: output {@code o} covers source interval
   * {@code [start + o / scale, start + (o + 1) / scale)}, centred, and weighs each source pixel by its
   * overlap; {@code first[o]} is the first source pixel and {@code weights[o]} their weights.
   */
  private record Box(int[] first, double[][] weights) {
    static Box of(int source, int target, double scale) {
      double step = 1 / scale;
      double start = (source - target * step) / 2;
      int[] first = new int[target];
      double[][] weights = new double[target][];
      for (int o = 0; o < target; o++) {
        double a = start + o * step, b = a + step;
        int lo = Math.max(0, (int) Math.floor(a)), hi = Math.min(source, (int) Math.ceil(b));
        first[o] = lo;
        weights[o] = new double[hi - lo];
        double total = 0;
        for (int k = lo; k < hi; k++) {
          double overlap = Math.min(b, k + 1) - Math.max(a, k);
          weights[o][k - lo] = Math.max(0, overlap);
          total += weights[o][k - lo];
        }
        for (int k = 0; k < weights[o].length; k++) weights[o][k] /= total;
      }
      return new Box(first, weights);
    }

    /** The weighted mean for output {@code o} of {@code v[base + stride * k]} over source pixels {@code k}. */
    float mean(float[] v, int base, int stride, int o) {
      double sum = 0;
      double[] wts = weights[o];
      for (int k = 0; k < wts.length; k++) sum += wts[k] * v[base + stride * (first[o] + k)];
      return (float) sum;
    }
  }
}

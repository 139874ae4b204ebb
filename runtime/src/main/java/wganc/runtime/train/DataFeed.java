package wganc.runtime.train;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;
import wganc.runtime.data.DataPath;
import wganc.runtime.data.Idx;
import wganc.runtime.data.ImageFolder;
import wganc.runtime.data.NpyData;
import wganc.runtime.data.Toy2d;
import wganc.runtime.rng.Philox;

/**
 * The data batches of a run, one {@link Source} per {@link ModelSpec.Data}.
 *
 * <p><b>idx</b>: the images (found by {@link DataPath}, read by {@link Idx} with the label filter,
 * pixels mapped linearly from [0, 255] to [lo, hi]) are visited epoch by epoch. Epoch {@code e}
 * (0-based) visits them in the order of {@link #permutation}{@code (N, seed, SHUFFLE + d, e)}; every
 * request for {@code n} samples takes the next {@code n} of that order. When fewer than {@code n}
 * are left, they are dropped and the next epoch starts (drop-last). The cursor (epoch, position)
 * is all the state there is; checkpoints save it.
 *
 * <p><b>images</b> and <b>npy</b>: a folder of image files ({@link ImageFolder}) or a NumPy array
 * ({@link NpyData}), found by {@link DataPath} and read whole into memory, then visited as idx images
 * are.
 *
 * <p><b>toy</b>: every request draws fresh points from {@link Toy2d} with stream
 * {@code TOY + d} at the requesting phase's {@code rngStep}. The spec's {@code scale} and
 * {@code std} are the WGAN-GP toy code's arguments before its normalisation: 8gaussians has radius
 * {@code scale} and noise {@code std}, all divided by 1.414; 25gaussians puts points at
 * {@code 2 * {-2..2}} with noise {@code std}, divided by {@code scale}; the swiss roll has noise
 * {@code std}, divided by {@code scale}. With the language's defaults this is exactly
 * {@link Toy2d#byName}.
 */
public final class DataFeed {
  /** One data source. */
  public sealed interface Source permits IdxSource, ToySource {
    /** Writes the next {@code n} samples into {@code out[0 .. n * sampleSize)}. */
    void next(float[] out, int n, long rngStep);

    /** Elements per sample. */
    int sampleSize();
  }

  private final Map<String, Source> sources;
  private final Map<String, String> descriptions;

  private DataFeed(Map<String, Source> sources, Map<String, String> descriptions) {
    this.sources = sources;
    this.descriptions = descriptions;
  }

  /**
   * A dataset file or folder that data source {@code data} reads ({@code role}: images, labels, image
   * folder or array), and where it was found.
   */
  public record File(String data, String role, DataPath.Resolved found) {
    /** E.g. {@code data `real` images: /usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz (Fashion-MNIST, ...)}. */
    public String describe() {
      return "data `" + data + "` " + role + ": " + found.path()
          + (found.isFashionMnist() ? " (Fashion-MNIST, from the Debian package `dataset-fashion-mnist`)" : "");
    }
  }

  /**
   * The files data source {@code data} reads, in reading order (images, then labels when it keeps
   * some labels or reads them as classes); none for toy sources. Throws {@link wganc.runtime.data.DataNotFoundException} for
   * the first one {@code path} cannot find.
   */
  public static List<File> files(ModelSpec.Data data, DataPath path) throws IOException {
    switch (data.kind()) {
      case "images" -> {
        return List.of(new File(data.name(), "image folder", path.resolve(data.images(), DataPath.Kind.FOLDER)));
      }
      case "npy" -> {
        return List.of(new File(data.name(), "array", path.resolve(data.images(), DataPath.Kind.FILE)));
      }
      case "idx" -> {
        List<File> files = new ArrayList<>();
        files.add(new File(data.name(), "images", path.resolve(data.images())));
        if (data.keep() != null && data.keep().length > 0 || data.classes() > 0) {
          if (data.labels() == null) {
            throw new IOException("data `" + data.name() + "` " + (data.classes() > 0 ? "reads classes"
                : "keeps labels " + Arrays.toString(data.keep())) + " but names no label file");
          }
          files.add(new File(data.name(), "labels", path.resolve(data.labels())));
        }
        return List.copyOf(files);
      }
      default -> {
        return List.of();
      }
    }
  }

  /** Opens every data source of {@code spec}; files are looked up with {@code DataPath.standard(dataDir)}. */
  public static DataFeed open(ModelSpec spec, long seed, Path dataDir) throws IOException {
    return open(spec, seed, DataPath.standard(dataDir), System.err::println);
  }

  /** Opens every data source of {@code spec}; {@code log} gets progress lines and warnings about the data. */
  public static DataFeed open(ModelSpec spec, long seed, DataPath path, Consumer<String> log) throws IOException {
    Map<String, Source> sources = new LinkedHashMap<>();
    Map<String, String> descriptions = new LinkedHashMap<>();
    for (int d = 0; d < spec.data().size(); d++) {
      ModelSpec.Data data = spec.data().get(d);
      if (data.kind().equals("toy")) {
        sources.put(data.name(), new ToySource(toy(data), seed, Streams.TOY + d));
        descriptions.put(data.name(), "toy " + data.toy() + " scale=" + data.scale() + " std=" + data.std());
        continue;
      }
      List<File> files = files(data, path);
      Path first = files.get(0).found().path();
      int size = Init.size(data.shape());
      float lo = (float) data.lo(), hi = (float) data.hi();
      float[] samples;
      String desc;
      switch (data.kind()) {
        case "idx" -> {
          Idx.Labeled read = idx(data, files);
          Idx.Images im = read.images();
          if (im.imageSize() != size) {
            throw new IOException(first + ": images of " + im.channels() + "x" + im.height() + "x"
                + im.width() + " do not match data `" + data.name() + "` declared " + Arrays.toString(data.shape()));
          }
          if (data.classes() > 0) checkClasses(read.labels(), data, files.get(1).found().path());
          samples = data.classes() > 0 ? withClasses(im.data(), size, read.labels(), data.classes()) : im.data();
          desc = "idx " + first + (files.size() > 1 ? " labels " + files.get(1).found().path()
              + (data.keep().length > 0 ? " keep " + new TreeSet<>(Arrays.stream(data.keep()).boxed().toList()) : "") : "")
              + (files.get(0).found().isFashionMnist() ? " (Fashion-MNIST, from the Debian package)" : "");
        }
        case "images" -> {
          int[] s = data.shape();
          Idx.PixelMap map = Idx.PixelMap.toRange(lo, hi);
          if (data.classes() > 0) {
            Idx.Labeled read = ImageFolder.readClasses(first, data.classes(), s[0], s[1], s[2], map, data.skipBad(), log);
            samples = withClasses(read.images().data(), size, read.labels(), data.classes());
            desc = "images under " + first + ", a class per subfolder";
          } else {
            samples = ImageFolder.read(first, s[0], s[1], s[2], map, data.skipBad(), log).data();
            desc = "images under " + first;
          }
        }
        case "npy" -> {
          samples = NpyData.read(first, data.shape(), lo, hi);
          desc = "npy " + first;
        }
        default -> throw new IOException("data `" + data.name() + "`: unknown kind `" + data.kind() + "`");
      }
      int count = samples.length / data.rowSize();
      sources.put(data.name(), new IdxSource(samples, count, data.rowSize(), seed, Streams.SHUFFLE + d));
      descriptions.put(data.name(), desc + ", " + count + (data.shape().length == 3 ? " images" : " samples"));
    }
    return new DataFeed(sources, descriptions);
  }

  /** The images of an idx source and their labels (null without a label file), filtered when it keeps some. */
  private static Idx.Labeled idx(ModelSpec.Data data, List<File> files) throws IOException {
    Idx.PixelMap map = Idx.PixelMap.toRange((float) data.lo(), (float) data.hi());
    Path images = files.get(0).found().path();
    if (files.size() == 1) return new Idx.Labeled(Idx.readImages(images, map), null);
    Set<Integer> keep = new TreeSet<>();
    for (int k : data.keep()) keep.add(k);
    return Idx.read(images, files.get(1).found().path(), map, keep.isEmpty() ? null : keep);
  }

  /** Refuses a label outside the data's classes, naming the label file, the label and the declaration. */
  static void checkClasses(int[] labels, ModelSpec.Data data, Path file) throws IOException {
    int k = data.classes();
    for (int i = 0; i < labels.length; i++) {
      if (labels[i] < 0 || labels[i] >= k) {
        throw new IOException(file + ": label " + labels[i] + " (sample " + i + ") is not one of the " + k
            + " classes data `" + data.name() + "` declares (0 to " + (k - 1) + ")");
      }
    }
  }

  /**
   * Rows of each sample's {@code size} values followed by its label {@code labels[i]} (below {@code k})
   * one-hot over {@code k}: what the phases of a model with `y: class[k]` read.
   */
  static float[] withClasses(float[] values, int size, int[] labels, int k) {
    int row = size + k;
    float[] rows = new float[Math.multiplyExact(labels.length, row)];
    for (int i = 0; i < labels.length; i++) {
      System.arraycopy(values, i * size, rows, i * row, size);
      rows[i * row + size + labels[i]] = 1;
    }
    return rows;
  }

  /**
   * A feed of the spec's shapes without files, for benchmarks: toy sources as {@link #open} makes
   * them; each other source {@code samples} samples of uniform values in the data's [lo, hi].
   */
  public static DataFeed synthetic(ModelSpec spec, long seed, int samples) {
    Map<String, Source> sources = new LinkedHashMap<>();
    Map<String, String> descriptions = new LinkedHashMap<>();
    for (int d = 0; d < spec.data().size(); d++) {
      ModelSpec.Data data = spec.data().get(d);
      if (data.kind().equals("toy")) {
        sources.put(data.name(), new ToySource(toy(data), seed, Streams.TOY + d));
        descriptions.put(data.name(), "toy " + data.toy());
      } else {
        int size = Init.size(data.shape());
        float[] x = new float[Math.multiplyExact(samples, size)];
        float lo = (float) data.lo(), hi = (float) data.hi();
        Philox.fillUniform(x, seed, Streams.SHUFFLE + d, -1, lo, hi);
        if (data.classes() > 0) {
          int[] labels = new int[samples];
          for (int i = 0; i < samples; i++) labels[i] = Philox.below(seed, Streams.SHUFFLE + d, -2, i, data.classes());
          x = withClasses(x, size, labels, data.classes());
        }
        sources.put(data.name(), new IdxSource(x, samples, data.rowSize(), seed, Streams.SHUFFLE + d));
        descriptions.put(data.name(), samples + " synthetic images");
      }
    }
    return new DataFeed(sources, descriptions);
  }

  /** A feed over given sources (tests, generated trainers with their own data). */
  public static DataFeed of(Map<String, Source> sources) {
    Map<String, String> d = new LinkedHashMap<>();
    sources.keySet().forEach(k -> d.put(k, "given"));
    return new DataFeed(new LinkedHashMap<>(sources), d);
  }

  /** The toy distribution of a `toy` data spec (see the class comment). */
  public static Toy2d toy(ModelSpec.Data data) {
    return switch (data.toy()) {
      case "8gaussians" -> Toy2d.eightGaussians(data.scale(), data.std());
      case "25gaussians" -> Toy2d.twentyFiveGaussians(2 / data.scale(), data.std() / data.scale());
      case "swissroll" -> Toy2d.swissRoll(data.std(), data.scale());
      default -> throw new IllegalArgumentException("unknown toy distribution `" + data.toy() + "`");
    };
  }

  public Source source(String name) {
    Source s = sources.get(name);
    if (s == null) throw new IllegalArgumentException("no data source `" + name + "`; have " + sources.keySet());
    return s;
  }

  public Map<String, Source> sources() {
    return sources;
  }

  /** One line per source for the manifest. */
  public Map<String, String> descriptions() {
    return descriptions;
  }

  /**
   * The visiting order of epoch {@code epoch}: Fisher–Yates from the top, position {@code i}
   * (N-1 down to 1) swapped with {@code Philox.below(seed, stream, epoch, i, i + 1)}.
   */
  public static int[] permutation(int n, long seed, int stream, long epoch) {
    int[] p = new int[n];
    permutation(p, seed, stream, epoch);
    return p;
  }

  static void permutation(int[] p, long seed, int stream, long epoch) {
    for (int i = 0; i < p.length; i++) p[i] = i;
    for (int i = p.length - 1; i > 0; i--) {
      int j = Philox.below(seed, stream, epoch, i, i + 1);
      int t = p[i];
      p[i] = p[j];
      p[j] = t;
    }
  }

  /**
   * Samples held in memory (idx, images or npy data) visited by epochs of shuffled order, partial last
   * batches dropped.
   */
  public static final class IdxSource implements Source {
    private final float[] data;
    private final int count;
    private final int size;
    private final long seed;
    private final int stream;
    private final int[] order;
    private long epoch;
    private int position;

    public IdxSource(float[] data, int count, int size, long seed, int stream) {
      if ((long) count * size != data.length) {
        throw new IllegalArgumentException(count + " samples of " + size + " need " + (long) count * size
            + " values, have " + data.length);
      }
      this.data = data;
      this.count = count;
      this.size = size;
      this.seed = seed;
      this.stream = stream;
      this.order = new int[count];
      seek(0, 0);
    }

    public int count() {
      return count;
    }

    @Override public int sampleSize() {
      return size;
    }

    public long epoch() {
      return epoch;
    }

    public int position() {
      return position;
    }

    /** Moves the cursor to sample {@code position} of epoch {@code epoch}. */
    public void seek(long epoch, int position) {
      if (position < 0 || position > count) throw new IllegalArgumentException("position " + position + " outside 0.." + count);
      this.epoch = epoch;
      this.position = position;
      permutation(order, seed, stream, epoch);
    }

    @Override
    public void next(float[] out, int n, long rngStep) {
      int from = take(n);
      for (int k = 0; k < n; k++) System.arraycopy(data, order[from + k] * size, out, k * size, size);
    }

    /**
     * Advances the cursor over the next {@code n} samples, as {@link #next} does, without copying
     * them: returns where they start in {@link #order()} of the (possibly new) {@link #epoch()}. A
     * device that holds {@link #data()} gathers the batch itself.
     */
    public int take(int n) {
      if (n > count) {
        throw new IllegalArgumentException("a batch of " + n + " needs more than the " + count + " samples there are");
      }
      if (position + n > count) seek(epoch + 1, 0);
      int from = position;
      position += n;
      return from;
    }

    /** The visiting order of the current epoch (a copy). */
    public int[] order() {
      return order.clone();
    }

    /** Every sample, row-major {@code [count, sampleSize]}: the array itself, for sending to a device once; do not modify it. */
    public float[] data() {
      return data;
    }
  }

  /** Fresh toy points for every request, keyed by the phase's rngStep. */
  public static final class ToySource implements Source {
    private final Toy2d toy;
    private final long seed;
    private final int stream;

    public ToySource(Toy2d toy, long seed, int stream) {
      this.toy = toy;
      this.seed = seed;
      this.stream = stream;
    }

    @Override public int sampleSize() {
      return 2;
    }

    @Override
    public void next(float[] out, int n, long rngStep) {
      toy.sample(out, n, seed, stream, rngStep);
    }

    public Toy2d toy() {
      return toy;
    }

    /** The Philox key of its draws. */
    public long seed() {
      return seed;
    }

    /** The Philox stream of its draws. */
    public int stream() {
      return stream;
    }
  }
}

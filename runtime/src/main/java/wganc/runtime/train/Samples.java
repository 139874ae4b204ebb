package wganc.runtime.train;

import java.awt.image.BufferedImage;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import wganc.runtime.image.Grid;
import wganc.runtime.image.Scatter;
import wganc.runtime.rng.Philox;

/**
 * What the sampling phase reads and how its output is drawn. Noise batch {@code k} is
 * {@code n x noiseShape} values of the sampling noise's distribution from stream
 * {@link Streams#SAMPLE_NOISE} at counter step {@code k}, computed in float as
 * {@link Philox#fillNormal(float[], long, int, long, float, float)} or
 * {@link Philox#fillUniform(float[], long, int, long, float, float)} do; batch 0 is the fixed batch
 * behind every training sample grid. Image outputs {@code [n, C, H, W]} become a {@link Grid} of
 * {@code ceil(sqrt(n))} columns with the value range of the data; 2-D outputs a {@link Scatter} of
 * the generated points over {@link #REAL_POINTS} real ones (stream {@link Streams#SAMPLE_REAL}), on
 * axes that show every generated point ({@link Scatter#bounds}).
 *
 * <p>A conditional generator also reads a class ({@link ModelSpec.Sample#condition}): sample i is of
 * class {@code i mod classes}, and its grid has one column per class, unless one class is chosen
 * for every sample (`wganc sample --class K`), which gives the square grid.
 */
public final class Samples {
  private Samples() {}

  public static final int REAL_POINTS = 512;
  public static final int SCATTER_SIZE = 480;

  /** Sampling noise batch {@code k}. */
  public static float[] noise(ModelSpec spec, long seed, long k) {
    ModelSpec.Sample s = spec.sample();
    ModelSpec.Noise z = spec.noise().stream().filter(x -> x.name().equals(s.noise())).findFirst()
        .orElseThrow(() -> new IllegalArgumentException("sampling noise `" + s.noise() + "` is not declared"));
    float[] out = new float[Math.multiplyExact(s.n(), Init.size(s.noiseShape()))];
    switch (z.dist()) {
      case "normal" -> Philox.fillNormal(out, seed, Streams.SAMPLE_NOISE, k, (float) z.a(), (float) z.b());
      case "uniform" -> Philox.fillUniform(out, seed, Streams.SAMPLE_NOISE, k, (float) z.a(), (float) z.b());
      default -> throw new IllegalArgumentException("noise `" + z.name() + "`: unknown distribution `" + z.dist() + "`");
    }
    return out;
  }

  /** Every sample of a class chosen with `--class`; {@link #CYCLE}: sample i is of class {@code i mod classes}. */
  public static final int CYCLE = -1;

  /**
   * The fixed inputs of the sampling phase: the noise batch {@code noise} and, for a conditional
   * generator, the classes ({@link #classes}).
   */
  public static Map<String, float[]> inputs(ModelSpec spec, float[] noise, int chosen) {
    Map<String, float[]> in = new LinkedHashMap<>();
    in.put(spec.sample().noise(), noise);
    if (spec.sample().condition() != null) in.put(spec.sample().condition(), classes(spec, chosen));
    return in;
  }

  /**
   * One-hot classes [n, classes] of the sampling batch: all {@code chosen}, or with {@link #CYCLE}
   * class {@code i mod classes} for sample i. Throws {@link IllegalArgumentException} for a model
   * without classes or a class out of range.
   */
  public static float[] classes(ModelSpec spec, int chosen) {
    ModelSpec.Sample s = spec.sample();
    int k = s.classes();
    if (s.condition() == null) {
      if (chosen == CYCLE) return new float[0];
      throw new IllegalArgumentException("model `" + spec.name() + "` has no class input: its generator reads only noise `"
          + s.noise() + "`");
    }
    if (chosen != CYCLE && (chosen < 0 || chosen >= k)) {
      throw new IllegalArgumentException("class " + chosen + " is out of range: model `" + spec.name() + "` has " + k
          + " classes, 0 to " + (k - 1));
    }
    float[] out = new float[Math.multiplyExact(s.n(), k)];
    for (int i = 0; i < s.n(); i++) out[i * k + (chosen == CYCLE ? i % k : chosen)] = 1;
    return out;
  }

  /** Whether the samples are images ({@code [C, H, W]}) rather than points. */
  public static boolean images(ModelSpec spec) {
    return spec.sample().outShape().length == 3;
  }

  /** The value range of the first data source that is not a toy (idx, images or npy), or [-1, 1]. */
  public static float[] range(ModelSpec spec) {
    for (ModelSpec.Data d : spec.data()) {
      if (!d.kind().equals("toy")) return new float[] {(float) d.lo(), (float) d.hi()};
    }
    return new float[] {-1f, 1f};
  }

  /** Real points for toy scatter plots (null for image models and for points read from files). */
  public static float[] realPoints(ModelSpec spec, long seed) {
    for (ModelSpec.Data d : spec.data()) {
      if (d.kind().equals("toy")) return DataFeed.toy(d).sample(REAL_POINTS, seed, Streams.SAMPLE_REAL, 0);
    }
    return null;
  }

  /**
   * Real points for scatter plots: a toy's, as {@link #realPoints(ModelSpec, long)} draws them, else the
   * first {@link #REAL_POINTS} points, in file order, of 2-D data that {@code feed} holds (an npy
   * array); null for image models.
   */
  public static float[] realPoints(ModelSpec spec, long seed, DataFeed feed) {
    float[] toy = realPoints(spec, seed);
    if (toy != null) return toy;
    for (ModelSpec.Data d : spec.data()) {
      if (Arrays.equals(d.shape(), new int[] {2}) && feed.sources().get(d.name()) instanceof DataFeed.IdxSource s) {
        return Arrays.copyOf(s.data(), 2 * Math.min(REAL_POINTS, s.count()));
      }
    }
    return null;
  }

  /**
   * The axes of the scatter plot of {@code count} samples over the real points ({@link Scatter#bounds}:
   * every generated point, within a cap, never smaller than {@code previous}); null for images.
   */
  public static double[] scatterBounds(ModelSpec spec, float[] samples, int count, float[] real, double[] previous) {
    if (images(spec)) return null;
    return Scatter.bounds(real, points(samples, count), previous);
  }

  /**
   * Draws {@code count} samples; {@code bounds} are a scatter plot's axes (null: fitted to these
   * samples, see {@link #scatterBounds}), unused for images.
   */
  public static BufferedImage render(ModelSpec spec, float[] samples, int count, float[] real, double[] bounds,
      String title) {
    return render(spec, samples, count, real, bounds, title, CYCLE);
  }

  /** As {@link #render}, of samples of the class {@code chosen} (or {@link #CYCLE}: a column per class). */
  public static BufferedImage render(ModelSpec spec, float[] samples, int count, float[] real, double[] bounds,
      String title, int chosen) {
    int[] o = spec.sample().outShape();
    if (o.length == 3) {
      float[] r = range(spec);
      int cols = spec.sample().condition() != null && chosen == CYCLE ? Math.min(count, spec.sample().classes())
          : (int) Math.ceil(Math.sqrt(count));
      return Grid.render(samples, count, o[0], o[1], o[2], cols, r[0], r[1]);
    }
    if (o.length == 1 && o[0] == 2) {
      float[] pts = points(samples, count);
      double[] b = bounds != null ? bounds : Scatter.bounds(real, pts, null);
      return Scatter.render(real, pts, b, SCATTER_SIZE, SCATTER_SIZE, title);
    }
    throw new IllegalArgumentException("cannot draw samples of shape " + java.util.Arrays.toString(o)
        + "; expected [C, H, W] images or [2] points");
  }

  private static float[] points(float[] samples, int count) {
    return samples.length == 2 * count ? samples : java.util.Arrays.copyOf(samples, 2 * count);
  }
}

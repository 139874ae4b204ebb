package wganc.runtime.train;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import wganc.runtime.image.Gif;
import wganc.runtime.image.LossPlot;
import wganc.runtime.image.Png;

/**
 * The pictures of a run: {@code samples/step-000500.png}, what the sampling phase makes of the fixed
 * noise batch ({@link Samples}: an image grid, or toy points over real ones on axes that only grow,
 * so that the frames share them; the axes are not kept on resume); {@code samples.gif}, every grid
 * so far as a frame of 250 ms (read back from {@code samples/} on resume); and {@code loss.png}, a
 * panel {@link #LOSS_PANEL_HEIGHT} pixels high per metric statement ({@link LossPanels}) from the
 * history in {@link Metrics}.
 */
public final class Pictures {
  /** Pixel height of each panel of loss.png ({@link LossPanels}). */
  public static final int LOSS_PANEL_HEIGHT = 260;
  static final String SAMPLES = "samples";
  static final String GIF = "samples.gif";
  static final String LOSS_PLOT = "loss.png";

  private final ModelSpec spec;
  private final RunDirectory run;
  private final BoundPhase samplePhase;
  private final float[] realPoints;
  private final List<BufferedImage> frames = new ArrayList<>();
  private double[] scatterBounds;
  private long lastStep = -1;

  /**
   * Binds the sampling phase to {@code slots}, reading sampling noise batch 0 ({@link Samples#noise})
   * and, for a conditional generator, a class per column ({@link Samples#inputs}); scatter plots show
   * real points of {@code feed} ({@link Samples#realPoints(ModelSpec, long, DataFeed)}).
   */
  Pictures(CompiledModel model, Slots slots, long seed, RunDirectory run, DataFeed feed) {
    this.spec = model.spec();
    this.run = run;
    float[] fixedNoise = Samples.noise(spec, seed, 0);
    this.realPoints = Samples.realPoints(spec, seed, feed);
    this.samplePhase = new BoundPhase(model.phase(spec.sample().phase()), slots, Map.of(),
        Samples.inputs(spec, fixedNoise, Samples.CYCLE), List.of());
  }

  /** The step of the last sample grid written or read back (-1 before one). */
  long lastStep() {
    return lastStep;
  }

  /** Reads back the grids of steps up to {@code step} as the GIF's first frames (resuming). */
  void loadFrames(long step) throws IOException {
    Path dir = run.resolve(SAMPLES);
    if (!Files.isDirectory(dir)) return;
    List<Path> files;
    try (Stream<Path> s = Files.list(dir)) {
      files = s.filter(p -> sampleStep(p) >= 0 && sampleStep(p) <= step)
          .sorted(Comparator.comparingLong(Pictures::sampleStep)).toList();
    }
    for (Path p : files) {
      BufferedImage img = ImageIO.read(p.toFile());
      if (img != null) frames.add(img);
    }
    lastStep = files.isEmpty() ? -1 : sampleStep(files.getLast());
  }

  /** The step of a sample grid's file name, or -1 for any other name. */
  static long sampleStep(Path p) {
    String n = p.getFileName().toString();
    if (!n.matches("step-\\d+\\.png")) return -1;
    return Long.parseLong(n.substring(5, n.length() - 4));
  }

  /** Writes step {@code step}'s sample grid, the GIF so far and the loss plot of {@code metrics}. */
  void write(long step, Metrics metrics) throws IOException {
    samplePhase.run(0);
    samplePhase.commit();
    float[] s = samplePhase.output(spec.sample().output());
    int n = spec.sample().n();
    scatterBounds = Samples.scatterBounds(spec, s, n, realPoints, scatterBounds);
    BufferedImage img = Samples.render(spec, s, n, realPoints, scatterBounds, spec.name() + " step " + step);
    Png.write(img, run.resolve(SAMPLES).resolve(String.format(Locale.ROOT, "step-%06d.png", step)));
    frames.add(img);
    Gif.write(frames, 250, run.resolve(GIF));
    lastStep = step;
    if (metrics.hasHistory()) {
      LossPlot.write(spec.name(), metrics.lossPanels(), 800, LOSS_PANEL_HEIGHT, run.resolve(LOSS_PLOT));
    }
  }
}

package wganc.runtime.train;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a trainer needs to know about a model besides its compiled phases: data, noise, parameters and
 * their initialisers, optimiser state, the update schedule and the sampling program. The compiler
 * writes it as JSON (Jackson) into every trainer; records here map one to one to that JSON.
 */
public record ModelSpec(String name, String sourceSha256, int batch, Integer epochs, Integer steps, long seed,
                        List<Data> data, List<Noise> noise, List<Param> params, List<State> state,
                        List<Update> updates, Sample sample) {

  /**
   * A data source. {@code kind} is one of:
   * <ul>
   * <li>`idx`: images [N, C, H, W] from the IDX file {@code images}, optionally only the labels
   *     {@code keep} from {@code labels}, pixels mapped linearly from [0, 255] to [lo, hi];</li>
   * <li>`images`: the PNG and JPEG files under the folder {@code images}, resized and centre-cropped
   *     to {@code shape} [C, H, W] (C 1: luminance, 3: RGB), pixels mapped as for idx; files that do
   *     not decode are left out when {@code skipBad}, else refused;</li>
   * <li>`npy`: the NumPy array in the file {@code images}, shaped [N, ...shape]; unsigned bytes are
   *     mapped as for idx, floats from [0, 1] to [lo, hi] (so as they are for the default [0, 1]);</li>
   * <li>`toy`: {@code toy} one of 8gaussians, 25gaussians, swissroll with {@code scale} and {@code std}.</li>
   * </ul>
   * With {@code classes} > 0 (`data real: image[...], y: class[10]`, idx only) each sample's label
   * from {@code labels} follows its values as a one-hot vector of {@code classes}: the phases read
   * rows of {@link #rowSize} values.
   */
  public record Data(String name, int[] shape, String kind, String images, String labels, int[] keep, double lo,
                     double hi, String toy, double scale, double std, boolean skipBad, int classes) {
    public Data(String name, int[] shape, String kind, String images, String labels, int[] keep, double lo, double hi,
                String toy, double scale, double std) {
      this(name, shape, kind, images, labels, keep, lo, hi, toy, scale, std, false, 0);
    }

    /** Values per sample as the phases read them: the data's, then the one-hot label's. */
    public int rowSize() {
      return Init.size(shape) + classes;
    }
  }

  /**
   * A noise source: {@code dist} `normal` (a = mean, b = std), `uniform` (a = lo, b = hi) or `class`
   * (a one-hot class, uniform over a = the class count).
   */
  public record Noise(String name, int[] shape, String dist, double a, double b) {}

  /**
   * A network parameter (PyTorch names and layouts, e.g. `D.0.weight` [out, in]). {@code init}:
   * `glorot_uniform`, `glorot_normal`, `he_uniform`, `he_normal` (using {@code fanIn}/{@code fanOut}
   * as Keras computes them), `normal` (a = mean, b = std), `uniform` (a = lo, b = hi), `constant` (a).
   * {@code kind}: weight, bias, running_mean, running_var.
   */
  public record Param(String name, int[] shape, String kind, boolean trainable, String init, double a, double b,
                      int fanIn, int fanOut) {}

  /** Optimiser state and counters, e.g. `critic.D.0.weight.m` (zeros) or `critic.t` (starts at 1). */
  public record State(String name, int[] shape, double initial) {}

  /**
   * An update in the schedule: a critic update runs {@code perGenerator} times per generator step,
   * each time all its {@code phases} in order; the generator update runs once, last.
   */
  public record Update(String name, String role, int perGenerator, List<PhaseInfo> phases) {}

  /**
   * A phase: its batch size, which of its reads are data batches (filled from the data source of
   * the same name), every input it consumes as `wganc trace --list` names them (the data batches,
   * the noise, sampled values, dropout keep-masks `<net>.<layer>.mask.<k>`; what `train
   * --record-inputs` saves), the scalar values it writes that are worth logging (`loss` first: the
   * scalar statements of the phase), and where in the source each of those statements is (null or
   * missing entries in specs written before origins existed).
   */
  public record PhaseInfo(String name, int batch, List<String> dataInputs, List<String> inputs,
                          List<String> metrics, Map<String, Origin> origins) {
    public PhaseInfo {
      origins = origins == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(origins));
    }
  }

  /**
   * Where a statement is in the model source, for run-time errors about its value: the file as it
   * was compiled, the 1-based line and column where the statement starts, how many characters of
   * that line it covers, and the text of the line.
   */
  public record Origin(String file, int line, int column, int width, String text) {}

  /**
   * The sampling program: phase {@code phase} reads noise {@code noise} [n, noiseShape...] and, for a
   * conditional generator, its class {@code condition} [n, classes] (one-hot; null and 0 otherwise), and
   * writes {@code output} [n, outShape...]; it is compiled for batch {@code n}.
   */
  public record Sample(String phase, String noise, int[] noiseShape, String output, int[] outShape, int n,
                       String condition, int classes) {
    public Sample(String phase, String noise, int[] noiseShape, String output, int[] outShape, int n) {
      this(phase, noise, noiseShape, output, outShape, n, null, 0);
    }
  }
}

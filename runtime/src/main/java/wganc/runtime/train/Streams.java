package wganc.runtime.train;

/**
 * The {@link wganc.runtime.rng.Philox} streams the trainer draws from, all keyed by the run's seed.
 * The compiler numbers its draw sites (noise, interpolation weights, dropout masks) from stream 0
 * upwards, keyed by {@code rngStep}; the trainer's streams start at 2^30 so the two never meet.
 *
 * <table>
 * <caption>Trainer streams</caption>
 * <tr><th>stream</th><th>step (counter)</th><th>index</th><th>what</th></tr>
 * <tr><td>{@code INIT + p}</td><td>redraw attempt (0 for all but truncated normals)</td>
 *     <td>flat C-order element</td><td>initial value of parameter {@code p} (its position in
 *     {@link ModelSpec#params()})</td></tr>
 * <tr><td>{@code SHUFFLE + d}</td><td>epoch (0-based)</td><td>Fisher–Yates position</td>
 *     <td>the epoch permutation of {@code idx} data source {@code d} (its position in
 *     {@link ModelSpec#data()})</td></tr>
 * <tr><td>{@code TOY + d}</td><td>the phase's {@code rngStep}</td><td>as {@link wganc.runtime.data.Toy2d}</td>
 *     <td>a fresh toy batch for each phase invocation</td></tr>
 * <tr><td>{@code SAMPLE_NOISE}</td><td>sample batch k (0 is the fixed training batch)</td>
 *     <td>flat element</td><td>the sampling noise</td></tr>
 * <tr><td>{@code SAMPLE_REAL}</td><td>0</td><td>as Toy2d</td><td>the real points of toy sample plots</td></tr>
 * </table>
 */
public final class Streams {
  private Streams() {}

  public static final int INIT = 0x4000_0000;
  public static final int SHUFFLE = 0x5000_0000;
  public static final int TOY = 0x5100_0000;
  public static final int SAMPLE_NOISE = 0x6000_0000;
  public static final int SAMPLE_REAL = 0x6000_0001;
}

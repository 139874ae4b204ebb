package wganc.runtime.train;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import wganc.runtime.image.Png;
import wganc.runtime.io.FormatException;
import wganc.runtime.io.Npy;
import wganc.runtime.io.SafeTensors;

/**
 * Samples from a trained model: loads a checkpoint (a file, or the newest in a run directory) into
 * a {@link CompiledModel} and runs its sampling phase on noise batches 0, 1, 2, ... of
 * {@link Samples#noise} (batch 0 is the fixed batch of the training grids), {@code Sample.n} samples
 * a batch, keyed by the checkpoint's seed. Writes a PNG (a grid, or a scatter over real points for
 * 2-D models) or a raw {@code .npy} ({@code [N, C, H, W]} or {@code [N, 2]}). A conditional
 * generator's class is the one chosen ({@code --class}), or sample i's is {@code i mod classes}
 * ({@link Samples#classes}).
 */
public final class Sampler {
  private final ModelSpec spec;
  private final BoundPhase phase;
  private final float[] noise;
  private final long seed;
  private final long step;
  private final Path checkpoint;
  private final int chosen;

  private Sampler(CompiledModel model, Slots slots, long seed, long step, Path checkpoint, int chosen) {
    this.spec = model.spec();
    this.seed = seed;
    this.step = step;
    this.checkpoint = checkpoint;
    this.chosen = chosen;
    this.noise = new float[Math.multiplyExact(spec.sample().n(), Init.size(spec.sample().noiseShape()))];
    this.phase = new BoundPhase(model.phase(spec.sample().phase()), slots, Map.of(), Samples.inputs(spec, noise, chosen),
        List.of());
  }

  /**
   * Loads {@code where} (a checkpoint file, a run directory or its checkpoints folder). Every tensor
   * the sampling phase reads must be in the file; the seed comes from its metadata (else the model's).
   * A damaged checkpoint (failing its checksums or its structure) is refused, naming the newest intact
   * one before it.
   */
  public static Sampler load(CompiledModel model, Path where) throws IOException {
    return load(model, where, Samples.CYCLE);
  }

  /**
   * As {@link #load(CompiledModel, Path)}, every sample of class {@code chosen} (or {@link Samples#CYCLE});
   * throws {@link IllegalArgumentException} when the model has no such class.
   */
  public static Sampler load(CompiledModel model, Path where, int chosen) throws IOException {
    Samples.classes(model.spec(), chosen);
    Path file = Checkpoints.newest(where);
    if (file == null) throw new IOException("no checkpoint in " + where + " (looked for checkpoints/step-*.safetensors)");
    SafeTensors st;
    try {
      st = SafeTensors.read(file);
    } catch (FormatException e) {
      Path intact = Checkpoints.fallback(file).intact();
      throw new IOException(e.getMessage() + (intact == null ? "; no earlier checkpoint beside it reads back intact"
          : "; sample from " + intact + " (step " + Checkpoints.stepOf(intact) + "), the newest intact checkpoint"
          + " before it, by giving that file instead of " + where), e);
    }
    ModelSpec spec = model.spec();
    long seed = Long.parseLong(st.metadata().getOrDefault("seed", Long.toString(spec.seed())));
    long step = Long.parseLong(st.metadata().getOrDefault("step", "-1"));
    Slots slots = Slots.init(spec, seed);
    slots.loadPresent(st, file.toString());
    Phase p = model.phase(spec.sample().phase());
    for (String r : p.reads()) {
      if (slots.slot(r) >= 0 && !st.tensors().containsKey(r)) {
        throw new IOException(file + ": no tensor `" + r + "`, which sampling needs");
      }
    }
    DeviceMemory memory = BoundPhase.memory(model);
    if (memory != null) memory.upload(slots.names, slots.cur);
    return new Sampler(model, slots, seed, step, file, chosen);
  }

  /**
   * Samples from a training run's live parameters (read at every {@link #sample}; for phases resident
   * on a device, from the device, where the trainer keeps them current).
   */
  static Sampler live(CompiledModel model, Slots slots, long seed) {
    return new Sampler(model, slots, seed, -1, null, Samples.CYCLE);
  }

  public Path checkpoint() {
    return checkpoint;
  }

  /** The checkpoint's step (-1 when its metadata does not say). */
  public long step() {
    return step;
  }

  public long seed() {
    return seed;
  }

  /** {@code n} samples, {@code [n, outShape...]} flat, from noise batches 0, 1, ... */
  public float[] sample(int n) {
    int per = spec.sample().n();
    int size = Init.size(spec.sample().outShape());
    float[] all = new float[Math.multiplyExact(n, size)];
    for (int k = 0, done = 0; done < n; k++) {
      System.arraycopy(Samples.noise(spec, seed, k), 0, noise, 0, noise.length);
      phase.run(0);
      phase.commit();
      float[] out = phase.output(spec.sample().output());
      int take = Math.min(per, n - done);
      System.arraycopy(out, 0, all, done * size, take * size);
      done += take;
    }
    return all;
  }

  /** Writes {@code n} samples to {@code out}: {@code .npy} raw, {@code .png} drawn; returns them. */
  public float[] write(int n, Path out) throws IOException {
    if (n <= 0) throw new IllegalArgumentException("the number of samples must be positive, got " + n);
    String name = out.getFileName().toString().toLowerCase(Locale.ROOT);
    float[] s = sample(n);
    if (name.endsWith(".npy")) {
      List<Long> shape = new ArrayList<>(List.of((long) n));
      for (int d : spec.sample().outShape()) shape.add((long) d);
      Npy.write(out, s, shape.stream().mapToLong(Long::longValue).toArray());
    } else if (name.endsWith(".png")) {
      Png.write(Samples.render(spec, s, n, Samples.realPoints(spec, seed), null, spec.name() + " step " + step, chosen),
          out);
    } else {
      throw new IllegalArgumentException("cannot write samples to `" + out + "`; use a `.png` or `.npy` file name");
    }
    return s;
  }

  /** How {@code n} written samples cover the modes of the model's toy mixture; null for other data. */
  public wganc.runtime.data.Toy2d.Coverage coverage(float[] samples, int n) {
    for (ModelSpec.Data d : spec.data()) {
      if (d.kind().equals("toy")) return DataFeed.toy(d).coverage(samples, n);
    }
    return null;
  }
}

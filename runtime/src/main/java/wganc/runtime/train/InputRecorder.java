package wganc.runtime.train;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import wganc.runtime.io.SafeTensors;
import wganc.runtime.io.Tensor;

/**
 * What {@code train --record-inputs} writes: for every phase invocation of training,
 * {@code inputs/NNNNNN-<phase>.safetensors}, NNNNNN being the invocation's {@code rng_step} (the
 * global phase counter that keys its draws), holding every input it consumed under the names
 * {@code wganc trace --list} gives them ({@link ModelSpec.PhaseInfo#inputs}): the data batch, the
 * noise, each sampled value (float32) and each dropout keep-mask (U8, 0 or 1: a quarter of the
 * bytes), batch axis first. The data batch
 * is what the phase read; every draw is what the phase itself computed and wrote under that name
 * (phases compiled with recorded draws), so the files hold exactly the numbers training used.
 * Metadata: {@code rng_step}, {@code step} (the 1-based step the invocation belongs to),
 * {@code phase}, {@code update}. With these and {@code checkpoints/step-000000.safetensors} another
 * framework can replay the run update by update (docs/replay.md).
 */
final class InputRecorder {
  static final String DIR = "inputs";

  private final Path dir;
  private final Map<String, String> updateOf;
  private final Map<String, List<String>> inputsOf;

  /**
   * @param phases the distinct training phases of the run
   * @throws IllegalStateException when a phase neither reads nor writes one of its inputs (a
   *         trainer compiled without recorded draws) or runs on a device
   */
  InputRecorder(Path run, ModelSpec spec, List<BoundPhase> phases) {
    this.dir = run.resolve(DIR);
    this.updateOf = new java.util.HashMap<>();
    this.inputsOf = new java.util.HashMap<>();
    for (ModelSpec.Update u : spec.updates()) {
      for (ModelSpec.PhaseInfo info : u.phases()) {
        updateOf.put(info.name(), u.name());
        inputsOf.put(info.name(), info.inputs());
      }
    }
    for (BoundPhase p : phases) {
      if (p.phase instanceof ResidentPhase) {
        throw new IllegalStateException("recording inputs needs the phases on the host (the JVM backend); phase `"
            + p.name + "` runs on a device");
      }
      List<String> missing = new ArrayList<>();
      for (String name : inputsOf.getOrDefault(p.name, List.of())) {
        if (p.tensor(name) == null) missing.add("`" + name + "`");
      }
      if (!missing.isEmpty()) {
        throw new IllegalStateException("phase `" + p.name + "` does not expose its input" + (missing.size() > 1 ? "s " : " ")
            + String.join(", ", missing) + ": it was compiled without recorded draws (`wganc train --record-inputs`"
            + " compiles them so)");
      }
    }
  }

  /** Dropout keep-masks are named {@code <net>.<layer>.mask.<k>} ({@link ModelSpec.PhaseInfo#inputs}). */
  static boolean isMask(String name) {
    return name.matches("[^.]+\\.\\d+\\.mask\\.\\d+");
  }

  /** A keep-mask of 0s and 1s as bytes. */
  private static Tensor mask(String name, Tensor t) {
    float[] x = t.toFloatArray();
    byte[] b = new byte[x.length];
    for (int i = 0; i < x.length; i++) {
      if (x[i] != 0f && x[i] != 1f) {
        throw new IllegalStateException("keep-mask `" + name + "` holds " + x[i] + " at element " + i + ", not 0 or 1");
      }
      b[i] = (byte) x[i];
    }
    return Tensor.u8(b, t.shape());
  }

  /** The file of the invocation at {@code rngStep} of phase {@code phase}. */
  static String fileName(long rngStep, String phase) {
    return String.format(Locale.ROOT, "%06d-%s.safetensors", rngStep, phase);
  }

  /** Writes what {@code p} consumed in its last run (before its writes are committed). */
  void record(BoundPhase p, long rngStep, long step) throws IOException {
    SafeTensors st = new SafeTensors();
    for (String name : inputsOf.getOrDefault(p.name, List.of())) {
      Tensor t = p.tensor(name);
      st.put(name, isMask(name) ? mask(name, t) : t);
    }
    st.putMetadata("rng_step", Long.toString(rngStep));
    st.putMetadata("step", Long.toString(step));
    st.putMetadata("phase", p.name);
    st.putMetadata("update", updateOf.get(p.name));
    st.write(dir.resolve(fileName(rngStep, p.name)));
  }
}

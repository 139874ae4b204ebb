package wganc.emit.tornado;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import wganc.check.Model;
import wganc.compile.Compiled;
import wganc.emit.Agreement;
import wganc.emit.Backend;
import wganc.emit.Sources;

/**
 * Runs phases of a trainer jar on the device with given inputs ({@code wganc.runtime.train.PhaseReplay}
 * in a child JVM started with the SDK's flags) and brings their writes back: for `trace --backend
 * tornado` and for checking the TornadoVM kernels against the reference interpreter (`verify`,
 * {@code TornadoAgreementTest}).
 */
public final class DeviceReplay {
  private DeviceReplay() {}

  /** One run of a phase: its step counter and its reads, in the phase's read order. */
  public record Input(String phase, long rngStep, float[][] reads) {}

  /**
   * Each input's writes, in the phase's write order; {@code device} is {@code B:D} or null for
   * TornadoVM's default, {@code jvmFlags} go to the child JVM; files go to {@code dir}. A failed child
   * is a {@link Backend.BackendException} with the end of its output.
   */
  public static List<float[][]> run(TornadoSdk sdk, Path jar, String device, List<String> jvmFlags, List<Input> inputs,
                                    Path dir) throws IOException, InterruptedException, Backend.BackendException {
    Path in = dir.resolve("replay-in.bin"), out = dir.resolve("replay-out.bin"), log = dir.resolve("replay.log");
    try (DataOutputStream o = new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(in)))) {
      o.writeInt(inputs.size());
      for (Input r : inputs) {
        o.writeUTF(r.phase());
        o.writeLong(r.rngStep());
        o.writeInt(r.reads().length);
        for (float[] a : r.reads()) {
          o.writeInt(a.length);
          for (float x : a) o.writeFloat(x);
        }
      }
    }
    List<String> cmd = new ArrayList<>(sdk.command(jar.toString(), device, "wganc.runtime.train.PhaseReplay",
        List.of(in.toString(), out.toString())));
    cmd.addAll(1, jvmFlags);
    int code = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start().waitFor();
    if (code != 0) {
      String s = Files.readString(log).strip();
      throw new Backend.BackendException("the TornadoVM run failed (exit " + code + "):\n"
          + (s.length() > 8000 ? "..." + s.substring(s.length() - 8000) : s));
    }
    List<float[][]> writes = new ArrayList<>();
    try (DataInputStream i = new DataInputStream(new BufferedInputStream(Files.newInputStream(out)))) {
      int runs = i.readInt();
      for (int r = 0; r < runs; r++) {
        float[][] w = new float[i.readInt()][];
        for (int k = 0; k < w.length; k++) {
          w[k] = new float[i.readInt()];
          for (int x = 0; x < w[k].length; x++) w[k][x] = i.readFloat();
        }
        writes.add(w);
      }
    }
    return writes;
  }

  /** The options of the kernels {@link #check} compares: a sampling batch of 3. */
  public static final Backend.Options OPTIONS = new Backend.Options(3);

  /**
   * {@code steps} steps of every update of a model's TornadoVM kernels against the reference
   * interpreter ({@link Agreement}); {@code compiled}: the model compiled for the backend's target with
   * {@link #OPTIONS}. The trainer jar and the replay's files go to {@code dir}; {@code progress} hears
   * what runs.
   */
  public static List<Agreement.Check> check(TornadoBackend backend, Compiled compiled, String device,
      List<String> jvmFlags, int steps, Path dir, Consumer<String> progress)
      throws IOException, InterruptedException, Backend.BackendException {
    TornadoSdk sdk = backend.sdk();
    Model model = compiled.model();
    progress.accept("compiling " + model.name() + " at batch " + model.training().batch() + " for TornadoVM ("
        + sdk.home() + ") ...");
    Path jar = dir.resolve("trainer.jar");
    Sources sources = backend.sources(compiled, OPTIONS);
    backend.writeTrainer(jar, sources);
    progress.accept("running the interpreter (" + steps + " steps of every update) ...");
    List<Agreement.Run> runs = Agreement.reference(compiled, Agreement.Io.of(sources.io()), steps);
    progress.accept("running the kernels on the device" + (device == null ? "" : " " + device) + " ...");
    List<float[][]> actual = run(sdk, jar, device, jvmFlags,
        runs.stream().map(r -> new Input(r.phase(), r.rngStep(), r.reads())).toList(), dir);
    return Agreement.compare(runs, actual, "tornado");
  }
}

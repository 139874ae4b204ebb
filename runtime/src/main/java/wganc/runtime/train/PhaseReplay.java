package wganc.runtime.train;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Runs the phases of a trainer jar on given inputs and writes what they return, for checking a
 * backend that runs in its own JVM (TornadoVM) against the reference interpreter.
 * {@code java -cp <trainer.jar> wganc.runtime.train.PhaseReplay IN OUT}. IN holds, after a run count,
 * each run's phase name (UTF), {@code rngStep} (long) and reads (count, then each as a length and
 * floats, in {@link Phase#reads()} order); OUT holds each run's writes the same way.
 */
public final class PhaseReplay {
  private PhaseReplay() {}

  public static void main(String[] args) throws Exception {
    if (args.length != 2) {
      System.err.println("usage: PhaseReplay IN OUT");
      System.exit(2);
    }
    Map<String, Phase> phases = new LinkedHashMap<>();
    for (Phase p : fromClassPath().phases()) phases.put(p.name(), p);
    try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(Path.of(args[0]))));
         DataOutputStream out = new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(Path.of(args[1]))))) {
      int runs = in.readInt();
      out.writeInt(runs);
      for (int r = 0; r < runs; r++) {
        String name = in.readUTF();
        long rngStep = in.readLong();
        Phase p = phases.get(name);
        if (p == null) throw new IllegalArgumentException("no phase `" + name + "`");
        float[][] reads = new float[in.readInt()][];
        for (int i = 0; i < reads.length; i++) reads[i] = floats(in);
        int[][] shapes = p.writeShapes();
        float[][] writes = new float[shapes.length][];
        for (int w = 0; w < shapes.length; w++) {
          int n = 1;
          for (int d : shapes[w]) n *= d;
          writes[w] = new float[n];
        }
        if (p instanceof ResidentPhase resident) {
          replayResident(resident, rngStep, reads, writes);
        } else {
          p.run(rngStep, reads, writes);
        }
        out.writeInt(writes.length);
        for (float[] w : writes) {
          out.writeInt(w.length);
          for (float x : w) out.writeFloat(x);
        }
      }
    }
    System.exit(0);
  }

  /** The model of the trainer jar on the class path (its /wganc/trainer.json and phase classes). */
  static CompiledModel fromClassPath() throws IOException, ReflectiveOperationException {
    TrainerMain.Manifest m;
    try (InputStream in = PhaseReplay.class.getResourceAsStream("/wganc/trainer.json")) {
      if (in == null) throw new IOException("no /wganc/trainer.json on the class path");
      m = new ObjectMapper().readValue(in, TrainerMain.Manifest.class);
    }
    List<Phase> phases = new ArrayList<>();
    for (String cls : m.phases()) phases.add((Phase) Class.forName(cls).getDeclaredConstructor().newInstance());
    return CompiledModel.of(m.spec(), phases, m.backend() == null ? "jvm" : m.backend());
  }

  /**
   * A resident phase: the persistent reads are uploaded, the run's other writes fetched, the run
   * committed and the persistent writes downloaded, so the replay sees what a plain phase returns.
   */
  private static void replayResident(ResidentPhase p, long rngStep, float[][] reads, float[][] writes) {
    Set<String> persistent = Set.of(p.memory().names());
    String[] rn = p.reads(), wn = p.writes();
    List<String> up = new ArrayList<>(), down = new ArrayList<>();
    List<float[]> upValues = new ArrayList<>(), downInto = new ArrayList<>();
    for (int i = 0; i < rn.length; i++) {
      if (persistent.contains(rn[i])) { up.add(rn[i]); upValues.add(reads[i]); }
    }
    p.memory().upload(up.toArray(String[]::new), upValues.toArray(float[][]::new));
    p.run(rngStep, reads, writes);
    for (int w = 0; w < wn.length; w++) {
      if (persistent.contains(wn[w])) { down.add(wn[w]); downInto.add(writes[w]); } else p.fetch(w, writes[w]);
    }
    p.commit();
    p.memory().download(down.toArray(String[]::new), downInto.toArray(float[][]::new));
  }

  private static float[] floats(DataInputStream in) throws IOException {
    float[] a = new float[in.readInt()];
    for (int i = 0; i < a.length; i++) a[i] = in.readFloat();
    return a;
  }
}

package wganc.runtime.train;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Any compiled model as {@link ResidentPhase}s over an in-memory {@link DeviceMemory} that behaves as
 * a TornadoVM model's does: persistent tensors live in the "device" map, a run takes only the other
 * reads from the caller and returns only scalar writes (every write for sampling), and its persistent
 * writes become current at commit. It counts uploads, downloads and bytes. With a feed attached it
 * takes its data batches as the TornadoVM phases do: an idx batch gathered from the source's images
 * through the epoch's order at the cursor {@link DataFeed.IdxSource#take} gives, toy points drawn
 * from the source's stream at the run's step.
 */
final class ResidentModel implements CompiledModel {
  final CompiledModel inner;
  final Memory memory;
  private final List<Phase> phases = new ArrayList<>();

  ResidentModel(CompiledModel inner) {
    this.inner = inner;
    List<String> names = new ArrayList<>();
    for (ModelSpec.Param p : inner.spec().params()) names.add(p.name());
    for (ModelSpec.State s : inner.spec().state()) names.add(s.name());
    memory = new Memory(names.toArray(String[]::new));
    for (Phase p : inner.phases()) phases.add(new Resident(p));
  }

  @Override public ModelSpec spec() { return inner.spec(); }

  @Override public List<Phase> phases() { return phases; }

  @Override public String backend() { return "resident"; }

  static final class Memory implements DeviceMemory {
    final String[] names;
    final Map<String, float[]> device = new LinkedHashMap<>();
    int uploads, downloads;
    long toDevice, toHost;
    DataFeed feed;

    Memory(String[] names) {
      this.names = names;
    }

    @Override public String[] names() { return names.clone(); }

    @Override public void upload(String[] names, float[][] values) {
      uploads++;
      for (int i = 0; i < names.length; i++) {
        device.put(names[i], values[i].clone());
        toDevice += 4L * values[i].length;
      }
    }

    @Override public void download(String[] names, float[][] into) {
      downloads++;
      for (int i = 0; i < names.length; i++) {
        float[] v = device.get(names[i]);
        System.arraycopy(v, 0, into[i], 0, v.length);
        toHost += 4L * v.length;
      }
    }

    @Override public void attach(DataFeed feed) {
      this.feed = feed;
      for (DataFeed.Source src : feed.sources().values()) {
        if (src instanceof DataFeed.IdxSource idx) toDevice += 4L * idx.data().length;
      }
    }

    @Override public boolean attached() { return feed != null; }

    @Override public long bytesToDevice() { return toDevice; }

    @Override public long bytesToHost() { return toHost; }
  }

  final class Resident implements ResidentPhase {
    final Phase phase;
    final float[][] writes;
    final Map<String, float[]> pending = new LinkedHashMap<>();

    Resident(Phase phase) {
      this.phase = phase;
      int[][] ws = phase.writeShapes();
      writes = new float[ws.length][];
      for (int i = 0; i < ws.length; i++) writes[i] = new float[Init.size(ws[i])];
    }

    private boolean persistent(String name) {
      return Arrays.asList(memory.names).contains(name);
    }

    @Override public String name() { return phase.name(); }

    @Override public String[] reads() { return phase.reads(); }

    @Override public int[][] readShapes() { return phase.readShapes(); }

    @Override public String[] writes() { return phase.writes(); }

    @Override public int[][] writeShapes() { return phase.writeShapes(); }

    @Override public void run(long rngStep, float[][] reads, float[][] out) {
      String[] rn = phase.reads(), wn = phase.writes();
      float[][] in = new float[rn.length][];
      for (int i = 0; i < rn.length; i++) {
        in[i] = persistent(rn[i]) ? memory.device.get(rn[i]).clone() : reads[i].clone();
        if (memory.feed != null && memory.feed.sources().containsKey(rn[i])) {
          take(memory.feed.source(rn[i]), in[i], phase.readShapes()[i][0], rngStep);
        } else if (!persistent(rn[i])) {
          memory.toDevice += 4L * in[i].length;
        }
      }
      phase.run(rngStep, in, writes);
      pending.clear();
      for (int w = 0; w < wn.length; w++) {
        if (persistent(wn[w])) {
          pending.put(wn[w], writes[w].clone());
        } else if (writes[w].length == 1 || phase.name().equals("sample")) {
          System.arraycopy(writes[w], 0, out[w], 0, writes[w].length);
          memory.toHost += 4L * writes[w].length;
        }
      }
    }

    @Override public DeviceMemory memory() { return memory; }

    /** What the device does with an attached source. */
    private static void take(DataFeed.Source src, float[] out, int n, long rngStep) {
      switch (src) {
        case DataFeed.IdxSource idx -> {
          int from = idx.take(n), size = idx.sampleSize();
          int[] order = idx.order();
          for (int k = 0; k < n; k++) System.arraycopy(idx.data(), order[from + k] * size, out, k * size, size);
        }
        case DataFeed.ToySource toy -> toy.toy().sample(out, n, toy.seed(), toy.stream(), rngStep);
      }
    }

    @Override public void commit() {
      memory.device.putAll(pending);
      pending.clear();
    }

    @Override public void fetch(int index, float[] into) {
      System.arraycopy(writes[index], 0, into, 0, into.length);
    }
  }
}

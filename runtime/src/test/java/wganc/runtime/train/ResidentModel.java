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
 * keeps {@link DeviceCounters} as the TornadoVM device state does, and takes its data batches on
 * the "device" from its own copy of the counters alone: an image batch gathered from the source's
 * images through the order last sent, at the device's cursor; toy points drawn from the key, stream
 * and step the device has; then the counters advance as a phase's last kernel advances them.
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
    memory = new Memory(names.toArray(String[]::new), inner.spec().data());
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
    DeviceCounters counters;
    DataFeed.Source[] sources;
    /** The device's counters, and each source's images and order. */
    int[] dev;
    float[][] images;
    int[][] order;

    final java.util.List<ModelSpec.Data> data;

    Memory(String[] names, java.util.List<ModelSpec.Data> data) {
      this.names = names;
      this.data = data;
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
      counters = new DeviceCounters(data.stream().map(ModelSpec.Data::name).toArray(String[]::new),
          data.stream().mapToInt(d -> Init.size(d.shape())).toArray());
      sources = counters.attach(feed);
      images = new float[sources.length][];
      order = new int[sources.length][];
      for (int d = 0; d < sources.length; d++) {
        if (sources[d] instanceof DataFeed.IdxSource idx) {
          images[d] = idx.data().clone();
          order[d] = idx.order();
          toDevice += 4L * (images[d].length + order[d].length);
        }
      }
      dev = new int[DeviceCounters.words(sources.length)];
    }

    @Override public boolean attached() { return counters != null; }

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
      Memory m = memory;
      int[] source = new int[rn.length];
      int[] advance = m.attached() ? new int[m.sources.length] : null;
      if (m.attached()) m.counters.step(rngStep);
      for (int i = 0; i < rn.length; i++) {
        in[i] = persistent(rn[i]) ? m.device.get(rn[i]).clone() : reads[i].clone();
        source[i] = -1;
        for (int d = 0; m.attached() && d < m.data.size(); d++) if (m.data.get(d).name().equals(rn[i])) source[i] = d;
        if (source[i] >= 0) {
          int d = source[i], n = phase.readShapes()[i][0];
          int[] newOrder = m.counters.take(d, n);
          if (newOrder != null) {
            m.order[d] = newOrder;
            m.toDevice += 4L * newOrder.length;
          }
          if (m.sources[d] instanceof DataFeed.IdxSource) advance[d] = n;
        } else if (!persistent(rn[i])) {
          m.toDevice += 4L * in[i].length;
        }
      }
      if (m.attached() && m.counters.changed()) {
        m.dev = m.counters.want();
        m.counters.sent();
        m.toDevice += 4L * m.dev.length;
      }
      for (int i = 0; i < rn.length; i++) if (source[i] >= 0) take(source[i], in[i], phase.readShapes()[i][0]);
      phase.run(rngStep, in, writes);
      if (m.attached()) {  // the phase's last kernel
        if (++m.dev[0] == 0) m.dev[1]++;
        for (int d = 0; d < advance.length; d++) m.dev[DeviceCounters.word(d, DeviceCounters.POSITION)] += advance[d];
        m.counters.ran(advance);
      }
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

    /** What the device does for source {@code d}, from its own counters. */
    private void take(int d, float[] out, int n) {
      int[] c = memory.dev;
      switch (memory.sources[d]) {
        case DataFeed.IdxSource idx -> {
          int from = c[DeviceCounters.word(d, DeviceCounters.POSITION)], size = idx.sampleSize();
          for (int k = 0; k < n; k++) System.arraycopy(memory.images[d], memory.order[d][from + k] * size, out, k * size, size);
        }
        case DataFeed.ToySource toy -> {
          long seed = (c[DeviceCounters.word(d, DeviceCounters.SEED_LO)] & 0xFFFFFFFFL)
              | (long) c[DeviceCounters.word(d, DeviceCounters.SEED_HI)] << 32;
          long step = (c[0] & 0xFFFFFFFFL) | (long) c[1] << 32;
          toy.toy().sample(out, n, seed, c[DeviceCounters.word(d, DeviceCounters.STREAM)], step);
        }
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

package wganc.runtime.train;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import wganc.runtime.dist.World;

/**
 * A {@link Phase} wired to the run: each read is a persistent slot, a data batch (filled from its
 * {@link DataFeed.Source} before every run) or a fixed input (the sampling noise); each write is a
 * slot's spare array or a scratch array of its own. All arrays are allocated here, once.
 */
final class BoundPhase {
  final Phase phase;
  final String name;
  private final Slots slots;
  private final float[][] reads;
  final float[][] writes;
  private final int[] readSlot;
  private final int[] writeSlot;
  private final int[] dataRead;
  private final DataFeed.Source[] dataSource;
  private final int[] dataBatch;
  /** The global batch of each data read, with several ranks (this rank's rows are copied out). */
  private final float[][] global;
  final String[] metrics;
  private final int[] metricWrite;

  /**
   * @param metricNames the scalar writes worth logging (each must be a write of shape [])
   */
  BoundPhase(Phase phase, Slots slots, Map<String, DataFeed.Source> data, Map<String, float[]> fixed,
      List<String> metricNames) {
    this.phase = phase;
    this.name = phase.name();
    this.slots = slots;
    String[] rn = phase.reads();
    int[][] rs = phase.readShapes();
    String[] wn = phase.writes();
    int[][] ws = phase.writeShapes();
    reads = new float[rn.length][];
    readSlot = new int[rn.length];
    List<Integer> dr = new ArrayList<>();
    List<DataFeed.Source> ds = new ArrayList<>();
    for (int i = 0; i < rn.length; i++) {
      int s = slots.slot(rn[i]);
      readSlot[i] = s;
      int size = Init.size(rs[i]);
      if (s >= 0) {
        check(slots.cur[s].length == size, "reads `" + rn[i] + "` as " + Arrays.toString(rs[i]) + " but the model declares "
            + Arrays.toString(slots.shapes[s]));
      } else if (data.containsKey(rn[i])) {
        DataFeed.Source src = data.get(rn[i]);
        check(rs[i].length > 0 && size == rs[i][0] * src.sampleSize(), "reads data `" + rn[i] + "` as "
            + Arrays.toString(rs[i]) + ", which is not a batch of samples of " + src.sampleSize() + " values");
        reads[i] = new float[size];
        dr.add(i);
        ds.add(src);
      } else if (fixed.containsKey(rn[i])) {
        check(fixed.get(rn[i]).length == size, "reads `" + rn[i] + "` as " + Arrays.toString(rs[i]) + " but "
            + fixed.get(rn[i]).length + " values are given");
        reads[i] = fixed.get(rn[i]);
      } else {
        throw new IllegalStateException("phase `" + name + "` reads `" + rn[i]
            + "`, which is neither a parameter, optimiser state, data nor sampling noise");
      }
    }
    if (phase instanceof ResidentPhase r && r.memory().attached()) {
      dr.clear();  // the device takes its batches from the attached feed
      ds.clear();
    }
    dataRead = dr.stream().mapToInt(Integer::intValue).toArray();
    dataSource = ds.toArray(DataFeed.Source[]::new);
    dataBatch = new int[dataRead.length];
    global = new float[dataRead.length][];
    for (int k = 0; k < dataRead.length; k++) dataBatch[k] = rs[dataRead[k]][0];
    writes = new float[wn.length][];
    writeSlot = new int[wn.length];
    for (int i = 0; i < wn.length; i++) {
      int s = slots.slot(wn[i]);
      writeSlot[i] = s;
      if (s >= 0) {
        check(slots.cur[s].length == Init.size(ws[i]), "writes `" + wn[i] + "` as " + Arrays.toString(ws[i])
            + " but the model declares " + Arrays.toString(slots.shapes[s]));
        slots.spareOf(s);
      } else {
        writes[i] = new float[Init.size(ws[i])];
      }
    }
    metrics = metricNames.toArray(String[]::new);
    metricWrite = new int[metrics.length];
    for (int m = 0; m < metrics.length; m++) {
      int w = indexOf(wn, metrics[m]);
      check(w >= 0 && writes[w] != null && writes[w].length == 1, "has no scalar write `" + metrics[m] + "` to log");
      metricWrite[m] = w;
    }
  }

  private void check(boolean ok, String what) {
    if (!ok) throw new IllegalStateException("phase `" + name + "` " + what);
  }

  static int indexOf(String[] names, String name) {
    for (int i = 0; i < names.length; i++) if (names[i].equals(name)) return i;
    return -1;
  }

  /** Index of the write {@code name} if it is a scalar scratch write, else -1. */
  int scalarWrite(String name) {
    int w = indexOf(phase.writes(), name);
    return w >= 0 && writes[w] != null && writes[w].length == 1 ? w : -1;
  }

  /**
   * Fills the data batches and runs the phase into the spare arrays; returns the index of the first
   * non-finite metric, or -1. Nothing is swapped in until {@link #commit}.
   */
  int run(long rngStep) {
    for (int i = 0; i < reads.length; i++) {
      if (readSlot[i] >= 0) reads[i] = slots.cur[readSlot[i]];
    }
    for (int k = 0; k < dataRead.length; k++) fill(k, rngStep);
    for (int i = 0; i < writes.length; i++) {
      if (writeSlot[i] >= 0) writes[i] = slots.spare[writeSlot[i]];
    }
    phase.run(rngStep, reads, writes);
    for (int m = 0; m < metricWrite.length; m++) {
      if (!Float.isFinite(writes[metricWrite[m]][0])) return m;
    }
    return -1;
  }

  /**
   * Data batch {@code k}: the next batch of its size; with several ranks, this rank's rows of the
   * next global batch (ranks times as many samples, the same order on every rank).
   */
  private void fill(int k, long rngStep) {
    World w = World.current();
    if (!w.distributed()) {
      dataSource[k].next(reads[dataRead[k]], dataBatch[k], rngStep);
      return;
    }
    int n = dataBatch[k], size = dataSource[k].sampleSize();
    if (global[k] == null) global[k] = new float[Math.multiplyExact(n * size, w.size())];
    dataSource[k].next(global[k], n * w.size(), rngStep);
    System.arraycopy(global[k], w.rank() * n * size, reads[dataRead[k]], 0, n * size);
  }

  /** Value of metric {@code m} from the last run. */
  float metric(int m) {
    return writes[metricWrite[m]][0];
  }

  /** Makes the written persistent tensors current (on the device for a {@link ResidentPhase}). */
  void commit() {
    if (phase instanceof ResidentPhase r) {
      r.commit();
      return;
    }
    for (int i = 0; i < writes.length; i++) {
      int s = writeSlot[i];
      if (s >= 0) {
        float[] t = slots.cur[s];
        slots.cur[s] = writes[i];
        slots.spare[s] = t;
      }
    }
  }

  /** The device memory of {@code model}'s phases, or null when they run on the host. */
  static DeviceMemory memory(CompiledModel model) {
    return model.phases().getFirst() instanceof ResidentPhase r ? r.memory() : null;
  }

  /**
   * The read named {@code name} as the last run saw it (a data batch, a slot), else the write of
   * that name from the last run, as a float32 tensor of its declared shape sharing the array; null
   * when the phase has neither.
   */
  wganc.runtime.io.Tensor tensor(String name) {
    int r = indexOf(phase.reads(), name);
    if (r >= 0 && reads[r] != null) return wganc.runtime.io.Tensor.f32(reads[r], phase.readShapes()[r]);
    int w = indexOf(phase.writes(), name);
    if (w >= 0 && writes[w] != null) return wganc.runtime.io.Tensor.f32(writes[w], phase.writeShapes()[w]);
    return null;
  }

  /** The write named {@code name} from the last run. */
  float[] output(String out) {
    int w = indexOf(phase.writes(), out);
    if (w < 0) throw new IllegalStateException("phase `" + name + "` writes no `" + out + "`");
    return writes[w];
  }
}

package wganc.runtime.train;

import java.io.IOException;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import wganc.runtime.io.SafeTensors;
import wganc.runtime.io.Tensor;

/**
 * The persistent tensors of a run (parameters, then optimiser state, in spec order), each with its
 * current value and, once some phase writes it, a spare array of the same size: a phase writes
 * into the spare, and {@link BoundPhase#commit} swaps the two. So a step allocates nothing, and a
 * phase's writes never alias its reads.
 */
final class Slots {
  final String[] names;
  final int[][] shapes;
  final float[][] cur;
  final float[][] spare;
  private final Map<String, Integer> index = new HashMap<>();

  private Slots(int n) {
    names = new String[n];
    shapes = new int[n][];
    cur = new float[n][];
    spare = new float[n][];
  }

  /** Parameters initialised by {@link Init} with {@code seed}, state at its initial values. */
  static Slots init(ModelSpec spec, long seed) {
    Slots s = new Slots(spec.params().size() + spec.state().size());
    int i = 0;
    for (int p = 0; p < spec.params().size(); p++, i++) {
      ModelSpec.Param param = spec.params().get(p);
      s.add(i, param.name(), param.shape(), Init.param(param, p, seed));
    }
    for (ModelSpec.State st : spec.state()) {
      s.add(i++, st.name(), st.shape(), Init.state(st));
    }
    return s;
  }

  private void add(int i, String name, int[] shape, float[] value) {
    if (index.putIfAbsent(name, i) != null) {
      throw new IllegalArgumentException("`" + name + "` is declared twice among parameters and state");
    }
    names[i] = name;
    shapes[i] = shape.clone();
    cur[i] = value;
  }

  /** The slot of {@code name}, or -1. */
  int slot(String name) {
    Integer i = index.get(name);
    return i == null ? -1 : i;
  }

  int size() {
    return names.length;
  }

  float[] spareOf(int slot) {
    if (spare[slot] == null) spare[slot] = new float[cur[slot].length];
    return spare[slot];
  }

  /** Every slot's current value, by name, with its shape (the arrays are shared, not copied). */
  SafeTensors toSafeTensors() {
    SafeTensors st = new SafeTensors();
    for (int i = 0; i < names.length; i++) st.put(names[i], Tensor.f32(cur[i], shapes[i]));
    return st;
  }

  /** Copies every slot's value from {@code st}, which must hold each with its shape. */
  void load(SafeTensors st, String source) throws IOException {
    for (int i = 0; i < names.length; i++) {
      Tensor t = st.tensors().get(names[i]);
      if (t == null) throw new IOException(source + ": no tensor `" + names[i] + "`");
      if (!Arrays.equals(t.intShape(), shapes[i])) {
        throw new IOException(source + ": `" + names[i] + "` has shape " + Arrays.toString(t.intShape())
            + ", the model needs " + Arrays.toString(shapes[i]));
      }
      System.arraycopy(t.toFloatArray(), 0, cur[i], 0, cur[i].length);
    }
  }

  /** Copies only the slots {@code st} holds (e.g. a sampler that needs the generator alone). */
  int loadPresent(SafeTensors st, String source) throws IOException {
    int n = 0;
    for (int i = 0; i < names.length; i++) {
      Tensor t = st.tensors().get(names[i]);
      if (t == null) continue;
      if (!Arrays.equals(t.intShape(), shapes[i])) {
        throw new IOException(source + ": `" + names[i] + "` has shape " + Arrays.toString(t.intShape())
            + ", the model needs " + Arrays.toString(shapes[i]));
      }
      System.arraycopy(t.toFloatArray(), 0, cur[i], 0, cur[i].length);
      n++;
    }
    return n;
  }
}

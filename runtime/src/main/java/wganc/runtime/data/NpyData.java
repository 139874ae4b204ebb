package wganc.runtime.data;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import wganc.runtime.io.FormatException;
import wganc.runtime.io.Npy;
import wganc.runtime.io.Tensor;

/**
 * The samples of a data source read from a NumPy {@code .npy} file ({@link Npy}: {@code <f4},
 * {@code <f8} or {@code |u1}, C order). The array's shape must be {@code [N, ...sample shape]}.
 * Unsigned bytes are pixels: 0..255 map linearly onto [lo, hi], as {@link Idx} maps them. Floats
 * are taken to lie in [0, 1] and map linearly onto [lo, hi], so with the default range [0, 1] they
 * are used as they are.
 */
public final class NpyData {
  private NpyData() {}

  /** The samples of {@code file}, flat {@code [N, ...sampleShape]}, mapped onto [lo, hi]. */
  public static float[] read(Path file, int[] sampleShape, float lo, float hi) throws IOException {
    Tensor t = Npy.read(file);
    long[] shape = t.shape();
    long[] wanted = new long[sampleShape.length + 1];
    wanted[0] = shape.length > 0 ? shape[0] : 0;
    for (int i = 0; i < sampleShape.length; i++) wanted[i + 1] = sampleShape[i];
    if (!Arrays.equals(shape, wanted)) {
      throw new FormatException(file + ": an array of shape " + Arrays.toString(shape) + " does not hold samples of the"
          + " declared shape " + Arrays.toString(sampleShape) + "; it must be [N, " + Arrays.toString(sampleShape)
          .replaceAll("[\\[\\]]", "") + "]");
    }
    if (shape[0] == 0) throw new FormatException(file + ": the array holds no samples (shape " + Arrays.toString(shape) + ")");
    float[] out = new float[t.size()];
    switch (t.dtype()) {
      case U8 -> {
        Idx.PixelMap map = Idx.PixelMap.toRange(lo, hi);
        byte[] b = (byte[]) t.data();
        for (int i = 0; i < b.length; i++) out[i] = map.apply(b[i] & 0xff);
      }
      case F32 -> {
        float[] v = t.toFloatArray();
        for (int i = 0; i < v.length; i++) out[i] = fromUnit(v[i], lo, hi);
      }
      case F64 -> {
        double[] v = t.toDoubleArray();
        for (int i = 0; i < v.length; i++) out[i] = fromUnit(v[i], lo, hi);
      }
      default -> throw new FormatException(file + ": dtype " + t.dtype() + " is not read as data");
    }
    return out;
  }

  /** {@code v} mapped linearly from [0, 1] onto [lo, hi], in double; exactly {@code (float) v} for [0, 1]. */
  private static float fromUnit(double v, float lo, float hi) {
    return (float) (lo + v * ((double) hi - lo));
  }
}

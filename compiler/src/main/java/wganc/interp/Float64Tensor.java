package wganc.interp;

import java.util.List;
import java.util.Objects;

/** A dense row-major tensor of doubles; the interpreter's values. */
public record Float64Tensor(List<Integer> shape, double[] data) {
  public Float64Tensor {
    shape = List.copyOf(shape);
    Objects.requireNonNull(data, "data");
    long n = 1;
    for (int d : shape) {
      n *= d;
    }
    if (n != data.length) {
      throw new IllegalArgumentException("shape " + shape + " holds " + n + " elements, data "
          + data.length);
    }
  }

  public static Float64Tensor scalar(double v) {
    return new Float64Tensor(List.of(), new double[] {v});
  }

  public double item() {
    if (data.length != 1) {
      throw new IllegalStateException("not a single element: " + shape);
    }
    return data[0];
  }
}

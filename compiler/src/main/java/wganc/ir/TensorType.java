package wganc.ir;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/** A static tensor type: element type and dimensions, row-major. Rank 0 is a scalar. */
public record TensorType(ElementType dtype, List<Integer> dims) {
  public TensorType {
    Objects.requireNonNull(dtype, "dtype");
    dims = List.copyOf(dims);
    for (int d : dims) {
      if (d < 0) {
        throw new IllegalArgumentException("negative dimension in " + dims);
      }
    }
  }

  public static TensorType of(ElementType dtype, int... dims) {
    List<Integer> list = new ArrayList<>(dims.length);
    for (int d : dims) {
      list.add(d);
    }
    return new TensorType(dtype, list);
  }

  public static TensorType f32(int... dims) {
    return of(ElementType.F32, dims);
  }

  public int rank() {
    return dims.size();
  }

  public int dim(int axis) {
    return dims.get(axis);
  }

  /** Number of elements (1 for a scalar). */
  public int size() {
    long n = 1;
    for (int d : dims) {
      n *= d;
    }
    if (n > Integer.MAX_VALUE) {
      throw new IllegalStateException("tensor too large: " + this);
    }
    return (int) n;
  }

  public TensorType withDims(List<Integer> newDims) {
    return new TensorType(dtype, newDims);
  }

  public int[] dimsArray() {
    return dims.stream().mapToInt(Integer::intValue).toArray();
  }

  /** Row-major strides. */
  public int[] strides() {
    int[] s = new int[rank()];
    int acc = 1;
    for (int i = rank() - 1; i >= 0; i--) {
      s[i] = acc;
      acc *= dims.get(i);
    }
    return s;
  }

  /** The text form, e.g. {@code f32[64,128]} or {@code f32[]}. */
  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder(dtype.text()).append('[');
    for (int i = 0; i < dims.size(); i++) {
      if (i > 0) {
        sb.append(',');
      }
      sb.append(dims.get(i));
    }
    return sb.append(']').toString();
  }
}

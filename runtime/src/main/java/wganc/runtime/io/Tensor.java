package wganc.runtime.io;

import java.util.Arrays;
import java.util.Objects;

/**
 * A dense, row-major (C order) tensor: a shape and a flat primitive array of one {@link DType}
 * ({@code float[]} for F32, {@code double[]} for F64, {@code long[]} for I64, {@code int[]} for I32).
 * The array is held, not copied, so large checkpoints are not duplicated; callers that keep
 * mutating it should pass a copy.
 */
public final class Tensor {
    private final DType dtype;
    private final long[] shape;
    private final Object data;

    private Tensor(DType dtype, long[] shape, Object data, int length) {
        this.dtype = dtype;
        this.shape = shape.clone();
        this.data = data;
        long n = 1;
        for (long d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException("negative dimension in shape " + Arrays.toString(shape));
            }
            n = Math.multiplyExact(n, d);
        }
        if (n != length) {
            throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " holds " + n
                    + " elements but the data has " + length);
        }
    }

    public static Tensor f32(float[] data, long... shape) {
        return new Tensor(DType.F32, shape, Objects.requireNonNull(data), data.length);
    }

    public static Tensor f32(float[] data, int... shape) {
        return f32(data, toLong(shape));
    }

    public static Tensor f64(double[] data, long... shape) {
        return new Tensor(DType.F64, shape, Objects.requireNonNull(data), data.length);
    }

    public static Tensor f64(double[] data, int... shape) {
        return f64(data, toLong(shape));
    }

    public static Tensor i64(long[] data, long... shape) {
        return new Tensor(DType.I64, shape, Objects.requireNonNull(data), data.length);
    }

    public static Tensor i32(int[] data, long... shape) {
        return new Tensor(DType.I32, shape, Objects.requireNonNull(data), data.length);
    }

    /** Unsigned bytes, 0 to 255 (read back as such by {@link #toFloatArray} and {@link #toDoubleArray}). */
    public static Tensor u8(byte[] data, int... shape) {
        return new Tensor(DType.U8, toLong(shape), Objects.requireNonNull(data), data.length);
    }

    public static Tensor u8(byte[] data, long... shape) {
        return new Tensor(DType.U8, shape, Objects.requireNonNull(data), data.length);
    }

    public DType dtype() {
        return dtype;
    }

    /** A copy of the shape. */
    public long[] shape() {
        return shape.clone();
    }

    /** The shape as ints; throws when a dimension does not fit. */
    public int[] intShape() {
        int[] s = new int[shape.length];
        for (int i = 0; i < s.length; i++) {
            s[i] = Math.toIntExact(shape[i]);
        }
        return s;
    }

    public int rank() {
        return shape.length;
    }

    /** Number of elements (1 for a scalar). */
    public int size() {
        return switch (dtype) {
            case F32 -> ((float[]) data).length;
            case F64 -> ((double[]) data).length;
            case I64 -> ((long[]) data).length;
            case I32 -> ((int[]) data).length;
            case U8 -> ((byte[]) data).length;
        };
    }

    /** Bytes of raw data in a file. */
    public long byteSize() {
        return (long) size() * dtype.byteSize();
    }

    /** The held array itself; its type follows {@link #dtype()}. */
    public Object data() {
        return data;
    }

    /** The data as floats: the held array for F32, otherwise a converted copy (F64 rounds). */
    public float[] toFloatArray() {
        return switch (dtype) {
            case F32 -> (float[]) data;
            case F64 -> {
                double[] d = (double[]) data;
                float[] f = new float[d.length];
                for (int i = 0; i < d.length; i++) f[i] = (float) d[i];
                yield f;
            }
            case I64 -> {
                long[] d = (long[]) data;
                float[] f = new float[d.length];
                for (int i = 0; i < d.length; i++) f[i] = d[i];
                yield f;
            }
            case I32 -> {
                int[] d = (int[]) data;
                float[] f = new float[d.length];
                for (int i = 0; i < d.length; i++) f[i] = d[i];
                yield f;
            }
            case U8 -> {
                byte[] d = (byte[]) data;
                float[] f = new float[d.length];
                for (int i = 0; i < d.length; i++) f[i] = d[i] & 0xff;
                yield f;
            }
        };
    }

    /** The data as doubles: the held array for F64, otherwise a converted copy. */
    public double[] toDoubleArray() {
        return switch (dtype) {
            case F64 -> (double[]) data;
            case F32 -> {
                float[] d = (float[]) data;
                double[] f = new double[d.length];
                for (int i = 0; i < d.length; i++) f[i] = d[i];
                yield f;
            }
            case I64 -> {
                long[] d = (long[]) data;
                double[] f = new double[d.length];
                for (int i = 0; i < d.length; i++) f[i] = d[i];
                yield f;
            }
            case I32 -> {
                int[] d = (int[]) data;
                double[] f = new double[d.length];
                for (int i = 0; i < d.length; i++) f[i] = d[i];
                yield f;
            }
            case U8 -> {
                byte[] d = (byte[]) data;
                double[] f = new double[d.length];
                for (int i = 0; i < d.length; i++) f[i] = d[i] & 0xff;
                yield f;
            }
        };
    }

    /** Same dtype, shape and bit-identical data. */
    @Override
    public boolean equals(Object o) {
        if (!(o instanceof Tensor t) || t.dtype != dtype || !Arrays.equals(t.shape, shape)) {
            return false;
        }
        return switch (dtype) {
            case F32 -> Arrays.equals((float[]) data, (float[]) t.data);
            case F64 -> Arrays.equals((double[]) data, (double[]) t.data);
            case I64 -> Arrays.equals((long[]) data, (long[]) t.data);
            case I32 -> Arrays.equals((int[]) data, (int[]) t.data);
            case U8 -> Arrays.equals((byte[]) data, (byte[]) t.data);
        };
    }

    @Override
    public int hashCode() {
        return 31 * dtype.hashCode() + Arrays.hashCode(shape);
    }

    @Override
    public String toString() {
        return dtype.safetensorsName() + Arrays.toString(shape);
    }

    static long[] toLong(int[] shape) {
        long[] s = new long[shape.length];
        for (int i = 0; i < s.length; i++) s[i] = shape[i];
        return s;
    }
}

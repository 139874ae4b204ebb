package wganc.runtime.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * NumPy {@code .npy} files of float32, little-endian ({@code '<f4'}), C order. Writing produces
 * format version 1.0 byte-identical to {@code numpy.save}: the magic {@code \x93NUMPY}, version
 * bytes {@code 1 0}, a 2-byte little-endian header length, and the header
 * {@code {'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }} followed by NumPy's spare
 * space for growing the first axis (21 minus the digits of {@code shape[0]}, none for a scalar),
 * then spaces up to {@code 64 - (10 + len + 1) % 64} and a newline, so the data starts on a
 * 64-byte boundary. Reading accepts versions 1.0, 2.0 and 3.0 with {@code '<f4'}, {@code '<f8'} or
 * {@code '|u1'} (unsigned bytes) in C order and returns a {@link Tensor}; anything else (big-endian,
 * other dtypes, Fortran order, a file shorter or longer than its header says) is a
 * {@link FormatException} naming the file.
 */
public final class Npy {
    private Npy() {}

    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    private static final int ALIGN = 64;
    private static final int GROWTH_AXIS_MAX_DIGITS = 21;

    /** The header (magic through the newline) for a float32 array of {@code shape}. */
    static byte[] header(long[] shape) {
        StringBuilder h = new StringBuilder("{'descr': '<f4', 'fortran_order': False, 'shape': (");
        for (int i = 0; i < shape.length; i++) {
            h.append(i == 0 ? "" : ", ").append(shape[i]);
        }
        h.append(shape.length == 1 ? ",), }" : "), }");
        if (shape.length > 0) {
            h.append(" ".repeat(Math.max(0, GROWTH_AXIS_MAX_DIGITS - Long.toString(shape[0]).length())));
        }
        int hlen = h.length() + 1;
        int pad = ALIGN - ((MAGIC.length + 2 + 2 + hlen) % ALIGN);
        h.append(" ".repeat(pad)).append('\n');
        int total = h.length();
        if (total > 0xffff) {
            throw new IllegalArgumentException("npy header of " + total + " bytes needs format 2.0");
        }
        ByteBuffer b = ByteBuffer.allocate(10 + total).order(ByteOrder.LITTLE_ENDIAN);
        b.put(MAGIC).put((byte) 1).put((byte) 0).putShort((short) total);
        b.put(h.toString().getBytes(StandardCharsets.US_ASCII));
        return b.array();
    }

    /** The bytes of a {@code .npy} file holding {@code data} with {@code shape}. */
    public static byte[] toBytes(float[] data, long... shape) {
        long n = 1;
        for (long d : shape) n = Math.multiplyExact(n, d);
        if (n != data.length) {
            throw new IllegalArgumentException("shape holds " + n + " elements but the data has " + data.length);
        }
        byte[] h = header(shape);
        ByteBuffer b = ByteBuffer.allocate(h.length + 4 * data.length).order(ByteOrder.LITTLE_ENDIAN);
        b.put(h);
        b.asFloatBuffer().put(data);
        return b.array();
    }

    /** Writes {@code data} with {@code shape} to {@code path} atomically. */
    public static void write(Path path, float[] data, long... shape) throws IOException {
        AtomicFiles.write(path, toBytes(data, shape));
    }

    /** Reads a {@code .npy} file. */
    public static Tensor read(Path path) throws IOException {
        long size = Files.size(path);
        if (size > Integer.MAX_VALUE - 8) {
            throw new FormatException(path + ": " + size + " bytes; npy files over 2 GiB are not supported");
        }
        return parse(Files.readAllBytes(path), path.toString());
    }

    /** Bytes per element of the dtypes read, by their NumPy names. */
    private static int elementSize(String dtype) {
        return switch (dtype) {
            case "<f4" -> 4;
            case "<f8" -> 8;
            case "|u1" -> 1;
            default -> 0;
        };
    }

    private static final Pattern DESCR = Pattern.compile("'descr':\\s*'([^']*)'");
    private static final Pattern FORTRAN = Pattern.compile("'fortran_order':\\s*(True|False)");
    private static final Pattern SHAPE = Pattern.compile("'shape':\\s*\\(([^)]*)\\)");

    /** Parses the bytes of a {@code .npy} file; {@code source} names it in errors. */
    public static Tensor parse(byte[] bytes, String source) throws FormatException {
        if (bytes.length < 10) {
            throw new FormatException(source + ": " + bytes.length + " bytes, too short for an npy file");
        }
        for (int i = 0; i < MAGIC.length; i++) {
            if (bytes[i] != MAGIC[i]) throw new FormatException(source + ": not an npy file (bad magic)");
        }
        int major = bytes[6];
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        long hlen;
        int start;
        if (major == 1) {
            hlen = b.getShort(8) & 0xffff;
            start = 10;
        } else if (major == 2 || major == 3) {
            hlen = b.getInt(8) & 0xffffffffL;
            start = 12;
        } else {
            throw new FormatException(source + ": unsupported npy version " + major + "." + bytes[7]);
        }
        if (start + hlen > bytes.length) {
            throw new FormatException(source + ": header length " + hlen + " runs past the end of the file");
        }
        String header = new String(bytes, start, (int) hlen, StandardCharsets.UTF_8);
        Matcher descr = DESCR.matcher(header);
        Matcher fortran = FORTRAN.matcher(header);
        Matcher shapeM = SHAPE.matcher(header);
        if (!descr.find() || !fortran.find() || !shapeM.find()) {
            throw new FormatException(source + ": header lacks descr, fortran_order or shape: " + header.strip());
        }
        String dtype = descr.group(1);
        int size = elementSize(dtype);
        if (size == 0) {
            throw new FormatException(source + ": dtype `" + dtype + "` is not supported (only little-endian `<f4`, `<f8`"
                    + " and `|u1`); convert it with `a.astype('<f4')` before `numpy.save`");
        }
        if (fortran.group(1).equals("True")) {
            throw new FormatException(source + ": Fortran-order arrays are not supported; save"
                    + " `numpy.ascontiguousarray(a)` instead");
        }
        List<Long> dims = new ArrayList<>();
        for (String part : shapeM.group(1).split(",")) {
            if (part.isBlank()) continue;
            try {
                dims.add(Long.parseLong(part.strip()));
            } catch (NumberFormatException e) {
                throw new FormatException(source + ": bad shape `(" + shapeM.group(1) + ")`");
            }
        }
        long[] shape = dims.stream().mapToLong(Long::longValue).toArray();
        long n = 1;
        for (long d : shape) {
            if (d < 0 || n * (double) d * size > Long.MAX_VALUE) {
                throw new FormatException(source + ": bad shape `(" + shapeM.group(1) + ")`");
            }
            n *= d;
        }
        long dataStart = start + hlen;
        if (bytes.length - dataStart != n * size) {
            throw new FormatException(source + ": shape " + java.util.Arrays.toString(shape) + " of `" + dtype
                    + "` needs " + n * size + " bytes of data after the " + dataStart + "-byte header, but the file has "
                    + (bytes.length - dataStart) + (bytes.length - dataStart < n * size ? " (truncated?)" : ""));
        }
        ByteBuffer data = ByteBuffer.wrap(bytes, (int) dataStart, (int) (n * size)).slice().order(ByteOrder.LITTLE_ENDIAN);
        if (size == 1) {
            byte[] u = new byte[(int) n];
            data.get(u);
            return Tensor.u8(u, shape);
        }
        if (size == 4) {
            float[] f = new float[(int) n];
            data.asFloatBuffer().get(f);
            return Tensor.f32(f, shape);
        }
        double[] d = new double[(int) n];
        data.asDoubleBuffer().get(d);
        return Tensor.f64(d, shape);
    }
}

package wganc.runtime.io;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SequencedMap;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * An in-memory safetensors file: an ordered map from names to {@link Tensor}s plus the optional
 * {@code __metadata__} string map, with a reader and a writer for the format.
 *
 * <p>The format: an 8-byte little-endian unsigned header length {@code n}; {@code n} bytes of UTF-8
 * JSON mapping each tensor name to {@code {"dtype", "shape", "data_offsets": [begin, end]}} (offsets
 * relative to the data section), optionally with a {@code "__metadata__"} object of strings, padded
 * with spaces so that {@code n} is a multiple of 8; then the data section, each tensor's elements
 * little-endian in C order.
 *
 * <p>Writing follows the Python/Rust {@code safetensors} library so that equal content gives
 * byte-identical files: tensors are laid out by descending dtype (the crate's order, I64, F64, F32,
 * I32, U8), then by name in code-point order, which for files of one dtype is plain sorted order; the
 * header is compact JSON with {@code __metadata__} first (its keys sorted) and each entry's fields in
 * the order dtype, shape, data_offsets. Checked against Python {@code safetensors} 0.8.0
 * ({@code safetensors.numpy.save_file}) with F32, F64, I32 and I64 tensors: identical bytes, except
 * that the library orders two or more metadata keys by a Rust hash map (unspecified) where this
 * writer sorts them.
 *
 * <p>Reading is strict: a bad header length, malformed JSON, duplicate names, an unsupported dtype,
 * offsets out of range, overlapping or leaving gaps, or a byte count that does not match dtype and
 * shape raise a {@link FormatException} whose message names the file and the tensor. Supported
 * dtypes are F32, F64, I64, I32 and U8; {@link #floats} and {@link #doubles} convert on request.
 *
 * <p>Checksums: {@link #withChecksums} makes the writer add a SHA-256 of every tensor's data and of
 * the header to {@code __metadata__} ({@code sha256:<name>}, {@code header_sha256}, see
 * {@link Checksums}). The reader verifies them whenever a file carries them and refuses it, naming
 * the tensors, when one does not match; it then keeps them out of {@link #metadata} and
 * {@link #checksummed} is true. A file without them reads as before.
 */
public final class SafeTensors {
    /** The crate refuses headers above 100 MB; so does this reader. */
    static final long MAX_HEADER = 100_000_000L;
    static final String METADATA = "__metadata__";

    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);  // only whitespace may pad the header

    private final LinkedHashMap<String, Tensor> tensors = new LinkedHashMap<>();
    private final TreeMap<String, String> metadata = new TreeMap<>();
    private boolean checksums;

    public SafeTensors() {}

    /** Makes the writer add SHA-256 checksums of every tensor and of the header (see {@link Checksums}). */
    public SafeTensors withChecksums() {
        checksums = true;
        return this;
    }

    /** Whether written files carry checksums; after {@link #read}, whether the file did (all verified). */
    public boolean checksummed() {
        return checksums;
    }

    /** Adds or replaces a tensor; names keep their first insertion order in memory. */
    public SafeTensors put(String name, Tensor tensor) {
        if (name.equals(METADATA)) {
            throw new IllegalArgumentException("`" + METADATA + "` is reserved and cannot name a tensor");
        }
        tensors.put(name, tensor);
        return this;
    }

    /** Adds or replaces a metadata entry. */
    public SafeTensors putMetadata(String key, String value) {
        metadata.put(key, value);
        return this;
    }

    /** The tensors, in insertion order (file order after {@link #read}); unmodifiable. */
    public SequencedMap<String, Tensor> tensors() {
        return Collections.unmodifiableSequencedMap(tensors);
    }

    /** The metadata, sorted by key, without checksums; unmodifiable. */
    public Map<String, String> metadata() {
        return Collections.unmodifiableMap(metadata);
    }

    /** The tensor named {@code name}; throws naming the available ones when absent. */
    public Tensor get(String name) {
        Tensor t = tensors.get(name);
        if (t == null) {
            throw new IllegalArgumentException("no tensor `" + name + "`; have " + tensors.keySet());
        }
        return t;
    }

    /** The tensor's data as floats (converted when not F32). */
    public float[] floats(String name) {
        return get(name).toFloatArray();
    }

    /** The tensor's data as doubles (converted when not F64). */
    public double[] doubles(String name) {
        return get(name).toDoubleArray();
    }

    // ---------------------------------------------------------------- writing

    /** Names in the order the safetensors library lays them out. */
    List<String> layoutOrder() {
        List<String> names = new ArrayList<>(tensors.keySet());
        names.sort(Comparator.<String>comparingInt(n -> -tensors.get(n).dtype().crateRank())
                .thenComparing(Comparator.naturalOrder()));
        return names;
    }

    /** The header bytes, space-padded to a multiple of 8 (without the length prefix). */
    byte[] headerBytes(List<String> order) {
        byte[] json = json(order, checksums ? Checksums.add(this, order, metadata) : metadata);
        int padded = (json.length + 7) / 8 * 8;
        byte[] out = Arrays.copyOf(json, padded);
        Arrays.fill(out, json.length, padded, (byte) ' ');
        return out;
    }

    /** The header as compact JSON, unpadded: {@code md} (sorted), then the tensors laid out in {@code order}. */
    byte[] json(List<String> order, SortedMap<String, String> md) {
        ObjectNode root = JSON.createObjectNode();
        if (!md.isEmpty()) {
            ObjectNode m = root.putObject(METADATA);
            md.forEach(m::put);
        }
        long offset = 0;
        for (String name : order) {
            Tensor t = tensors.get(name);
            ObjectNode e = root.putObject(name);
            e.put("dtype", t.dtype().safetensorsName());
            ArrayNode shape = e.putArray("shape");
            for (long d : t.shape()) shape.add(d);
            ArrayNode offs = e.putArray("data_offsets");
            offs.add(offset);
            offset += t.byteSize();
            offs.add(offset);
        }
        try {
            return JSON.writeValueAsBytes(root);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise a safetensors header", e);
        }
    }

    /** Writes the whole file to {@code out}. */
    public void writeTo(OutputStream out) throws IOException {
        List<String> order = layoutOrder();
        byte[] header = headerBytes(order);
        ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(header.length);
        out.write(len.array());
        out.write(header);
        for (String name : order) encode(tensors.get(name), out::write);
    }

    /** Takes bytes: an output stream's or a message digest's {@code write(b, off, len)}. */
    @FunctionalInterface
    interface ByteSink<E extends Exception> {
        void write(byte[] b, int off, int len) throws E;
    }

    /** Puts a tensor's elements, little-endian in C order, into {@code sink} in chunks. */
    static <E extends Exception> void encode(Tensor t, ByteSink<E> sink) throws E {
        ByteBuffer buf = ByteBuffer.allocate((int) Math.min(1 << 16, 8 + t.byteSize())).order(ByteOrder.LITTLE_ENDIAN);
        int n = t.size();
        for (int i = 0; i < n; i++) {
            if (buf.remaining() < 8) {
                sink.write(buf.array(), 0, buf.position());
                buf.clear();
            }
            switch (t.dtype()) {
                case F32 -> buf.putFloat(((float[]) t.data())[i]);
                case F64 -> buf.putDouble(((double[]) t.data())[i]);
                case I64 -> buf.putLong(((long[]) t.data())[i]);
                case I32 -> buf.putInt(((int[]) t.data())[i]);
                case U8 -> buf.put(((byte[]) t.data())[i]);
            }
        }
        sink.write(buf.array(), 0, buf.position());
    }

    /** The whole file as bytes. */
    public byte[] toBytes() {
        var out = new java.io.ByteArrayOutputStream();
        try {
            writeTo(out);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return out.toByteArray();
    }

    /** Writes the file atomically (see {@link AtomicFiles}). */
    public void write(Path path) throws IOException {
        AtomicFiles.write(path, this::writeTo);
    }

    // ---------------------------------------------------------------- reading

    /** Reads and validates a safetensors file. */
    public static SafeTensors read(Path path) throws IOException {
        long size = Files.size(path);
        if (size > Integer.MAX_VALUE - 8) {
            throw new FormatException(path + ": file of " + size + " bytes is too large for this reader (2 GiB)");
        }
        return parse(Files.readAllBytes(path), path.toString());
    }

    /** Parses and validates the bytes of a safetensors file; {@code source} names it in errors. */
    public static SafeTensors parse(byte[] bytes, String source) throws FormatException {
        if (bytes.length < 8) {
            throw new FormatException(source + ": file has " + bytes.length
                    + " bytes, too short for the 8-byte header length");
        }
        ByteBuffer all = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        long n = all.getLong(0);
        if (n <= 0 || n > MAX_HEADER || n > bytes.length - 8L) {
            throw new FormatException(source + ": bad header length " + Long.toUnsignedString(n)
                    + " (file has " + bytes.length + " bytes, so at most " + (bytes.length - 8)
                    + " are available for the header)");
        }
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes, 8, (int) n)).toString();
        } catch (CharacterCodingException e) {
            throw new FormatException(source + ": header is not valid UTF-8", e);
        }
        if (!text.startsWith("{")) {
            throw new FormatException(source + ": header does not start with `{`");
        }
        JsonNode root;
        try {
            root = JSON.readTree(text);
        } catch (JsonProcessingException e) {
            throw new FormatException(source + ": header is not valid JSON: " + e.getOriginalMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new FormatException(source + ": header is not a JSON object");
        }
        int dataStart = 8 + (int) n;
        long dataLength = bytes.length - (long) dataStart;
        SafeTensors st = new SafeTensors();
        List<Entry> entries = new ArrayList<>();
        for (Map.Entry<String, JsonNode> f : root.properties()) {
            if (f.getKey().equals(METADATA)) {
                readMetadata(f.getValue(), st, source);
            } else {
                entries.add(entry(f.getKey(), f.getValue(), dataLength, source));
            }
        }
        checkCoverage(entries, dataLength, source);
        entries.sort(Comparator.comparingLong(Entry::begin));
        ByteBuffer data = ByteBuffer.wrap(bytes, dataStart, (int) dataLength).slice()
                .order(ByteOrder.LITTLE_ENDIAN);
        for (Entry e : entries) {
            st.tensors.put(e.name, decode(e, data));
        }
        st.checksums = Checksums.verify(st, st.metadata, entries, data, source);
        st.metadata.keySet().removeIf(Checksums::isChecksum);
        return st;
    }

    record Entry(String name, DType dtype, long[] shape, long begin, long end) {}

    private static void readMetadata(JsonNode node, SafeTensors st, String source) throws FormatException {
        if (!node.isObject()) {
            throw new FormatException(source + ": `" + METADATA + "` is not an object of strings");
        }
        for (Map.Entry<String, JsonNode> m : node.properties()) {
            if (!m.getValue().isTextual()) {
                throw new FormatException(source + ": `" + METADATA + "` entry `" + m.getKey()
                        + "` is not a string");
            }
            st.metadata.put(m.getKey(), m.getValue().textValue());
        }
    }

    private static Entry entry(String name, JsonNode node, long dataLength, String source)
            throws FormatException {
        String where = source + ": tensor `" + name + "`";
        if (!node.isObject()) {
            throw new FormatException(where + ": header entry is not an object");
        }
        JsonNode dt = node.get("dtype");
        if (dt == null || !dt.isTextual()) {
            throw new FormatException(where + ": missing or non-string `dtype`");
        }
        DType dtype = DType.fromSafetensorsName(dt.textValue());
        if (dtype == null) {
            throw new FormatException(where + ": dtype `" + dt.textValue()
                    + "` is not supported (supported: F32, F64, I64, I32, U8)");
        }
        long[] shape = longs(node.get("shape"), -1, where, "shape");
        long[] offs = longs(node.get("data_offsets"), 2, where, "data_offsets");
        long begin = offs[0];
        long end = offs[1];
        if (begin > end) {
            throw new FormatException(where + ": data_offsets [" + begin + ", " + end + "] end before they begin");
        }
        if (end > dataLength) {
            throw new FormatException(where + ": data_offsets [" + begin + ", " + end
                    + "] out of range (the data section has " + dataLength + " bytes)");
        }
        long count = 1;
        for (long d : shape) {
            try {
                count = Math.multiplyExact(count, d);
            } catch (ArithmeticException e) {
                throw new FormatException(where + ": shape " + Arrays.toString(shape) + " overflows");
            }
        }
        long need = count * dtype.byteSize();
        if (count > Integer.MAX_VALUE || need != end - begin) {
            throw new FormatException(where + ": dtype " + dtype.safetensorsName() + " and shape "
                    + Arrays.toString(shape) + " need " + (count > Integer.MAX_VALUE ? "more than 2^31 elements" : need + " bytes")
                    + " but data_offsets [" + begin + ", " + end + "] span " + (end - begin));
        }
        return new Entry(name, dtype, shape, begin, end);
    }

    private static long[] longs(JsonNode node, int expectedLength, String where, String field)
            throws FormatException {
        if (node == null || !node.isArray() || (expectedLength >= 0 && node.size() != expectedLength)) {
            throw new FormatException(where + ": `" + field + "` must be an array"
                    + (expectedLength >= 0 ? " of " + expectedLength + " integers" : " of integers"));
        }
        long[] out = new long[node.size()];
        for (int i = 0; i < out.length; i++) {
            JsonNode v = node.get(i);
            if (!v.isIntegralNumber() || !v.canConvertToLong() || v.longValue() < 0) {
                throw new FormatException(where + ": `" + field + "` holds `" + v + "`, not a non-negative integer");
            }
            out[i] = v.longValue();
        }
        return out;
    }

    /** Tensors must tile the data section exactly: no overlap, no gap, nothing left over. */
    private static void checkCoverage(List<Entry> entries, long dataLength, String source)
            throws FormatException {
        List<Entry> sorted = new ArrayList<>(entries);
        sorted.sort(Comparator.comparingLong(Entry::begin).thenComparingLong(Entry::end));
        long pos = 0;
        Entry prev = null;
        for (Entry e : sorted) {
            if (e.begin < pos) {
                throw new FormatException(source + ": tensor `" + e.name + "` (bytes [" + e.begin + ", "
                        + e.end + ")) overlaps tensor `" + prev.name + "` (bytes [" + prev.begin + ", "
                        + prev.end + "))");
            }
            if (e.begin > pos) {
                throw new FormatException(source + ": gap of " + (e.begin - pos)
                        + " bytes in the data section before tensor `" + e.name + "`");
            }
            pos = e.end;
            prev = e;
        }
        if (pos != dataLength) {
            throw new FormatException(source + ": data section has " + dataLength + " bytes but the tensors cover "
                    + pos + (prev == null ? "" : " (last tensor `" + prev.name + "`)"));
        }
    }

    private static Tensor decode(Entry e, ByteBuffer data) {
        int n = (int) ((e.end - e.begin) / e.dtype.byteSize());
        ByteBuffer b = data.duplicate().order(ByteOrder.LITTLE_ENDIAN).position((int) e.begin);
        return switch (e.dtype) {
            case F32 -> {
                float[] a = new float[n];
                b.asFloatBuffer().get(a);
                yield Tensor.f32(a, e.shape);
            }
            case F64 -> {
                double[] a = new double[n];
                b.asDoubleBuffer().get(a);
                yield Tensor.f64(a, e.shape);
            }
            case I64 -> {
                long[] a = new long[n];
                b.asLongBuffer().get(a);
                yield Tensor.i64(a, e.shape);
            }
            case U8 -> {
                byte[] a = new byte[n];
                b.get(a);
                yield Tensor.u8(a, e.shape);
            }
            case I32 -> {
                int[] a = new int[n];
                b.asIntBuffer().get(a);
                yield Tensor.i32(a, e.shape);
            }
        };
    }
}

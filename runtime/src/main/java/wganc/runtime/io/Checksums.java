package wganc.runtime.io;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The SHA-256 checksums a safetensors file may carry in its {@code __metadata__}, as strings (what
 * the format allows there, so other readers such as PyTorch's {@code load_file} load the file as
 * before and ignore them):
 * <ul>
 *   <li>{@code sha256:<name>} for every tensor: the lowercase hex digest of its data bytes as they
 *       lie in the file (little-endian, C order), e.g. {@code hashlib.sha256(t.numpy().tobytes())};
 *   <li>{@code header_sha256}: the digest of the header as {@link SafeTensors} writes it, without
 *       this entry and without the padding (compact JSON: {@code __metadata__} first with its keys
 *       sorted, then the tensors in file order, each with dtype, shape and data_offsets).
 * </ul>
 * The first covers the data section; the second the tensor names, dtypes, shapes and offsets and
 * every other metadata entry. Together with the reader's structural checks they refuse a file with
 * any one byte changed. A file carries checksums when its metadata holds any such entry; then every
 * tensor must have one.
 */
final class Checksums {
    private Checksums() {}

    static final String TENSOR = "sha256:";
    static final String HEADER = "header_sha256";

    static boolean isChecksum(String key) {
        return key.startsWith(TENSOR) || key.equals(HEADER);
    }

    /** {@code metadata} with the checksums of {@code st}'s tensors and header added. */
    static TreeMap<String, String> add(SafeTensors st, List<String> order, Map<String, String> metadata) {
        TreeMap<String, String> md = new TreeMap<>(metadata);
        md.keySet().removeIf(Checksums::isChecksum);
        for (String name : order) {
            MessageDigest d = sha256();
            SafeTensors.encode(st.get(name), d::update);
            md.put(TENSOR + name, hex(d.digest()));
        }
        md.put(HEADER, hex(sha256().digest(st.json(order, md))));
        return md;
    }

    /**
   * Checks the checksums in {@code metadata} (the file's, all entries) against the tensors read into
   * {@code st}, whose data lie in {@code data} at the entries' offsets; {@code order} is the file
   * order. Returns whether the file carries checksums; throws naming what does not match.
   */
    static boolean verify(SafeTensors st, SortedMap<String, String> metadata, List<SafeTensors.Entry> order,
                                                ByteBuffer data, String source) throws FormatException {
        if (metadata.keySet().stream().noneMatch(Checksums::isChecksum)) return false;
        List<String> problems = new ArrayList<>();
        List<String> damaged = new ArrayList<>();
        List<String> unchecked = new ArrayList<>();
        for (SafeTensors.Entry e : order) {
            String want = metadata.get(TENSOR + e.name());
            if (want == null) {
                unchecked.add("`" + e.name() + "`");
                continue;
            }
            MessageDigest d = sha256();
            d.update(data.duplicate().limit((int) e.end()).position((int) e.begin()));
            if (!hex(d.digest()).equals(want)) damaged.add("`" + e.name() + "`");
        }
        if (!damaged.isEmpty()) {
            problems.add("the data of " + String.join(", ", damaged) + (damaged.size() == 1 ? " does" : " do")
                    + " not match " + (damaged.size() == 1 ? "its" : "their") + " SHA-256 checksum"
                    + (damaged.size() == 1 ? "" : "s"));
        }
        if (!unchecked.isEmpty()) problems.add(String.join(", ", unchecked) + " ha" + (unchecked.size() == 1 ? "s" : "ve")
                + " no checksum though the file carries checksums");
        for (String key : metadata.keySet()) {
            String name = key.startsWith(TENSOR) ? key.substring(TENSOR.length()) : null;
            if (name != null && !st.tensors().containsKey(name)) {
                problems.add("the checksum `" + key + "` names no tensor in the file");
            }
        }
        String header = metadata.get(HEADER);
        if (header == null) {
            problems.add("the header checksum `" + HEADER + "` is missing");
        } else {
            TreeMap<String, String> rest = new TreeMap<>(metadata);
            rest.remove(HEADER);
            List<String> names = order.stream().map(SafeTensors.Entry::name).toList();
            if (!hex(sha256().digest(st.json(names, rest))).equals(header)) {
                problems.add("the header (tensor names, dtypes, shapes, offsets or metadata) does not match its SHA-256"
                        + " checksum");
            }
        }
        if (!problems.isEmpty()) throw new FormatException(source + ": damaged: " + String.join("; ", problems));
        return true;
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }

    private static String hex(byte[] digest) {
        return HexFormat.of().formatHex(digest);
    }
}

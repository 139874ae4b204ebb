package wganc.runtime.metrics;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import wganc.runtime.io.AtomicFiles;

/**
 * The run's {@code manifest.json} (model hash, options, seed, backend, device, versions): a map
 * written as pretty-printed JSON with Jackson, keys sorted at every level and {@code \n} line ends,
 * so the same content gives the same bytes on every platform, written atomically. Values may be
 * strings, numbers, booleans, null, lists and nested maps.
 */
public final class Manifest {
    private Manifest() {}

    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS);
    private static final DefaultPrettyPrinter PRETTY = new DefaultPrettyPrinter()
            .withObjectIndenter(new DefaultIndenter("  ", "\n"))
            .withArrayIndenter(new DefaultIndenter("  ", "\n"));

    /** The JSON text, ending with a newline. */
    public static String toJson(Map<String, ?> content) throws IOException {
        return JSON.writer(PRETTY).writeValueAsString(content) + "\n";
    }

    /** Writes {@code content} to {@code path} atomically. */
    public static void write(Path path, Map<String, ?> content) throws IOException {
        AtomicFiles.writeString(path, toJson(content));
    }

    /** Reads a manifest back as nested maps and lists. */
    public static Map<String, Object> read(Path path) throws IOException {
        return JSON.readValue(path.toFile(), new TypeReference<Map<String, Object>>() {});
    }
}

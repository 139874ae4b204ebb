package wganc.runtime.metrics;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ManifestTest {
    @TempDir Path dir;

    @Test
    void writesSortedPrettyJsonAndReadsItBack() throws IOException {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("seed", 1234L);
        m.put("backend", "jvm");
        m.put("options", new LinkedHashMap<>(Map.of("steps", 2000, "batch", 256)));
        m.put("devices", List.of("cpu"));
        Path f = dir.resolve("manifest.json");
        Manifest.write(f, m);
        String text = Files.readString(f);
        assertEquals("""
                {
                  "backend" : "jvm",
                  "devices" : [
                    "cpu"
                  ],
                  "options" : {
                    "batch" : 256,
                    "steps" : 2000
                  },
                  "seed" : 1234
                }
                """, text);
        Map<String, Object> back = Manifest.read(f);
        assertEquals("jvm", back.get("backend"));
        assertEquals(Map.of("steps", 2000, "batch", 256), back.get("options"));
        Map<String, Object> reordered = new LinkedHashMap<>();
        List.of("devices", "options", "backend", "seed").forEach(k -> reordered.put(k, m.get(k)));
        assertEquals(text, Manifest.toJson(reordered));
    }
}

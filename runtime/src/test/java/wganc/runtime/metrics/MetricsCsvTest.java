package wganc.runtime.metrics;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MetricsCsvTest {
    @TempDir Path dir;
    static final List<String> COLS = List.of("step", "critic_loss", "gp", "note");

    @Test
    void writesHeaderAndFlushesEachRow() throws IOException {
        Path f = dir.resolve("run/metrics.csv");
        try (MetricsCsv csv = MetricsCsv.create(f, COLS)) {
            csv.row(1, -0.5, 0.1f, "ok");
            // visible before close: flushed per row
            assertEquals("step,critic_loss,gp,note\n1,-0.5,0.1,ok\n", Files.readString(f));
            csv.row(2L, Double.NaN, Float.POSITIVE_INFINITY, "a, \"b\"");
            assertThrows(IllegalArgumentException.class, () -> csv.row(3, 1.0));
        }
        assertEquals("step,critic_loss,gp,note\n1,-0.5,0.1,ok\n2,nan,inf,\"a, \"\"b\"\"\"\n", Files.readString(f));
    }

    @Test
    void resumeDropsRowsAfterTheCheckpointAndAppends() throws IOException {
        Path f = dir.resolve("metrics.csv");
        try (MetricsCsv csv = MetricsCsv.create(f, COLS)) {
            for (int s = 100; s <= 500; s += 100) csv.row(s, s / 1000.0, 0.0, "");
        }
        try (MetricsCsv csv = MetricsCsv.resume(f, COLS, 300)) {
            csv.row(400, 9.0, 1.0, "again");
        }
        List<String> lines = Files.readAllLines(f);
        assertEquals(List.of("step,critic_loss,gp,note", "100,0.1,0.0,", "200,0.2,0.0,", "300,0.3,0.0,",
                "400,9.0,1.0,again"), lines);
        IOException e = assertThrows(IOException.class, () -> MetricsCsv.resume(f, List.of("step", "loss"), 0));
        assertTrue(e.getMessage().contains("differs from this run's columns"), e.getMessage());
        Path fresh = dir.resolve("fresh.csv");
        MetricsCsv.resume(fresh, COLS, 10).close();
        assertEquals("step,critic_loss,gp,note\n", Files.readString(fresh));
    }
}

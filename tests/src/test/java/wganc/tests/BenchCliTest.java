package wganc.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** `wganc bench`: the JSON object's fields, the kernel list, and the table form. */
class BenchCliTest {
  @Test
  void jsonHasStepRatesAndEveryKernel() throws Exception {
    Cli c = Cli.run("bench", "models/toy8-wgan-gp.wgan", "--batch", "16", "--warmup", "1", "--runs", "3",
        "--steps", "1", "--json", "--threads", "1");
    assertEquals(0, c.status(), c.err());
    JsonNode j = new ObjectMapper().readTree(c.out());
    assertEquals("jvm", j.get("backend").asText());
    assertEquals(16, j.get("batch").asInt());
    assertEquals(1, j.get("warmup_steps").asInt());
    assertEquals(1, j.get("steps_per_run").asInt());
    double stepsPerS = j.get("steps_per_s").asDouble();
    assertTrue(stepsPerS > 0);
    assertEquals(16 * stepsPerS, j.get("samples_per_s").asDouble(), 1e-6 * stepsPerS);
    // 2 * multiply-adds of every matmul: critic (5 per step) and generator, batch 16, 2-512-512-512 MLPs
    assertTrue(j.get("flop_per_step").asLong() > 5L * 2 * 16 * 512 * 512 * 2, j.toString());
    assertTrue(j.get("gflops").asDouble() > 0 && j.get("peak_gflops").asDouble() > 0);
    // the process's peak resident memory, which holds the parameters, optimiser state and inputs
    assertTrue(j.get("peak_rss_bytes").asLong() > j.get("state_bytes").asLong(), j.toString());
    Set<String> phases = new HashSet<>();
    JsonNode kernels = j.get("kernels");
    assertTrue(kernels.size() > 20, "kernels: " + kernels.size());
    for (JsonNode k : kernels) {
      phases.add(k.get("phase").asText());
      assertTrue(k.get("kernel").asText().matches("k\\d+[A-Za-z]+"), k.toString());
      assertTrue(k.get("ms_per_step").asDouble() >= 0, k.toString());
    }
    assertEquals(Set.of("critic", "generator"), phases);
  }

  @Test
  void tableListsTheSlowestKernels() {
    Cli c = Cli.run("bench", "models/toy8-wgan-gp.wgan", "--batch", "16", "--warmup", "1", "--runs", "1",
        "--steps", "1", "--top", "3");
    assertEquals(0, c.status(), c.err());
    assertTrue(c.out().contains("steps/s") && c.out().contains("GFLOP/s"), c.out());
    assertTrue(c.out().lines().anyMatch(l -> l.matches("memory: parameters, optimiser state and inputs [0-9.]+ MiB; process peak resident \\d+ MiB")),
        c.out());
    long rows = c.out().lines().filter(l -> l.startsWith("critic ") || l.startsWith("generator ")).count();
    assertEquals(3, rows, c.out());
    // each matmul's share of the machine's measured peak, in the whole table: after one warm-up
    // step the slowest three can be elementwise kernels the JIT has not compiled yet
    Cli all = Cli.run("bench", "models/toy8-wgan-gp.wgan", "--batch", "16", "--warmup", "1", "--runs", "1",
        "--steps", "1", "--top", "1000");
    assertEquals(0, all.status(), all.err());
    assertTrue(all.out().lines().anyMatch(l -> l.matches("(critic|generator) +k\\d+Matmul\\w* .* +\\d+%")), all.out());
  }
}

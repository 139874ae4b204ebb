package wganc.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** `wganc verify`: the JVM kernels agree with the interpreter; the report, the JSON object, bad usage. */
class VerifyCliTest {
  @Test
  void toy8PassesWithAReportPerPhaseAndStep() {
    Cli c = Cli.run("verify", "models/toy8-wgan-gp.wgan", "--backend", "jvm", "--batch", "4");
    assertEquals(0, c.status(), c.out() + c.err());
    List<String> lines = c.out().lines().toList();
    assertEquals("toy8_wgan_gp, jvm backend, batch 4, 2 steps", lines.getFirst());
    for (String group : new String[] {"critic step 0:", "generator step 0:", "critic step 1:", "generator step 1:"}) {
      assertTrue(lines.stream().anyMatch(l -> l.startsWith(group) && l.contains(" worst `")), group + " in\n" + c.out());
    }
    assertTrue(lines.getLast().matches("verify: PASS \\(\\d+ tensors within tolerance; worst: .*\\)"), lines.getLast());
    assertTrue(c.err().contains("wganc: running the interpreter (2 steps of every update)"), c.err());
  }

  @Test
  void jsonListsEveryTensorWithItsErrorAndBound() throws Exception {
    Cli c = Cli.run("verify", "models/toy8-wgan-gp.wgan", "--batch", "2", "--steps", "1", "--json");
    assertEquals(0, c.status(), c.err());
    JsonNode j = new ObjectMapper().readTree(c.out());
    assertEquals("toy8_wgan_gp", j.get("model").asText());
    assertEquals("jvm", j.get("backend").asText());
    assertEquals("cpu", j.get("device").asText());
    assertEquals(2, j.get("batch").asInt());
    assertEquals(1, j.get("steps").asInt());
    assertTrue(j.get("pass").asBoolean(), j.toString());
    Set<String> names = new HashSet<>();
    for (JsonNode t : j.get("tensors")) {
      assertTrue(t.get("phase").asText().matches("critic|generator"), t.toString());
      assertEquals(0, t.get("step").asInt());
      assertTrue(t.get("ok").asBoolean(), t.toString());
      assertTrue(t.get("rel_error").asDouble() <= t.get("bound").asDouble(), t.toString());
      assertTrue(t.get("bound").asDouble() == 2e-4 || t.get("bound").asDouble() == 1e-2, t.toString());
      names.add(t.get("name").asText());
    }
    assertTrue(names.containsAll(Set.of("loss", "wdist", "gp")), names.toString());
    assertTrue(names.stream().anyMatch(n -> n.startsWith("grad.")), names.toString());
    assertTrue(c.err().isEmpty(), "no progress lines with --json: " + c.err());
  }

  @Test
  void badUsageExitsTwo() {
    Cli backend = Cli.run("verify", "models/toy8-wgan-gp.wgan", "--backend", "cuda");
    assertEquals(2, backend.status(), backend.err());
    assertTrue(backend.err().contains("unknown backend `cuda`; use `jvm` or `tornado`"), backend.err());
    Cli device = Cli.run("verify", "models/toy8-wgan-gp.wgan", "--backend", "tornado", "--device", "gpu0");
    assertEquals(2, device.status(), device.err());
    assertTrue(device.err().contains("--device must be B:D"), device.err());
    Cli steps = Cli.run("verify", "models/toy8-wgan-gp.wgan", "--steps", "0");
    assertEquals(2, steps.status(), steps.err());
    assertTrue(steps.err().contains("--steps and --batch must be at least 1"), steps.err());
  }
}

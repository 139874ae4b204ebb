package wganc.emit.tornado;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

/**
 * `wganc bench --backend tornado --json` on toy8 at batch 2 (skipped without {@code TORNADOVM_HOME}):
 * the JVM bench's JSON shape, with every kernel of the training phases timed by TornadoVM's profiler,
 * kernel launches counted, and a step that sends nothing to the device.
 */
class TornadoBenchTest {
  @Test
  void benchReportsStepAndKernelTimesFromTheProfiler() throws Exception {
    TornadoAgreementTest.sdkOrSkip();
    StringWriter out = new StringWriter(), err = new StringWriter();
    int code = wganc.cli.Main.run(new String[] {"bench", "../models/toy8-wgan-gp.wgan", "--backend", "tornado",
        "--batch", "2", "--warmup", "1", "--runs", "1", "--steps", "1", "--json"}, new PrintWriter(out), new PrintWriter(err));
    assertEquals(0, code, err::toString);
    JsonNode r = new ObjectMapper().readTree(out.toString());
    assertEquals("toy8_wgan_gp", r.get("model").asText());
    assertEquals("tornado", r.get("backend").asText());
    assertEquals(2, r.get("batch").asInt());
    for (String key : new String[] {"seconds_per_step", "steps_per_s", "samples_per_s", "gflops", "kernel_ms_per_step"}) {
      assertTrue(r.get(key).asDouble() > 0, key + " in " + r);
    }
    JsonNode kernels = r.get("kernels");
    assertTrue(kernels.size() > 100, "kernels of critic and generator: " + kernels.size());
    int timed = 0;
    for (JsonNode k : kernels) {
      assertTrue(k.get("phase").asText().matches("critic|generator"), k.toString());
      if (k.get("ms_per_step").asDouble() > 0) timed++;
    }
    assertEquals(kernels.size(), timed, "every kernel has a device time");
    // one launch per kernel per phase run: toy8 runs its critic phase 5 times per generator update
    long critic = 0, generator = 0;
    for (JsonNode k : kernels) {
      if (k.get("phase").asText().equals("critic")) critic++; else generator++;
      assertEquals(k.get("phase").asText().equals("critic") ? 5 : 1, k.get("calls_per_step").asInt(), k.toString());
    }
    assertEquals(5 * critic + generator, r.get("launches_per_step").asLong(), r.toString());
    // the toy points are drawn and the step counter advances on the device: a step sends nothing
    assertEquals(0.0, r.get("bytes_to_device_per_step").asDouble(), r.toString());
    // and brings back the losses alone (critic: gp, wdist, loss and its zero bias gradient; generator: loss)
    assertTrue(r.get("bytes_to_host_per_step").asDouble() < 128, r.toString());
  }
}

package wganc.emit.tornado;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

/**
 * `wganc verify --backend tornado --json` on toy8 at batch 2, one step (skipped without
 * {@code TORNADOVM_HOME}): the device's kernels agree with the interpreter on every tensor.
 */
class TornadoVerifyTest {
  @Test
  void toy8AgreesOnTheDevice() throws Exception {
    TornadoAgreementTest.sdkOrSkip();
    StringWriter out = new StringWriter(), err = new StringWriter();
    int code = wganc.cli.Main.run(new String[] {"verify", "../models/toy8-wgan-gp.wgan", "--backend", "tornado",
        "--batch", "2", "--steps", "1", "--json"}, new PrintWriter(out), new PrintWriter(err));
    assertEquals(0, code, () -> out + "\n" + err);
    JsonNode r = new ObjectMapper().readTree(out.toString());
    assertEquals("tornado", r.get("backend").asText());
    assertEquals("default", r.get("device").asText());
    assertEquals(2, r.get("batch").asInt());
    assertTrue(r.get("pass").asBoolean(), r.toString());
    assertTrue(r.get("tensors").size() > 50, r.toString());
    for (JsonNode t : r.get("tensors")) assertTrue(t.get("ok").asBoolean(), t.toString());
  }
}

package wganc.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `--backend tornado` where no TornadoVM SDK is: a clear message naming how to install one, exit 70. */
class TornadoCliTest {
  @TempDir Path dir;

  @Test
  void benchWithoutAnSdkSaysHowToInstallOne() {
    Cli c = Cli.run("bench", "models/toy8-wgan-gp.wgan", "--backend", "tornado", "--tornado-home",
        dir.resolve("no-sdk").toString());
    assertEquals(70, c.status(), c.err());
    assertTrue(c.err().contains("TornadoVM SDK `" + dir.resolve("no-sdk") + "` does not exist"), c.err());
    assertTrue(c.err().contains("tornadovm-installer"), c.err());
  }

  @Test
  void benchRejectsAMalformedDevice() {
    Cli c = Cli.run("bench", "models/toy8-wgan-gp.wgan", "--backend", "tornado", "--device", "gpu0");
    assertEquals(2, c.status(), c.err());
    assertTrue(c.err().contains("--device must be B:D"), c.err());
  }

  @Test
  void traceWithoutAnSdkSaysHowToInstallOne() {
    Cli c = Cli.run("trace", "models/toy8-wgan-gp.wgan", "--backend", "tornado", "--tornado-home",
        dir.resolve("no-sdk").toString(), "--weights", "w.safetensors", "--batch", "b.safetensors", "-o", "t.safetensors");
    assertEquals(70, c.status(), c.err());
    assertTrue(c.err().contains("tornadovm-installer"), c.err());
    Cli bad = Cli.run("trace", "models/toy8-wgan-gp.wgan", "--backend", "tornado", "--device", "gpu0");
    assertEquals(2, bad.status(), bad.err());
    assertTrue(bad.err().contains("--device must be B:D"), bad.err());
  }
}

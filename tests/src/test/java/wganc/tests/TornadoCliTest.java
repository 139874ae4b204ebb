package wganc.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
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
  void verifyWithoutAnSdkSaysHowToInstallOne() {
    Cli c = Cli.run("verify", "models/toy8-wgan-gp.wgan", "--backend", "tornado", "--batch", "2", "--tornado-home",
        dir.resolve("no-sdk").toString());
    assertEquals(70, c.status(), c.err());
    assertTrue(c.err().contains("TornadoVM SDK `" + dir.resolve("no-sdk") + "` does not exist"), c.err());
    assertTrue(c.err().contains("tornadovm-installer"), c.err());
  }

  @Test
  void compileWritesTiledKernelsByDefaultEvenWithoutAnSdk() throws Exception {
    for (String[] flags : new String[][] {{}, {"--tiles"}}) {
      Path out = dir.resolve("out" + flags.length);
      List<String> args = new java.util.ArrayList<>(List.of("compile", "models/toy8-wgan-gp.wgan", "--backend", "tornado",
          "--tornado-home", dir.resolve("no-sdk").toString(), "-o", out.toString()));
      args.addAll(List.of(flags));
      Cli c = Cli.run(args.toArray(String[]::new));
      String generator = java.nio.file.Files.readString(out.resolve("src/wganc/generated/tornado/toy8_wgan_gp/GeneratorPhase.java"));
      assertTrue(generator.matches("(?s).*public static void k1Matmul\\w*Tiled\\(KernelContext context.*"), c.err());
      assertTrue(c.err().contains("does not exist"), c.err());
    }
  }

  @Test
  void compileWithNoTilesWritesOneThreadPerOutputKernels() throws Exception {
    Path out = dir.resolve("plain");
    Cli c = Cli.run("compile", "models/toy8-wgan-gp.wgan", "--backend", "tornado", "--no-tiles", "--tornado-home",
        dir.resolve("no-sdk").toString(), "-o", out.toString());
    String generator = java.nio.file.Files.readString(out.resolve("src/wganc/generated/tornado/toy8_wgan_gp/GeneratorPhase.java"));
    assertTrue(generator.contains("public static void k1MatmulSelect(FloatArray out"), c.err());
    assertFalse(generator.contains("KernelContext"), "no tiled kernels with --no-tiles");
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

package wganc.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The GPU kit works with nothing else: `scripts/gpu-kit` packs it from the TornadoVM SDK of
 * {@code TORNADOVM_HOME} (skipped without one), then `bench/gpu-run --quick` unpacks it into an empty
 * folder and runs it with a PATH holding only python3 and ld (PoCL links its kernels with ld) and no
 * JAVA_HOME, TORNADOVM_HOME or Maven: it must list a device, verify toy8 against the interpreter and
 * time it, with kernel launches counted. The kit and the working tree stay under the 60 MiB that may
 * travel to the GPU machine. 5 to 10 minutes on 2 cores (xz, and PoCL compiling every kernel twice).
 */
class GpuKitTest {
  static final Path ROOT = Path.of("").toAbsolutePath();  // tests run in the repository root

  @Test
  void theKitRunsGpuRunOnPoclWithNothingElse(@TempDir Path dir) throws Exception {
    String sdk = System.getenv("TORNADOVM_HOME");
    Assumptions.assumeTrue(sdk != null && Files.isDirectory(Path.of(sdk)),
        "no TornadoVM SDK (TORNADOVM_HOME): the kit is made from one");
    Assumptions.assumeTrue(Files.isRegularFile(Path.of("/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz")),
        "no Fashion-MNIST (apt-get install dataset-fashion-mnist): the kit carries its test images");
    Path kit = dir.resolve("kit");
    Exec made = Exec.run(new ProcessBuilder(ROOT.resolve("scripts/gpu-kit").toString(), "--tornado-home", sdk,
        "--out", kit.toString()).directory(ROOT.toFile()), 900);
    assertEquals(0, made.status(), made.out() + made.err());
    for (String part : List.of("jdk", "tornadovm", "wganc", "data", "peers")) {
      assertTrue(made.out().contains(part + ".tar.xz"), "the size of each part is printed: " + made.out());
    }
    JsonNode sizes = new ObjectMapper().readTree(kit.resolve("sizes.json").toFile());
    assertTrue(sizes.get("total").asLong() < 60L << 20, "kit and tree under 60 MiB: " + sizes);

    Path bin = Files.createDirectory(dir.resolve("bin")), empty = Files.createDirectory(dir.resolve("unpacked"));
    for (String tool : List.of("python3", "ld")) {
      Path found = which(tool);
      Assumptions.assumeTrue(found != null, tool + " not found");
      if (tool.equals("python3")) {  // the interpreter itself, not a launcher script (pyenv's shims need bash)
        Exec real = Exec.run(new ProcessBuilder(found.toString(), "-c", "import sys; print(sys.executable)"), 60);
        found = Path.of(real.out().strip());
      }
      Files.createSymbolicLink(bin.resolve(tool), found);
    }
    Path out = dir.resolve("out");
    ProcessBuilder run = new ProcessBuilder(bin.resolve("python3").toString(), "bench/gpu-run", out.toString(),
        "--kit", kit.toString(), "--work", empty.toString(), "--quick", "--budget", "1500", "--timeout", "700").directory(ROOT.toFile());
    Map<String, String> env = run.environment();
    env.clear();
    env.put("PATH", bin.toString());
    env.put("HOME", dir.toString());
    Exec ran = Exec.run(run, 1600);
    assertEquals(0, ran.status(), ran.out() + ran.err());
    assertTrue(Files.isDirectory(empty.resolve("wganc-kit/jdk")), "unpacked into the empty folder");

    JsonNode r = new ObjectMapper().readTree(out.resolve("gpu-run.json").toFile());
    assertTrue(r.get("devices").has("opencl"), r.toString());
    JsonNode verify = r.get("verify").get(0);
    assertEquals("toy8", verify.get("model").asText());
    assertTrue(verify.get("pass").asBoolean(), verify.toString());
    JsonNode bench = r.get("bench").get(0);
    assertEquals("opencl", bench.get("backend").asText());
    assertTrue(bench.has("steps_per_s") && bench.get("steps_per_s").asDouble() > 0, bench + "\n" + ran.out());
    assertTrue(bench.get("launches_per_step").asLong() > 100, bench.toString());
    assertFalse(r.get("peer_cuda").asBoolean(), "no CUDA here: the peer is skipped, and says so");
    String table = Files.readString(out.resolve("gpu-run.md"));
    assertTrue(table.contains("| toy8 b16 | opencl, tiled |"), table);
    assertTrue(ran.out().strip().endsWith(table.strip()), "the table is printed last:\n" + ran.out());
  }

  static Path which(String tool) {
    for (String d : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")) {
      Path p = Path.of(d, tool);
      if (Files.isExecutable(p)) return p;
    }
    return null;
  }
}

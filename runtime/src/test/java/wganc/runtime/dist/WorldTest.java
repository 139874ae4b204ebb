package wganc.runtime.dist;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The world of one process (no launcher: nothing loaded, sums are concatenations), how a launcher is
 * recognised, the error for a library that cannot be used, and the real thing: {@link Probe} under
 * {@code mpirun -np 2} (skipped, saying why, without Open MPI).
 */
class WorldTest {
  @Test
  void withoutALauncherTheWorldIsOneProcess() {
    World w = World.join(Map.of());
    assertSame(World.single(), w);
    assertEquals(0, w.rank());
    assertEquals(1, w.size());
    assertTrue(w.leader() && !w.distributed());
    float[] out = new float[5];
    w.sum(out, new int[] {2, 1}, new float[] {1, 2, 99}, new float[] {3});
    assertArrayEquals(new float[] {1, 2, 3, 0, 0}, out);
    assertArrayEquals(new byte[] {7}, w.broadcast(new byte[] {7}));
    assertTrue(w.agree(42));
    assertEquals(0, w.sumCalls());
  }

  @Test
  void launchersAreRecognisedByTheirEnvironment() {
    assertEquals(1, World.launched(Map.of()));
    assertEquals(1, World.launched(Map.of("OMPI_COMM_WORLD_SIZE", "1")));
    assertEquals(4, World.launched(Map.of("OMPI_COMM_WORLD_SIZE", "4")));
    assertEquals(8, World.launched(Map.of("PMIX_RANK", "3", "SLURM_NTASKS", "8")));
    assertEquals(1, World.launched(Map.of("SLURM_NTASKS", "8")), "a Slurm job step without an MPI launch");
    assertEquals(2, World.localRanks(Map.of("OMPI_COMM_WORLD_LOCAL_SIZE", "2")));
  }

  @Test
  void aLibraryThatCannotBeUsedIsOneLine() {
    var e = assertThrows(IllegalStateException.class,
        () -> World.join(Map.of("OMPI_COMM_WORLD_SIZE", "2", "WGANC_LIBMPI", "/nonexistent/libmpi.so.40")));
    assertTrue(e.getMessage().startsWith("started by an MPI launcher with 2 processes, but the MPI library "
        + "`/nonexistent/libmpi.so.40` cannot be used"), e.getMessage());
    assertSame(World.single(), World.current());
  }

  @Test
  void twoRanksUnderMpirunSumBroadcastAndCompare() throws Exception {
    Assumptions.assumeTrue(new ProcessBuilder("sh", "-c", "command -v mpirun").start().waitFor() == 0,
        "no `mpirun` on the PATH: apt-get install openmpi-bin libopenmpi-dev");
    Assumptions.assumeTrue(Files.exists(Path.of(Mpi.find(System.getenv("WGANC_LIBMPI")))),
        "no libmpi.so.40 in a standard place: apt-get install libopenmpi-dev, or set WGANC_LIBMPI");
    List<String> cmd = new ArrayList<>(List.of("mpirun", "--oversubscribe", "-np", "2"));
    if ("root".equals(System.getProperty("user.name"))) cmd.add(1, "--allow-run-as-root");
    cmd.addAll(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"), Probe.class.getName()));
    Path log = Files.createTempFile("wganc-world", ".log");
    try {
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
      assertTrue(p.waitFor(120, TimeUnit.SECONDS), "mpirun still runs after 120 s");
      String out = Files.readString(log);
      assertEquals(0, p.exitValue(), out);
      for (int r = 0; r < 2; r++) {
        assertTrue(out.contains("rank " + r + " of 2: sum [3.0, 30.0, 1.0] broadcast hello agree true differ false"), out);
      }
    } finally {
      Files.deleteIfExists(log);
    }
  }

  /** What each rank of {@link #twoRanksUnderMpirunSumBroadcastAndCompare} runs. */
  public static final class Probe {
    public static void main(String[] args) throws IOException {
      World w = World.join(System.getenv());
      float[] out = new float[3];
      w.sum(out, new int[] {2, 1}, new float[] {w.rank() + 1, 10 * (w.rank() + 1)}, new float[] {0.5f});
      byte[] b = w.broadcast(w.leader() ? "hello".getBytes(java.nio.charset.StandardCharsets.UTF_8) : null);
      System.out.println("rank " + w.rank() + " of " + w.size() + ": sum " + java.util.Arrays.toString(out) + " broadcast "
          + new String(b, java.nio.charset.StandardCharsets.UTF_8) + " agree " + w.agree(42) + " differ " + w.agree(w.rank()));
      w.barrier();
      w.finish();
    }
  }
}

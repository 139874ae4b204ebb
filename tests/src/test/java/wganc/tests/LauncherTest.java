package wganc.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The `./wganc` launcher decides whether to build from the content of the sources, not their
 * times, and two launchers never build at once. It runs in a copy of the tree that holds the
 * launcher, scripts/find-jdk.sh and a few stand-in sources, with a stand-in `mvn` that logs each
 * build and writes a dummy jar (`WGANC_JAVA_OPTS=-version` makes the final `java` only print its
 * version).
 */
class LauncherTest {
  @TempDir Path root;
  Path builds;

  @BeforeEach
  void tree() throws IOException {
    Files.createDirectories(root.resolve("scripts"));
    Files.copy(Path.of("wganc"), root.resolve("wganc"));
    Files.copy(Path.of("scripts/find-jdk.sh"), root.resolve("scripts/find-jdk.sh"));
    for (String file : new String[] {"pom.xml", "grammar/pom.xml", "grammar/src/main/antlr4/Wgan.g4",
        "runtime/pom.xml", "runtime/src/main/java/R.java", "compiler/pom.xml", "compiler/src/main/java/C.java",
        "compiler/src/test/java/CTest.java"}) {
      write(file, "// " + file + "\n");
    }
    builds = root.resolve("builds.log");
    // holds the build until the file $HOLD exists (at most 60 s), when HOLD is set
    write("bin/mvn", """
        #!/bin/bash
        echo build >>"$BUILDS"
        if [ -n "${HOLD:-}" ]; then
          touch "$HOLD.building"
          for ((i = 0; i < 1200; i++)); do [ -e "$HOLD" ] && break; sleep 0.05; done
        fi
        mkdir -p compiler/target && echo jar >compiler/target/wganc.jar
        """);
    assertTrue(root.resolve("bin/mvn").toFile().setExecutable(true));
  }

  @Test
  void buildsWhenContentChangesNotWhenTimesDo() throws Exception {
    assertEquals(0, launch().status());
    assertEquals(1, builds());
    assertEquals(0, launch().status());
    assertEquals(1, builds(), "up to date");

    Instant later = Instant.now().plusSeconds(3600);
    for (String file : new String[] {"runtime/src/main/java/R.java", "pom.xml", "compiler/src/test/java/CTest.java"}) {
      Files.setLastModifiedTime(root.resolve(file), FileTime.from(later));
    }
    write("compiler/src/test/java/CTest.java", "// a test changed\n");
    write("compiler/target/classes/Other.class", "built elsewhere");
    assertEquals(0, launch().status());
    assertEquals(1, builds(), "newer times, changed tests and build outputs need no build");

    write("runtime/src/main/java/R.java", "// changed\n");
    Exec changed = launch();
    assertEquals(2, builds(), "a changed source");
    assertTrue(changed.err().startsWith("wganc: building (first use or sources changed) ...\n"), changed.err());

    write("compiler/src/main/java/D.java", "// new\n");
    launch();
    assertEquals(3, builds(), "a new source");

    Files.delete(root.resolve("compiler/target/wganc.jar"));
    launch();
    assertEquals(4, builds(), "no jar");
  }

  @Test
  void secondLauncherWaitsForTheFirstsBuild() throws Exception {
    Assumptions.assumeTrue(new ProcessBuilder("sh", "-c", "command -v flock").start().waitFor() == 0,
        "no `flock` (util-linux), so the launcher builds without a lock");
    Path hold = root.resolve("hold");
    Path firstErr = root.resolve("first.err");
    Path secondErr = root.resolve("second.err");
    Process first = launcher(hold).redirectError(firstErr.toFile()).start();
    Process second = null;
    try {
      await(() -> Files.exists(root.resolve("hold.building")), "the first build to start");
      second = launcher(hold).redirectError(secondErr.toFile()).start();
      await(() -> Files.readString(secondErr).contains("waiting"), "the second launcher to wait");
    } finally {
      if (!Files.exists(hold)) Files.createFile(hold);
      for (Process p : new Process[] {first, second}) {
        if (p != null && !p.waitFor(60, TimeUnit.SECONDS)) p.destroyForcibly();
      }
    }
    assertEquals(0, first.exitValue(), Files.readString(firstErr));
    assertEquals(0, second.exitValue(), Files.readString(secondErr));
    assertEquals(1, builds(), "one build");
    String waited = Files.readString(secondErr);
    assertTrue(waited.startsWith("wganc: waiting for another wganc launcher to finish building ...\n"), waited);
    assertFalse(waited.contains("building (first use"), waited);
  }

  private Exec launch() throws Exception {
    Exec e = Exec.run(launcher(null), 60);
    assertEquals(0, e.status(), e.err());
    return e;
  }

  private ProcessBuilder launcher(Path hold) {
    ProcessBuilder pb = new ProcessBuilder("bash", root.resolve("wganc").toString(), "--version");
    var env = pb.environment();
    env.put("PATH", root.resolve("bin") + File.pathSeparator + env.get("PATH"));
    env.put("JAVA_HOME", System.getProperty("java.home"));
    env.put("WGANC_JAVA_OPTS", "-version");
    env.put("BUILDS", builds.toString());
    if (hold != null) env.put("HOLD", hold.toString());
    return pb.redirectOutput(ProcessBuilder.Redirect.DISCARD);
  }

  private long builds() throws IOException {
    return Files.exists(builds) ? Files.readAllLines(builds).size() : 0;
  }

  private void write(String file, String text) throws IOException {
    Path p = root.resolve(file);
    Files.createDirectories(p.getParent());
    Files.writeString(p, text);
  }

  private interface Check { boolean holds() throws IOException; }

  private static void await(Check check, String what) throws Exception {
    for (long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30); !check.holds(); Thread.sleep(50)) {
      assertTrue(System.nanoTime() < end, "timed out waiting for " + what);
    }
  }
}

package wganc.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The jars wganc writes: `compile` prints a command that runs its trainer jar with wganc's own JDK,
 * and `wganc.jar` and a trainer jar started by a Java older than 25 say in one line what they need
 * (the old-Java cases skip, saying so, on a machine with no older JDK).
 */
class JarLaunchTest {
  @TempDir static Path dir;
  static Path trainerJar;
  static String trainHint;

  @BeforeAll
  static void compile() {
    Cli c = Cli.run("compile", "models/toy8-wgan-gp.wgan", "-o", dir.toString());
    assertEquals(0, c.status(), c.err());
    trainerJar = dir.resolve("toy8-wgan-gp-trainer.jar");
    List<String> lines = c.err().lines().toList();
    trainHint = lines.getLast();
  }

  @Test
  void compilePrintsACommandWithItsOwnJdk() throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    String command = java + " --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -XX:+UseParallelGC -Xmn32m -jar "
        + trainerJar;
    assertEquals("wganc: train with `" + command + " --steps N --out RUN`", trainHint);

    List<String> words = new ArrayList<>(Arrays.asList(command.split(" ")));
    words.add("--help");
    Exec help = Exec.run(new ProcessBuilder(words), 60);
    assertEquals(0, help.status(), help.err());
    assertTrue(help.out().startsWith("Usage: trainer"), help.out());
  }

  /** The progress bar asks JLine's FFM provider about stderr: the jar carries it, and it loads from there. */
  @Test
  void trainerJarCarriesJLinesFfmProvider() throws Exception {
    try (URLClassLoader loader = new URLClassLoader(new URL[] {trainerJar.toUri().toURL()},
        ClassLoader.getPlatformClassLoader())) {
      Class<?> spi = loader.loadClass("org.jline.terminal.spi.TerminalProvider");
      Object ffm = spi.getMethod("load", String.class, ClassLoader.class).invoke(null, "ffm", loader);
      assertEquals("org.jline.terminal.impl.ffm.FfmTerminalProvider", ffm.getClass().getName());
      assertSame(loader, ffm.getClass().getClassLoader());
    }
    try (JarFile jar = new JarFile(trainerJar.toFile())) {
      assertEquals("ALL-UNNAMED", jar.getManifest().getMainAttributes().getValue("Enable-Native-Access"));
      JarEntry services = jar.getJarEntry("META-INF/services/org.jline.terminal.spi.TerminalProvider");
      String names = new String(jar.getInputStream(services).readAllBytes(), StandardCharsets.UTF_8);
      assertTrue(names.contains("\norg.jline.terminal.impl.ffm.FfmTerminalProvider\n")
          && names.contains("\norg.jline.terminal.impl.exec.ExecTerminalProvider\n"), names);
    }
  }

  @Test
  void trainerJarOnOldJavaSaysWhatItNeeds() throws Exception {
    assertOneLine(trainerJar);
  }

  @Test
  void wgancJarOnOldJavaSaysWhatItNeeds() throws Exception {
    Path jar = Path.of("compiler/target/wganc.jar").toAbsolutePath();
    Assumptions.assumeTrue(Files.isRegularFile(jar), () -> "no " + jar + " (it is built by `mvn package`)");
    assertOneLine(jar);
  }

  private static void assertOneLine(Path jar) throws Exception {
    Path oldJdk = olderJdk().orElse(null);
    Assumptions.assumeTrue(oldJdk != null, "no JDK older than 25 under /usr/lib/jvm or /opt to start the jar with");
    Exec e = Exec.run(new ProcessBuilder(oldJdk.resolve("bin/java").toString(), "-jar", jar.toString(), "--help"), 60);
    assertEquals(2, e.status(), e.err());
    assertEquals("", e.out());
    String expected = "error: this jar needs Java 25 or newer, but " + oldJdk.toRealPath() + " is Java ";
    assertTrue(e.err().startsWith(expected), e.err());
    assertEquals(1, e.err().lines().count(), e.err());
    assertTrue(e.err().contains("run it with the `java` of a JDK 25 (e.g. Temurin 25 from https://adoptium.net/"), e.err());
  }

  /** A JDK or JRE older than 25, found by the `release` file of the usual JVM folders. */
  private static Optional<Path> olderJdk() throws IOException {
    List<Path> found = new ArrayList<>();
    for (String parent : List.of("/usr/lib/jvm", "/opt/java", "/opt")) {
      if (!Files.isDirectory(Path.of(parent))) continue;
      try (Stream<Path> dirs = Files.list(Path.of(parent))) {
        dirs.sorted().filter(d -> Files.isExecutable(d.resolve("bin/java"))).forEach(found::add);
      }
    }
    for (Path d : found) {
      Path release = d.resolve("release");
      if (!Files.isRegularFile(release)) continue;
      var m = java.util.regex.Pattern.compile("(?m)^JAVA_VERSION=\"(?:1\\.)?(\\d+)").matcher(Files.readString(release));
      if (m.find() && Integer.parseInt(m.group(1)) < 25) return Optional.of(d);
    }
    return Optional.empty();
  }
}

package wganc.emit.java;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;
import wganc.runtime.launch.Launcher;
import wganc.runtime.train.ModelSpec;
import wganc.runtime.train.TrainerMain;

/**
 * Writes a runnable trainer jar: the compiled phases, {@code wganc/trainer.json}, and the runtime
 * with the libraries it needs (Jackson, picocli, JLine's terminal and its FFM provider), taken from
 * wherever wganc itself loaded them. Service files of the same name are joined.
 */
public final class TrainerJar {
  private static final String SERVICES = "META-INF/services/";
  /**
   * Packages of the runtime and its dependencies, as jar entry prefixes; JLine also needs its
   * provider files ({@code TerminalProvider.load("ffm")} reads {@code META-INF/jline/providers/ffm}).
   */
  private static final List<String> PREFIXES = List.of("wganc/runtime/", "com/fasterxml/jackson/", "picocli/",
      "org/jline/terminal/", "org/jline/utils/", "META-INF/jline/providers/", SERVICES + "org.jline.");

  private TrainerJar() {}

  public static void write(Path jar, Map<String, byte[]> classes, ModelSpec spec, List<String> phaseClasses)
      throws IOException {
    write(jar, classes, spec, phaseClasses, "jvm");
  }

  /** The same for phases of {@code backend} (recorded in the run's manifest). */
  public static void write(Path jar, Map<String, byte[]> classes, ModelSpec spec, List<String> phaseClasses,
                           String backend) throws IOException {
    write(jar, classes, spec, phaseClasses, backend, 1);
  }

  /** The same for phases compiled for {@code ranks} MPI processes (docs/distributed.md). */
  public static void write(Path jar, Map<String, byte[]> classes, ModelSpec spec, List<String> phaseClasses,
                           String backend, int ranks) throws IOException {
    java.util.jar.Manifest manifest = new java.util.jar.Manifest();
    manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
    manifest.getMainAttributes().put(Attributes.Name.MAIN_CLASS, Launcher.class.getName());
    manifest.getMainAttributes().putValue(Launcher.MAIN_CLASS, TrainerMain.class.getName());
    manifest.getMainAttributes().putValue("Created-By", "wganc " + JavaEmitter.VERSION);
    // JLine's FFM provider calls isatty and ioctl: `java -jar` without --enable-native-access stays quiet
    manifest.getMainAttributes().putValue("Enable-Native-Access", "ALL-UNNAMED");
    java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
    {
      Set<String> written = new LinkedHashSet<>();
      try (JarOutputStream out = new JarOutputStream(bytes, manifest)) {
        written.add("META-INF/MANIFEST.MF");
        for (var e : classes.entrySet().stream().sorted(Map.Entry.comparingByKey()).toList()) {
          put(out, written, e.getKey().replace('.', '/') + ".class", e.getValue());
        }
        byte[] json = new ObjectMapper().writerWithDefaultPrettyPrinter()
            .writeValueAsBytes(new TrainerMain.Manifest(spec, phaseClasses, backend, ranks));
        put(out, written, "wganc/trainer.json", json);
        Set<Path> sources = new java.util.HashSet<>();
        Map<String, java.io.ByteArrayOutputStream> services = new java.util.TreeMap<>();
        for (Class<?> anchor : List.of(TrainerMain.class, ObjectMapper.class, com.fasterxml.jackson.core.JsonParser.class,
            com.fasterxml.jackson.annotation.JsonProperty.class, picocli.CommandLine.class,
            org.jline.terminal.spi.TerminalProvider.class, org.jline.terminal.impl.ffm.FfmTerminalProvider.class)) {
          if (sources.add(location(anchor))) copyFrom(location(anchor), out, written, services);
        }
        for (var e : services.entrySet()) put(out, written, e.getKey(), e.getValue().toByteArray());
      }
    }
    wganc.runtime.io.AtomicFiles.write(jar, bytes.toByteArray());
  }

  private static Path location(Class<?> c) throws IOException {
    try {
      return Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI());
    } catch (URISyntaxException e) {
      throw new IOException("cannot locate " + c.getName(), e);
    }
  }

  /**
   * Copies the wanted entries of a jar or class folder, except service files, which are appended to
   * {@code services} and written last.
   */
  private static void copyFrom(Path source, JarOutputStream out, Set<String> written,
      Map<String, java.io.ByteArrayOutputStream> services) throws IOException {
    Map<String, byte[]> entries = new java.util.TreeMap<>();
    if (Files.isDirectory(source)) {
      try (Stream<Path> files = Files.walk(source)) {
        for (Path p : files.filter(Files::isRegularFile).toList()) {
          String name = source.relativize(p).toString().replace('\\', '/');
          if (wanted(name)) entries.put(name, Files.readAllBytes(p));
        }
      }
    } else {
      try (JarFile jar = new JarFile(source.toFile())) {
        for (JarEntry e : jar.stream().toList()) {
          if (e.isDirectory() || !wanted(e.getName())) continue;
          try (InputStream in = jar.getInputStream(e)) {
            entries.put(e.getName(), in.readAllBytes());
          }
        }
      }
    }
    for (var e : entries.entrySet()) {
      if (e.getKey().startsWith(SERVICES)) {
        var text = services.computeIfAbsent(e.getKey(), k -> new java.io.ByteArrayOutputStream());
        text.writeBytes(e.getValue());
        text.write('\n');
      } else {
        put(out, written, e.getKey(), e.getValue());
      }
    }
  }

  private static boolean wanted(String name) {
    return PREFIXES.stream().anyMatch(name::startsWith);
  }

  private static void put(JarOutputStream out, Set<String> written, String name, byte[] bytes) throws IOException {
    if (!written.add(name)) return;
    JarEntry e = new JarEntry(name);
    e.setTime(0);
    out.putNextEntry(e);
    out.write(bytes);
    out.closeEntry();
  }

}

package wganc.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The bad-model corpus (see tests/src/test/resources/bad/README.md): each `NN-what.wgan` is checked with
 * `wganc check --quiet` in-process and its stderr compared exactly with `NN-what.expected`. Files that
 * are awkward as resources (binary bytes, a megabyte line) are written by {@link #GENERATED} under
 * tests/target/bad/ first.
 */
class BadModelTest {
  static final Path BAD = Path.of("tests/src/test/resources/bad");
  static final Path GENERATED_DIR = Path.of("tests/target/bad");
  static final String LINT_MARK = "# lint:";

  /** Generated cases: name to bytes. */
  static final Map<String, byte[]> GENERATED = new LinkedHashMap<>();

  static {
    String toy = read(BAD.resolve("44-no-train-block.wgan"));
    GENERATED.put("61-nul-bytes", bytes("model x\nnet\0work D(x: [2]) -> [1] { dense 1 }\n"));
    byte[] png = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0, 0, 0x0d, 'I', 'H', 'D', 'R', 0, 0, 1, 0,
        (byte) 0xff, (byte) 0xfe, 0x7f, 0x01, 0x02};
    GENERATED.put("62-binary-junk", png);
    byte[] latin1 = "model toy\n# caf\u00e9 au lait, saved as Latin-1\n".getBytes(StandardCharsets.ISO_8859_1);
    GENERATED.put("63-invalid-utf8", latin1);
    GENERATED.put("64-byte-order-mark", concat(new byte[] {(byte) 0xef, (byte) 0xbb, (byte) 0xbf}, bytes(toy)));
    String deep = read(BAD.resolve("04-missing-closing-brace-at-end.wgan")) + "}\n";
    deep = deep.replace("loss = -mean(D(G(z)))", "loss = " + "(".repeat(100_000) + "-mean(D(G(z)))" + ")".repeat(100_000));
    GENERATED.put("65-deep-nesting", bytes(deep));
    String wide = read(BAD.resolve("48-unknown-toy.wgan")).replace("toy(\"8gausians\")", "toy(\"" + "8gaussians".repeat(100_000) + "\")");
    GENERATED.put("66-one-megabyte-line", bytes(wide));
    String chain = read(BAD.resolve("48-unknown-toy.wgan")).replace("8gausians", "8gaussians")
        .replace("loss = -mean(D(G(z)))", "loss = -mean(D(G(z)))" + " + 0".repeat(100_000));
    GENERATED.put("67-long-operator-chain", bytes(chain));
  }

  static Set<String> before;

  @BeforeAll
  static void writeGenerated() throws IOException {
    Files.createDirectories(GENERATED_DIR);
    for (var e : GENERATED.entrySet()) Files.write(GENERATED_DIR.resolve(e.getKey() + ".wgan"), e.getValue());
    before = files();
  }

  /** Every case in the corpus: resource files, then generated ones. */
  static Stream<Path> cases() throws IOException {
    List<Path> all = new ArrayList<>();
    try (Stream<Path> s = Files.list(BAD)) {
      s.filter(p -> p.toString().endsWith(".wgan")).sorted().forEach(all::add);
    }
    for (String name : GENERATED.keySet()) all.add(GENERATED_DIR.resolve(name + ".wgan"));
    return all.stream();
  }

  @Test
  void corpusIsLargeAndEveryExpectationHasAModel() throws IOException {
    List<String> models = cases().map(BadModelTest::stem).toList();
    assertTrue(models.size() >= 45, "only " + models.size() + " bad models");
    try (Stream<Path> s = Files.list(BAD)) {
      for (Path p : s.filter(p -> p.toString().endsWith(".expected")).toList()) {
        String stem = p.getFileName().toString().replace(".expected", "");
        assertTrue(models.contains(stem), p + " has no model file");
      }
    }
  }

  private static final Pattern POSITION = Pattern.compile("^ *--> (.+):(\\d+):(\\d+)$");

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void checkPrintsExactlyTheExpectedText(Path model) throws IOException {
    boolean lint = new String(Files.readAllBytes(model), StandardCharsets.ISO_8859_1).startsWith(LINT_MARK);
    Cli r = Cli.run("check", "--quiet", model.toString());
    Goldens.check(BAD.resolve(stem(model) + ".expected"), r.err());
    assertEquals("", r.out(), "--quiet prints nothing on stdout");
    assertEquals(lint ? 0 : 1, r.status(), r.err());
    List<String> blocks = blocks(r.err());
    assertTrue(!blocks.isEmpty(), "no diagnostics");
    for (String block : blocks) {
      String[] lines = block.split("\n");
      assertTrue(lines[0].startsWith(lint ? "warning[W07" : "error[E"), block);
      var m = POSITION.matcher(lines[1]);
      assertTrue(m.matches(), "second line is `--> path:line:col`:\n" + block);
      assertEquals(model.toString(), m.group(1));
      assertTrue(Integer.parseInt(m.group(2)) >= 1 && Integer.parseInt(m.group(3)) >= 1, block);
      assertTrue(Stream.of(lines).anyMatch(l -> l.matches(" *\\| *\\^+.*")), "caret line missing:\n" + block);
    }
    if (!lint) assertTrue(r.err().strip().endsWith("nothing written"), r.err());
  }

  /** One block per diagnostic (they are separated by blank lines); the summary line is dropped. */
  static List<String> blocks(String err) {
    List<String> out = new ArrayList<>();
    for (String b : err.split("\n\n")) {
      String s = b.strip();
      if (s.startsWith("error[") || s.startsWith("warning[")) out.add(b.stripLeading());
    }
    return out;
  }

  @AfterAll
  static void noOutputFilesWritten() throws IOException {
    if (Goldens.updating()) return;
    Set<String> now = files();
    Set<String> added = new TreeSet<>(now);
    added.removeAll(before);
    assertEquals(Set.of(), added, "checking bad models must write nothing");
    assertEquals(before, now, "checking bad models must remove nothing");
  }

  /** Files in the repository outside build outputs and git. */
  static Set<String> files() throws IOException {
    try (Stream<Path> s = Files.walk(Path.of("."))) {
      return s.filter(Files::isRegularFile).map(Path::toString)
          .filter(p -> !p.contains("/target/") && !p.contains("/.git/") && !p.startsWith("./.git"))
          .collect(java.util.stream.Collectors.toCollection(TreeSet::new));
    }
  }

  static String stem(Path p) {
    String n = p.getFileName().toString();
    return n.substring(0, n.length() - ".wgan".length());
  }

  static String read(Path p) {
    try {
      return Files.readString(p, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static byte[] bytes(String s) { return s.getBytes(StandardCharsets.UTF_8); }

  static byte[] concat(byte[] a, byte[] b) {
    byte[] out = new byte[a.length + b.length];
    System.arraycopy(a, 0, out, 0, a.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}

package wganc.tests;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.ShrinkingMode;
import wganc.compile.Checked;
import wganc.compile.Compiler;
import wganc.diag.Diagnostic;
import wganc.diag.Renderer;
import wganc.diag.Span;

/**
 * Mutates the models in models/ (token deletion, duplication and swaps, random characters and bytes,
 * truncation, numbers made huge, zero or negative) and checks that the front end never throws, answers
 * quickly, and rejects with at least one positioned error.
 */
class FrontendFuzzTest {
  static final List<String> NAMES = new ArrayList<>();
  static final List<byte[]> MODELS = load();
  static final Pattern TOKEN = Pattern.compile("[A-Za-z_][A-Za-z_0-9]*|[0-9.]+(?:[eE][-+]?[0-9]+)?|\"[^\"\\n]*\"|\\S");
  static final Pattern NUMBER = Pattern.compile("(?<![A-Za-z_0-9.])[0-9]+(?:\\.[0-9]*)?(?:[eE][-+]?[0-9]+)?");
  static final String[] HUGE = {"0", "-1", "-0.5", "1e308", "1e999", "99999999999", "2147483648", "1000000", "0.0", "1e-320"};

  enum Op { DELETE_TOKEN, DUPLICATE_TOKEN, SWAP_TOKENS, INSERT_CHARS, INSERT_BYTES, TRUNCATE, REPLACE_NUMBER, REPEAT_LINE }

  record Mutant(int model, List<Op> ops, long seed) {
    byte[] bytes() {
      Random r = new Random(seed);
      byte[] b = MODELS.get(model);
      for (Op op : ops) b = apply(op, b, r);
      return b;
    }
    @Override public String toString() { return "model " + model + " " + ops + " seed " + seed; }
  }

  @Provide
  Arbitrary<Mutant> mutants() {
    return Combinators.combine(Arbitraries.integers().between(0, MODELS.size() - 1),
        Arbitraries.of(Op.class).list().ofMinSize(1).ofMaxSize(4), Arbitraries.longs()).as(Mutant::new);
  }

  @Property(tries = 500, shrinking = ShrinkingMode.BOUNDED, seed = "59753")
  void frontendRejectsWithPositionedErrorsAndNeverThrows(@ForAll("mutants") Mutant m) {
    byte[] bytes = m.bytes();
    long start = System.nanoTime();
    Checked o = Compiler.check("fuzz.wgan", bytes);
    long ms = (System.nanoTime() - start) / 1_000_000;
    assertTrue(ms < 2_000, "took " + ms + " ms");
    if (o.ok()) {
      assertTrue(o.diagnostics().stream().noneMatch(Diagnostic::isError), o.diagnostics().toString());
    } else {
      assertTrue(o.diagnostics().stream().anyMatch(Diagnostic::isError), "rejected without an error");
    }
    for (Diagnostic d : o.diagnostics()) {
      Span s = d.span();
      int length = o.source().text().length();
      assertTrue(s.start() >= 0 && s.start() <= s.end() && s.end() <= length, d + " outside the file of " + length);
      assertTrue(s.line() >= 1 && s.line() <= o.source().lineCount(), d.toString());
      String text = Renderer.render(d);
      assertTrue(text.contains("--> fuzz.wgan:" + s.line() + ":" + s.column()), text);
    }
  }

  /** Long operator chains and sign runs build deep trees: they must be refused, not overflow the stack. */
  @net.jqwik.api.Example
  void longChainsAreRefusedOnASmallStack() throws InterruptedException {
    // the model whose generator loss is written `mean(-1 * D(G(z)))`, by name: models/ grows
    String base = new String(MODELS.get(NAMES.indexOf("mnist-wgan-clip.wgan")), StandardCharsets.UTF_8);
    String[] exprs = {"1" + "+1".repeat(100_000), "-".repeat(100_000) + "1", "1" + "^2".repeat(100_000),
        "1" + "+1".repeat(256), "-".repeat(256) + "1", "(".repeat(60) + "1" + "+1".repeat(256) + ")".repeat(60)};
    for (String e : exprs) {
      Throwable[] thrown = new Throwable[1];
      Checked[] out = new Checked[1];
      Thread t = new Thread(null, () -> {
        try {
          out[0] = Compiler.check("chain.wgan", utf8(base.replace("loss = mean(-1 * D(G(z)))", "loss = " + e)));
        } catch (Throwable x) {
          thrown[0] = x;
        }
      }, "small-stack", 512 * 1024);
      t.start();
      t.join();
      assertTrue(thrown[0] == null, () -> "threw " + thrown[0] + " on " + e.substring(0, 20) + " (" + e.length() + " chars)");
      boolean huge = e.length() > 1000;
      assertTrue(!huge || out[0].diagnostics().stream().anyMatch(d -> d.code().equals("E0006")), out[0].diagnostics().toString());
    }
  }

  static byte[] apply(Op op, byte[] b, Random r) {
    String s = new String(b, StandardCharsets.UTF_8);
    List<int[]> toks = new ArrayList<>();
    Matcher m = TOKEN.matcher(s);
    while (m.find()) toks.add(new int[] {m.start(), m.end()});
    if (toks.isEmpty() && op != Op.INSERT_BYTES && op != Op.INSERT_CHARS) return b;
    return switch (op) {
      case DELETE_TOKEN -> {
        int[] t = toks.get(r.nextInt(toks.size()));
        yield utf8(s.substring(0, t[0]) + s.substring(t[1]));
      }
      case DUPLICATE_TOKEN -> {
        int[] t = toks.get(r.nextInt(toks.size()));
        yield utf8(s.substring(0, t[1]) + " " + s.substring(t[0], t[1]) + s.substring(t[1]));
      }
      case SWAP_TOKENS -> {
        int i = r.nextInt(toks.size());
        int j = Math.min(toks.size() - 1, i + 1 + r.nextInt(3));
        if (i == j) yield b;
        int[] a = toks.get(i), c = toks.get(j);
        yield utf8(s.substring(0, a[0]) + s.substring(c[0], c[1]) + s.substring(a[1], c[0]) + s.substring(a[0], a[1])
            + s.substring(c[1]));
      }
      case INSERT_CHARS -> {
        String alphabet = "{}[]()=~,;:.-+*/^#\"'@$%&|\\<>!?`\t\n \u00e9\u03b1\u4e2d\ud83d\ude00";
        StringBuilder ins = new StringBuilder();
        int n = 1 + r.nextInt(4);
        for (int i = 0; i < n; i++) {
          int k = r.nextInt(alphabet.length());
          char c = alphabet.charAt(k);
          if (Character.isHighSurrogate(c) && k + 1 < alphabet.length()) ins.append(c).append(alphabet.charAt(k + 1));
          else if (!Character.isSurrogate(c)) ins.append(c);
        }
        int at = r.nextInt(s.length() + 1);
        yield utf8(s.substring(0, at) + ins + s.substring(at));
      }
      case INSERT_BYTES -> {
        int at = r.nextInt(b.length + 1);
        byte[] junk = new byte[1 + r.nextInt(4)];
        r.nextBytes(junk);
        byte[] out = new byte[b.length + junk.length];
        System.arraycopy(b, 0, out, 0, at);
        System.arraycopy(junk, 0, out, at, junk.length);
        System.arraycopy(b, at, out, at + junk.length, b.length - at);
        yield out;
      }
      case TRUNCATE -> java.util.Arrays.copyOf(b, r.nextInt(b.length + 1));
      case REPLACE_NUMBER -> {
        List<int[]> nums = new ArrayList<>();
        Matcher n = NUMBER.matcher(s);
        while (n.find()) nums.add(new int[] {n.start(), n.end()});
        if (nums.isEmpty()) yield b;
        int[] t = nums.get(r.nextInt(nums.size()));
        yield utf8(s.substring(0, t[0]) + HUGE[r.nextInt(HUGE.length)] + s.substring(t[1]));
      }
      case REPEAT_LINE -> {
        String[] lines = s.split("\n", -1);
        int i = r.nextInt(lines.length);
        StringBuilder out = new StringBuilder();
        for (int k = 0; k < lines.length; k++) {
          out.append(lines[k]).append(k < lines.length - 1 ? "\n" : "");
          if (k == i) out.append("\n").append(lines[k]).append("\n");
        }
        yield utf8(out.toString());
      }
    };
  }

  static byte[] utf8(String s) { return s.getBytes(StandardCharsets.UTF_8); }

  static List<byte[]> load() {
    try (Stream<Path> s = Files.list(Path.of("models"))) {
      List<byte[]> out = new ArrayList<>();
      for (Path p : s.filter(p -> p.toString().endsWith(".wgan")).sorted().toList()) {
        out.add(Files.readAllBytes(p));
        NAMES.add(p.getFileName().toString());
      }
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}

package wganc.runtime.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Products and convolutions give the same bits whatever the vector width: each width (16, 8 and 4
 * floats, -Dwganc.vector.lanes) runs in its own JVM (the width is fixed when the kernels' classes
 * load) over every path (packed, skinny, shallow, transposed operands, edges; im2col convolutions
 * and the few-output-channel ones), and the SHA-256 of all outputs must agree. Widths the CPU lacks
 * run the Vector API's Java fallback: slow, but exact, which is what is compared.
 */
class VectorWidthTest {
  @Test
  void everyWidthGivesTheSameBits() throws Exception {
    Map<Integer, String> digests = new LinkedHashMap<>();
    for (int lanes : new int[] {16, 8, 4}) digests.put(lanes, run(lanes));
    String lanes16 = digests.get(16);
    for (var e : digests.entrySet()) assertEquals(lanes16, e.getValue(), "SHA-256 of the outputs at " + e.getKey() + " lanes vs 16");
  }

  private static String run(int lanes) throws IOException, InterruptedException {
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    List<String> cmd = new ArrayList<>(List.of(java.toString(), "--add-modules", "jdk.incubator.vector",
        "-Dwganc.vector.lanes=" + lanes, "-cp", System.getProperty("java.class.path"), Outputs.class.getName()));
    Path err = Files.createTempFile("wganc-lanes", ".err");
    Process p = new ProcessBuilder(cmd).redirectError(err.toFile()).start();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    p.getInputStream().transferTo(out);
    if (!p.waitFor(300, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError(lanes + " lanes: timed out");
    }
    String text = out.toString().trim();
    String errors = Files.readString(err);
    Files.delete(err);
    assertEquals(0, p.exitValue(), lanes + " lanes: " + text + "\n" + errors);
    String[] lines = text.split("\n");
    assertEquals("lanes " + lanes, lines[0].trim(), "the child ran at the width asked for");
    return lines[lines.length - 1].trim();
  }

  /** The child: prints "lanes L" and the digest of every output. */
  public static final class Outputs {
    public static void main(String[] args) throws NoSuchAlgorithmException {
      System.out.println("lanes " + Gemm.L);
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      SplittableRandom r = new SplittableRandom(7);
      int[][] shapes = {{100, 130, 70}, {37, 64, 300}, {256, 2, 512}, {200, 1, 700}, {3, 512, 256},
          {256, 512, 2}, {64, 48, 3}, {9, 33, 17}};
      for (int[] s : shapes)
        for (int t = 0; t < 4; t++) {
          boolean ta = (t & 1) != 0, tb = (t & 2) != 0;
          int m = s[0], n = s[1], k = s[2];
          float[] a = Ref.random(r, m * k), b = Ref.random(r, k * n), c = Ref.random(r, m * n);
          Gemm.sgemm(ta, tb, m, n, k, 1.5f, a, 0, ta ? m : k, b, 0, tb ? k : n, 0.5f, c, 0, n);
          update(md, c);
        }
      ConvTest.Shape[] convs = {
          ConvTest.Shape.of(3, 2, 9, 8, 5, 5, 5, 2, 2, 1, 2, 1, 2),
          ConvTest.Shape.of(2, 3, 11, 10, 40, 4, 4, 2, 2, 1, 2, 1, 2),
          ConvTest.Shape.of(4, 16, 14, 14, 64, 5, 5, 2, 2, 1, 2, 1, 2),
          ConvTest.Shape.of(3, 8, 28, 28, 1, 5, 5, 1, 1, 2, 2, 2, 2),   // few output channels
          ConvTest.Shape.of(2, 4, 13, 13, 3, 3, 3, 2, 2, 1, 1, 1, 1),
      };
      for (ConvTest.Shape s : convs)
        for (float[] o : ConvTest.runAll(s, 3, false)) update(md, o);
      System.out.println(HexFormat.of().formatHex(md.digest()));
    }

    private static void update(MessageDigest md, float[] v) {
      ByteBuffer bb = ByteBuffer.allocate(4 * v.length);
      for (float x : v) bb.putInt(Float.floatToRawIntBits(x));
      md.update(bb.array());
    }
  }
}

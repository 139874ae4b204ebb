package wganc.emit.tornado;

import static wganc.runtime.train.DeviceCounters.word;

import com.palantir.javapoet.MethodSpec;
import java.util.ArrayList;
import java.util.List;
import javax.lang.model.element.Modifier;
import wganc.runtime.data.Toy2d;
import wganc.runtime.train.DataFeed;
import wganc.runtime.train.DeviceCounters;
import wganc.runtime.train.ModelSpec;

/**
 * The kernels through which a phase gets its data batches on the device and moves the counters on.
 *
 * <p>{@code take}: an image source's batch is gathered from {@code data<d>} (every image, sent once)
 * through {@code order<d>} (the epoch's visiting order) from the cursor in {@code counters}; a toy
 * source's points are drawn here, as {@link Toy2d#sample} draws them on the host: sample {@code i}
 * from Philox draws {@code 3i, 3i+1, 3i+2} of the source's stream and key at the step in
 * {@code counters}, in double, each coordinate rounded to float at the end. Double {@code log},
 * {@code cos} and {@code sin} come from the device's math library rather than fdlibm, so a point may
 * differ from the host's in its last bit. A given batch (no source attached: a replay, a trace) is
 * gathered like an image batch, in order from position 0.
 *
 * <p>{@code advance}, the last kernel of every phase: the step plus one, and each image source's
 * position plus the batch the phase took, as {@code DeviceState.run} counts on the host.
 */
final class TornadoData {
  private TornadoData() {}

  /** The kernel that fills {@code out} with the phase's batch of {@code n} samples of source {@code d}. */
  static MethodSpec take(String name, ModelSpec.Data data, int d, int n) {
    int size = data.rowSize();
    MethodSpec.Builder m = MethodSpec.methodBuilder(name).addModifiers(Modifier.PUBLIC, Modifier.STATIC)
        .addParameter(TornadoNames.FLOAT_ARRAY, "out").addParameter(TornadoNames.FLOAT_ARRAY, "data")
        .addParameter(TornadoNames.INT_ARRAY, "order").addParameter(TornadoNames.INT_ARRAY, "counters");
    int position = word(d, DeviceCounters.POSITION);
    if (!data.kind().equals("toy")) {
      m.addJavadoc("`$L`: a batch of $L images, gathered from `data` in the epoch's `order` from the cursor.\n",
          data.name(), n);
      m.beginControlFlow("for (@$T int o = 0; o < $L; o++)", TornadoNames.PARALLEL, n * size);
      m.addStatement("out.set(o, data.get(order.get(counters.get($L) + o / $L) * $L + o % $L))", position, size, size,
          size);
      return m.endControlFlow().build();
    }
    Toy2d toy = DataFeed.toy(data);
    m.addJavadoc("`$L`: $L points of $L drawn here (mode 0) or a given batch gathered from `data` (mode 1).\n",
        data.name(), n, data.toy());
    List<String> b = new ArrayList<>();
    b.add("for (@Parallel int i = 0; i < " + n + "; i++) {");
    b.add("  if (counters.get(" + word(d, DeviceCounters.MODE) + ") == 0) {");
    List<String> draw = new ArrayList<>();
    draw.add("int s0 = counters.get(0);");
    draw.add("int s1 = counters.get(1);");
    draw.add("int key0 = counters.get(" + word(d, DeviceCounters.SEED_LO) + ");");
    draw.add("int key1 = counters.get(" + word(d, DeviceCounters.SEED_HI) + ");");
    draw.add("int stream = counters.get(" + word(d, DeviceCounters.STREAM) + ");");
    philox(draw, "a", "3 * i");
    philox(draw, "b", "3 * i + 1");
    philox(draw, "c", "3 * i + 2");
    draw.add("double nx = " + normal("b") + ";");
    draw.add("double ny = " + normal("c") + ";");
    switch (toy.kind()) {
      case EIGHT_GAUSSIANS, TWENTY_FIVE_GAUSSIANS -> {
        double[][] c = toy.centres();
        draw.add("int k = (int) (((a0 & 0xFFFFFFFFL) * " + c.length + "L) >> 32);");
        draw.add("double x = " + table(c, 0) + " + " + toy.std() + " * nx;");
        draw.add("double y = " + table(c, 1) + " + " + toy.std() + " * ny;");
      }
      case SWISS_ROLL -> {
        draw.add("double t = 1.5 * " + Math.PI + " * (1 + 2 * (" + bits53("a0", "a1") + " * 0x1.0p-53));");
        draw.add("double x = (t * TornadoMath.cos(t) + " + toy.std() + " * nx) / " + toy.scale() + ";");
        draw.add("double y = (t * TornadoMath.sin(t) + " + toy.std() + " * ny) / " + toy.scale() + ";");
      }
    }
    draw.add("out.set(2 * i, (float) x);");
    draw.add("out.set(2 * i + 1, (float) y);");
    for (String line : draw) b.add("    " + line);
    b.add("  } else {");
    b.add("    int at = order.get(counters.get(" + position + ") + i) * 2;");
    b.add("    out.set(2 * i, data.get(at));");
    b.add("    out.set(2 * i + 1, data.get(at + 1));");
    b.add("  }");
    b.add("}");
    for (String line : b) m.addCode(TornadoNames.code(line + "\n"));
    return m.build();
  }

  /** The phase's last kernel: one step on, and {@code advance[d]} samples on for each image source. */
  static MethodSpec advance(int[] advance) {
    MethodSpec.Builder m = MethodSpec.methodBuilder("advance").addModifiers(Modifier.PUBLIC, Modifier.STATIC)
        .addJavadoc("The counters after this phase: the step plus one$L.\n",
            java.util.Arrays.stream(advance).anyMatch(a -> a > 0) ? ", the image cursors past the batches taken" : "")
        .addParameter(TornadoNames.INT_ARRAY, "counters")
        .beginControlFlow("for (@$T int i = 0; i < 1; i++)", TornadoNames.PARALLEL)
        .addStatement("int low = counters.get(0) + 1")
        .addStatement("counters.set(0, low)")
        .beginControlFlow("if (low == 0)").addStatement("counters.set(1, counters.get(1) + 1)").endControlFlow();
    for (int d = 0; d < advance.length; d++) {
      if (advance[d] == 0) continue;
      int p = word(d, DeviceCounters.POSITION);
      m.addStatement("counters.set($L, counters.get($L) + $L)", p, p, advance[d]);
    }
    return m.endControlFlow().build();
  }

  /**
   * Philox4x32-10 of counter (index, step, stream) and the source's key into {@code p0..p3} for prefix
   * {@code p}, as {@code wganc.runtime.rng.Philox.draw} (and the emitted random draws) compute it.
   */
  private static void philox(List<String> b, String p, String index) {
    b.add("int " + p + "0 = " + index + ";");
    b.add("int " + p + "1 = s0;");
    b.add("int " + p + "2 = s1;");
    b.add("int " + p + "3 = stream;");
    b.add("int " + p + "k0 = key0;");
    b.add("int " + p + "k1 = key1;");
    b.add("for (int round = 0; round < 10; round++) {");
    b.add("  long lo = 0xD2511F53L * (" + p + "0 & 0xFFFFFFFFL);");
    b.add("  long hi = 0xCD9E8D57L * (" + p + "2 & 0xFFFFFFFFL);");
    b.add("  int n0 = ((int) (hi >> 32)) ^ " + p + "1 ^ " + p + "k0;");
    b.add("  int n2 = ((int) (lo >> 32)) ^ " + p + "3 ^ " + p + "k1;");
    b.add("  " + p + "0 = n0;");
    b.add("  " + p + "1 = (int) hi;");
    b.add("  " + p + "2 = n2;");
    b.add("  " + p + "3 = (int) lo;");
    b.add("  " + p + "k0 += 0x9E3779B9;");
    b.add("  " + p + "k1 += 0xBB67AE85;");
    b.add("}");
  }

  /** {@code Philox.normalDouble} of draw {@code p}: Box–Muller on two 53-bit uniforms. */
  private static String normal(String p) {
    return "TornadoMath.sqrt(-2.0 * TornadoMath.log((" + bits53(p + "0", p + "1") + " + 1) * 0x1.0p-53))"
        + " * TornadoMath.cos(6.283185307179586 * (" + bits53(p + "2", p + "3") + " * 0x1.0p-53))";
  }

  /** {@code Philox.bits53(hi, lo)} as a double; {@code >>>} written as a masked {@code >>} (see TornadoLoops.philox). */
  private static String bits53(String hi, String lo) {
    return "(double) ((((long) ((" + hi + " >> 5) & 0x7FFFFFF)) << 26) | ((" + lo + " >> 6) & 0x3FFFFFF))";
  }

  /** Coordinate {@code axis} of centre {@code k} as nested conditionals over the exact doubles. */
  private static String table(double[][] c, int axis) {
    StringBuilder s = new StringBuilder("(");
    for (int k = 0; k < c.length - 1; k++) s.append("k == ").append(k).append(" ? ").append(c[k][axis]).append(" : ");
    return s.append(c[c.length - 1][axis]).append(")").toString();
  }
}

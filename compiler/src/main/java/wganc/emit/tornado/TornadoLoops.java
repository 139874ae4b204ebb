package wganc.emit.tornado;

import static wganc.emit.tornado.TornadoNames.code;
import static wganc.plan.Tiling.BLOCK;
import static wganc.plan.Tiling.GROUP;
import static wganc.plan.Tiling.PER_THREAD;
import static wganc.plan.Tiling.TILE;

import com.palantir.javapoet.MethodSpec;
import java.util.ArrayList;
import java.util.List;
import wganc.loop.JavaText;
import wganc.loop.LoopKernel;
import wganc.ops.RandomDraw;
import wganc.plan.Schedule;
import wganc.plan.Tiling;

/**
 * The bodies of the non-elementwise TornadoVM kernels. Each is one {@code @Parallel} loop over the
 * flat index {@code o} of its output: the thread decodes its output coordinates, runs the reduction
 * (matmul's k, a convolution's window, a sum's reduced axes) sequentially in a fixed order in a float
 * accumulator {@code acc}, then writes {@code out.set(o, ..)}, after the fused epilogue when there is
 * one. No atomics, no {@code @Reduce}: results are deterministic on every device. The tiled forms
 * ({@code KernelContext}, local memory) print what the kernel's {@link Tiling} says.
 */
final class TornadoLoops {
  private TornadoLoops() {}

  /** The one-thread-per-output form of primitive kernel {@code k}. */
  static void op(MethodSpec.Builder m, Schedule.Kernel.Primitive k, Operands ops) {
    List<String> body = new ArrayList<>();
    switch (k.loops()) {
      case LoopKernel.Gather g -> gather(body, g, ops);
      case LoopKernel.Gemm g -> gather(body, g.loops(), ops);
      case LoopKernel.Conv c -> gather(body, c.loops(), ops);
      case LoopKernel.Draw d -> philox(body, d.kind(), d.seed(), d.stream());
      case LoopKernel.AllSum a -> throw new IllegalArgumentException(TornadoBackend.NOT_DISTRIBUTED);
    }
    m.beginControlFlow("for (@$T int o = 0; o < $L; o++)", TornadoNames.PARALLEL, k.out().type().size());
    for (String line : body) m.addCode(code(line + "\n"));
    if (k.epilogue() != null) m.addComment("epilogue on the result, before it is stored");
    m.addStatement(code("out.set(o, " + Expressions.finish(k, ops) + ")"));
    m.endControlFlow();
  }

  /** The nest's value at output {@code o} into {@code float acc}, one thread per output element. */
  private static void gather(List<String> body, LoopKernel.Gather g, Operands ops) {
    JavaText.Body b = JavaText.of(g, "o", ops::get);
    body.addAll(b.lines());
    body.add("float acc = " + b.result() + ";");
  }

  /**
   * A large sum as a {@code KernelContext} kernel: one TILE x TILE work-group per output; thread t
   * sums the reduced elements t, t + GROUP, t + 2 GROUP, .. in order, then the group adds its partial
   * sums in local memory in a fixed tree (halving, a barrier per level). Deterministic, no atomics:
   * the two passes of a parallel reduction inside one kernel.
   */
  private static void tiledReduce(MethodSpec.Builder m, Schedule.Kernel.Primitive k, Operands ops, long redSize) {
    List<Integer> in = ops.dims(0);
    int[] axes = k.apply().attrs().intArray("axes");
    boolean[] reduced = new boolean[in.size()];
    for (int a : axes) reduced[a] = true;
    long[] stride = Expressions.strides(in);
    List<Integer> kept = new ArrayList<>(), red = new ArrayList<>();
    for (int d = 0; d < in.size(); d++) (reduced[d] ? red : kept).add(d);
    List<String> b = new ArrayList<>();
    b.add("int t = context.localIdy * " + TILE + " + context.localIdx;");
    b.add("int o = context.groupIdy;");
    decode(b, "", "o", "rest", "base", kept, in, stride);
    b.add("float[] part = context.allocateFloatLocalArray(" + GROUP + ");");
    b.add("float acc = 0f;");
    b.add("for (int r = t; r < " + redSize + "; r += " + GROUP + ") {");
    decode(b, "  ", "r", "q", "at", red, in, stride);
    b.add("  at += base;");
    b.add("  acc += " + ops.get(0, "at") + ";");
    b.add("}");
    b.add("part[t] = acc;");
    b.add("context.localBarrier();");
    b.add("for (int s = " + GROUP / 2 + "; s > 0; s = s / 2) {");
    b.add("  if (t < s) {");
    b.add("    part[t] = part[t] + part[t + s];");
    b.add("  }");
    b.add("  context.localBarrier();");
    b.add("}");
    b.add("if (t == 0) {");
    b.add("  out.set(o, part[0]);");
    b.add("}");
    for (String line : b) m.addCode(code(line + "\n"));
  }

  /**
   * A contraction as a GEMM, {@code out[row, col] = sum over p of A(row, p) B(p, col)}: the sizes
   * (the plan's, from the loop kernel), statements that decode {@code gc} (the column) into named coordinates, and for each operand the
   * statements that decode its k index ({@code pa}, {@code pb}), the condition under which the
   * element exists (else it is 0: padding, strides) and the expression that reads it; then the flat
   * output index from {@code gr}, {@code gc} and the decoded coordinates.
   */
  private record Gemm(Tiling.GemmSize size, List<String> decodeCol, List<String> decodeA, String aCond,
      String a, List<String> decodeB, String bCond, String b, String out) {
    int rows() { return size.rows(); }
    int cols() { return size.cols(); }
    int kk() { return size.k(); }
  }

  /** The GEMM view of contraction {@code k}, of the plan's {@code size}. */
  private static Gemm gemm(Schedule.Kernel.Primitive k, Operands ops, Tiling.GemmSize size) {
    return switch (k.loops()) {
      case LoopKernel.Gemm g -> new Gemm(size, List.of(), List.of(), null,
          ops.get(0, g.ta() ? "pa * " + g.m() + " + gr" : "gr * " + g.k() + " + pa"), List.of(), null,
          ops.get(1, g.tb() ? "gc * " + g.k() + " + pb" : "pb * " + g.n() + " + gc"), "gr * " + g.n() + " + gc");
      case LoopKernel.Conv c -> convGemm(c, ops, size);
      case LoopKernel.Gather g -> throw new IllegalArgumentException("a loop nest has no GEMM form: " + g.text());
      case LoopKernel.Draw d -> throw new IllegalArgumentException("a draw has no GEMM form: " + d.text());
      case LoopKernel.AllSum a -> throw new IllegalArgumentException(TornadoBackend.NOT_DISTRIBUTED);
    };
  }

  /**
   * A convolution with {@code x [N,C,H,W]}, {@code w [O,C,kh,kw]}, {@code y [N,O,Ho,Wo]} (as
   * the op's loop kernel) as a GEMM. Forward: rows f, columns (n, oy, ox), k (c, i, j), A = w, B = x.
   * Backward input ({@code dx}; operand 0 = dy, 1 = w): rows c, columns (n, hi, wi), k (f, i, j),
   * input row hi meeting kernel row i at output row (hi + top - i) / sh where that divides exactly.
   * Backward weight ({@code dw}; operand 0 = x, 1 = dy): rows f, columns (c, i, j), k (n, r, q),
   * A = dy, B = x. Each k order is the one the one-thread-per-output kernel sums in.
   */
  private static Gemm convGemm(LoopKernel.Conv c, Operands ops, Tiling.GemmSize size) {
    List<Integer> x = c.x(), w = c.w(), y = c.y();
    int cc = x.get(1), h = x.get(2), ww = x.get(3), oo = w.get(0), kh = w.get(2), kw = w.get(3);
    int oh = y.get(2), ow = y.get(3), sh = c.geometry().sh(), sw = c.geometry().sw();
    int top = c.geometry().top(), left = c.geometry().left();
    String inside = "hi >= 0 && hi < " + h + " && wi >= 0 && wi < " + ww;
    return switch (c.direction()) {
      case FORWARD -> new Gemm(size,
          List.of("int n = gc / " + oh * ow + ";", "int oy = (gc / " + ow + ") % " + oh + ";", "int ox = gc % " + ow + ";"),
          List.of(), null, ops.get(1, "gr * " + cc * kh * kw + " + pa"),
          List.of("int bc = pb / " + kh * kw + ";", "int hi = oy * " + sh + " + (pb / " + kw + ") % " + kh + " - " + top + ";",
              "int wi = ox * " + sw + " + pb % " + kw + " - " + left + ";"),
          inside, ops.get(0, "((n * " + cc + " + bc) * " + h + " + hi) * " + ww + " + wi"),
          "((n * " + oo + " + gr) * " + oh + " + oy) * " + ow + " + ox");
      case BACKWARD_INPUT -> new Gemm(size,
          List.of("int n = gc / " + h * ww + ";", "int hi = (gc / " + ww + ") % " + h + ";", "int wi = gc % " + ww + ";"),
          List.of("int af = pa / " + kh * kw + ";"), null,
          ops.get(1, "((af * " + cc + " + gr) * " + kh + " + (pa / " + kw + ") % " + kh + ") * " + kw + " + pa % " + kw),
          List.of("int bf = pb / " + kh * kw + ";", "int rs = hi + " + top + " - (pb / " + kw + ") % " + kh + ";",
              "int qs = wi + " + left + " - pb % " + kw + ";"),
          "rs >= 0 && rs % " + sh + " == 0 && rs / " + sh + " < " + oh + " && qs >= 0 && qs % " + sw + " == 0 && qs / "
              + sw + " < " + ow,
          ops.get(0, "((n * " + oo + " + bf) * " + oh + " + rs / " + sh + ") * " + ow + " + qs / " + sw),
          "((n * " + cc + " + gr) * " + h + " + hi) * " + ww + " + wi");
      case BACKWARD_WEIGHT -> new Gemm(size,
          List.of("int wc = gc / " + kh * kw + ";", "int ki = (gc / " + kw + ") % " + kh + ";", "int kj = gc % " + kw + ";"),
          List.of(), null,
          ops.get(1, "((pa / " + oh * ow + " * " + oo + " + gr) * " + oh + " + (pa / " + ow + ") % " + oh + ") * " + ow
              + " + pa % " + ow),
          List.of("int bn = pb / " + oh * ow + ";", "int hi = (pb / " + ow + ") % " + oh + " * " + sh + " + ki - " + top + ";",
              "int wi = pb % " + ow + " * " + sw + " + kj - " + left + ";"),
          inside, ops.get(0, "((bn * " + cc + " + wc) * " + h + " + hi) * " + ww + " + wi"),
          "gr * " + cc * kh * kw + " + gc");
    };
  }

  /**
   * A register-blocked tiled GEMM: a TILE x TILE work-group computes a BLOCK x BLOCK block of the
   * output, each thread PER_THREAD x PER_THREAD outputs ({@code acc<i><j>}, rows {@code lr + TILE i},
   * columns {@code lc + TILE j} of the block, so neighbouring threads touch neighbouring elements).
   * Each step along k, the threads load a BLOCK x TILE tile of A and a TILE x BLOCK tile of B into
   * local memory (PER_THREAD elements each), synchronise, and every thread accumulates its outputs
   * from them, PER_THREAD^2 multiply-adds for every 2 PER_THREAD values it reads from local memory
   * (the plain tile: one for two). Each output is summed over k in ascending order, as in the other
   * forms, so the results are the same.
   */
  private static void tiledBlocked(MethodSpec.Builder m, Schedule.Kernel.Primitive k, Operands ops, Gemm g) {
    int t = TILE, n = PER_THREAD, blk = BLOCK;
    List<String> b = new ArrayList<>();
    b.add("int lr = context.localIdy;");
    b.add("int lc = context.localIdx;");
    b.add("int row0 = " + blk + " * context.groupIdy + lr;");
    b.add("int col0 = " + blk + " * context.groupIdx + lc;");
    b.add("float[] aTile = context.allocateFloatLocalArray(" + blk * t + ");");
    b.add("float[] bTile = context.allocateFloatLocalArray(" + t * blk + ");");
    for (int i = 0; i < n; i++) for (int j = 0; j < n; j++) b.add("float acc" + i + j + " = 0f;");
    b.add("for (int t = 0; t < " + g.kk() + "; t += " + t + ") {");
    for (int i = 0; i < n; i++) {
      // A(row0 + TILE i, t + lc) into aTile[(lr + TILE i) * TILE + lc]
      b.add("  {");
      b.add("    int gr = row0 + " + t * i + ";");
      b.add("    int pa = t + lc;");
      b.add("    float a = 0f;");
      b.add("    if (gr < " + g.rows() + " && pa < " + g.kk() + ") {");
      load(b, g.decodeA(), g.aCond(), "a = " + g.a() + ";", "      ");
      b.add("    }");
      b.add("    aTile[(lr + " + t * i + ") * " + t + " + lc] = a;");
      b.add("  }");
    }
    for (int j = 0; j < n; j++) {
      // B(t + lr, col0 + TILE j) into bTile[lr * BLOCK + lc + TILE j]
      b.add("  {");
      b.add("    int gc = col0 + " + t * j + ";");
      b.add("    int pb = t + lr;");
      b.add("    float bv = 0f;");
      b.add("    if (pb < " + g.kk() + " && gc < " + g.cols() + ") {");
      for (String d : g.decodeCol()) b.add("      " + d);
      load(b, g.decodeB(), g.bCond(), "bv = " + g.b() + ";", "      ");
      b.add("    }");
      b.add("    bTile[lr * " + blk + " + lc + " + t * j + "] = bv;");
      b.add("  }");
    }
    b.add("  context.localBarrier();");
    b.add("  for (int p = 0; p < " + t + "; p++) {");
    for (int i = 0; i < n; i++) b.add("    float a" + i + " = aTile[(lr + " + t * i + ") * " + t + " + p];");
    for (int j = 0; j < n; j++) b.add("    float b" + j + " = bTile[p * " + blk + " + lc + " + t * j + "];");
    for (int i = 0; i < n; i++) for (int j = 0; j < n; j++) b.add("    acc" + i + j + " += a" + i + " * b" + j + ";");
    b.add("  }");
    b.add("  context.localBarrier();");
    b.add("}");
    for (String line : b) m.addCode(code(line + "\n"));
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < n; j++) {
        m.addCode("{\n$>");
        m.addStatement("int gr = row0 + $L", t * i).addStatement("int gc = col0 + $L", t * j);
        m.beginControlFlow("if (gr < $L && gc < $L)", g.rows(), g.cols());
        for (String d : g.decodeCol()) m.addCode(code(d + "\n"));
        m.addStatement("int o = $L", g.out()).addStatement("float acc = acc$L$L", i, j);
        if (k.epilogue() != null) m.addComment("epilogue on the result, before it is stored");
        m.addStatement(code("out.set(o, " + Expressions.finish(k, ops) + ")"));
        m.endControlFlow();
        m.addCode("$<}\n");
      }
    }
  }

  /** The {@code KernelContext} form of {@code k} that {@code tiling} says. */
  static void tiled(MethodSpec.Builder m, Schedule.Kernel.Primitive k, Operands ops, Tiling tiling) {
    switch (tiling) {
      case Tiling.GroupSum r -> tiledReduce(m, k, ops, r.reduced());
      case Tiling.Plain p -> tiledPlain(m, k, ops, gemm(k, ops, p.gemm()));
      case Tiling.Blocked b -> tiledBlocked(m, k, ops, gemm(k, ops, b.gemm()));
    }
  }

  /**
   * A matmul or convolution as a {@code KernelContext} kernel over its {@link Gemm}: a TILE x TILE
   * work-group computes a TILE x TILE block of the output, walking k in steps of TILE; each step its
   * threads load one element each of the A and B tiles into local memory (zero outside the operands
   * and in padding), synchronise, and accumulate from the tiles. The sum runs over k in ascending
   * order, as the one-thread-per-output kernel's does.
   */
  private static void tiledPlain(MethodSpec.Builder m, Schedule.Kernel.Primitive k, Operands ops, Gemm g) {
    int t = TILE;
    List<String> b = new ArrayList<>();
    b.add("int lr = context.localIdy;");
    b.add("int lc = context.localIdx;");
    b.add("int gr = " + t + " * context.groupIdy + lr;");
    b.add("int gc = " + t + " * context.groupIdx + lc;");
    b.addAll(g.decodeCol());
    b.add("float[] aTile = context.allocateFloatLocalArray(" + t * t + ");");
    b.add("float[] bTile = context.allocateFloatLocalArray(" + t * t + ");");
    b.add("float acc = 0f;");
    b.add("for (int t = 0; t < " + g.kk() + "; t += " + t + ") {");
    b.add("  int pa = t + lc;");
    b.add("  int pb = t + lr;");
    b.add("  float a = 0f;");
    b.add("  if (gr < " + g.rows() + " && pa < " + g.kk() + ") {");
    load(b, g.decodeA(), g.aCond(), "a = " + g.a() + ";");
    b.add("  }");
    b.add("  float bv = 0f;");
    b.add("  if (pb < " + g.kk() + " && gc < " + g.cols() + ") {");
    load(b, g.decodeB(), g.bCond(), "bv = " + g.b() + ";");
    b.add("  }");
    b.add("  aTile[lr * " + t + " + lc] = a;");
    b.add("  bTile[lr * " + t + " + lc] = bv;");
    b.add("  context.localBarrier();");
    b.add("  for (int p = 0; p < " + t + "; p++) {");
    b.add("    acc += aTile[lr * " + t + " + p] * bTile[p * " + t + " + lc];");
    b.add("  }");
    b.add("  context.localBarrier();");
    b.add("}");
    for (String line : b) m.addCode(code(line + "\n"));
    m.beginControlFlow("if (gr < $L && gc < $L)", g.rows(), g.cols());
    m.addStatement("int o = $L", g.out());
    if (k.epilogue() != null) m.addComment("epilogue on the result, before it is stored");
    m.addStatement(code("out.set(o, " + Expressions.finish(k, ops) + ")"));
    m.endControlFlow();
  }

  /** {@link #load(List, List, String, String, String)} at the plain tile's indent. */
  private static void load(List<String> b, List<String> decode, String cond, String read) {
    load(b, decode, cond, read, "    ");
  }

  /** Statements that decode an operand's index and, where {@code cond} holds (always when null), {@code read}. */
  private static void load(List<String> b, List<String> decode, String cond, String read, String in) {
    for (String d : decode) b.add(in + d);
    if (cond == null) {
      b.add(in + read);
    } else {
      b.add(in + "if (" + cond + ") {");
      b.add(in + "  " + read);
      b.add(in + "}");
    }
  }

  /**
   * Statements decoding the flat index {@code from} over {@code axes} of {@code in} (row-major) into
   * the offset {@code offset} of that element: {@code int rest = from; int offset = 0; ...}.
   */
  private static void decode(List<String> b, String indent, String from, String rest, String offset,
      List<Integer> axes, List<Integer> in, long[] stride) {
    b.add(indent + "int " + rest + " = " + from + ";");
    b.add(indent + "int " + offset + " = 0;");
    for (int i = axes.size() - 1; i >= 0; i--) {
      int d = axes.get(i);
      b.add(indent + offset + " += (" + rest + " % " + in.get(d) + ") * " + stride[d] + ";");
      b.add(indent + rest + " = " + rest + " / " + in.get(d) + ";");
    }
  }

  /**
   * Philox4x32-10 as {@code wganc.runtime.rng.Philox}: counter (o, step lo, step hi, stream; the step
   * from the resident {@code counters}), key
   * (seed lo, seed hi); 32x32 to 64-bit products in long arithmetic. Uniform: {@code (x0 >>> 8) 2^-24};
   * normal: Box–Muller in double on {@code x0, x1} (cosine branch). {@code x >>> 8} is written
   * {@code (x >> 8) & 0xFFFFFF}: TornadoVM 5.2 (OpenCL, PoCL) computed the int {@code >>>} as a signed
   * shift, which put uniforms in [-1, 1).
   */
  private static void philox(List<String> b, RandomDraw r, long seed, int stream) {
    b.add("int c0 = o;");
    b.add("int c1 = counters.get(0);");
    b.add("int c2 = counters.get(1);");
    b.add("int c3 = " + stream + ";");
    b.add("int k0 = " + (int) seed + ";");
    b.add("int k1 = " + (int) (seed >>> 32) + ";");
    b.add("for (int round = 0; round < 10; round++) {");
    b.add("  long p0 = 0xD2511F53L * (c0 & 0xFFFFFFFFL);");
    b.add("  long p1 = 0xCD9E8D57L * (c2 & 0xFFFFFFFFL);");
    b.add("  int n0 = ((int) (p1 >> 32)) ^ c1 ^ k0;");
    b.add("  int n2 = ((int) (p0 >> 32)) ^ c3 ^ k1;");
    b.add("  c0 = n0;");
    b.add("  c1 = (int) p1;");
    b.add("  c2 = n2;");
    b.add("  c3 = (int) p0;");
    b.add("  k0 += 0x9E3779B9;");
    b.add("  k1 += 0xBB67AE85;");
    b.add("}");
    if (r == RandomDraw.UNIFORM) {
      b.add("float acc = ((c0 >> 8) & 0xFFFFFF) * 0x1.0p-24f;");
    } else {
      b.add("double u1 = (((c0 >> 8) & 0xFFFFFF) + 1) * 0x1.0p-24;");
      b.add("double u2 = ((c1 >> 8) & 0xFFFFFF) * 0x1.0p-24;");
      b.add("float acc = (float) (TornadoMath.sqrt(-2.0 * TornadoMath.log(u1)) * TornadoMath.cos(6.283185307179586 * u2));");
    }
  }
}

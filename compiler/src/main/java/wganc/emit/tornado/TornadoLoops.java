package wganc.emit.tornado;

import com.palantir.javapoet.MethodSpec;
import java.util.ArrayList;
import java.util.List;
import wganc.ir.Attrs;
import wganc.ir.Value;
import wganc.ops.Conv2d;
import wganc.ops.Conv2dBackwardInput;
import wganc.ops.Conv2dBackwardWeight;
import wganc.ops.Matmul;
import wganc.ops.Pad;
import wganc.ops.RandomDraw;
import wganc.ops.ReduceSum;
import wganc.ops.Resample;
import wganc.ops.Transpose;
import wganc.plan.Schedule;

/**
 * The bodies of the non-elementwise TornadoVM kernels. Each is one {@code @Parallel} loop over the
 * flat index {@code o} of its output: the thread decodes its output coordinates, runs the reduction
 * (matmul's k, a convolution's window, a sum's reduced axes) sequentially in a fixed order in a float
 * accumulator {@code acc}, then writes {@code out.set(o, ..)}, after the fused epilogue when there is
 * one. No atomics, no {@code @Reduce}: results are deterministic on every device. Tiled forms
 * ({@code KernelContext}, local memory) are a later step.
 */
final class TornadoLoops {
  private TornadoLoops() {}

  static void op(MethodSpec.Builder m, Schedule.Kernel.Op k, Operands ops, TornadoEmitter e) {
    Attrs at = k.apply().attrs();
    List<Integer> out = (k.inner() != null ? k.inner() : k.out()).type().dims();
    int n = k.out().type().size();
    List<String> body = new ArrayList<>();
    switch (k.apply().op()) {
      case Matmul mm -> {
        boolean ta = at.b("ta", false), tb = at.b("tb", false);
        List<Integer> ad = ops.dims(0);
        int rows = out.get(0), cols = out.get(1), kk = ta ? ad.get(0) : ad.get(1);
        body.add("int r = o / " + cols + ";");
        body.add("int c = o % " + cols + ";");
        body.add("float acc = 0f;");
        String a = ops.get(0, ta ? "p * " + rows + " + r" : "r * " + kk + " + p");
        String b = ops.get(1, tb ? "c * " + kk + " + p" : "p * " + cols + " + c");
        body.add("for (int p = 0; p < " + kk + "; p++) {");
        body.add("  acc += " + a + " * " + b + ";");
        body.add("}");
      }
      case Conv2d c -> conv(body, ops, Target.OUTPUT, ops.dims(0), ops.dims(1), out, at);
      case Conv2dBackwardInput c -> conv(body, ops, Target.INPUT, out, ops.dims(1), ops.dims(0), at);
      case Conv2dBackwardWeight c -> conv(body, ops, Target.WEIGHT, ops.dims(0), out, ops.dims(1), at);
      case ReduceSum r -> reduceSum(body, ops, ops.dims(0), at.intArray("axes"));
      case Transpose t -> transpose(body, ops, ops.dims(0), out, at.intArray("perm"));
      case Pad p -> pad(body, ops, ops.dims(0), out, at.intArray("lo"));
      case Resample r -> resample(body, ops, r, ops.dims(0), out, at.intArray("factor"));
      case RandomDraw r -> philox(body, r, at.l("seed"), at.i("stream"));
      default -> throw new IllegalStateException("the TornadoVM backend cannot lower `" + k.apply().op().opName() + "`");
    }
    m.beginControlFlow("for (@$T int o = 0; o < $L; o++)", TornadoEmitter.PARALLEL, n);
    for (String line : body) m.addCode(TornadoEmitter.code(line + "\n"));
    if (k.epilogue() != null) m.addComment("epilogue on the result, before it is stored");
    m.addStatement(TornadoEmitter.code("out.set(o, " + e.finish(k, ops) + ")"));
    m.endControlFlow();
  }

  enum Target { OUTPUT, INPUT, WEIGHT }

  /**
   * Convolution {@code x [N,C,H,W]}, {@code w [O,C,kh,kw]}, {@code y [N,O,Ho,Wo]}: input row
   * {@code oh*sh + i - top} meets kernel row i at output row oh (as the reference's ConvLoops). The
   * kernel's output is {@code y} (forward; operand 0 = x, 1 = w), {@code x} (backward input; 0 = dy,
   * 1 = w) or {@code w} (backward weight; 0 = x, 1 = dy).
   */
  private static void conv(List<String> b, Operands ops, Target t, List<Integer> x, List<Integer> w, List<Integer> y, Attrs at) {
    int[] s = at.intArray("stride"), p = at.intArray("pad");
    int nn = x.get(0), cc = x.get(1), h = x.get(2), ww = x.get(3);
    int oo = w.get(0), kh = w.get(2), kw = w.get(3), oh = y.get(2), ow = y.get(3);
    int sh = s[0], sw = s[1], top = p[0], left = p[2];
    b.add("float acc = 0f;");
    switch (t) {
      case OUTPUT -> {
        b.add("int q = o % " + ow + ";");
        b.add("int r = (o / " + ow + ") % " + oh + ";");
        b.add("int f = (o / " + (ow * oh) + ") % " + oo + ";");
        b.add("int n = o / " + (ow * oh * oo) + ";");
        b.add("for (int c = 0; c < " + cc + "; c++) {");
        b.add("  for (int i = 0; i < " + kh + "; i++) {");
        b.add("    int hi = r * " + sh + " + i - " + top + ";");
        b.add("    if (hi >= 0 && hi < " + h + ") {");
        b.add("      for (int j = 0; j < " + kw + "; j++) {");
        b.add("        int wi = q * " + sw + " + j - " + left + ";");
        b.add("        if (wi >= 0 && wi < " + ww + ") {");
        b.add("          acc += " + ops.get(0, "((n * " + cc + " + c) * " + h + " + hi) * " + ww + " + wi") + " * "
            + ops.get(1, "((f * " + cc + " + c) * " + kh + " + i) * " + kw + " + j") + ";");
        b.add("        }");
        b.add("      }");
        b.add("    }");
        b.add("  }");
        b.add("}");
      }
      case INPUT -> {
        // dx[n,c,hi,wi] = sum over f, i, j with r = (hi + top - i) / sh exact and in range
        b.add("int wi = o % " + ww + ";");
        b.add("int hi = (o / " + ww + ") % " + h + ";");
        b.add("int c = (o / " + (ww * h) + ") % " + cc + ";");
        b.add("int n = o / " + (ww * h * cc) + ";");
        b.add("for (int f = 0; f < " + oo + "; f++) {");
        b.add("  for (int i = 0; i < " + kh + "; i++) {");
        b.add("    int rs = hi + " + top + " - i;");
        b.add("    if (rs >= 0 && rs % " + sh + " == 0 && rs / " + sh + " < " + oh + ") {");
        b.add("      int r = rs / " + sh + ";");
        b.add("      for (int j = 0; j < " + kw + "; j++) {");
        b.add("        int qs = wi + " + left + " - j;");
        b.add("        if (qs >= 0 && qs % " + sw + " == 0 && qs / " + sw + " < " + ow + ") {");
        b.add("          acc += " + ops.get(0, "((n * " + oo + " + f) * " + oh + " + r) * " + ow + " + qs / " + sw) + " * "
            + ops.get(1, "((f * " + cc + " + c) * " + kh + " + i) * " + kw + " + j") + ";");
        b.add("        }");
        b.add("      }");
        b.add("    }");
        b.add("  }");
        b.add("}");
      }
      case WEIGHT -> {
        // dw[f,c,i,j] = sum over n, r, q of dy[n,f,r,q] * x[n,c,r*sh+i-top,q*sw+j-left]
        b.add("int j = o % " + kw + ";");
        b.add("int i = (o / " + kw + ") % " + kh + ";");
        b.add("int c = (o / " + (kw * kh) + ") % " + cc + ";");
        b.add("int f = o / " + (kw * kh * cc) + ";");
        b.add("for (int n = 0; n < " + nn + "; n++) {");
        b.add("  for (int r = 0; r < " + oh + "; r++) {");
        b.add("    int hi = r * " + sh + " + i - " + top + ";");
        b.add("    if (hi >= 0 && hi < " + h + ") {");
        b.add("      for (int q = 0; q < " + ow + "; q++) {");
        b.add("        int wi = q * " + sw + " + j - " + left + ";");
        b.add("        if (wi >= 0 && wi < " + ww + ") {");
        b.add("          acc += " + ops.get(1, "((n * " + oo + " + f) * " + oh + " + r) * " + ow + " + q") + " * "
            + ops.get(0, "((n * " + cc + " + c) * " + h + " + hi) * " + ww + " + wi") + ";");
        b.add("        }");
        b.add("      }");
        b.add("    }");
        b.add("  }");
        b.add("}");
      }
    }
  }

  /** Sum over {@code axes}: the thread of output o walks the reduced axes in row-major order. */
  private static void reduceSum(List<String> b, Operands ops, List<Integer> in, int[] axes) {
    boolean[] reduced = new boolean[in.size()];
    for (int a : axes) reduced[a] = true;
    long[] stride = TornadoEmitter.strides(in);
    List<Integer> kept = new ArrayList<>();
    List<Integer> red = new ArrayList<>();
    for (int d = 0; d < in.size(); d++) (reduced[d] ? red : kept).add(d);
    b.add("int rest = o;");
    b.add("int base = 0;");
    for (int i = kept.size() - 1; i >= 0; i--) {
      int d = kept.get(i);
      b.add("base += (rest % " + in.get(d) + ") * " + stride[d] + ";");
      b.add("rest = rest / " + in.get(d) + ";");
    }
    b.add("float acc = 0f;");
    List<String> terms = new ArrayList<>();
    StringBuilder open = new StringBuilder();
    String indent = "";
    for (int d : red) {
      b.add(indent + "for (int r" + d + " = 0; r" + d + " < " + in.get(d) + "; r" + d + "++) {");
      indent += "  ";
      terms.add(stride[d] == 1 ? "r" + d : "r" + d + " * " + stride[d]);
    }
    b.add(indent + "acc += " + ops.get(0, "base" + (terms.isEmpty() ? "" : " + " + String.join(" + ", terms))) + ";");
    for (int d = red.size() - 1; d >= 0; d--) {
      indent = indent.substring(2);
      b.add(indent + "}");
    }
  }

  /** out[o] = in[perm-gathered index]: output axis d is input axis perm[d]. */
  private static void transpose(List<String> b, Operands ops, List<Integer> in, List<Integer> out, int[] perm) {
    long[] inStride = TornadoEmitter.strides(in);
    long[] outStride = TornadoEmitter.strides(out);
    List<String> terms = new ArrayList<>();
    for (int d = 0; d < perm.length; d++) {
      terms.add("((o / " + outStride[d] + ") % " + out.get(d) + ") * " + inStride[perm[d]]);
    }
    b.add("float acc = " + ops.get(0, terms.isEmpty() ? "0" : String.join(" + ", terms)) + ";");
  }

  /** Pads (lo > 0) or crops (lo < 0) every axis: out[i] = in[i - lo] where inside, else 0. */
  private static void pad(List<String> b, Operands ops, List<Integer> in, List<Integer> out, int[] lo) {
    long[] inStride = TornadoEmitter.strides(in);
    long[] outStride = TornadoEmitter.strides(out);
    List<String> inside = new ArrayList<>();
    List<String> terms = new ArrayList<>();
    for (int d = 0; d < out.size(); d++) {
      b.add("int s" + d + " = (o / " + outStride[d] + ") % " + out.get(d) + (lo[d] == 0 ? "" : " - " + lo[d]) + ";");
      if (lo[d] > 0 || out.get(d) - lo[d] > in.get(d)) inside.add("s" + d + " >= 0 && s" + d + " < " + in.get(d));
      terms.add("s" + d + " * " + inStride[d]);
    }
    String index = terms.isEmpty() ? "0" : String.join(" + ", terms);
    b.add("float acc = 0f;");
    if (inside.isEmpty()) {
      b.add("acc = " + ops.get(0, index) + ";");
    } else {
      b.add("if (" + String.join(" && ", inside) + ") {");
      b.add("  acc = " + ops.get(0, index) + ";");
      b.add("}");
    }
  }

  /** Nearest upsampling of [N, C, H, W] by (fh, fw), or its transpose, summing fh x fw windows. */
  private static void resample(List<String> b, Operands ops, Resample r, List<Integer> in, List<Integer> out, int[] f) {
    int h = in.get(2), w = in.get(3), oh = out.get(2), ow = out.get(3);
    b.add("int x = o % " + ow + ";");
    b.add("int y = (o / " + ow + ") % " + oh + ";");
    b.add("int c = o / " + (ow * oh) + ";");
    if (r == Resample.UPSAMPLE) {
      b.add("float acc = " + ops.get(0, "(c * " + h + " + y / " + f[0] + ") * " + w + " + x / " + f[1]) + ";");
    } else {
      b.add("float acc = 0f;");
      b.add("for (int dy = 0; dy < " + f[0] + "; dy++) {");
      b.add("  for (int dx = 0; dx < " + f[1] + "; dx++) {");
      b.add("    acc += " + ops.get(0, "(c * " + h + " + y * " + f[0] + " + dy) * " + w + " + x * " + f[1] + " + dx") + ";");
      b.add("  }");
      b.add("}");
    }
  }

  /**
   * Philox4x32-10 as {@code wganc.runtime.rng.Philox}: counter (o, step lo, step hi, stream), key
   * (seed lo, seed hi); 32x32 to 64-bit products in long arithmetic. Uniform: {@code (x0 >>> 8) 2^-24};
   * normal: Box–Muller in double on {@code x0, x1} (cosine branch). {@code x >>> 8} is written
   * {@code (x >> 8) & 0xFFFFFF}: TornadoVM 5.2 (OpenCL, PoCL) computed the int {@code >>>} as a signed
   * shift, which put uniforms in [-1, 1).
   */
  private static void philox(List<String> b, RandomDraw r, long seed, int stream) {
    b.add("int c0 = o;");
    b.add("int c1 = step.get(0);");
    b.add("int c2 = step.get(1);");
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

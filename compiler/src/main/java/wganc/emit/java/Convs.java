package wganc.emit.java;

import com.palantir.javapoet.MethodSpec;
import java.util.List;
import wganc.ir.Attrs;

/**
 * Calls into the runtime's convolution kernels with every dimension as a constant, using the forms
 * with explicit output sizes (so a transposed convolution larger than the plain transpose, as Keras'
 * `valid` conv_transpose with a kernel smaller than its stride, is exact).
 */
final class Convs {
  private Convs() {}

  /** {@code x [N,C,H,W]}, {@code w [O,C,kh,kw]} to {@code y [N,O,Ho,Wo]}. */
  static void forward(MethodSpec.Builder m, List<Integer> x, List<Integer> w, List<Integer> y, Attrs at) {
    int[] s = at.intArray("stride"), p = at.intArray("pad");
    m.addStatement("$T.forward(in0, 0, $L, $L, $L, $L, in1, 0, $L, $L, $L, $L, $L, $L, $L, $L, $L, out, 0, false)",
        JavaEmitter.CONV, x.get(0), x.get(1), x.get(2), x.get(3), w.get(0), w.get(2), w.get(3), s[0], s[1],
        p[0], p[2], y.get(2), y.get(3));
  }

  /** {@code dy [N,O,Ho,Wo]}, {@code w [O,C,kh,kw]} to {@code dx [N,C,H,W]}. */
  static void backwardInput(MethodSpec.Builder m, List<Integer> dy, List<Integer> w, List<Integer> dx, Attrs at) {
    int[] s = at.intArray("stride"), p = at.intArray("pad");
    m.addStatement("$T.backwardInput(in0, 0, $L, $L, $L, $L, in1, 0, $L, $L, $L, $L, $L, $L, $L, $L, $L, out, 0, false)",
        JavaEmitter.CONV, dy.get(0), dx.get(1), dx.get(2), dx.get(3), dy.get(1), w.get(2), w.get(3), s[0], s[1],
        p[0], p[2], dy.get(2), dy.get(3));
  }

  /** {@code x [N,C,H,W]}, {@code dy [N,O,Ho,Wo]} to {@code dw [O,C,kh,kw]}. */
  static void backwardWeight(MethodSpec.Builder m, List<Integer> x, List<Integer> dy, List<Integer> dw, Attrs at) {
    int[] s = at.intArray("stride"), p = at.intArray("pad");
    m.addStatement("$T.backwardWeight(in0, 0, in1, 0, $L, $L, $L, $L, $L, $L, $L, $L, $L, $L, $L, $L, $L, out, 0, false)",
        JavaEmitter.CONV, x.get(0), x.get(1), x.get(2), x.get(3), dy.get(1), dw.get(2), dw.get(3), s[0], s[1],
        p[0], p[2], dy.get(2), dy.get(3));
  }
}

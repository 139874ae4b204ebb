package wganc.emit.java;

import com.palantir.javapoet.MethodSpec;
import java.util.List;
import wganc.loop.LoopKernel;
import wganc.ops.ConvGeometry;

/**
 * Calls into the runtime's convolution kernels with every dimension as a constant, using the forms
 * with explicit output sizes (so a transposed convolution larger than the plain transpose, as Keras'
 * `valid` conv_transpose with a kernel smaller than its stride, is exact).
 */
final class Convs {
  private Convs() {}

  /**
   * {@code x [N,C,H,W]}, {@code w [O,C,kh,kw]}, {@code y [N,O,Ho,Wo]}: forward {@code (x, w) -> y},
   * backward input {@code (dy, w) -> dx}, backward weight {@code (x, dy) -> dw}.
   */
  static void call(MethodSpec.Builder m, LoopKernel.Conv c) {
    List<Integer> x = c.x(), w = c.w(), y = c.y();
    ConvGeometry g = c.geometry();
    switch (c.direction()) {
      case FORWARD -> m.addStatement("$T.forward(in0, 0, $L, $L, $L, $L, in1, 0, $L, $L, $L, $L, $L, $L, $L, $L, $L, out, 0, false)",
          JavaEmitter.CONV, x.get(0), x.get(1), x.get(2), x.get(3), w.get(0), w.get(2), w.get(3), g.sh(), g.sw(),
          g.top(), g.left(), y.get(2), y.get(3));
      case BACKWARD_INPUT -> m.addStatement(
          "$T.backwardInput(in0, 0, $L, $L, $L, $L, in1, 0, $L, $L, $L, $L, $L, $L, $L, $L, $L, out, 0, false)",
          JavaEmitter.CONV, y.get(0), x.get(1), x.get(2), x.get(3), y.get(1), w.get(2), w.get(3), g.sh(), g.sw(),
          g.top(), g.left(), y.get(2), y.get(3));
      case BACKWARD_WEIGHT -> m.addStatement(
          "$T.backwardWeight(in0, 0, in1, 0, $L, $L, $L, $L, $L, $L, $L, $L, $L, $L, $L, $L, $L, out, 0, false)",
          JavaEmitter.CONV, x.get(0), x.get(1), x.get(2), x.get(3), y.get(1), w.get(2), w.get(3), g.sh(), g.sw(),
          g.top(), g.left(), y.get(2), y.get(3));
    }
  }
}

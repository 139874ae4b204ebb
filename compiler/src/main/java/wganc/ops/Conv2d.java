package wganc.ops;

import java.util.List;
import wganc.ir.Attrs;
import wganc.loop.Val;
import wganc.loop.LoopKernel;
import wganc.loop.Ix;
import wganc.ir.GraphBuilder;
import wganc.ir.TensorType;
import wganc.ir.Value;

/**
 * {@code conv2d x w {stride, pad}}: {@code x [N,C,H,W]}, {@code w [O,C,kh,kw]} to
 * {@code [N,O,Ho,Wo]}, cross-correlation with zero padding. One VJP rule per operand:
 * {@code conv2d_backward_input dy w} and {@code conv2d_backward_weight x dy}, same attributes.
 */
public enum Conv2d implements Op {
  INSTANCE;

  @Override
  public String opName() {
    return "conv2d";
  }

  @Override
  public TensorType infer(List<TensorType> inputs, Attrs attrs) {
    Shapes.arity("conv2d", inputs, 2);
    TensorType x = inputs.get(0);
    TensorType w = inputs.get(1);
    Shapes.rank("conv2d", x, 4, "an NCHW input");
    Shapes.rank("conv2d", w, 4, "an [O,C,kh,kw] weight");
    ConvGeometry g = ConvGeometry.of("conv2d", attrs);
    if (x.dim(1) != w.dim(1)) {
      throw Shapes.error("conv2d", "input channels to match the weight's axis 1",
          x + " and " + w);
    }
    int oh = g.outH(x.dim(2), w.dim(2));
    int ow = g.outW(x.dim(3), w.dim(3));
    if (oh < 1 || ow < 1) {
      throw Shapes.error("conv2d", "a padded input at least as large as the kernel",
          x + " with kernel " + w + " and pad " + attrs.ints("pad"));
    }
    return TensorType.of(x.dtype(), x.dim(0), w.dim(0), oh, ow);
  }

  @Override
  public Fusion fusion() {
    return Fusion.CONTRACTION;
  }

  @Override
  public Value[] vjp(GraphBuilder b, List<Value> inputs, Attrs attrs, Value out, Value dy,
      boolean[] need) {
    Value x = inputs.get(0);
    Value w = inputs.get(1);
    int[] stride = attrs.intArray("stride");
    int[] pad = attrs.intArray("pad");
    return new Value[] {
      need[0] ? b.conv2dBackwardInput(dy, w, stride, pad,
          new int[] {x.type().dim(2), x.type().dim(3)}) : null,
      need[1] ? b.conv2dBackwardWeight(x, dy, stride, pad,
          new int[] {w.type().dim(2), w.type().dim(3)}) : null
    };
  }

  @Override
  public double[] evaluate(List<TensorType> types, List<double[]> inputs, Attrs attrs,
      TensorType out) {
    ConvLoops loops = new ConvLoops(ConvGeometry.of("conv2d", attrs), types.get(0).dimsArray(),
        types.get(1).dimsArray(), out.dimsArray());
    double[] y = new double[out.size()];
    loops.run(inputs.get(0), inputs.get(1), y, ConvLoops.Target.OUTPUT);
    return y;
  }

  /** {@code 2 N O Ho Wo C kh kw}. */
  @Override
  public long flops(List<TensorType> inputs, Attrs attrs, TensorType out) {
    TensorType w = inputs.get(1);
    return 2L * out.size() * w.dim(1) * w.dim(2) * w.dim(3);
  }
  /**
   * A convolution call, or as loops: {@code y[n,f,r,q]} sums {@code x[n,c,hi,wi] w[f,c,i,j]} over
   * c, i, j in that order, in float, with {@code hi = r*sh + i - top}, {@code wi = q*sw + j - left}
   * inside the input.
   */
  public LoopKernel.Conv kernel(List<TensorType> inputs, Attrs attrs, TensorType out) {
    List<Integer> x = inputs.get(0).dims(), w = inputs.get(1).dims(), y = out.dims();
    ConvGeometry g = ConvGeometry.of(opName(), attrs);
    Ix n = LoopKernel.Gather.coordinate(0), f = LoopKernel.Gather.coordinate(1);
    Ix r = LoopKernel.Gather.coordinate(2), q = LoopKernel.Gather.coordinate(3);
    Ix c = Ix.var("c"), i = Ix.var("i"), j = Ix.var("j");
    Val product = new Val.Product(new Val.Load(0, Ix.rowMajor(List.of(n, c, Ix.var("hi"), Ix.var("wi")), x)),
        new Val.Load(1, Ix.rowMajor(List.of(f, c, i, j), w)));
    Val sum = g.rowsThenColumns(List.of(new Val.Axis("c", x.get(1)), new Val.Axis("i", w.get(2))), r, i, x.get(2),
        new Val.Axis("j", w.get(3)), q, j, x.get(3), product);
    return new LoopKernel.Conv(LoopKernel.Direction.FORWARD, x, w, y, g, new LoopKernel.Gather(y, sum));
  }
}

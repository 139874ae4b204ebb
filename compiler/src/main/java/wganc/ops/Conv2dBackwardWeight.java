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
 * {@code conv2d_backward_weight x dy {stride, pad, kernel}}: the transpose of conv2d with respect
 * to its weight, {@code x [N,C,H,W]}, {@code dy [N,O,Ho,Wo]} to {@code [O,C,kh,kw]}. Linear in both
 * operands: VJP w.r.t. x is {@code conv2d_backward_input dy g}, w.r.t. dy is {@code conv2d x g}.
 */
public enum Conv2dBackwardWeight implements Op {
  INSTANCE;

  @Override
  public String opName() {
    return "conv2d_backward_weight";
  }

  @Override
  public TensorType infer(List<TensorType> inputs, Attrs attrs) {
    String op = opName();
    Shapes.arity(op, inputs, 2);
    TensorType x = inputs.get(0);
    TensorType dy = inputs.get(1);
    Shapes.rank(op, x, 4, "an NCHW input");
    Shapes.rank(op, dy, 4, "an NCHW cotangent");
    ConvGeometry g = ConvGeometry.of(op, attrs);
    int[] k = attrs.intArray("kernel");
    if (x.dim(0) != dy.dim(0) || k.length != 2 || g.outH(x.dim(2), k[0]) != dy.dim(2)
        || g.outW(x.dim(3), k[1]) != dy.dim(3)) {
      throw Shapes.error(op, "a cotangent shaped like conv2d's output for `kernel` "
          + attrs.ints("kernel"), x + " and " + dy);
    }
    return TensorType.of(x.dtype(), dy.dim(1), x.dim(1), k[0], k[1]);
  }

  @Override
  public Fusion fusion() {
    return Fusion.CONTRACTION;
  }

  @Override
  public Value[] vjp(GraphBuilder b, List<Value> inputs, Attrs attrs, Value out, Value g,
      boolean[] need) {
    Value x = inputs.get(0);
    Value dy = inputs.get(1);
    int[] stride = attrs.intArray("stride");
    int[] pad = attrs.intArray("pad");
    return new Value[] {
      need[0] ? b.conv2dBackwardInput(dy, g, stride, pad,
          new int[] {x.type().dim(2), x.type().dim(3)}) : null,
      need[1] ? b.conv2d(x, g, stride, pad) : null
    };
  }

  @Override
  public double[] evaluate(List<TensorType> types, List<double[]> inputs, Attrs attrs,
      TensorType out) {
    ConvLoops loops = new ConvLoops(ConvGeometry.of(opName(), attrs), types.get(0).dimsArray(),
        out.dimsArray(), types.get(1).dimsArray());
    double[] w = new double[out.size()];
    loops.run(inputs.get(0), w, inputs.get(1), ConvLoops.Target.WEIGHT);
    return w;
  }

  /** The forward convolution's count: {@code 2 N O Ho Wo C kh kw}, dy being [N, O, Ho, Wo]. */
  @Override
  public long flops(List<TensorType> inputs, Attrs attrs, TensorType out) {
    TensorType dy = inputs.get(1);
    return 2L * dy.size() * out.dim(1) * out.dim(2) * out.dim(3);
  }
  /**
   * A convolution call, or as loops: {@code dw[f,c,i,j]} sums {@code dy[n,f,r,q] x[n,c,hi,wi]} over
   * n, r, q in that order, in float, with {@code hi = r*sh + i - top}, {@code wi = q*sw + j - left}
   * inside the input.
   */
  public LoopKernel.Conv kernel(List<TensorType> inputs, Attrs attrs, TensorType out) {
    List<Integer> x = inputs.get(0).dims(), dy = inputs.get(1).dims(), w = out.dims();
    ConvGeometry g = ConvGeometry.of(opName(), attrs);
    Ix f = LoopKernel.Gather.coordinate(0), c = LoopKernel.Gather.coordinate(1);
    Ix i = LoopKernel.Gather.coordinate(2), j = LoopKernel.Gather.coordinate(3);
    Ix n = Ix.var("n"), r = Ix.var("r"), q = Ix.var("q");
    Val product = new Val.Product(new Val.Load(1, Ix.rowMajor(List.of(n, f, r, q), dy)),
        new Val.Load(0, Ix.rowMajor(List.of(n, c, Ix.var("hi"), Ix.var("wi")), x)));
    Val sum = g.rowsThenColumns(List.of(new Val.Axis("n", dy.get(0)), new Val.Axis("r", dy.get(2))), r, i, x.get(2),
        new Val.Axis("q", dy.get(3)), q, j, x.get(3), product);
    return new LoopKernel.Conv(LoopKernel.Direction.BACKWARD_WEIGHT, x, w, dy, g, new LoopKernel.Gather(w, sum));
  }
}

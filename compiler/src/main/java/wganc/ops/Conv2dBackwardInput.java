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
 * {@code conv2d_backward_input dy w {stride, pad, in_hw}}: the transpose of conv2d with respect to
 * its input, {@code dy [N,O,Ho,Wo]}, {@code w [O,C,kh,kw]} to {@code [N,C,H,W]} with
 * {@code [H,W] = in_hw}; also the conv-transpose layer (weight {@code [in,out,kh,kw]}). Linear in
 * both operands: VJP w.r.t. dy is {@code conv2d g w}, w.r.t. w is {@code conv2d_backward_weight g dy}.
 */
public enum Conv2dBackwardInput implements Op {
  INSTANCE;

  @Override
  public String opName() {
    return "conv2d_backward_input";
  }

  @Override
  public TensorType infer(List<TensorType> inputs, Attrs attrs) {
    String op = opName();
    Shapes.arity(op, inputs, 2);
    TensorType dy = inputs.get(0);
    TensorType w = inputs.get(1);
    Shapes.rank(op, dy, 4, "an NCHW cotangent");
    Shapes.rank(op, w, 4, "an [O,C,kh,kw] weight");
    ConvGeometry g = ConvGeometry.of(op, attrs);
    int[] hw = attrs.intArray("in_hw");
    if (dy.dim(1) != w.dim(0)) {
      throw Shapes.error(op, "cotangent channels to match the weight's axis 0", dy + " and " + w);
    }
    if (hw.length != 2 || g.outH(hw[0], w.dim(2)) != dy.dim(2)
        || g.outW(hw[1], w.dim(3)) != dy.dim(3)) {
      throw Shapes.error(op, "`in_hw` whose conv2d output is " + dy.dim(2) + "x" + dy.dim(3),
          "in_hw=" + attrs.ints("in_hw") + " with kernel " + w + " and pad "
              + attrs.ints("pad"));
    }
    return TensorType.of(dy.dtype(), dy.dim(0), w.dim(1), hw[0], hw[1]);
  }

  @Override
  public Fusion fusion() {
    return Fusion.CONTRACTION;
  }

  @Override
  public Value[] vjp(GraphBuilder b, List<Value> inputs, Attrs attrs, Value out, Value g,
      boolean[] need) {
    Value dy = inputs.get(0);
    Value w = inputs.get(1);
    int[] stride = attrs.intArray("stride");
    int[] pad = attrs.intArray("pad");
    return new Value[] {
      need[0] ? b.conv2d(g, w, stride, pad) : null,
      need[1] ? b.conv2dBackwardWeight(g, dy, stride, pad,
          new int[] {w.type().dim(2), w.type().dim(3)}) : null
    };
  }

  @Override
  public double[] evaluate(List<TensorType> types, List<double[]> inputs, Attrs attrs,
      TensorType out) {
    ConvLoops loops = new ConvLoops(ConvGeometry.of(opName(), attrs), out.dimsArray(),
        types.get(1).dimsArray(), types.get(0).dimsArray());
    double[] x = new double[out.size()];
    loops.run(x, inputs.get(1), inputs.get(0), ConvLoops.Target.INPUT);
    return x;
  }

  /** The forward convolution's count: {@code 2 N O Ho Wo C kh kw}, dy being [N, O, Ho, Wo]. */
  @Override
  public long flops(List<TensorType> inputs, Attrs attrs, TensorType out) {
    TensorType dy = inputs.get(0);
    TensorType w = inputs.get(1);
    return 2L * dy.size() * w.dim(1) * w.dim(2) * w.dim(3);
  }
  /**
   * A convolution call, or as loops: {@code dx[n,c,hi,wi]} sums {@code dy[n,f,r,qs/sw] w[f,c,i,j]}
   * over f, i, j in that order, in float, where {@code rs = hi + top - i = r*sh} and
   * {@code qs = wi + left - j} are whole strides inside the output.
   */
  public LoopKernel.Conv kernel(List<TensorType> inputs, Attrs attrs, TensorType out) {
    List<Integer> dy = inputs.get(0).dims(), w = inputs.get(1).dims(), x = out.dims();
    ConvGeometry g = ConvGeometry.of(opName(), attrs);
    Ix n = LoopKernel.Gather.coordinate(0), c = LoopKernel.Gather.coordinate(1);
    Ix hi = LoopKernel.Gather.coordinate(2), wi = LoopKernel.Gather.coordinate(3);
    Ix f = Ix.var("f"), i = Ix.var("i"), j = Ix.var("j"), rs = Ix.var("rs"), qs = Ix.var("qs"), r = Ix.var("r");
    Val product = new Val.Product(new Val.Load(0, Ix.rowMajor(List.of(n, f, r, qs.div(g.sw())), dy)),
        new Val.Load(1, Ix.rowMajor(List.of(f, c, i, j), w)));
    Val row = new Val.Sum(List.of(new Val.Axis("j", w.get(3))), new Val.Let("qs", wi.plus(g.left()).plus(new Ix.Mul(j, -1)),
        new Val.Where(List.of(new Val.Cond.NonNegative(qs), new Val.Cond.Multiple(qs, g.sw()),
            new Val.Cond.Below(qs.div(g.sw()), dy.get(3))), product)), Val.Precision.FLOAT);
    Val sum = new Val.Sum(List.of(new Val.Axis("f", dy.get(1)), new Val.Axis("i", w.get(2))),
        new Val.Let("rs", hi.plus(g.top()).plus(new Ix.Mul(i, -1)),
            new Val.Where(List.of(new Val.Cond.NonNegative(rs), new Val.Cond.Multiple(rs, g.sh()),
                new Val.Cond.Below(rs.div(g.sh()), dy.get(2))), new Val.Let("r", rs.div(g.sh()), row))),
        Val.Precision.FLOAT);
    return new LoopKernel.Conv(LoopKernel.Direction.BACKWARD_INPUT, x, w, dy, g, new LoopKernel.Gather(x, sum));
  }
}

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
 * {@code matmul a b {ta=.., tb=..}}: {@code op(a) . op(b)} for rank-2 operands, where op
 * transposes when its flag is set (so dense layers with weights {@code [out,in]} and their VJPs
 * need no explicit transposes). One VJP rule per operand, each a matmul:
 * <pre>
 *   da = ta ? matmul(b, dy, ta=tb, tb=true)  : matmul(dy, b, tb=!tb)
 *   db = tb ? matmul(dy, a, ta=true, tb=ta)  : matmul(a, dy, ta=!ta)
 * </pre>
 */
public enum Matmul implements Op {
  INSTANCE;

  public static Attrs attrs(boolean ta, boolean tb) {
    return Attrs.of("ta", ta, "tb", tb);
  }

  @Override
  public String opName() {
    return "matmul";
  }

  @Override
  public TensorType infer(List<TensorType> inputs, Attrs attrs) {
    Shapes.arity("matmul", inputs, 2);
    TensorType a = inputs.get(0);
    TensorType b = inputs.get(1);
    Shapes.rank("matmul", a, 2, "a left operand");
    Shapes.rank("matmul", b, 2, "a right operand");
    boolean ta = attrs.b("ta", false);
    boolean tb = attrs.b("tb", false);
    int m = ta ? a.dim(1) : a.dim(0);
    int ka = ta ? a.dim(0) : a.dim(1);
    int kb = tb ? b.dim(1) : b.dim(0);
    int n = tb ? b.dim(0) : b.dim(1);
    if (ka != kb || a.dtype() != b.dtype()) {
      throw Shapes.error("matmul", "contracted dimensions to agree (ta=" + ta + ", tb=" + tb + ")",
          a + " and " + b);
    }
    return TensorType.of(a.dtype(), m, n);
  }

  @Override
  public Fusion fusion() {
    return Fusion.CONTRACTION;
  }

  @Override
  public Value[] vjp(GraphBuilder g, List<Value> inputs, Attrs attrs, Value out, Value dy,
      boolean[] need) {
    Value a = inputs.get(0);
    Value b = inputs.get(1);
    boolean ta = attrs.b("ta", false);
    boolean tb = attrs.b("tb", false);
    Value da = null;
    Value db = null;
    if (need[0]) {
      da = ta ? g.matmul(b, dy, tb, true) : g.matmul(dy, b, false, !tb);
    }
    if (need[1]) {
      db = tb ? g.matmul(dy, a, true, ta) : g.matmul(a, dy, !ta, false);
    }
    return new Value[] {da, db};
  }

  @Override
  public double[] evaluate(List<TensorType> types, List<double[]> inputs, Attrs attrs,
      TensorType out) {
    boolean ta = attrs.b("ta", false);
    boolean tb = attrs.b("tb", false);
    TensorType at = types.get(0);
    int m = out.dim(0);
    int n = out.dim(1);
    int k = ta ? at.dim(0) : at.dim(1);
    // Row-major copies op(a) [m,k] and op(b)^T [n,k]: every output is a dot product over
    // contiguous rows, summed in increasing k.
    double[] a = ta ? transpose(inputs.get(0), k, m) : inputs.get(0);
    double[] bt = tb ? inputs.get(1) : transpose(inputs.get(1), k, n);
    double[] y = new double[m * n];
    for (int i = 0; i < m; i++) {
      int ai = i * k;
      for (int j = 0; j < n; j++) {
        int bj = j * k;
        double s = 0.0;
        for (int p = 0; p < k; p++) {
          s += a[ai + p] * bt[bj + p];
        }
        y[i * n + j] = s;
      }
    }
    return y;
  }

  /** {@code x [rows, cols]} to {@code [cols, rows]}. */
  private static double[] transpose(double[] x, int rows, int cols) {
    double[] t = new double[x.length];
    for (int r = 0; r < rows; r++) {
      for (int c = 0; c < cols; c++) {
        t[c * rows + r] = x[r * cols + c];
      }
    }
    return t;
  }

  /** {@code 2 M N K}. */
  @Override
  public long flops(List<TensorType> inputs, Attrs attrs, TensorType out) {
    TensorType a = inputs.get(0);
    long k = attrs.b("ta", false) ? a.dim(0) : a.dim(1);
    return 2L * out.dim(0) * out.dim(1) * k;
  }
  /** A GEMM call, or as loops: each output sums its row of A times its column of B in ascending k, in float. */
  public LoopKernel.Gemm kernel(List<TensorType> inputs, Attrs attrs, TensorType out) {
    boolean ta = attrs.b("ta", false), tb = attrs.b("tb", false);
    int m = out.dim(0), n = out.dim(1), k = ta ? inputs.get(0).dim(0) : inputs.get(0).dim(1);
    Ix r = LoopKernel.Gather.coordinate(0), c = LoopKernel.Gather.coordinate(1), p = Ix.var("p");
    Val a = new Val.Load(0, ta ? p.times(m).plus(r) : r.times(k).plus(p));
    Val b = new Val.Load(1, tb ? c.times(k).plus(p) : p.times(n).plus(c));
    return new LoopKernel.Gemm(ta, tb, m, n, k, new LoopKernel.Gather(out.dims(),
        new Val.Sum(List.of(new Val.Axis("p", k)), new Val.Product(a, b), Val.Precision.FLOAT)));
  }
}

package wganc.ir;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import wganc.ops.Binary;
import wganc.ops.BroadcastTo;
import wganc.ops.Compare;
import wganc.ops.Conv2d;
import wganc.ops.Conv2dBackwardInput;
import wganc.ops.Conv2dBackwardWeight;
import wganc.ops.ConvGeometry;
import wganc.ops.Matmul;
import wganc.ops.Op;
import wganc.ops.Pad;
import wganc.ops.Pow;
import wganc.ops.AllSum;
import wganc.ops.RandomDraw;
import wganc.ops.ReduceSum;
import wganc.ops.Resample;
import wganc.ops.Reshape;
import wganc.ops.Select;
import wganc.ops.Transpose;
import wganc.ops.Unary;

/**
 * Appends bindings to a graph under construction. Every application's type comes from its op's
 * shape rule, so a shape error surfaces where the op is added. Elementwise helpers broadcast
 * numpy-style by inserting explicit {@code reshape}/{@code broadcast_to} (constants are instead
 * re-made at the broadcast type). Source tags set with {@link #at} apply to later applications.
 */
public final class GraphBuilder {
  private final List<Binding> bindings = new ArrayList<>();
  private final Map<Integer, Node> nodes = new HashMap<>();
  private final LinkedHashMap<String, Value> outputs = new LinkedHashMap<>();
  private int nextId;
  private Source source = Source.NONE;

  public GraphBuilder() {}

  /** A builder that continues {@code g}: its bindings and outputs, fresh ids after its largest. */
  public static GraphBuilder from(Graph g) {
    GraphBuilder b = new GraphBuilder();
    for (Binding binding : g.bindings()) {
      b.append(binding);
    }
    b.outputs.putAll(g.outputs());
    b.nextId = g.maxId() + 1;
    return b;
  }

  // ---- structure ------------------------------------------------------------------------------

  /** Appends an existing binding verbatim (passes use this to rebuild graphs). */
  public Value append(Binding binding) {
    bindings.add(binding);
    nodes.put(binding.value().id(), binding.node());
    nextId = Math.max(nextId, binding.value().id() + 1);
    return binding.value();
  }

  /** Binds {@code node} to a fresh id. */
  public Value bind(Node node) {
    return append(new Binding(new Value(nextId, node.type()), node));
  }

  public GraphBuilder at(Source tag) {
    this.source = tag;
    return this;
  }

  public Source source() {
    return source;
  }

  public Node node(Value v) {
    Node n = nodes.get(v.id());
    if (n == null) {
      throw new IrException("value " + v + " is not bound in this builder");
    }
    return n;
  }

  /** The bindings so far, in order (a copy). */
  public List<Binding> bindings() {
    return List.copyOf(bindings);
  }

  public GraphBuilder output(String name, Value v) {
    outputs.put(name, v);
    return this;
  }

  public Graph build() {
    return new Graph(bindings, outputs);
  }

  // ---- leaves ---------------------------------------------------------------------------------

  public Value input(String name, TensorType type) {
    return bind(new Node.Input(name, type));
  }

  public Value parameter(String name, TensorType type) {
    return bind(new Node.Parameter(name, type));
  }

  public Value constant(double value, TensorType type) {
    return bind(new Node.Constant(value, type));
  }

  /** A constant of {@code like}'s type. */
  public Value fill(double value, Value like) {
    return constant(value, like.type());
  }

  /** The value of {@code v} when it is a constant binding, else null. */
  public Double constantValue(Value v) {
    return node(v) instanceof Node.Constant c ? c.value() : null;
  }

  // ---- applications ---------------------------------------------------------------------------

  public Value apply(Op op, List<Value> inputs, Attrs attrs) {
    List<TensorType> types = new ArrayList<>(inputs.size());
    for (Value v : inputs) {
      types.add(v.type());
    }
    TensorType out = op.infer(types, attrs);
    return bind(new Node.Apply(op, inputs, attrs, out, source));
  }

  public Value apply(Op op, Value... inputs) {
    return apply(op, List.of(inputs), Attrs.NONE);
  }

  // ---- elementwise (broadcasting) --------------------------------------------------------------

  public Value add(Value a, Value b) { return binary(Binary.ADD, a, b); }
  public Value sub(Value a, Value b) { return binary(Binary.SUB, a, b); }
  public Value mul(Value a, Value b) { return binary(Binary.MUL, a, b); }
  public Value div(Value a, Value b) { return binary(Binary.DIV, a, b); }
  public Value maximum(Value a, Value b) { return binary(Binary.MAXIMUM, a, b); }
  public Value minimum(Value a, Value b) { return binary(Binary.MINIMUM, a, b); }
  public Value greater(Value a, Value b) { return binary(Compare.GREATER, a, b); }
  public Value greaterEqual(Value a, Value b) { return binary(Compare.GREATER_EQUAL, a, b); }
  public Value less(Value a, Value b) { return binary(Compare.LESS, a, b); }
  public Value lessEqual(Value a, Value b) { return binary(Compare.LESS_EQUAL, a, b); }
  public Value equal(Value a, Value b) { return binary(Compare.EQUAL, a, b); }

  public Value add(Value a, double c) { return add(a, fill(c, a)); }
  public Value sub(Value a, double c) { return sub(a, fill(c, a)); }
  public Value mul(Value a, double c) { return mul(a, fill(c, a)); }
  public Value div(Value a, double c) { return div(a, fill(c, a)); }
  public Value greater(Value a, double c) { return greater(a, fill(c, a)); }
  public Value less(Value a, double c) { return less(a, fill(c, a)); }
  public Value greaterEqual(Value a, double c) { return greaterEqual(a, fill(c, a)); }

  public Value neg(Value x) { return apply(Unary.NEG, x); }
  public Value exp(Value x) { return apply(Unary.EXP, x); }
  public Value log(Value x) { return apply(Unary.LOG, x); }
  public Value sqrt(Value x) { return apply(Unary.SQRT, x); }
  public Value rsqrt(Value x) { return apply(Unary.RSQRT, x); }
  public Value abs(Value x) { return apply(Unary.ABS, x); }
  public Value sign(Value x) { return apply(Unary.SIGN, x); }
  public Value tanh(Value x) { return apply(Unary.TANH, x); }
  public Value sigmoid(Value x) { return apply(Unary.SIGMOID, x); }

  /** {@code x^exponent} for a constant exponent. */
  public Value pow(Value x, double exponent) {
    return apply(Pow.INSTANCE, List.of(x), Attrs.of("exponent", exponent));
  }

  /** Elementwise {@code mask != 0 ? a : b}; the mask is constant under differentiation. */
  public Value select(Value mask, Value a, Value b) {
    List<Integer> shape = broadcastShape(broadcastShape(mask.type().dims(), a.type().dims()),
        b.type().dims());
    return apply(Select.INSTANCE, List.of(broadcastTo(mask, shape), broadcastTo(a, shape),
        broadcastTo(b, shape)), Attrs.NONE);
  }

  public Value select(Value mask, Value a, double b) {
    return select(mask, a, fill(b, a));
  }

  /** {@code select(x > 0, x, 0)}. */
  public Value relu(Value x) {
    return select(greater(x, 0.0), x, 0.0);
  }

  /** {@code min(max(x, lo), hi)}. */
  public Value clip(Value x, double lo, double hi) {
    return minimum(maximum(x, fill(lo, x)), fill(hi, x));
  }

  private Value binary(Op op, Value a, Value b) {
    List<Integer> shape = broadcastShape(a.type().dims(), b.type().dims());
    return apply(op, List.of(broadcastTo(a, shape), broadcastTo(b, shape)), Attrs.NONE);
  }

  /** Numpy broadcasting of two shapes (right-aligned; a dimension of 1 stretches). */
  public static List<Integer> broadcastShape(List<Integer> a, List<Integer> b) {
    int rank = Math.max(a.size(), b.size());
    List<Integer> out = new ArrayList<>(rank);
    for (int i = 0; i < rank; i++) {
      int da = i - (rank - a.size()) >= 0 ? a.get(i - (rank - a.size())) : 1;
      int db = i - (rank - b.size()) >= 0 ? b.get(i - (rank - b.size())) : 1;
      if (da != db && da != 1 && db != 1) {
        throw new IrException("cannot broadcast " + a + " with " + b);
      }
      out.add(da == 1 ? db : da);
    }
    return out;
  }

  // ---- layout ---------------------------------------------------------------------------------

  /**
   * Broadcasts numpy-style to {@code dims}: prepends axes of 1 with {@code reshape}, then
   * {@code broadcast_to}. Constants are re-made at the new type; a no-op returns {@code x}.
   */
  public Value broadcastTo(Value x, List<Integer> dims) {
    if (x.type().dims().equals(dims)) {
      return x;
    }
    if (node(x) instanceof Node.Constant c) {
      broadcastShape(x.type().dims(), dims);
      return constant(c.value(), x.type().withDims(dims));
    }
    Value v = x;
    if (x.type().rank() < dims.size()) {
      List<Integer> padded = new ArrayList<>();
      for (int i = 0; i < dims.size() - x.type().rank(); i++) {
        padded.add(1);
      }
      padded.addAll(x.type().dims());
      v = reshape(x, padded);
    }
    if (v.type().dims().equals(dims)) {
      return v;
    }
    return apply(BroadcastTo.INSTANCE, List.of(v), Attrs.of("shape", List.copyOf(dims)));
  }

  public Value reshape(Value x, List<Integer> dims) {
    if (x.type().dims().equals(dims)) {
      return x;
    }
    return apply(Reshape.INSTANCE, List.of(x), Attrs.of("shape", List.copyOf(dims)));
  }

  public Value reshape(Value x, int... dims) {
    return reshape(x, TensorType.of(x.type().dtype(), dims).dims());
  }

  /** Keeps axis 0 (the batch) and flattens the rest. */
  public Value flatten(Value x) {
    return reshape(x, x.type().dim(0), x.type().size() / Math.max(1, x.type().dim(0)));
  }

  public Value transpose(Value x, int... perm) {
    return apply(Transpose.INSTANCE, List.of(x), Attrs.of("perm", perm));
  }

  /** Signed padding per axis: positive pads with zeros, negative crops. */
  public Value pad(Value x, int[] lo, int[] hi) {
    return apply(Pad.INSTANCE, List.of(x), Attrs.of("lo", lo, "hi", hi));
  }

  /** Zero padding of the two spatial axes of an NCHW tensor. */
  public Value pad2d(Value x, int top, int bottom, int left, int right) {
    return pad(x, new int[] {0, 0, top, left}, new int[] {0, 0, bottom, right});
  }

  /** Cropping of the two spatial axes of an NCHW tensor (a negative {@code pad}). */
  public Value crop2d(Value x, int top, int bottom, int left, int right) {
    return pad(x, new int[] {0, 0, -top, -left}, new int[] {0, 0, -bottom, -right});
  }

  /** Nearest-neighbour upsampling of the spatial axes of an NCHW tensor. */
  public Value upsample(Value x, int fh, int fw) {
    return apply(Resample.UPSAMPLE, List.of(x), Attrs.of("factor", new int[] {fh, fw}));
  }

  /** Sums non-overlapping {@code fh x fw} windows (the transpose of {@link #upsample}). */
  public Value sumPool(Value x, int fh, int fw) {
    return apply(Resample.SUM_POOL, List.of(x), Attrs.of("factor", new int[] {fh, fw}));
  }

  // ---- reductions -----------------------------------------------------------------------------

  public Value reduceSum(Value x, int[] axes, boolean keepdims) {
    return apply(ReduceSum.INSTANCE, List.of(x), Attrs.of("axes", axes, "keepdims", keepdims));
  }

  /** {@code reduce_sum} times the constant {@code 1/count}. */
  public Value reduceMean(Value x, int[] axes, boolean keepdims) {
    long count = 1;
    for (int a : axes) {
      count *= x.type().dim(a);
    }
    Value s = reduceSum(x, axes, keepdims);
    return mul(s, 1.0 / count);
  }

  public Value sum(Value x) {
    return reduceSum(x, allAxes(x), false);
  }

  public Value mean(Value x) {
    return reduceMean(x, allAxes(x), false);
  }

  public static int[] allAxes(Value x) {
    int[] axes = new int[x.type().rank()];
    for (int i = 0; i < axes.length; i++) {
      axes[i] = i;
    }
    return axes;
  }

  // ---- contractions ---------------------------------------------------------------------------

  public Value matmul(Value a, Value b) {
    return matmul(a, b, false, false);
  }

  /** {@code op(a) . op(b)} with {@code op} transposing when the flag is set; both rank 2. */
  public Value matmul(Value a, Value b, boolean transposeA, boolean transposeB) {
    return apply(Matmul.INSTANCE, List.of(a, b), Matmul.attrs(transposeA, transposeB));
  }

  /** {@code x [N,C,H,W]}, {@code w [O,C,kh,kw]}; padding {@code [top,bottom,left,right]}. */
  public Value conv2d(Value x, Value w, int[] stride, int[] pad) {
    return apply(Conv2d.INSTANCE, List.of(x, w), Attrs.of("stride", stride, "pad", pad));
  }

  /** Conv2d with TensorFlow's {@code same} padding (asymmetric for even kernels). */
  public Value conv2dSame(Value x, Value w, int sh, int sw) {
    int[] pad = ConvGeometry.samePadding(x.type().dim(2), x.type().dim(3), w.type().dim(2),
        w.type().dim(3), sh, sw);
    return conv2d(x, w, new int[] {sh, sw}, pad);
  }

  /**
   * The transpose of conv2d with respect to its input: {@code dy [N,O,Ho,Wo]}, {@code w
   * [O,C,kh,kw]} to {@code [N,C,outHW]}.
   */
  public Value conv2dBackwardInput(Value dy, Value w, int[] stride, int[] pad, int[] outHw) {
    return apply(Conv2dBackwardInput.INSTANCE, List.of(dy, w),
        Attrs.of("stride", stride, "pad", pad, "in_hw", outHw));
  }

  /** The transpose of conv2d with respect to its weight: {@code x}, {@code dy} to {@code [O,C,kh,kw]}. */
  public Value conv2dBackwardWeight(Value x, Value dy, int[] stride, int[] pad, int[] kernel) {
    return apply(Conv2dBackwardWeight.INSTANCE, List.of(x, dy),
        Attrs.of("stride", stride, "pad", pad, "kernel", kernel));
  }

  /**
   * A conv-transpose layer, {@code x [N,I,H,W]}, {@code w [I,O,kh,kw]} (Keras/PyTorch layout):
   * {@code same} gives {@code H*s} with the padding TensorFlow's forward conv would use on the
   * output (cropping the end for odd surplus); {@code valid} gives {@code (H-1)*s + max(k,s)}.
   */
  public Value convTranspose(Value x, Value w, int sh, int sw, boolean same) {
    int kh = w.type().dim(2);
    int kw = w.type().dim(3);
    int h = x.type().dim(2);
    int wd = x.type().dim(3);
    int oh = ConvGeometry.transposeSize(h, kh, sh, same);
    int ow = ConvGeometry.transposeSize(wd, kw, sw, same);
    int[] pad = same ? ConvGeometry.samePadding(oh, ow, kh, kw, sh, sw) : new int[4];
    return conv2dBackwardInput(x, w, new int[] {sh, sw}, pad, new int[] {oh, ow});
  }

  /** PyTorch {@code ConvTranspose2d(stride, padding, output_padding)}. */
  public Value convTranspose(Value x, Value w, int[] stride, int[] padding, int[] outputPadding) {
    int oh = (x.type().dim(2) - 1) * stride[0] - 2 * padding[0] + w.type().dim(2)
        + outputPadding[0];
    int ow = (x.type().dim(3) - 1) * stride[1] - 2 * padding[1] + w.type().dim(3)
        + outputPadding[1];
    return conv2dBackwardInput(x, w, stride,
        new int[] {padding[0], padding[0], padding[1], padding[1]}, new int[] {oh, ow});
  }

  // ---- random draws ---------------------------------------------------------------------------

  /**
   * Uniform draws in [0,1) keyed by {@code (seed, stream, step)}; {@code step} is an {@code i64}
   * scalar value. See {@link RandomDraw} for the counter layout.
   */
  public Value randomUniform(Value step, long seed, int stream, TensorType type) {
    return random(RandomDraw.UNIFORM, step, seed, stream, type, false);
  }

  /** Standard normal draws (Box-Muller) keyed like {@link #randomUniform}. */
  public Value randomNormal(Value step, long seed, int stream, TensorType type) {
    return random(RandomDraw.NORMAL, step, seed, stream, type, false);
  }

  /**
   * A draw of {@code kind}; {@code sharded}: this rank's rows of the draw over the global batch (its
   * element e keyed as {@code rank * size + e}; docs/distributed.md).
   */
  public Value random(RandomDraw kind, Value step, long seed, int stream, TensorType type, boolean sharded) {
    Attrs attrs = RandomDraw.attrs(seed, stream, type);
    return apply(kind, List.of(step), sharded ? attrs.with("sharded", true) : attrs);
  }

  // ---- collectives ----------------------------------------------------------------------------

  /** The operands concatenated into one flat f32 vector and summed over the ranks of a data-parallel run. */
  public Value allSum(List<Value> operands) {
    return apply(AllSum.INSTANCE, operands, Attrs.NONE);
  }
}

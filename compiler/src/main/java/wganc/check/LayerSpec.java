package wganc.check;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import wganc.check.Model.Init;
import wganc.check.Model.Param;
import wganc.check.Model.ParamKind;
import wganc.diag.Diagnostic;
import wganc.ir.GraphBuilder;
import wganc.ir.TensorType;
import wganc.ir.Value;
import wganc.ops.ConvGeometry;
import wganc.syntax.Ast;

/**
 * Every layer kind of the language, one record each: its keyword and arguments (a row of
 * {@link #KINDS}), how a statement is read (defaults with Keras semantics, argument checks and their
 * diagnostics, the output shape, the parameters with PyTorch names, shapes and initialisers), and its
 * forward pass built from primitives (derivatives come from the primitives). The checker
 * ({@link Networks}), the summary, the trainer spec and lowering read only this file, so a new layer
 * is a record here plus its row. Statements that combine layers ({@link Residual}, {@link Concat},
 * {@link Block}) have no row: {@link Networks} reads them, and their forward passes apply their
 * nested layers through {@link Scope#apply}.
 */
public sealed interface LayerSpec {
  String kind();

  /** The statements nested in this one (a residual's branch then its shortcut, ...); none for a layer. */
  default List<Model.Layer> inner() {
    return List.of();
  }

  /** The layer applied to {@code x} (batch axis first, NCHW images) in the phase {@code s} lowers. */
  Value forward(Scope s, Value x);

  /** Fan-in and fan-out of the weight for Glorot and He initialisers, given the input shape. */
  default Fans fans(List<Integer> in) {
    return new Fans(1, 1);
  }

  record Fans(int in, int out) {}

  /**
   * A layer kind: its keyword, its arguments ({@code positional} of them, from the front, may be
   * written without their key) and the reader of a statement whose arguments are bound.
   */
  record Kind(String name, int positional, List<String> keywords, Function<LayerStatement, Optional<Model.Layer>> read) {}

  List<Kind> KINDS = List.of(
      new Kind("dense", 1, List.of("units", "bias", "init", "bias_init", "clip"), Dense::read),
      new Kind("conv", 1, List.of("filters", "kernel", "stride", "padding", "bias", "init", "bias_init", "clip"), Conv::read),
      new Kind("conv_transpose", 1, List.of("filters", "kernel", "stride", "padding", "bias", "init", "bias_init", "clip"),
          ConvTranspose::read),
      new Kind("batchnorm", 0, List.of("momentum", "eps"), BatchNorm::read),
      new Kind("layernorm", 0, List.of("eps"), LayerNorm::read),
      new Kind("dropout", 1, List.of("rate"), Dropout::read),
      new Kind("leaky_relu", 1, List.of("alpha"), LeakyRelu::read),
      new Kind("relu", 0, List.of(), s -> s.sameShape(new Relu())),
      new Kind("tanh", 0, List.of(), s -> s.sameShape(new Tanh())),
      new Kind("sigmoid", 0, List.of(), s -> s.sameShape(new Sigmoid())),
      new Kind("upsample", 1, List.of("factor"), Upsample::read),
      new Kind("avg_pool", 1, List.of("factor"), AvgPool::read),
      new Kind("global_avg_pool", 0, List.of(), GlobalAvgPool::read),
      new Kind("pad", 1, List.of("amount"), Pad::read),
      new Kind("crop", 1, List.of("amount"), Crop::read),
      new Kind("reshape", 1, List.of("shape"), Reshape::read),
      new Kind("flatten", 0, List.of(), Flatten::read));

  static Optional<Kind> kind(String name) {
    return KINDS.stream().filter(k -> k.name().equals(name)).findFirst();
  }

  /** What a layer's forward pass reads from the phase being lowered. */
  interface Scope {
    GraphBuilder graph();

    /** False under `training=false`: running statistics, no dropout. */
    boolean training();

    /** The current value of this layer's parameter of {@code kind} (null when it has none). */
    Value param(ParamKind kind);

    /** Sets a non-trainable parameter (a running statistic) from here on; the phase outputs it. */
    void write(ParamKind kind, Value v);

    /** The value of the network's input {@code name} (one after the first) in this application. */
    Value input(String name);

    /** The nested statement {@code layer} applied to {@code x}, with its own parameters. */
    Value apply(Model.Layer layer, Value x);

    /** The statements {@code layers} applied in order to {@code x}. */
    default Value applyAll(List<Model.Layer> layers, Value x) {
      for (Model.Layer l : layers) x = apply(l, x);
      return x;
    }

    /**
     * A random tensor of {@code type}: {@code fromUniform} of uniform draws in [0, 1), or, when the
     * phase's draws are inputs, the input `NET.INDEX.WHAT.K` (the k-th application of the network).
     */
    Value random(String what, TensorType type, UnaryOperator<Value> fromUniform);

    /**
     * The mean of {@code x} over {@code axes} (the batch axis among them; kept as axes of 1): a
     * batch statistic. In one process the mean over the batch; a graph compiled for several ranks
     * may make it the mean over the global batch (docs/distributed.md).
     */
    default Value batchMean(Value x, int[] axes) {
      return graph().reduceMean(x, axes, true);
    }
  }

  static long product(List<Integer> dims) {
    long p = 1;
    for (int d : dims) p *= d;
    return p;
  }

  /** `dense units`: {@code x [N,in] . w^T + bias}, weight {@code [units, in]}, bias {@code [units]}. */
  record Dense(int units, boolean bias) implements LayerSpec {
    public String kind() { return "dense"; }

    static Optional<Model.Layer> read(LayerStatement s) {
      Args a = s.args();
      if (s.in().size() != 1) {
        return s.error(Diagnostic.error("E0208", "`dense` expects a flat input [features], found " + s.in(), s.kindSpan(),
            "input is " + s.in()).withHelp("add `flatten` before it"));
      }
      var units = a.ints("units", 1, null, 1);
      if (units.isEmpty()) {
        if (!a.has("units")) {
          s.report(Diagnostic.error("E0105", "`dense` needs a number of units", s.kindSpan(), "missing units")
              .withHelp("write e.g. `dense 128`"));
        }
        return Optional.empty();
      }
      var bias = a.bool("bias", true);
      var init = s.init("init", new Init.Glorot(true));
      var binit = s.init("bias_init", new Init.Constant(0));
      var clip = s.clip();
      if (bias.isEmpty() || init.isEmpty() || binit.isEmpty() || clip == null) return Optional.empty();
      int u = units.get()[0];
      List<Param> ps = new ArrayList<>();
      ps.add(s.param(ParamKind.WEIGHT, List.of(u, s.in().getFirst()), init.get(), clip));
      // like Keras' kernel_constraint (and like conv below), `clip` bounds the kernel, not the bias
      if (bias.get()) ps.add(s.param(ParamKind.BIAS, List.of(u), binit.get()));
      return s.layer(new Dense(u, bias.get()), List.of(u), ps);
    }

    public Value forward(Scope s, Value x) {
      return apply(s.graph(), x, s.param(ParamKind.WEIGHT), s.param(ParamKind.BIAS));
    }

    /** {@code x [N,in] . w^T + bias}, {@code w [out,in]}; {@code bias [out]} or null. */
    public static Value apply(GraphBuilder b, Value x, Value w, Value bias) {
      Value y = b.matmul(x, w, false, true);
      return bias == null ? y : b.add(y, bias);
    }

    public Fans fans(List<Integer> in) { return new Fans(in.getFirst(), units); }
  }

  /**
   * `conv filters kernel=`: weight {@code [filters, c, kh, kw]}. Padding as (top, bottom, left,
   * right); `same` already resolved TensorFlow's way.
   */
  record Conv(int filters, int kh, int kw, int sh, int sw, int[] pad, boolean bias) implements LayerSpec {
    public String kind() { return "conv"; }

    static Optional<Model.Layer> read(LayerStatement s) { return readConv(s, false); }

    public Value forward(Scope s, Value x) {
      GraphBuilder b = s.graph();
      Value y = b.conv2d(x, s.param(ParamKind.WEIGHT), new int[] {sh, sw}, pad);
      return bias ? addBias(b, y, s.param(ParamKind.BIAS)) : y;
    }

    /** A bias {@code [C]} added to an NCHW tensor (reshaped to {@code [1,C,1,1]}, broadcast). */
    public static Value addBias(GraphBuilder b, Value x, Value bias) {
      return b.add(x, b.reshape(bias, 1, bias.type().dim(0), 1, 1));
    }

    public Fans fans(List<Integer> in) { return new Fans(in.getFirst() * kh * kw, filters * kh * kw); }
  }

  /**
   * A transposed convolution with Keras' output sizes: `same` gives {@code in * s}, `valid` gives
   * {@code (in - 1) * s + max(k, s)}. Weight {@code [c, filters, kh, kw]}.
   */
  record ConvTranspose(int filters, int kh, int kw, int sh, int sw, boolean same, boolean bias) implements LayerSpec {
    public String kind() { return "conv_transpose"; }

    static Optional<Model.Layer> read(LayerStatement s) { return readConv(s, true); }

    public Value forward(Scope s, Value x) {
      GraphBuilder b = s.graph();
      Value y = b.convTranspose(x, s.param(ParamKind.WEIGHT), sh, sw, same);
      return bias ? Conv.addBias(b, y, s.param(ParamKind.BIAS)) : y;
    }

    // Keras' Conv2DTranspose kernel is (kh, kw, filters, in): fan_in = filters*k*k, fan_out = in*k*k
    public Fans fans(List<Integer> in) { return new Fans(filters * kh * kw, in.getFirst() * kh * kw); }
  }

  private static Optional<Model.Layer> readConv(LayerStatement s, boolean transpose) {
    Args a = s.args();
    List<Integer> in = s.in();
    if (!s.image()) return Optional.empty();
    var filters = a.ints("filters", 1, null, 1);
    if (filters.isEmpty()) {
      if (!a.has("filters")) {
        s.report(Diagnostic.error("E0105", "`" + s.kind() + "` needs a number of filters", s.kindSpan(), "missing filters")
            .withHelp("write e.g. `" + s.kind() + " 64 kernel=5 stride=2 padding=same`"));
      }
      return Optional.empty();
    }
    if (!a.has("kernel")) {
      return s.error(Diagnostic.error("E0105", "`" + s.kind() + "` needs a kernel size", s.kindSpan(), "missing `kernel`")
          .withHelp("write e.g. `kernel=5` or `kernel=[5, 3]`"));
    }
    var kernel = a.ints("kernel", 2, null, 1);
    var stride = a.ints("stride", 2, new int[] {1, 1}, 1);
    var bias = a.bool("bias", true);
    var init = s.init("init", new Init.Glorot(true));
    var binit = s.init("bias_init", new Init.Constant(0));
    var clip = s.clip();
    if (kernel.isEmpty() || stride.isEmpty() || bias.isEmpty() || init.isEmpty() || binit.isEmpty() || clip == null) {
      return Optional.empty();
    }
    int f = filters.get()[0], c = in.get(0), h = in.get(1), w = in.get(2);
    int kh = kernel.get()[0], kw = kernel.get()[1], sh = stride.get()[0], sw = stride.get()[1];
    int[] pad = new int[4];
    boolean same = false;
    Optional<Ast.Arg> padArg = a.arg("padding");
    if (padArg.isPresent() && !(padArg.get().value() instanceof Ast.Ident)) {
      if (transpose) {
        return s.error(Diagnostic.error("E0111", "`padding` of `conv_transpose` must be one of `same`, `valid`",
            padArg.get().value().span(), "found " + Args.describe(padArg.get().value())));
      }
      var p = a.ints("padding", 4, null, 0);
      if (p.isEmpty()) return Optional.empty();
      pad = p.get();
    } else {
      var mode = a.word("padding", "valid", List.of("same", "valid"));
      if (mode.isEmpty()) return Optional.empty();
      same = mode.get().equals("same");
      if (same && !transpose) pad = ConvGeometry.samePadding(h, w, kh, kw, sh, sw);
    }
    int oh, ow;
    if (transpose) {
      oh = ConvGeometry.transposeSize(h, kh, sh, same);
      ow = ConvGeometry.transposeSize(w, kw, sw, same);
    } else {
      int ph = h + pad[0] + pad[1], pw = w + pad[2] + pad[3];
      if (ph < kh || pw < kw) {
        return s.error(Diagnostic.error("E0209", "kernel " + kh + "x" + kw + " is larger than the "
                + (pad[0] + pad[1] + pad[2] + pad[3] > 0 ? "padded " : "") + "input " + ph + "x" + pw,
            a.spanOf("kernel"), "input is " + in).withHelp("use a smaller kernel or `padding=same`"));
      }
      oh = ConvGeometry.outSize(ph, kh, sh);
      ow = ConvGeometry.outSize(pw, kw, sw);
    }
    if (oh <= 0 || ow <= 0) {
      return s.error(Diagnostic.error("E0209", "`" + s.kind() + "` leaves no output", s.span(), "input is " + in));
    }
    List<Param> ps = new ArrayList<>();
    List<Integer> wshape = transpose ? List.of(c, f, kh, kw) : List.of(f, c, kh, kw);
    ps.add(s.param(ParamKind.WEIGHT, wshape, init.get(), clip));
    if (bias.get()) ps.add(s.param(ParamKind.BIAS, List.of(f), binit.get()));
    LayerSpec spec = transpose ? new ConvTranspose(f, kh, kw, sh, sw, same, bias.get())
        : new Conv(f, kh, kw, sh, sw, pad, bias.get());
    return s.layer(spec, List.of(f, oh, ow), ps);
  }

  /**
   * Keras' `BatchNormalization`: statistics per channel (axis 1 of the batch; for a flat input each
   * feature), batch statistics in training, running averages otherwise. Parameters `weight`,
   * `bias` (trainable, 1 and 0) and `running_mean`, `running_var` (not trainable).
   */
  record BatchNorm(double momentum, double eps) implements LayerSpec {
    public String kind() { return "batchnorm"; }

    static Optional<Model.Layer> read(LayerStatement s) {
      var m = s.args().number("momentum", 0.99, 0, 1, false);
      var e = s.args().number("eps", 1e-3, 0, 1, true);
      if (m.isEmpty() || e.isEmpty()) return Optional.empty();
      List<Integer> c = List.of(s.in().getFirst());
      return s.layer(new BatchNorm(m.get(), e.get()), s.in(), List.of(
          s.param(ParamKind.WEIGHT, c, new Init.Constant(1)),
          s.param(ParamKind.BIAS, c, new Init.Constant(0)),
          s.param(ParamKind.RUNNING_MEAN, c, new Init.Constant(0)),
          s.param(ParamKind.RUNNING_VAR, c, new Init.Constant(1))));
    }

    public Value forward(Scope s, Value x) {
      GraphBuilder b = s.graph();
      Value gamma = s.param(ParamKind.WEIGHT), beta = s.param(ParamKind.BIAS);
      if (!s.training()) {
        return inference(b, x, gamma, beta, s.param(ParamKind.RUNNING_MEAN), s.param(ParamKind.RUNNING_VAR), eps);
      }
      Statistics r = training(b, x, gamma, beta, eps, s::batchMean);
      s.write(ParamKind.RUNNING_MEAN, updateMoving(b, s.param(ParamKind.RUNNING_MEAN), r.mean(), momentum));
      s.write(ParamKind.RUNNING_VAR, updateMoving(b, s.param(ParamKind.RUNNING_VAR), r.variance(), momentum));
      return r.y();
    }

    /** The normalised output and the batch statistics, shaped {@code [C]}. */
    public record Statistics(Value y, Value mean, Value variance) {}

    /**
     * Training mode: batch mean and biased variance over every axis but the channel axis,
     * {@code y = (x - mean) * rsqrt(var + eps) * gamma + beta}, with the statistics for
     * {@link #updateMoving}.
     */
    public static Statistics training(GraphBuilder b, Value x, Value gamma, Value beta, double eps) {
      return training(b, x, gamma, beta, eps, (v, axes) -> b.reduceMean(v, axes, true));
    }

    /** {@link #training} with the batch means taken by {@code batchMean} ({@link Scope#batchMean}). */
    static Statistics training(GraphBuilder b, Value x, Value gamma, Value beta, double eps,
        java.util.function.BiFunction<Value, int[], Value> batchMean) {
      int[] axes = statAxes(x);
      Value mean = batchMean.apply(x, axes);
      Value centered = b.sub(x, mean);
      Value variance = batchMean.apply(b.mul(centered, centered), axes);
      Value y = b.mul(centered, b.rsqrt(b.add(variance, eps)));
      y = b.add(b.mul(y, perChannel(b, gamma, x)), perChannel(b, beta, x));
      int c = x.type().dim(1);
      return new Statistics(y, b.reshape(mean, c), b.reshape(variance, c));
    }

    /** Inference mode, with the moving statistics. */
    public static Value inference(GraphBuilder b, Value x, Value gamma, Value beta, Value movingMean,
        Value movingVariance, double eps) {
      Value scale = b.mul(gamma, b.rsqrt(b.add(movingVariance, eps)));
      Value y = b.mul(b.sub(x, perChannel(b, movingMean, x)), perChannel(b, scale, x));
      return b.add(y, perChannel(b, beta, x));
    }

    /** Keras' moving statistic update: {@code moving * momentum + stat * (1 - momentum)}. */
    public static Value updateMoving(GraphBuilder b, Value moving, Value stat, double momentum) {
      return b.add(b.mul(moving, momentum), b.mul(stat, 1.0 - momentum));
    }

    /** Axes reduced by batchnorm: all but axis 1 (channels; features for rank 2). */
    private static int[] statAxes(Value x) {
      List<Integer> axes = new ArrayList<>();
      for (int i = 0; i < x.type().rank(); i++) {
        if (i != 1) axes.add(i);
      }
      return axes.stream().mapToInt(Integer::intValue).toArray();
    }

    /** {@code [C]} to {@code [1,C,1,...]} so it broadcasts against {@code x}. */
    private static Value perChannel(GraphBuilder b, Value v, Value x) {
      int[] dims = new int[x.type().rank()];
      Arrays.fill(dims, 1);
      dims[1] = x.type().dim(1);
      return b.reshape(v, dims);
    }
  }

  /** Per-sample normalisation; `weight` and `bias` have the shape of the input. */
  record LayerNorm(double eps) implements LayerSpec {
    public String kind() { return "layernorm"; }

    static Optional<Model.Layer> read(LayerStatement s) {
      var e = s.args().number("eps", 1e-3, 0, 1, true);
      if (e.isEmpty()) return Optional.empty();
      return s.layer(new LayerNorm(e.get()), s.in(), List.of(
          s.param(ParamKind.WEIGHT, s.in(), new Init.Constant(1)),
          s.param(ParamKind.BIAS, s.in(), new Init.Constant(0))));
    }

    public Value forward(Scope s, Value x) {
      int[] axes = new int[x.type().rank() - 1];
      for (int i = 0; i < axes.length; i++) axes[i] = i + 1;
      return apply(s.graph(), x, axes, s.param(ParamKind.WEIGHT), s.param(ParamKind.BIAS), eps);
    }

    /**
     * Normalisation over {@code axes} (per sample), biased variance; {@code gamma}/{@code beta}
     * shaped like the normalised axes' trailing dims, or null.
     */
    public static Value apply(GraphBuilder b, Value x, int[] axes, Value gamma, Value beta, double eps) {
      Value mean = b.reduceMean(x, axes, true);
      Value centered = b.sub(x, mean);
      Value variance = b.reduceMean(b.mul(centered, centered), axes, true);
      Value y = b.mul(centered, b.rsqrt(b.add(variance, eps)));
      if (gamma != null) y = b.mul(y, gamma);
      if (beta != null) y = b.add(y, beta);
      return y;
    }
  }

  /** Drops with probability `rate` in training (inverted dropout); nothing otherwise. */
  record Dropout(double rate) implements LayerSpec {
    public String kind() { return "dropout"; }

    static Optional<Model.Layer> read(LayerStatement s) {
      var r = s.args().requiredNumber("rate", 0, 1, false, "dropout 0.3");
      if (r.isEmpty()) return Optional.empty();
      if (r.get() >= 1) {
        return s.error(Diagnostic.error("E0107", "`rate` of `dropout` is out of range", s.args().spanOf("rate"),
            "must lie in [0, 1)"));
      }
      return s.sameShape(new Dropout(r.get()));
    }

    public Value forward(Scope s, Value x) {
      if (!s.training() || rate == 0) return x;
      Value keep = s.random("mask", x.type(), u -> s.graph().greaterEqual(u, rate));
      return apply(s.graph(), x, keep, rate);
    }

    /** {@code x * keep / (1 - rate)}, {@code keep} a 0/1 mask of x's shape ({@code uniform >= rate}). */
    public static Value apply(GraphBuilder b, Value x, Value keep, double rate) {
      return b.mul(b.mul(x, keep), 1.0 / (1.0 - rate));
    }
  }

  /** {@code select(x > 0, x, alpha * x)}; Keras' default slope 0.3. */
  record LeakyRelu(double alpha) implements LayerSpec {
    public String kind() { return "leaky_relu"; }

    static Optional<Model.Layer> read(LayerStatement s) {
      var al = s.args().number("alpha", 0.3, 0, 1e6, false);
      return al.isEmpty() ? Optional.empty() : s.sameShape(new LeakyRelu(al.get()));
    }

    public Value forward(Scope s, Value x) { return apply(s.graph(), x, alpha); }

    public static Value apply(GraphBuilder b, Value x, double slope) {
      return b.select(b.greater(x, 0.0), x, b.mul(x, slope));
    }
  }

  record Relu() implements LayerSpec {
    public String kind() { return "relu"; }

    public Value forward(Scope s, Value x) { return s.graph().relu(x); }
  }

  record Tanh() implements LayerSpec {
    public String kind() { return "tanh"; }

    public Value forward(Scope s, Value x) { return s.graph().tanh(x); }
  }

  record Sigmoid() implements LayerSpec {
    public String kind() { return "sigmoid"; }

    public Value forward(Scope s, Value x) { return s.graph().sigmoid(x); }
  }

  /** The (height, width) `factor=` of a layer on images, 2 by default; empty after an error. */
  private static Optional<int[]> factor(LayerStatement s) {
    if (!s.image()) return Optional.empty();
    return s.args().ints("factor", 2, new int[] {2, 2}, 1);
  }

  /** Nearest-neighbour upsampling by `factor=2` (or `[fh, fw]`). */
  record Upsample(int fh, int fw) implements LayerSpec {
    public String kind() { return "upsample"; }

    static Optional<Model.Layer> read(LayerStatement s) {
      var f = factor(s);
      if (f.isEmpty()) return Optional.empty();
      List<Integer> in = s.in();
      return s.layer(new Upsample(f.get()[0], f.get()[1]), List.of(in.get(0), in.get(1) * f.get()[0], in.get(2) * f.get()[1]),
          List.of());
    }

    public Value forward(Scope s, Value x) { return s.graph().upsample(x, fh, fw); }
  }

  /**
   * Mean pooling over non-overlapping `factor=2` (or `[fh, fw]`) windows, as the WGAN-GP authors'
   * ResNet pools: the windows' sums (the transpose of upsampling) times {@code 1/(fh*fw)}.
   */
  record AvgPool(int fh, int fw) implements LayerSpec {
    public String kind() { return "avg_pool"; }

    static Optional<Model.Layer> read(LayerStatement s) {
      var f = factor(s);
      if (f.isEmpty()) return Optional.empty();
      List<Integer> in = s.in();
      int fh = f.get()[0], fw = f.get()[1], h = in.get(1), w = in.get(2);
      if (h % fh != 0 || w % fw != 0) {
        int bottom = (fh - h % fh) % fh, right = (fw - w % fw) % fw;
        return s.error(Diagnostic.error("E0214", "`avg_pool` windows of " + fh + "x" + fw + " do not tile the input's "
                + h + "x" + w, s.args().spanOf("factor"), "input is " + in)
            .withHelp("pad to " + (h + bottom) + "x" + (w + right) + " first: `pad [0, " + bottom + ", 0, " + right + "]`"));
      }
      return s.layer(new AvgPool(fh, fw), List.of(in.get(0), h / fh, w / fw), List.of());
    }

    public Value forward(Scope s, Value x) {
      GraphBuilder b = s.graph();
      return b.mul(b.sumPool(x, fh, fw), 1.0 / (fh * fw));
    }
  }

  /**
   * The mean of each channel over the image, `[c, h, w]` to `[c]` (the WGAN-GP authors' ResNet
   * critic's `reduce_mean(output, axis=[2,3])`; Keras' `GlobalAveragePooling2D`).
   */
  record GlobalAvgPool() implements LayerSpec {
    public String kind() { return "global_avg_pool"; }

    static Optional<Model.Layer> read(LayerStatement s) {
      if (!s.image()) return Optional.empty();
      return s.layer(new GlobalAvgPool(), List.of(s.in().getFirst()), List.of());
    }

    public Value forward(Scope s, Value x) { return s.graph().reduceMean(x, new int[] {2, 3}, false); }
  }

  /**
   * `residual { branch } shortcut { shortcut }`: {@code branch(x) + shortcut(x)}, the shortcut empty
   * for the identity. Both give the same shape ({@link Networks} checks it).
   */
  record Residual(List<Model.Layer> branch, List<Model.Layer> shortcut) implements LayerSpec {
    public String kind() { return "residual"; }

    public List<Model.Layer> inner() {
      List<Model.Layer> all = new ArrayList<>(branch);
      all.addAll(shortcut);
      return all;
    }

    public Value forward(Scope s, Value x) {
      return s.graph().add(s.applyAll(branch, x), s.applyAll(shortcut, x));
    }
  }

  /**
   * `concat { a } { b } ...`: the branches' outputs joined along their first per-sample axis
   * (channels of an image, features of a flat input); the other axes agree ({@link Networks} checks
   * it). Built from primitives: each branch is zero-padded to the whole channel range at its offset,
   * and the padded tensors are summed, so derivatives come from `pad` (whose VJP is a crop) and `add`.
   */
  record Concat(List<List<Model.Layer>> branches) implements LayerSpec {
    public String kind() { return "concat"; }

    public List<Model.Layer> inner() {
      return branches.stream().flatMap(List::stream).toList();
    }

    public Value forward(Scope s, Value x) {
      List<Value> parts = new ArrayList<>();
      for (List<Model.Layer> branch : branches) parts.add(s.applyAll(branch, x));
      return join(s.graph(), parts);
    }

    /** {@code parts} (batch axis first) joined along axis 1. */
    public static Value join(GraphBuilder b, List<Value> parts) {
      int total = parts.stream().mapToInt(v -> v.type().dim(1)).sum();
      Value sum = null;
      int offset = 0;
      for (Value v : parts) {
        int[] lo = new int[v.type().rank()], hi = new int[v.type().rank()];
        lo[1] = offset;
        hi[1] = total - offset - v.type().dim(1);
        offset += v.type().dim(1);
        Value padded = lo[1] == 0 && hi[1] == 0 ? v : b.pad(v, lo, hi);
        sum = sum == null ? padded : b.add(sum, padded);
      }
      return sum;
    }
  }

  /**
   * `concat y`: the network input {@code input} [k] joined after the value's first axis: to a flat
   * [n] as [n + k]; to an image [c, h, w] as [c + k, h, w], broadcast over every pixel (a conditional
   * critic's usual input). Built from `reshape`, `broadcast_to` and {@link Concat#join}.
   */
  record ConcatInput(String input) implements LayerSpec {
    public String kind() { return "concat " + input; }

    public Value forward(Scope s, Value x) {
      GraphBuilder b = s.graph();
      Value y = s.input(input);
      if (x.type().rank() == 4) {
        List<Integer> dims = List.of(x.type().dim(0), y.type().dim(1), x.type().dim(2), x.type().dim(3));
        y = b.broadcastTo(b.reshape(y, x.type().dim(0), y.type().dim(1), 1, 1), dims);
      }
      return Concat.join(b, List.of(x, y));
    }
  }

  /** A use of a `block` declaration: its statements in order, with their parameters under the use's path. */
  record Block(String name, List<Model.Layer> layers) implements LayerSpec {
    public String kind() { return name; }

    public List<Model.Layer> inner() { return layers; }

    public Value forward(Scope s, Value x) { return s.applyAll(layers, x); }
  }

  /** (top, bottom, left, right) zeros. */
  record Pad(int[] amount) implements LayerSpec {
    public String kind() { return "pad"; }

    static Optional<Model.Layer> read(LayerStatement s) { return readPadOrCrop(s, true); }

    public Value forward(Scope s, Value x) {
      return s.graph().pad2d(x, amount[0], amount[1], amount[2], amount[3]);
    }
  }

  /** (top, bottom, left, right) rows and columns removed. */
  record Crop(int[] amount) implements LayerSpec {
    public String kind() { return "crop"; }

    static Optional<Model.Layer> read(LayerStatement s) { return readPadOrCrop(s, false); }

    public Value forward(Scope s, Value x) {
      return s.graph().crop2d(x, amount[0], amount[1], amount[2], amount[3]);
    }
  }

  private static Optional<Model.Layer> readPadOrCrop(LayerStatement s, boolean pad) {
    if (!s.image()) return Optional.empty();
    var amt = s.args().ints("amount", 4, null, 0);
    String kind = s.kind();
    if (amt.isEmpty()) {
      if (!s.args().has("amount")) {
        s.report(Diagnostic.error("E0105", "`" + kind + "` needs an amount", s.kindSpan(), "missing amount")
            .withHelp("write `" + kind + " 2` (all sides), `" + kind + " [1, 2]` (rows, columns) or `"
                + kind + " [top, bottom, left, right]`"));
      }
      return Optional.empty();
    }
    int[] p = amt.get();
    List<Integer> in = s.in();
    int h = pad ? in.get(1) + p[0] + p[1] : in.get(1) - p[0] - p[1];
    int w = pad ? in.get(2) + p[2] + p[3] : in.get(2) - p[2] - p[3];
    if (h <= 0 || w <= 0) {
      return s.error(Diagnostic.error("E0205", "`crop` removes the whole image", s.span(),
          "input is " + in + ", cropping " + Arrays.toString(p))
          .withHelp("crop fewer than " + in.get(1) + " rows and " + in.get(2) + " columns in all"));
    }
    return s.layer(pad ? new Pad(p) : new Crop(p), List.of(in.get(0), h, w), List.of());
  }

  /** Any shape to `shape`, the same number of values. */
  record Reshape(List<Integer> shape) implements LayerSpec {
    public String kind() { return "reshape"; }

    static Optional<Model.Layer> read(LayerStatement s) {
      Optional<Ast.Arg> arg = s.args().arg("shape");
      if (arg.isEmpty() || !(arg.get().value() instanceof Ast.ListValue lv)) {
        return s.error(Diagnostic.error("E0105", "`reshape` needs a shape", arg.map(Ast.Arg::span).orElse(s.kindSpan()),
            "missing shape").withHelp("write e.g. `reshape [256, 4, 4]`"));
      }
      List<Integer> out = new ArrayList<>();
      for (Ast.Value v : lv.items()) {
        if (!(v instanceof Ast.Num n) || !n.integral() || n.value() <= 0 || n.value() > 1_000_000) {
          return s.error(Diagnostic.error("E0109", "`reshape` dimensions must be positive integers", v.span(),
              "found " + Args.describe(v)));
        }
        out.add((int) n.value());
      }
      List<Integer> in = s.in();
      long from = product(in), to = product(out);
      if (from != to) {
        return s.error(Diagnostic.error("E0206", "`reshape` cannot turn " + in + " into " + out, lv.span(),
            to + " values, but the input has " + from).withHelp(suggest(in, out)));
      }
      return s.layer(new Reshape(List.copyOf(out)), List.copyOf(out), List.of());
    }

    private static String suggest(List<Integer> in, List<Integer> out) {
      long from = product(in);
      if (out.size() == 3 && from % ((long) out.get(1) * out.get(2)) == 0) {
        return "did you mean `reshape [" + from / ((long) out.get(1) * out.get(2)) + ", " + out.get(1) + ", " + out.get(2) + "]`?";
      }
      return "the product of the dimensions must be " + from;
    }

    public Value forward(Scope s, Value x) {
      int[] dims = new int[shape.size() + 1];
      dims[0] = x.type().dim(0);
      for (int i = 0; i < shape.size(); i++) dims[i + 1] = shape.get(i);
      return s.graph().reshape(x, dims);
    }
  }

  /** Any shape to `[product]`. */
  record Flatten() implements LayerSpec {
    public String kind() { return "flatten"; }

    static Optional<Model.Layer> read(LayerStatement s) {
      return s.layer(new Flatten(), List.of((int) product(s.in())), List.of());
    }

    public Value forward(Scope s, Value x) { return s.graph().flatten(x); }
  }
}

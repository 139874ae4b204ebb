package wganc.check;

/** What a layer statement means once its arguments are read; shapes are computed by {@link Layers}. */
public sealed interface LayerSpec {
  String kind();

  record Dense(int units, boolean bias) implements LayerSpec {
    public String kind() { return "dense"; }
  }

  /** Padding as (top, bottom, left, right); `same` already resolved TensorFlow's way. */
  record Conv(int filters, int kh, int kw, int sh, int sw, int[] pad, boolean bias) implements LayerSpec {
    public String kind() { return "conv"; }
  }

  /**
   * A transposed convolution with Keras' output sizes: `same` gives {@code in * s}, `valid` gives
   * {@code (in - 1) * s + max(k, s)}.
   */
  record ConvTranspose(int filters, int kh, int kw, int sh, int sw, boolean same, boolean bias) implements LayerSpec {
    public String kind() { return "conv_transpose"; }
  }

  record BatchNorm(double momentum, double eps) implements LayerSpec {
    public String kind() { return "batchnorm"; }
  }

  record LayerNorm(double eps) implements LayerSpec {
    public String kind() { return "layernorm"; }
  }

  record Dropout(double rate) implements LayerSpec {
    public String kind() { return "dropout"; }
  }

  record LeakyRelu(double alpha) implements LayerSpec {
    public String kind() { return "leaky_relu"; }
  }

  record Relu() implements LayerSpec {
    public String kind() { return "relu"; }
  }

  record Tanh() implements LayerSpec {
    public String kind() { return "tanh"; }
  }

  record Sigmoid() implements LayerSpec {
    public String kind() { return "sigmoid"; }
  }

  record Upsample(int fh, int fw) implements LayerSpec {
    public String kind() { return "upsample"; }
  }

  /** (top, bottom, left, right) zeros. */
  record Pad(int[] amount) implements LayerSpec {
    public String kind() { return "pad"; }
  }

  /** (top, bottom, left, right) rows and columns removed. */
  record Crop(int[] amount) implements LayerSpec {
    public String kind() { return "crop"; }
  }

  record Reshape(java.util.List<Integer> shape) implements LayerSpec {
    public String kind() { return "reshape"; }
  }

  record Flatten() implements LayerSpec {
    public String kind() { return "flatten"; }
  }
}

package wganc.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import org.junit.jupiter.api.Test;
import wganc.interp.Interpreter;
import wganc.interp.Float64Tensor;
import wganc.ir.GraphBuilder;
import wganc.ir.IrException;
import wganc.ir.TensorType;
import wganc.ir.Value;

/** Shapes and values of conv2d, its transposes, upsample, pad and crop on hand-computed cases. */
class ConvShapesTest {
  static double[] range(int n) {
    double[] d = new double[n];
    for (int i = 0; i < n; i++) {
      d[i] = i + 1;
    }
    return d;
  }

  static double[] ones(int n) {
    double[] d = new double[n];
    java.util.Arrays.fill(d, 1.0);
    return d;
  }

  /** Evaluates {@code f(x, w)} for NCHW {@code x} and a second operand {@code w}. */
  static Float64Tensor eval(int[] xDims, double[] x, int[] wDims, double[] w,
      BiFunction<GraphBuilder, Value[], Value> f) {
    GraphBuilder b = new GraphBuilder();
    Value xv = b.input("x", TensorType.f32(xDims));
    Value wv = b.input("w", TensorType.f32(wDims));
    Value y = f.apply(b, new Value[] {xv, wv});
    b.output("y", y);
    Map<String, Float64Tensor> feeds = new HashMap<>();
    feeds.put("x", new Float64Tensor(TensorType.f32(xDims).dims(), x));
    feeds.put("w", new Float64Tensor(TensorType.f32(wDims).dims(), w));
    return Interpreter.run(b.build(), feeds).output("y");
  }

  @Test
  void conv2dValidStrideOne() {
    // x = [[1,2,3],[4,5,6],[7,8,9]], w = [[1,2],[3,4]]: 1*1+2*2+3*4+4*5 = 37, ...
    Float64Tensor y = eval(new int[] {1, 1, 3, 3}, range(9), new int[] {1, 1, 2, 2}, range(4),
        (b, v) -> b.conv2d(v[0], v[1], new int[] {1, 1}, new int[] {0, 0, 0, 0}));
    assertEquals(List.of(1, 1, 2, 2), y.shape());
    assertArrayEquals(new double[] {37, 47, 67, 77}, y.data());
  }

  @Test
  void samePaddingFollowsTensorFlow() {
    // out = ceil(in/s); total = max((out-1)*s + k - in, 0); before = total/2, after = the rest
    assertArrayEquals(new int[] {0, 1, 0, 1}, ConvGeometry.samePadding(4, 4, 2, 2, 1, 1));
    assertArrayEquals(new int[] {1, 2, 1, 2}, ConvGeometry.samePadding(5, 5, 4, 4, 2, 2));
    assertArrayEquals(new int[] {0, 1, 1, 1}, ConvGeometry.samePadding(4, 5, 3, 3, 2, 2));
    assertArrayEquals(new int[] {1, 2, 2, 2}, ConvGeometry.samePadding(28, 28, 5, 5, 2, 1));
    assertArrayEquals(new int[] {0, 0, 0, 0}, ConvGeometry.samePadding(4, 4, 1, 1, 2, 2));
    assertArrayEquals(new int[] {1, 2, 1, 2}, ConvGeometry.samePadding(32, 32, 5, 5, 2, 2));  // total 3: 1 before, 2 after
    assertArrayEquals(new int[] {1, 1, 1, 1}, ConvGeometry.samePadding(28, 28, 4, 4, 2, 2));  // total 2
    assertArrayEquals(new int[] {1, 2, 1, 2}, ConvGeometry.samePadding(7, 7, 4, 4, 1, 1));    // even kernel, stride 1
    assertArrayEquals(new int[] {0, 1, 0, 1}, ConvGeometry.samePadding(28, 28, 3, 3, 2, 2));  // in 28, k 3, s 2: total 1
    assertArrayEquals(new int[] {1, 1, 0, 0}, ConvGeometry.samePadding(5, 5, 3, 1, 1, 1));
  }

  @Test
  void conv2dSameEvenKernelPadsBottomAndRight() {
    // ones 2x2 over 1..16 in 4x4, one zero row below and one zero column to the right
    Float64Tensor y = eval(new int[] {1, 1, 4, 4}, range(16), new int[] {1, 1, 2, 2}, ones(4),
        (b, v) -> b.conv2dSame(v[0], v[1], 1, 1));
    assertEquals(List.of(1, 1, 4, 4), y.shape());
    assertArrayEquals(new double[] {
      14, 18, 22, 12,
      30, 34, 38, 20,
      46, 50, 54, 28,
      27, 29, 31, 16}, y.data());
  }

  @Test
  void conv2dSameStrideTwoAsymmetric() {
    // 5x5 ones, 4x4 ones kernel, stride 2, pad [1,2,1,2]: rows covered per output 3, 4, 2
    Float64Tensor y = eval(new int[] {1, 1, 5, 5}, ones(25), new int[] {1, 1, 4, 4}, ones(16),
        (b, v) -> b.conv2dSame(v[0], v[1], 2, 2));
    assertEquals(List.of(1, 1, 3, 3), y.shape());
    assertArrayEquals(new double[] {9, 12, 6, 12, 16, 8, 6, 8, 4}, y.data());
  }

  @Test
  void conv2dChannelsAndBatch() {
    // two channels, three 1x1 filters: channel 0, channel 1, channel 1 minus channel 0
    double[] x = {1, 2, 3, 4, 10, 20, 30, 40, 5, 6, 7, 8, 50, 60, 70, 80};
    double[] w = {1, 0, 0, 1, -1, 1};
    Float64Tensor y = eval(new int[] {2, 2, 2, 2}, x, new int[] {3, 2, 1, 1}, w,
        (b, v) -> b.conv2d(v[0], v[1], new int[] {1, 1}, new int[] {0, 0, 0, 0}));
    assertEquals(List.of(2, 3, 2, 2), y.shape());
    assertArrayEquals(new double[] {
      1, 2, 3, 4, 10, 20, 30, 40, 9, 18, 27, 36,
      5, 6, 7, 8, 50, 60, 70, 80, 45, 54, 63, 72}, y.data());
  }

  @Test
  void conv2dBackwardWeight() {
    // dw[i][j] = sum over the 2x2 output of x[oh+i][ow+j]
    Float64Tensor y = eval(new int[] {1, 1, 3, 3}, range(9), new int[] {1, 1, 2, 2}, ones(4),
        (b, v) -> b.conv2dBackwardWeight(v[0], v[1], new int[] {1, 1}, new int[] {0, 0, 0, 0},
            new int[] {2, 2}));
    assertEquals(List.of(1, 1, 2, 2), y.shape());
    assertArrayEquals(new double[] {12, 16, 24, 28}, y.data());
  }

  static final double[] FULL_5X5 = {
    1, 1, 3, 2, 2,
    1, 1, 3, 2, 2,
    4, 4, 10, 6, 6,
    3, 3, 7, 4, 4,
    3, 3, 7, 4, 4};

  @Test
  void convTransposeValidStrideTwo() {
    // x = [[1,2],[3,4]] scattered through a 3x3 ones kernel with stride 2
    Float64Tensor y = eval(new int[] {1, 1, 2, 2}, range(4), new int[] {1, 1, 3, 3}, ones(9),
        (b, v) -> b.convTranspose(v[0], v[1], 2, 2, false));
    assertEquals(List.of(1, 1, 5, 5), y.shape());
    assertArrayEquals(FULL_5X5, y.data());
  }

  @Test
  void convTransposeSameCropsTheEndLikeKeras() {
    // Keras/TF 'same', k=3, s=2: output 4x4, forward padding [0,1]: the top-left 4x4 of the full
    Float64Tensor y = eval(new int[] {1, 1, 2, 2}, range(4), new int[] {1, 1, 3, 3}, ones(9),
        (b, v) -> b.convTranspose(v[0], v[1], 2, 2, true));
    assertEquals(List.of(1, 1, 4, 4), y.shape());
    assertArrayEquals(new double[] {1, 1, 3, 2, 1, 1, 3, 2, 4, 4, 10, 6, 3, 3, 7, 4}, y.data());
  }

  @Test
  void convTransposePyTorchPaddingAndOutputPadding() {
    // ConvTranspose2d(k=3, s=2, padding=1, output_padding=1): rows/cols 1..4 of the full result
    Float64Tensor y = eval(new int[] {1, 1, 2, 2}, range(4), new int[] {1, 1, 3, 3}, ones(9),
        (b, v) -> b.convTranspose(v[0], v[1], new int[] {2, 2}, new int[] {1, 1},
            new int[] {1, 1}));
    assertEquals(List.of(1, 1, 4, 4), y.shape());
    assertArrayEquals(new double[] {1, 3, 2, 2, 4, 10, 6, 6, 3, 7, 4, 4, 3, 7, 4, 4}, y.data());
  }

  @Test
  void convTransposeWeightLayoutIsInOut() {
    // w [in=1, out=2, 1, 1] = {2, -1}: output channel o is x * w[0][o]
    Float64Tensor y = eval(new int[] {1, 1, 1, 2}, new double[] {1, 3}, new int[] {1, 2, 1, 1},
        new double[] {2, -1}, (b, v) -> b.convTranspose(v[0], v[1], 1, 1, true));
    assertEquals(List.of(1, 2, 1, 2), y.shape());
    assertArrayEquals(new double[] {2, 6, -1, -3}, y.data());
  }

  @Test
  void upsampleAndSumPool() {
    Float64Tensor up = eval(new int[] {1, 1, 2, 2}, range(4), new int[] {1}, new double[1],
        (b, v) -> b.upsample(v[0], 2, 2));
    assertEquals(List.of(1, 1, 4, 4), up.shape());
    assertArrayEquals(new double[] {1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4}, up.data());
    Float64Tensor pooled = eval(new int[] {1, 1, 2, 4}, range(8), new int[] {1}, new double[1],
        (b, v) -> b.sumPool(v[0], 2, 2));
    assertArrayEquals(new double[] {1 + 2 + 5 + 6, 3 + 4 + 7 + 8}, pooled.data());
  }

  @Test
  void padAndCrop() {
    Float64Tensor padded = eval(new int[] {1, 1, 2, 2}, range(4), new int[] {1}, new double[1],
        (b, v) -> b.pad2d(v[0], 1, 0, 0, 2));
    assertEquals(List.of(1, 1, 3, 4), padded.shape());
    assertArrayEquals(new double[] {0, 0, 0, 0, 1, 2, 0, 0, 3, 4, 0, 0}, padded.data());
    Float64Tensor cropped = eval(new int[] {1, 1, 3, 3}, range(9), new int[] {1}, new double[1],
        (b, v) -> b.crop2d(v[0], 1, 0, 0, 1));
    assertEquals(List.of(1, 1, 2, 2), cropped.shape());
    assertArrayEquals(new double[] {4, 5, 7, 8}, cropped.data());
  }

  @Test
  void convShapeErrorsNameWhatWasExpected() {
    GraphBuilder b = new GraphBuilder();
    Value x = b.input("x", TensorType.f32(1, 3, 8, 8));
    Value w = b.input("w", TensorType.f32(4, 2, 3, 3));
    IrException e = assertThrows(IrException.class,
        () -> b.conv2d(x, w, new int[] {1, 1}, new int[] {0, 0, 0, 0}));
    assertEquals("`conv2d`: expected input channels to match the weight's axis 1, found "
        + "f32[1,3,8,8] and f32[4,2,3,3]", e.getMessage());
  }
}

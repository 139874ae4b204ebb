package wganc.runtime.kernels;

import java.util.List;
import java.util.SplittableRandom;

/** The convolution shapes of the models, at batch 64, for {@link KernelBench}. */
final class ConvBenchCases {
  private ConvBenchCases() {}

  /** Adds forward, backwardInput and backwardWeight of one conv layer (TF 'same' padding). */
  static void conv(List<KernelBench.Case> cs, String tag, int N, int C, int H, int O, int k, int s) {
    int[] p = Conv.samePadding(H, k, s);
    int Ho = Conv.outSize(H, k, s, p[0], p[1]);
    SplittableRandom r = new SplittableRandom(H * 131L + C * 7L + O);
    float[] x = KernelBench.rnd(r, N * C * H * H), w = KernelBench.rnd(r, O * C * k * k);
    float[] y = KernelBench.rnd(r, N * O * Ho * Ho), dx = new float[x.length], dw = new float[w.length];
    double flops = 2.0 * N * O * Ho * Ho * C * k * k;
    String g = String.format("%s %dx%dx%d->%d k%d s%d", tag, C, H, H, O, k, s);
    cs.add(new KernelBench.Case("conv fwd  " + g, flops,
        () -> Conv.forward(x, 0, N, C, H, H, w, 0, O, k, k, s, s, p[0], p[0], Ho, Ho, y, 0, false)));
    cs.add(new KernelBench.Case("conv bwdI " + g, flops,
        () -> Conv.backwardInput(y, 0, N, C, H, H, w, 0, O, k, k, s, s, p[0], p[0], Ho, Ho, dx, 0, false)));
    cs.add(new KernelBench.Case("conv bwdW " + g, flops,
        () -> Conv.backwardWeight(x, 0, y, 0, N, C, H, H, O, k, k, s, s, p[0], p[0], Ho, Ho, dw, 0, false)));
  }

  /** conv_transpose (Keras 'same', in -> in*s) forward = backwardInput of the conv from its output. */
  static void convT(List<KernelBench.Case> cs, String tag, int N, int Cin, int Hin, int Cout, int k, int s) {
    int H = Hin * s;
    int[] p = Conv.samePadding(H, k, s);
    SplittableRandom r = new SplittableRandom(H * 17L + Cin);
    float[] x = KernelBench.rnd(r, N * Cin * Hin * Hin), w = KernelBench.rnd(r, Cin * Cout * k * k);
    float[] y = new float[N * Cout * H * H];
    double flops = 2.0 * N * Cin * Hin * Hin * Cout * k * k;
    String g = String.format("%s %dx%dx%d->%d k%d s%d", tag, Cin, Hin, Hin, Cout, k, s);
    cs.add(new KernelBench.Case("convT fwd " + g, flops,
        () -> Conv.backwardInput(x, 0, N, Cout, H, H, w, 0, Cin, k, k, s, s, p[0], p[0], Hin, Hin, y, 0, false)));
  }

  static void add(List<KernelBench.Case> cs) {
    int N = 64;
    conv(cs, "gp-D1", N, 1, 32, 64, 5, 2);
    conv(cs, "gp-D2", N, 64, 16, 128, 5, 2);
    conv(cs, "gp-D3", N, 128, 8, 256, 5, 2);
    conv(cs, "gp-D4", N, 256, 4, 512, 5, 2);
    conv(cs, "gp-G1", N, 256, 8, 128, 3, 1);
    conv(cs, "gp-G2", N, 128, 16, 64, 3, 1);
    conv(cs, "gp-G3", N, 64, 32, 1, 3, 1);
    conv(cs, "clip-D1", N, 1, 28, 64, 4, 2);
    conv(cs, "clip-D2", N, 64, 14, 64, 4, 2);
    convT(cs, "clip-G1", N, 128, 7, 128, 4, 2);
    convT(cs, "clip-G2", N, 128, 14, 128, 4, 2);
    conv(cs, "clip-G3", N, 128, 28, 1, 7, 1);
  }
}

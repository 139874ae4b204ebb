package wganc.runtime.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

class ConvTest {
  @AfterAll
  static void restore() {
    Parallel.setThreads(Runtime.getRuntime().availableProcessors());
  }

  /** One geometry: N,C,H,W,O,kh,kw,sh,sw,pt,pl,Ho,Wo. */
  record Shape(int N, int C, int H, int W, int O, int kh, int kw, int sh, int sw, int pt, int pl, int Ho, int Wo) {
    static Shape of(int N, int C, int H, int W, int O, int kh, int kw, int sh, int sw, int pt, int pb, int pl, int pr) {
      return new Shape(N, C, H, W, O, kh, kw, sh, sw, pt, pl,
          Conv.outSize(H, kh, sh, pt, pb), Conv.outSize(W, kw, sw, pl, pr));
    }

    int xIndex(int n, int c, int h, int w) { return ((n * C + c) * H + h) * W + w; }
    int yIndex(int n, int o, int i, int j) { return ((n * O + o) * Ho + i) * Wo + j; }
    int wIndex(int o, int c, int u, int v) { return ((o * C + c) * kh + u) * kw + v; }
  }

  /** Calls body(n,o,i,j,c,u,v,h,w) for every term of the convolution that touches x. */
  interface Term { void at(int n, int o, int i, int j, int c, int u, int v, int h, int w); }

  static void terms(Shape s, Term t) {
    for (int n = 0; n < s.N; n++)
      for (int o = 0; o < s.O; o++)
        for (int i = 0; i < s.Ho; i++)
          for (int j = 0; j < s.Wo; j++)
            for (int c = 0; c < s.C; c++)
              for (int u = 0; u < s.kh; u++)
                for (int v = 0; v < s.kw; v++) {
                  int h = i * s.sh + u - s.pt, w = j * s.sw + v - s.pl;
                  if (h >= 0 && h < s.H && w >= 0 && w < s.W) t.at(n, o, i, j, c, u, v, h, w);
                }
  }

  static int[] iota(int n) {
    int[] a = new int[n];
    for (int i = 0; i < n; i++) a[i] = i;
    return a;
  }

  static final int OFF = 3;

  static float[][] runAll(Shape s, long seed, boolean check) {
    SplittableRandom r = new SplittableRandom(seed);
    int nx = s.N * s.C * s.H * s.W, ny = s.N * s.O * s.Ho * s.Wo, nw = s.O * s.C * s.kh * s.kw;
    float[] x = Ref.random(r, nx + OFF), w = Ref.random(r, nw + OFF), dy = Ref.random(r, ny + OFF);
    float[] y = Ref.random(r, ny + OFF + 2), dx = Ref.random(r, nx + OFF + 2), dw = Ref.random(r, nw + OFF + 2);
    float[] y0 = y.clone(), dx0 = dx.clone(), dw0 = dw.clone();
    Conv.forward(x, OFF, s.N, s.C, s.H, s.W, w, OFF, s.O, s.kh, s.kw, s.sh, s.sw, s.pt, s.pl, s.Ho, s.Wo, y, OFF, false);
    Conv.backwardInput(dy, OFF, s.N, s.C, s.H, s.W, w, OFF, s.O, s.kh, s.kw, s.sh, s.sw, s.pt, s.pl, s.Ho, s.Wo, dx, OFF, false);
    Conv.backwardWeight(x, OFF, dy, OFF, s.N, s.C, s.H, s.W, s.O, s.kh, s.kw, s.sh, s.sw, s.pt, s.pl, s.Ho, s.Wo, dw, OFF, false);
    if (check) {
      double[] ry = new double[ny], sy = new double[ny], rdx = new double[nx], sdx = new double[nx];
      double[] rdw = new double[nw], sdw = new double[nw];
      int[] cy = new int[ny], cx = new int[nx], cw = new int[nw];
      terms(s, (n, o, i, j, c, u, v, h, ww) -> {
        double xv = x[OFF + s.xIndex(n, c, h, ww)], wv = w[OFF + s.wIndex(o, c, u, v)], g = dy[OFF + s.yIndex(n, o, i, j)];
        int yi = s.yIndex(n, o, i, j), xi = s.xIndex(n, c, h, ww), wi = s.wIndex(o, c, u, v);
        ry[yi] += xv * wv; sy[yi] += Math.abs(xv * wv); cy[yi]++;
        rdx[xi] += g * wv; sdx[xi] += Math.abs(g * wv); cx[xi]++;
        rdw[wi] += g * xv; sdw[wi] += Math.abs(g * xv); cw[wi]++;
      });
      scale(sy, cy); scale(sdx, cx); scale(sdw, cw);
      Ref.assertClose("forward " + s, ry, sy, y, OFF, iota(ny), 2.0);
      Ref.assertClose("backwardInput " + s, rdx, sdx, dx, OFF, iota(nx), 2.0);
      Ref.assertClose("backwardWeight " + s, rdw, sdw, dw, OFF, iota(nw), 2.0);
      // storage outside the outputs untouched
      for (float[][] p : new float[][][] {{y, y0}, {dx, dx0}, {dw, dw0}}) {
        float[] got = p[0], was = p[1];
        for (int t = 0; t < OFF; t++) assertEqualsBits(was[t], got[t]);
        for (int t = got.length - 2; t < got.length; t++) assertEqualsBits(was[t], got[t]);
      }
      // accumulate adds to what is there
      float[] y2 = y0.clone();
      Conv.forward(x, OFF, s.N, s.C, s.H, s.W, w, OFF, s.O, s.kh, s.kw, s.sh, s.sw, s.pt, s.pl, s.Ho, s.Wo, y2, OFF, true);
      float[] dx2 = dx0.clone();
      Conv.backwardInput(dy, OFF, s.N, s.C, s.H, s.W, w, OFF, s.O, s.kh, s.kw, s.sh, s.sw, s.pt, s.pl, s.Ho, s.Wo, dx2, OFF, true);
      float[] dw2 = dw0.clone();
      Conv.backwardWeight(x, OFF, dy, OFF, s.N, s.C, s.H, s.W, s.O, s.kh, s.kw, s.sh, s.sw, s.pt, s.pl, s.Ho, s.Wo, dw2, OFF, true);
      addOld(ry, sy, y0); addOld(rdx, sdx, dx0); addOld(rdw, sdw, dw0);
      Ref.assertClose("forward+= " + s, ry, sy, y2, OFF, iota(ny), 2.0);
      Ref.assertClose("backwardInput+= " + s, rdx, sdx, dx2, OFF, iota(nx), 2.0);
      Ref.assertClose("backwardWeight+= " + s, rdw, sdw, dw2, OFF, iota(nw), 2.0);
    }
    return new float[][] {y, dx, dw};
  }

  static void scale(double[] s, int[] count) {
    for (int i = 0; i < s.length; i++) s[i] *= count[i] + 2;
  }

  static void addOld(double[] ref, double[] scale, float[] old) {
    for (int i = 0; i < ref.length; i++) {
      ref[i] += old[OFF + i];
      scale[i] += 2 * Math.abs(old[OFF + i]) + Math.abs(ref[i]);
    }
  }

  static void assertEqualsBits(float a, float b) {
    if (Float.floatToIntBits(a) != Float.floatToIntBits(b)) throw new AssertionError(a + " != " + b);
  }

  @Test
  void smallOddShapesStridesAndPadding() {
    Shape[] shapes = {
        Shape.of(1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0),
        Shape.of(2, 3, 7, 5, 4, 3, 3, 1, 1, 1, 1, 1, 1),
        Shape.of(3, 2, 9, 8, 5, 5, 5, 2, 2, 1, 2, 1, 2),      // TF 'same' 5x5 s2 on even input
        Shape.of(2, 3, 11, 10, 13, 4, 4, 2, 2, 1, 2, 1, 2),   // 4x4 s2 same
        Shape.of(2, 2, 10, 9, 3, 3, 2, 3, 2, 0, 2, 1, 0),     // stride 3, asymmetric
        Shape.of(1, 5, 6, 6, 33, 7, 7, 1, 1, 3, 3, 3, 3),     // 7x7 same, O not a multiple of 12
        Shape.of(4, 3, 4, 4, 2, 2, 3, 1, 3, 0, 1, 2, 0),
        Shape.of(5, 4, 3, 5, 17, 1, 1, 1, 1, 0, 0, 0, 0),     // 1x1
        Shape.of(7, 2, 4, 4, 9, 5, 5, 2, 2, 1, 2, 1, 2),      // 2x2 outputs, groups of images
        Shape.of(3, 1, 8, 8, 1, 3, 3, 1, 1, 1, 1, 1, 1),      // O = 1
    };
    for (Shape s : shapes) runAll(s, 11, true);
  }

  @Test
  void transposedConvLargerOutput() {
    // conv_transpose 4x4 s2 'valid' style: dx (H x W) larger than the taps of Ho x Wo reach
    Shape s = new Shape(2, 3, 9, 10, 4, 4, 4, 2, 2, 1, 0, 3, 4);
    runAll(s, 5, true);
    // and an output that extends beyond every tap (rows/cols no term reaches must come out 0)
    Shape t = new Shape(1, 2, 12, 12, 3, 3, 3, 2, 2, 0, 0, 3, 3);
    runAll(t, 6, true);
  }

  @Test
  void bitIdenticalForOneTwoThreeThreads() {
    Shape[] shapes = {
        Shape.of(9, 6, 16, 16, 20, 5, 5, 2, 2, 1, 2, 1, 2),
        Shape.of(17, 8, 4, 4, 40, 5, 5, 2, 2, 1, 2, 1, 2),
        Shape.of(5, 16, 8, 8, 12, 3, 3, 1, 1, 1, 1, 1, 1),
        Shape.of(6, 9, 12, 12, 1, 3, 3, 1, 1, 1, 1, 1, 1),    // O = 1: direct path
        Shape.of(4, 5, 14, 14, 3, 4, 4, 2, 2, 1, 1, 1, 1),
    };
    for (Shape s : shapes) {
      float[][] ref = null;
      for (int th = 1; th <= 3; th++) {
        Parallel.setThreads(th);
        float[][] got = runAll(s, 3, th == 2);
        if (ref == null) ref = got;
        else for (int i = 0; i < 3; i++)
          assertArrayEquals(ref[i], got[i], "output " + i + " differs at " + th + " threads for " + s);
      }
    }
  }

  /**
   * backwardInput by phases (strided and stride-1), by col2im, and as chosen by size all agree with the reference, on
   * geometries where some phases get no tap (a kernel smaller than the stride), where dx is smaller
   * than a stride, and where the padding reaches a stride beyond the kernel (phases fall back to col2im).
   */
  @Test
  void backwardInputByPhasesAndByCol2im() {
    Shape[] shapes = {
        Shape.of(3, 6, 28, 28, 8, 4, 4, 2, 2, 1, 2, 1, 2),     // conv_transpose 4x4 s2 'same' (14 -> 28)
        Shape.of(2, 5, 9, 8, 7, 1, 1, 2, 2, 0, 0, 0, 0),       // 1x1 s2: half the phases get no tap
        Shape.of(2, 4, 10, 9, 6, 2, 3, 3, 2, 0, 2, 1, 0),      // stride 3, asymmetric
        Shape.of(2, 3, 1, 2, 9, 3, 3, 2, 2, 1, 1, 1, 1),       // dx smaller than a stride
        Shape.of(2, 3, 6, 6, 5, 3, 3, 1, 1, 3, 3, 3, 3),       // padding a stride beyond the kernel
        Shape.of(1, 2, 7, 7, 6, 3, 3, 1, 1, 1, 1, 1, 1),       // stride 1 'same'
    };
    try {
      for (Conv.Phases phases : Conv.Phases.values()) {
        Conv.phases = phases;
        for (Shape s : shapes) runAll(s, 21, true);
      }
    } finally {
      Conv.phases = Conv.Phases.AUTO;
    }
  }

  @Test
  void samePaddingAsTensorFlow() {
    assertArrayEquals(new int[] {1, 2}, Conv.samePadding(32, 5, 2));
    assertArrayEquals(new int[] {1, 1}, Conv.samePadding(8, 3, 1));
    assertArrayEquals(new int[] {1, 1}, Conv.samePadding(28, 4, 2));
    assertArrayEquals(new int[] {1, 2}, Conv.samePadding(7, 4, 2));
    assertArrayEquals(new int[] {3, 3}, Conv.samePadding(28, 7, 1));
    assertArrayEquals(new int[] {0, 0}, Conv.samePadding(5, 1, 1));
    assertArrayEquals(new int[] {0, 1}, Conv.samePadding(7, 2, 2));
  }
}

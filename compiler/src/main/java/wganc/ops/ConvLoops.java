package wganc.ops;

/**
 * The one loop nest behind conv2d and its transposes: for every (n, o, oh, ow, c, i, j) with input
 * position {@code (oh*sh + i - top, ow*sw + j - left)} inside the input, the triple
 * {@code x[n,c,h,w]}, {@code w[o,c,i,j]}, {@code y[n,o,oh,ow]} is one multiply-add, accumulated
 * into whichever of the three is the target. Fixed order, so results are reproducible.
 */
final class ConvLoops {
  enum Target { OUTPUT, INPUT, WEIGHT }

  private final ConvGeometry g;
  private final int n;
  private final int c;
  private final int h;
  private final int w;
  private final int o;
  private final int kh;
  private final int kw;
  private final int oh;
  private final int ow;

  ConvLoops(ConvGeometry g, int[] xDims, int[] wDims, int[] yDims) {
    this.g = g;
    this.n = xDims[0];
    this.c = xDims[1];
    this.h = xDims[2];
    this.w = xDims[3];
    this.o = wDims[0];
    this.kh = wDims[2];
    this.kw = wDims[3];
    this.oh = yDims[2];
    this.ow = yDims[3];
  }

  void run(double[] x, double[] wt, double[] y, Target target) {
    for (int ni = 0; ni < n; ni++) {
      for (int oi = 0; oi < o; oi++) {
        for (int r = 0; r < oh; r++) {
          for (int q = 0; q < ow; q++) {
            int yIndex = ((ni * o + oi) * oh + r) * ow + q;
            double acc = 0.0;
            for (int ci = 0; ci < c; ci++) {
              for (int i = 0; i < kh; i++) {
                int hi = r * g.sh() + i - g.top();
                if (hi < 0 || hi >= h) {
                  continue;
                }
                for (int j = 0; j < kw; j++) {
                  int wi = q * g.sw() + j - g.left();
                  if (wi < 0 || wi >= w) {
                    continue;
                  }
                  int xIndex = ((ni * c + ci) * h + hi) * w + wi;
                  int wIndex = ((oi * c + ci) * kh + i) * kw + j;
                  switch (target) {
                    case OUTPUT -> acc += x[xIndex] * wt[wIndex];
                    case INPUT -> x[xIndex] += y[yIndex] * wt[wIndex];
                    case WEIGHT -> wt[wIndex] += y[yIndex] * x[xIndex];
                  }
                }
              }
            }
            if (target == Target.OUTPUT) {
              y[yIndex] = acc;
            }
          }
        }
      }
    }
  }
}

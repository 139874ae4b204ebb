package wganc.ops;

import java.util.List;

import wganc.ir.Attrs;
import wganc.loop.Ix;
import wganc.loop.Val;
import wganc.ir.IrException;

/**
 * The geometry shared by {@code conv2d} and its two transposes: strides {@code [sh,sw]} and zero
 * padding {@code [top,bottom,left,right]}. Output size per axis: {@code floor((in + before + after
 * - k) / s) + 1}; input row {@code oh*s + i - top} meets kernel row i at output row oh.
 */
public record ConvGeometry(int sh, int sw, int top, int bottom, int left, int right) {
  public static ConvGeometry of(String op, Attrs attrs) {
    int[] s = attrs.intArray("stride");
    int[] p = attrs.intArray("pad");
    if (s.length != 2 || s[0] < 1 || s[1] < 1 || p.length != 4) {
      throw new IrException("`" + op + "`: expected `stride` [sh,sw] >= 1 and `pad` "
          + "[top,bottom,left,right], found stride=" + attrs.ints("stride") + " pad="
          + attrs.ints("pad"));
    }
    for (int v : p) {
      if (v < 0) {
        throw new IrException("`" + op + "`: expected non-negative `pad`, found "
            + attrs.ints("pad"));
      }
    }
    return new ConvGeometry(s[0], s[1], p[0], p[1], p[2], p[3]);
  }

  public int outH(int h, int kh) {
    return outSize(h + top + bottom, kh, sh);
  }

  public int outW(int w, int kw) {
    return outSize(w + left + right, kw, sw);
  }

  /** One axis of a convolution over {@code padded} input elements: -1 when the kernel does not fit. */
  public static int outSize(int padded, int k, int s) {
    return padded < k ? -1 : (padded - k) / s + 1;
  }

  /**
   * One axis of a conv-transpose layer (Keras): {@code same} gives {@code in*s}, {@code valid}
   * {@code (in-1)*s + max(k,s)}.
   */
  public static int transposeSize(int in, int k, int s, boolean same) {
    return same ? in * s : (in - 1) * s + Math.max(k, s);
  }

  /**
   * TensorFlow's {@code same} padding for input {@code h x w}: out = ceil(in/s), total =
   * max((out-1)*s + k - in, 0), before = total/2 (floor), after = the rest.
   */
  public static int[] samePadding(int h, int w, int kh, int kw, int sh, int sw) {
    int[] ph = same(h, kh, sh);
    int[] pw = same(w, kw, sw);
    return new int[] {ph[0], ph[1], pw[0], pw[1]};
  }

  private static int[] same(int in, int k, int s) {
    int out = (in + s - 1) / s;
    int total = Math.max((out - 1) * s + k - in, 0);
    return new int[] {total / 2, total - total / 2};
  }

  /**
   * The loop form shared by the forward convolution and its weight gradient: {@code product} summed
   * in float over the axes {@code outer} (in order) and then {@code inner}, where input row
   * {@code hi = r*sh + i - top} lies inside {@code [0, h)} (tested once per outer step) and input
   * column {@code wi = q*sw + j - left} inside {@code [0, w)}.
   */
  public Val rowsThenColumns(List<Val.Axis> outer, Ix r, Ix i, int h, Val.Axis inner, Ix q, Ix j, int w, Val product) {
    Val row = new Val.Sum(List.of(inner), new Val.Let("wi", q.times(sw).plus(j).plus(-left),
        new Val.Where(Val.Cond.inside(Ix.var("wi"), w), product)), Val.Precision.FLOAT);
    return new Val.Sum(outer, new Val.Let("hi", r.times(sh).plus(i).plus(-top),
        new Val.Where(Val.Cond.inside(Ix.var("hi"), h), row)), Val.Precision.FLOAT);
  }
}

#!/usr/bin/env python3
"""Writes MicroKernels.java: register-blocked R x (16*V) sgemm micro-kernels, R = 1..MAXR, V = 1, 2,
for vectors of 16, 8 and 4 floats (AVX-512; AVX2; NEON or SSE), the width picked by Gemm.L.

Every element of C is the same fma chain (p ascending from 0) at every width, so results do not
depend on the machine's vector width: narrower vectors only split the 16 V columns of a block into
passes of g vectors each, g chosen so that the R x g accumulators fit the register file (16 vector
registers on AVX2 and SSE: at most 12 accumulators, leaving room for the B loads and the broadcast;
on AVX2 also rows are split, see row_groups).
A 16-lane kernel is one pass (R x V accumulators out of 32 registers).

MAXR = 8, not 12: a 12x32 kernel (24 accumulators) is ~5 % faster once C2 has compiled it, but C1
cannot compile it at tier 3 ("out of virtual registers") while it can at tier 2, and HotSpot then
leaves the method in tier 2 (boxed Vector API, ~100x slower) for good. 8x32 compiles at tier 3
and moves on to C2 normally.

Run from this directory: python3 gen_microkernels.py > MicroKernels.java
"""
MAXR = 8
BUDGET = 12   # accumulators per pass below 16 lanes

def group(R, V, lanes):
    """Vectors per pass."""
    total = 16 * V // lanes
    if lanes == 16:
        return total
    g = total
    while g > 1 and (R * g > BUDGET or total % g):
        g -= 1
    return g

def row_groups(R, lanes):
    """The rows of a pass: all R, except on 8-float vectors, where passes of at most 4 rows x 2
    vectors (8 accumulators, 6 loads per 8 FMAs) measured 28-35 % faster on Zen 3 than 8 rows x 1
    vector (9 loads per 8 FMAs) and faster than 3 x 4, 6 x 2 (per row) and 8 x 2 (spills)."""
    step = 4 if lanes == 8 else R
    return [(h, min(step, R - h)) for h in range(0, R, step)]

def kernel(R, V, lanes, ind="  "):
    W = 16 * V
    L = []
    L.append(f"static void k{R}x{V}(int kc, float[] a, int ao, float[] b, int bo, float[] c, int co, int ldc, float alpha, int nv, boolean ov, float[] tile) {{")
    L.append("  FloatVector Z = FloatVector.zero(S);")  # a local: a static final vector defeats box elimination
    L.append("  FloatVector al = FloatVector.broadcast(S, alpha);")
    for h, RG in row_groups(R, lanes):
        g = min(2, 16 * V // lanes) if lanes == 8 else group(RG, V, lanes)
        PW = g * lanes
        passes = W // PW
        accs = [f"c{r}_{j}" for r in range(RG) for j in range(g)]
        body = []
        q = "q + " if passes > 1 else ""
        body.append("FloatVector " + ", ".join(f"{x} = Z" for x in accs) + ";")
        body.append("for (int p = 0; p < kc; p++) {")
        body.append(f"  int bi = bo + {q}p * {W}, ai = ao + p * {R}{f' + {h}' if h else ''};")
        for j in range(g):
            body.append(f"  FloatVector b{j} = FloatVector.fromArray(S, b, bi + {lanes * j});")
        for r in range(RG):
            body.append(f"  FloatVector a{r} = FloatVector.broadcast(S, a[ai + {r}]);")
            for j in range(g):
                body.append(f"  c{r}_{j} = a{r}.fma(b{j}, c{r}_{j});")
        body.append("}")
        def off(r, j):
            return f"co + {h + r} * ldc + {q}{lanes * j}" if h + r else f"co + {q}{lanes * j}"
        body.append(f"if (nv == {W} && ov) {{")
        for r in range(RG):
            for j in range(g):
                body.append(f"  al.mul(c{r}_{j}).intoArray(c, {off(r, j)});")
        body.append(f"}} else if (nv == {W}) {{")
        for r in range(RG):
            for j in range(g):
                # receiver al (a broadcast, exact type) so that C2 binds fma statically
                body.append(f"  al.fma(c{r}_{j}, FloatVector.fromArray(S, c, {off(r, j)})).intoArray(c, {off(r, j)});")
        body.append("} else {")
        for r in range(RG):
            for j in range(g):
                body.append(f"  c{r}_{j}.intoArray(tile, {q}{(h + r) * W + lanes * j});")
        body.append("}")
        if passes > 1:
            L.append(f"  for (int q = 0; q < {W}; q += {PW}) {{")
            L += ["    " + x for x in body]
            L.append("  }")
        elif len(row_groups(R, lanes)) > 1:
            L.append("  {")
            L += ["    " + x for x in body]
            L.append("  }")
        else:
            L += ["  " + x for x in body]
    L.append(f"  if (nv != {W}) edge(tile, {R}, {W}, c, co, ldc, alpha, nv, ov);")
    L.append("}")
    return "\n".join(ind + x for x in L)

def dispatch(ind, call):
    out = [f"{ind}if (v == 2) {{", f"{ind}  switch (r) {{"]
    out += [f"{ind}    case {r} -> k{r}x2({call});" for r in range(1, MAXR + 1)]
    out += [f"{ind}    default -> throw new IllegalArgumentException(\"rows \" + r);", f"{ind}  }}", f"{ind}}} else {{",
            f"{ind}  switch (r) {{"]
    out += [f"{ind}    case {r} -> k{r}x1({call});" for r in range(1, MAXR + 1)]
    out += [f"{ind}    default -> throw new IllegalArgumentException(\"rows \" + r);", f"{ind}  }}", f"{ind}}}"]
    return "\n".join(out)

SIG = "int r, int v, int kc, float[] a, int ao, float[] b, int bo, float[] c, int co, int ldc, float alpha, int nv, boolean ov, float[] tile"
ARGS = "kc, a, ao, b, bo, c, co, ldc, alpha, nv, ov, tile"
FULL = "r, v, " + ARGS

out = []
out.append("""// GENERATED by gen_microkernels.py: do not edit by hand.
package wganc.runtime.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Register-blocked sgemm micro-kernels {@code kRxV}: an R x (16 V) block of C gets
 * {@code C = fma(alpha, acc, C)} where {@code acc[r][j] = sum_p a[p][r] * b[p][j]} is accumulated
 * with one fused multiply-add per term, p ascending, from 0; with {@code ov} (overwrite, the
 * first k block when beta is 0) {@code C = alpha * acc} instead, C not read. A is a packed panel (R values per p),
 * B a packed panel (16 V values per p); {@code nv} (1 .. 16 V) columns of C are written.
 * Every element of C is computed by the same sequence of roundings whatever R, V, the element's
 * position in the block or the machine's vector width ({@link #LANES}: 16, 8 or 4 floats, one
 * kernel set each), which is what makes the tiling free to vary and results machine-independent.
 */
final class MicroKernels {
  private MicroKernels() {}

  /** Floats per vector: {@link Gemm#L}. */
  static final int LANES = Gemm.L;
  static final int MAXR = %d;

  static void run(%s) {
    switch (LANES) {
      case 16 -> W16.run(%s);
      case 8 -> W8.run(%s);
      default -> W4.run(%s);
    }
  }

  /** C[r][j] = fma(alpha, tile[r][j], C[r][j]) (or alpha * tile[r][j] when ov) for j < nv: the vector path's rounding. */
  private static void edge(float[] tile, int rows, int w, float[] c, int co, int ldc, float alpha, int nv, boolean ov) {
    for (int r = 0; r < rows; r++)
      for (int j = 0; j < nv; j++) {
        int o = co + r * ldc + j;
        c[o] = ov ? alpha * tile[r * w + j] : Math.fma(alpha, tile[r * w + j], c[o]);
      }
  }
""" % (MAXR, SIG, FULL, FULL, FULL))
for lanes in (16, 8, 4):
    out.append(f"  /** {lanes}-float vectors. */")
    out.append(f"  private static final class W{lanes} {{")
    out.append(f"    static final VectorSpecies<Float> S = FloatVector.SPECIES_{lanes * 32};")
    out.append("")
    out.append(f"    static void run({SIG}) {{")
    out.append(dispatch("      ", ARGS))
    out.append("    }")
    out.append("")
    for V in (2, 1):
        for R in range(MAXR, 0, -1):
            out.append(kernel(R, V, lanes, "    "))
            out.append("")
    out.append("  }")
    out.append("")
out[-1] = "}"
print("\n".join(out))

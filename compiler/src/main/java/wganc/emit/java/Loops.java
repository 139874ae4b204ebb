package wganc.emit.java;

import wganc.loop.Ix;
import wganc.loop.JavaText;
import wganc.loop.LoopKernel;
import wganc.loop.Val;

import com.palantir.javapoet.MethodSpec;
import java.util.ArrayList;
import java.util.List;
import wganc.emit.Codegen;
import wganc.ir.Value;
import wganc.plan.Schedule;

/**
 * Loop nests for the kernels that are not contractions: fused elementwise loops (flat when every
 * leaf has the loop's shape, so the JIT vectorises them; nested with per-leaf strides where a leaf is
 * broadcast), reductions in a fixed order with double accumulators, transposes, pads and crops, and
 * nearest upsampling with its transpose. Large loops split their outer index over the worker threads;
 * each output element is computed by exactly one thread, so results do not depend on the thread count.
 */
final class Loops {
  /** Parallel loops are cut into this many fixed chunks (at most), whatever the thread count. */
  static final int TASKS = 16;

  private Loops() {}

  /** Vector lanes of the preferred species on this machine (16 floats with AVX-512). */
  static final int LANES = 16;

  static void fused(MethodSpec.Builder m, Value out, Schedule.Expr expr, List<Value> ops) {
    List<Integer> dims = out.type().dims();
    int n = out.type().size();
    boolean flat = allFlat(expr);
    boolean vectors = exactInVectors(expr);
    if (flat || dims.isEmpty()) {
      String scalar = "out[i] = " + expression(expr, ops, dims, true) + ";";
      if (n < 4 * LANES || !vectors) {
        loop(m, n, "i", scalar, n);
        return;
      }
      // vector main loop over [lo, hi) of each chunk, scalar tail
      java.util.Map<String, String> loads = new java.util.LinkedHashMap<>();
      String vector = vectorExpression(expr, ops, loads, List.of(), "i");
      String body = "int i = lo;\n"
          + "for (; i <= hi - S.length(); i += S.length()) {\n"
          + declarations(loads, "  ")
          + "  " + vector + ".intoArray(out, i);\n}\n"
          + "for (; i < hi; i++) " + scalar;
      chunks(m, n, body, n);
      return;
    }
    // trailing axes along which every leaf either streams or stays constant run as one inner axis
    // (a channel bias over [N, C, H, W] broadcasts along H x W: rows of H*W instead of W)
    int keep = collapsible(expr, dims);
    if (keep < dims.size() - 1) {
      List<Integer> merged = new ArrayList<>(dims.subList(0, keep));
      merged.add(dims.subList(keep, dims.size()).stream().reduce(1, (a, b) -> a * b));
      expr = collapse(expr, keep);
      dims = merged;
    }
    int inner = dims.getLast();
    if (inner >= LANES && vectors) {
      // vectorise the innermost axis; broadcast leaves either stream along it or repeat one value
      List<String> idx = new ArrayList<>();
      StringBuilder b = new StringBuilder();
      for (int d = 0; d < dims.size() - 1; d++) {
        if (d > 0) b.append("for (int i").append(d).append(" = 0; i").append(d).append(" < ").append(dims.get(d))
            .append("; i").append(d).append("++) ");
      }
      int last = dims.size() - 1;
      java.util.Map<String, String> loads = new java.util.LinkedHashMap<>();
      String vector = vectorExpression(expr, ops, loads, dims, "j");
      String scalar = expression(expr, ops, dims, false).replace("i" + last, "j");
      String row = "{\n  int o = " + rowBase(dims) + ";\n  int j = 0;\n"
          + "  for (; j <= " + inner + " - S.length(); j += S.length()) {\n"
          + declarations(loads, "    ")
          + "    " + vector + ".intoArray(out, o + j);\n  }\n"
          + "  for (; j < " + inner + "; j++) out[o + j] = " + scalar.replace("[o]", "[o + j]") + ";\n}";
      if (dims.size() == 1) m.addCode(row + "\n");
      else loop(m, dims.get(0), "i0", b + row, n);
      return;
    }
    // nested scalar: the outer axis is split; inner axes run whole, the last one innermost
    int outer0 = dims.getFirst();
    int per = n / outer0;
    StringBuilder b = new StringBuilder();
    for (int d = 1; d < dims.size(); d++) {
      b.append("for (int i").append(d).append(" = 0; i").append(d).append(" < ").append(dims.get(d)).append("; i")
          .append(d).append("++) ");
    }
    b.append("{ out[o] = ").append(expression(expr, ops, dims, false)).append("; o++; }");
    String body = "int o = i0 * " + per + "; " + b;
    loop(m, outer0, "i0", body, n);
  }

  /**
   * A {@link Schedule.Kernel.Group}: one flat loop computing every part's value at index i, each
   * stored to {@code out0, out1, ..}; a part reading an earlier part's value uses its local
   * ({@code y0, y1, ..}). Shared operand loads are loaded once.
   */
  static void group(MethodSpec.Builder m, List<Schedule.Kernel.Fused> parts, List<Value> ops) {
    int n = parts.getFirst().out().type().size();
    java.util.Map<Integer, String> locals = new java.util.HashMap<>();
    StringBuilder scalar = new StringBuilder("{\n");
    for (int p = 0; p < parts.size(); p++) {
      scalar.append("  float y").append(p).append(" = ")
          .append(expression(parts.get(p).expr(), ops, List.of(), true, locals)).append(";\n");
      scalar.append("  out").append(p).append("[i] = y").append(p).append(";\n");
      locals.put(parts.get(p).out().id(), "y" + p);
    }
    scalar.append("}");
    if (n < 4 * LANES || !parts.stream().allMatch(part -> exactInVectors(part.expr()))) {
      loop(m, n, "i", scalar.toString(), (long) n * parts.size());
      return;
    }
    locals.clear();
    java.util.Map<String, String> loads = new java.util.LinkedHashMap<>();
    StringBuilder vector = new StringBuilder();
    for (int p = 0; p < parts.size(); p++) {
      String v = vectorExpression(parts.get(p).expr(), ops, loads, List.of(), "i", locals);
      vector.append("  FloatVector y").append(p).append(" = ").append(v).append(";\n");
      vector.append("  y").append(p).append(".intoArray(out").append(p).append(", i);\n");
      locals.put(parts.get(p).out().id(), "y" + p);
    }
    // loads first, in their order of first use: a later part's loads may follow an earlier part's local
    String body = "int i = lo;\n"
        + "for (; i <= hi - S.length(); i += S.length()) {\n"
        + declarations(loads, "  ")
        + vector
        + "}\n"
        + "for (; i < hi; i++) " + scalar.toString().replace("\n", "\n  ").replace("\n  }", "\n}");
    chunks(m, n, body, (long) n * parts.size());
  }

  /**
   * The body of a {@code Gemm.Epilogue} for a fused loop over a matrix {@code dims = [M, N]}: rows
   * [r0, r1) and columns [c0, c1), vectorised along the row, leaves indexed as in the nested loop.
   */
  static String epilogueBlock(Schedule.Expr expr, List<Value> ops, List<Integer> dims) {
    String scalar = expression(expr, ops, dims, false).replace("i1", "j").replace("[o]", "[o + j]");
    if (!exactInVectors(expr)) {
      return "for (int i0 = r0; i0 < r1; i0++) {\n"
          + "  int o = i0 * " + dims.get(1) + ";\n"
          + "  for (int j = c0; j < c1; j++) out[o + j] = " + scalar + ";\n"
          + "}\n";
    }
    java.util.Map<String, String> loads = new java.util.LinkedHashMap<>();
    String vector = vectorExpression(expr, ops, loads, dims, "j");
    return "for (int i0 = r0; i0 < r1; i0++) {\n"
        + "  int o = i0 * " + dims.get(1) + ";\n"
        + "  int j = c0;\n"
        + "  for (; j <= c1 - S.length(); j += S.length()) {\n"
        + declarations(loads, "    ")
        + "    " + vector + ".intoArray(out, o + j);\n"
        + "  }\n"
        + "  for (; j < c1; j++) out[o + j] = " + scalar + ";\n"
        + "}\n";
  }

  /**
   * The first axis of the longest run of trailing axes of {@code dims} along which every leaf of
   * {@code e} either has the loop's extent (streams) or extent 1 (constant).
   */
  private static int collapsible(Schedule.Expr e, List<Integer> dims) {
    List<Schedule.Expr.Leaf> leaves = e.leaves();
    int keep = dims.size() - 1;
    while (keep > 1) {
      int d = keep - 1;
      boolean ok = true;
      for (Schedule.Expr.Leaf l : leaves) {
        if (l.from() == null) continue;
        boolean streams = true, constant = true;
        for (int a = d; a < dims.size(); a++) {
          streams &= l.from().get(a).equals(dims.get(a));
          constant &= l.from().get(a) == 1;
        }
        ok &= streams || constant;
      }
      if (!ok) break;
      keep = d;
    }
    return keep;
  }

  /** {@code e} with every broadcast leaf's axes from {@code keep} on merged into one. */
  private static Schedule.Expr collapse(Schedule.Expr e, int keep) {
    return switch (e) {
      case Schedule.Expr.Leaf l when l.from() != null -> {
        List<Integer> from = new ArrayList<>(l.from().subList(0, keep));
        from.add(l.from().subList(keep, l.from().size()).stream().reduce(1, (a, b) -> a * b));
        yield new Schedule.Expr.Leaf(l.source(), from);
      }
      case Schedule.Expr.Leaf l -> l;
      case Schedule.Expr.Literal l -> l;
      case Schedule.Expr.Apply a -> new Schedule.Expr.Apply(a.op(), a.attrs(),
          a.args().stream().map(x -> collapse(x, keep)).toList());
    };
  }

  /** Row-major offset of (i0, .., i_{r-2}, 0) in {@code dims}. */
  private static String rowBase(List<Integer> dims) {
    List<String> terms = new ArrayList<>();
    long stride = dims.getLast();
    for (int d = dims.size() - 2; d >= 0; d--) {
      terms.addFirst(stride == 1 ? "i" + d : "i" + d + " * " + stride);
      stride *= dims.get(d);
    }
    return terms.isEmpty() ? "0" : String.join(" + ", terms);
  }

  /** Whether every op of {@code e} has a vector form with the scalar form's bits ({@link wganc.ops.Op#exactInVectors}). */
  static boolean exactInVectors(Schedule.Expr e) {
    return switch (e) {
      case Schedule.Expr.Literal l -> true;
      case Schedule.Expr.Leaf l -> true;
      case Schedule.Expr.Apply a -> a.op().exactInVectors(a.attrs())
          && a.args().stream().allMatch(Loops::exactInVectors);
    };
  }

  /**
   * The vector form of {@code e}; each distinct leaf load becomes a local {@code x0, x1, ..}, declared
   * in {@code loads} (load expression to local name), at element {@code var} of a flat loop
   * ({@code dims} empty) or of the innermost axis of {@code dims}.
   */
  private static String vectorExpression(Schedule.Expr e, List<Value> ops, java.util.Map<String, String> loads,
                                         List<Integer> dims, String var) {
    return vectorExpression(e, ops, loads, dims, var, java.util.Map.of());
  }

  /** As above; a leaf whose value is in {@code locals} (value id to local) reads that local. */
  private static String vectorExpression(Schedule.Expr e, List<Value> ops, java.util.Map<String, String> loads,
                                         List<Integer> dims, String var, java.util.Map<Integer, String> locals) {
    return switch (e) {
      case Schedule.Expr.Literal l -> "FloatVector.broadcast(S, " + Codegen.floatLiteral(l.value()) + ")";
      case Schedule.Expr.Leaf l when locals.containsKey(l.source().id()) -> locals.get(l.source().id());
      case Schedule.Expr.Leaf l -> {
        int k = indexOf(ops, l.source());
        String load;
        if (scalar(l)) {
          load = "FloatVector.broadcast(S, in" + k + "[0])";
        } else if (dims.isEmpty()) {
          load = "FloatVector.fromArray(S, in" + k + ", " + var + ")";
        } else if (l.from() == null) {
          load = "FloatVector.fromArray(S, in" + k + ", o + " + var + ")";
        } else {
          String base = outerIndex(l.from());
          load = l.from().getLast() == 1 ? "FloatVector.broadcast(S, in" + k + "[" + base + "])"
              : "FloatVector.fromArray(S, in" + k + ", " + base + " + " + var + ")";
        }
        yield loads.computeIfAbsent(load, x -> "x" + loads.size());
      }
      case Schedule.Expr.Apply a -> {
        // select(compare(p, q), x, y): blend on the comparison's mask, without a 0/1 vector between
        if (a.op() instanceof wganc.ops.Select && a.args().getFirst() instanceof Schedule.Expr.Apply c
            && c.op() instanceof wganc.ops.Compare cmp) {
          List<String> pq = new ArrayList<>();
          for (Schedule.Expr x : c.args()) pq.add(vectorExpression(x, ops, loads, dims, var, locals));
          String x = vectorExpression(a.args().get(1), ops, loads, dims, var, locals);
          String y = vectorExpression(a.args().get(2), ops, loads, dims, var, locals);
          yield y + ".blend(" + x + ", " + cmp.javaVectorMask(pq) + ")";
        }
        List<String> args = new ArrayList<>();
        for (Schedule.Expr x : a.args()) args.add(vectorExpression(x, ops, loads, dims, var, locals));
        yield a.op().javaVector(args, a.attrs());
      }
    };
  }

  private static String declarations(java.util.Map<String, String> loads, String indent) {
    StringBuilder b = new StringBuilder();
    loads.forEach((load, local) -> b.append(indent).append("FloatVector ").append(local).append(" = ").append(load)
        .append(";\n"));
    return b.toString();
  }

  /** The broadcast index of a leaf shaped {@code from} with the innermost axis left out (strides of from). */
  private static String outerIndex(List<Integer> from) {
    List<String> terms = new ArrayList<>();
    long stride = from.getLast();
    for (int d = from.size() - 2; d >= 0; d--) {
      if (from.get(d) != 1) terms.addFirst(stride == 1 ? "i" + d : "i" + d + " * " + stride);
      stride *= from.get(d);
    }
    return terms.isEmpty() ? "0" : String.join(" + ", terms);
  }

  /** Chunks of [0, n) over the worker threads (or inline when small), variables lo and hi in scope. */
  static void chunks(MethodSpec.Builder m, int n, String body, long work) {
    if (work < JavaEmitter.PARALLEL_THRESHOLD) {
      m.addCode("{\nint lo = 0, hi = $L;\n$L\n}\n", n, body);
      return;
    }
    int tasks = Math.min(TASKS, Math.max(1, n / LANES));
    int chunk = ((n + tasks - 1) / tasks + LANES - 1) / LANES * LANES;
    tasks = (n + chunk - 1) / chunk;
    m.addStatement("$T.run($L, t -> {\n  int lo = t * $L, hi = Math.min($L, lo + $L);\n  $L\n})",
        JavaEmitter.PARALLEL, tasks, chunk, n, chunk, body.replace("\n", "\n  "));
  }

  /** for (var = 0; var < n; var++) body, on the worker threads when the work is large. */
  static void loop(MethodSpec.Builder m, int n, String var, String body, long work) {
    if (work < JavaEmitter.PARALLEL_THRESHOLD || n < 2) {
      m.beginControlFlow("for (int $L = 0; $L < $L; $L++)", var, var, n, var).addCode(body + "\n").endControlFlow();
      return;
    }
    int tasks = Math.min(n, TASKS);
    int chunk = (n + tasks - 1) / tasks;
    tasks = (n + chunk - 1) / chunk;
    m.addStatement("$T.run($L, t -> {\n  int hi = Math.min($L, (t + 1) * $L);\n  for (int $L = t * $L; $L < hi; $L++) {\n    $L\n  }\n})",
        JavaEmitter.PARALLEL, tasks, n, chunk, var, chunk, var, var, body);
  }

  private static boolean allFlat(Schedule.Expr e) {
    return switch (e) {
      case Schedule.Expr.Leaf l -> l.from() == null || scalar(l);
      case Schedule.Expr.Literal l -> true;
      case Schedule.Expr.Apply a -> a.args().stream().allMatch(Loops::allFlat);
    };
  }

  private static String expression(Schedule.Expr e, List<Value> ops, List<Integer> dims, boolean flat) {
    return expression(e, ops, dims, flat, java.util.Map.of());
  }

  private static String expression(Schedule.Expr e, List<Value> ops, List<Integer> dims, boolean flat,
                                   java.util.Map<Integer, String> locals) {
    return switch (e) {
      case Schedule.Expr.Literal l -> Codegen.floatLiteral(l.value());
      case Schedule.Expr.Leaf l when locals.containsKey(l.source().id()) -> locals.get(l.source().id());
      case Schedule.Expr.Leaf l -> {
        int k = indexOf(ops, l.source());
        yield "in" + k + "[" + (scalar(l) ? "0" : flat ? "i" : (l.from() == null ? "o" : broadcastIndex(l.from(), dims))) + "]";
      }
      case Schedule.Expr.Apply a -> {
        List<String> args = new ArrayList<>();
        for (Schedule.Expr x : a.args()) args.add(expression(x, ops, dims, flat, locals));
        yield a.op().java(args, a.attrs());
      }
    };
  }

  /** A leaf broadcast from a single element: every loop index reads element 0. */
  private static boolean scalar(Schedule.Expr.Leaf l) {
    return Schedule.scalar(l);
  }

  private static int indexOf(List<Value> ops, Value v) {
    for (int i = 0; i < ops.size(); i++) if (ops.get(i).id() == v.id()) return i;
    throw new IllegalStateException("leaf not an operand");
  }

  /** Row-major index into a tensor of shape {@code from} broadcast over loop indices i0..: axes of 1 repeat. */
  private static String broadcastIndex(List<Integer> from, List<Integer> dims) {
    List<String> terms = new ArrayList<>();
    long stride = 1;
    for (int d = from.size() - 1; d >= 0; d--) {
      if (from.get(d) != 1) terms.addFirst(stride == 1 ? "i" + d : "i" + d + " * " + stride);
      stride *= from.get(d);
    }
    return terms.isEmpty() ? "0" : String.join(" + ", terms);
  }

  /**
   * A loop nest over the output's flat index {@code o}, on the worker threads when the work is large;
   * each output is computed whole by one thread, so the result is the same whatever the thread count.
   * A sum of the leading axes (a bias gradient: {@code out[c] = sum over r of in[r * n + c]}) streams
   * the rows through per-column double accumulators instead, adding in the same order.
   */
  static void gather(MethodSpec.Builder m, LoopKernel.Gather g) {
    if (g.space().size() == 1 && g.space().getFirst() >= LANES && g.value() instanceof Val.Sum s
        && s.precision() == Val.Precision.DOUBLE && s.axes().size() == 1 && s.body() instanceof Val.Load l
        && l.at().equals(Ix.var(s.axes().getFirst().name()).times(g.size()).plus(LoopKernel.Gather.coordinate(0)))) {
      String body = "double[] acc = new double[hi - lo];\n"
          + "for (int r = 0; r < " + s.axes().getFirst().extent() + "; r++) {\n"
          + "  int base = r * " + g.size() + ";\n"
          + "  for (int c = lo; c < hi; c++) acc[c - lo] += in" + l.operand() + "[base + c];\n"
          + "}\n"
          + "for (int c = lo; c < hi; c++) out[c] = (float) acc[c - lo];";
      chunks(m, g.size(), body, g.work());
      return;
    }
    // a nest over the output's axes, the first split over the threads: no index arithmetic to find
    // the coordinates, and each thread writes its rows in order
    JavaText.Body b = JavaText.at(g, (j, index) -> "in" + j + "[" + index + "]");
    List<Integer> space = g.space();
    StringBuilder body = new StringBuilder();
    if (space.size() > 1) body.append("int o = i0 * ").append(g.size() / space.getFirst()).append(";\n");
    String indent = "";
    for (int d = 1; d < space.size(); d++) {
      body.append(indent).append("for (int i").append(d).append(" = 0; i").append(d).append(" < ").append(space.get(d))
          .append("; i").append(d).append("++) {\n");
      indent += "  ";
    }
    for (String line : b.lines()) body.append(indent).append(line).append('\n');
    body.append(indent).append(space.size() > 1 ? "out[o++] = " : "out[i0] = ").append(b.result()).append(";\n");
    for (int d = space.size() - 1; d >= 1; d--) {
      indent = indent.substring(2);
      body.append(indent).append("}\n");
    }
    loop(m, space.isEmpty() ? 1 : space.getFirst(), "i0", body.toString().stripTrailing(), g.work());
  }
}

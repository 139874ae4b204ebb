package wganc.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import wganc.compile.Compiler;
import wganc.ir.Graph;
import wganc.ir.GraphBuilder;
import wganc.ir.TensorType;
import wganc.ir.Value;
import wganc.lower.Lowering;
import wganc.passes.Pipeline;

/** Buffer reuse never lets two live values share a buffer; fusion inlines single-use elementwise chains. */
class ScheduleTest {
  static Stream<Path> models() throws IOException {
    return Files.list(Path.of("../models")).filter(p -> p.toString().endsWith(".wgan")).sorted();
  }

  @ParameterizedTest
  @MethodSource("models")
  void noLiveValuesShareABuffer(Path model) {
    var o = Compiler.check(model);
    for (var pg : Lowering.lower(o.result().model(), Lowering.Draws.RANDOM)) {
      Graph g = Pipeline.standard().run(pg.graph()).graph();
      check(Schedule.of(g));
      check(Schedule.of(g, Schedule.Rule.GROUPS));
      check(Schedule.of(g, Schedule.Rule.GROUPS, Schedule.Rule.SCALARS));
    }
  }

  /**
   * For each kernel, everything it reads (through reshapes) is computed by an earlier kernel or is an
   * input, parameter or constant; and the buffer it writes holds no value that is read later (or is
   * an output).
   */
  static void check(Schedule s) {
    Map<Integer, Integer> aliasRoot = new HashMap<>();
    Map<Integer, wganc.ir.Node> nodes = new HashMap<>();
    for (var b : s.graph().bindings()) {
      nodes.put(b.value().id(), b.node());
      if (b.node() instanceof wganc.ir.Node.Apply a && a.op().aliases()) {
        int src = a.inputs().getFirst().id();
        aliasRoot.put(b.value().id(), aliasRoot.getOrDefault(src, src));
      }
    }
    java.util.Set<Integer> ready = new java.util.HashSet<>();
    for (Schedule.Kernel k : s.kernels()) {
      for (int v : Schedule.reads(k)) {
        int r = aliasRoot.getOrDefault(v, v);
        boolean computed = nodes.get(r) instanceof wganc.ir.Node.Apply;
        assertTrue(!computed || ready.contains(r), () -> "a kernel reads %" + v + " before it is computed");
      }
      for (Value o : k.outs()) ready.add(o.id());
      if (k instanceof Schedule.Kernel.Primitive op && op.inner() != null) ready.add(op.inner().id());
    }
    Map<Integer, Integer> lastRead = new HashMap<>();
    for (int k = 0; k < s.kernels().size(); k++) {
      for (int v : Schedule.reads(s.kernels().get(k))) lastRead.put(v, k);
    }
    s.graph().outputs().values().forEach(v -> lastRead.put(v.id(), Integer.MAX_VALUE));
    Map<Integer, Integer> holder = new HashMap<>();  // buffer -> value currently in it
    Map<Integer, Integer> producedAt = new HashMap<>();
    for (int k = 0; k < s.kernels().size(); k++) {
      java.util.Set<Integer> written = new java.util.HashSet<>();
      for (Value o : s.kernels().get(k).outs()) {
        int out = o.id();
        int buf = s.buffer().get(out);
        assertTrue(written.add(buf), "kernel " + k + " writes two values to buffer " + buf);
        Integer previous = holder.get(buf);
        if (previous != null) {
          int last = lastUse(previous, s, lastRead);
          final int kk = k;
          assertTrue(last <= k, () -> "kernel " + kk + " overwrites %" + previous + " (buffer " + buf + "), read until " + last);
        }
        holder.put(buf, out);
        producedAt.put(out, k);
      }
    }
  }

  /** The last kernel reading a value or any reshape aliasing it. */
  private static int lastUse(int value, Schedule s, Map<Integer, Integer> lastRead) {
    Map<Integer, Integer> root = new HashMap<>();
    for (var b : s.graph().bindings()) {
      if (b.node() instanceof wganc.ir.Node.Apply a && a.op().aliases()) {
        int src = a.inputs().getFirst().id();
        root.put(b.value().id(), root.getOrDefault(src, src));
      }
    }
    int last = lastRead.getOrDefault(value, -1);
    for (var e : root.entrySet()) {
      if (e.getValue() == value) last = Math.max(last, lastRead.getOrDefault(e.getKey(), -1));
    }
    return last;
  }

  @Test
  void aValueReadTwiceByOneKernelIsFreedOnce() {
    GraphBuilder b = new GraphBuilder();
    Value x = b.input("x", TensorType.f32(4, 8));
    Value m = b.greater(x, 0.0);
    Value t = b.matmul(x, x, true, false);            // forces m's producer to stay a kernel of its own
    Value y = b.select(m, b.tanh(x), b.neg(x));
    Value z = b.select(m, b.mul(y, y), y);
    b.output("t", t);
    b.output("z", z);
    Schedule s = Schedule.of(b.build());
    check(s);
  }

  @Test
  void singleUseElementwiseChainsAreInlined() {
    GraphBuilder b = new GraphBuilder();
    Value x = b.input("x", TensorType.f32(16));
    b.output("y", b.sqrt(b.add(b.mul(b.exp(x), 2.0), 1.0)));
    Schedule s = Schedule.of(b.build());
    assertEquals(1, s.kernels().size());
    assertFalse(s.kernels().getFirst() instanceof Schedule.Kernel.Primitive);
  }

  /** A broadcast or a mask read by several loops is recomputed in each of them, not stored. */
  @Test
  void broadcastsAndMasksAreReplicatedIntoTheirLoops() {
    GraphBuilder b = new GraphBuilder();
    Value x = b.input("x", TensorType.f32(8, 32));
    Value bias = b.input("bias", TensorType.f32(1, 32));
    Value wide = b.broadcastTo(bias, java.util.List.of(8, 32));
    Value h = b.add(b.matmul(x, b.input("w", TensorType.f32(32, 32)), false, false), wide);
    Value mask = b.greater(h, 0.0);
    b.output("relu", b.select(mask, h, 0.0));
    b.output("other", b.select(mask, b.mul(wide, x), x));
    Schedule s = Schedule.of(b.build());
    check(s);
    assertTrue(s.inlined().contains(wide.id()) && s.inlined().contains(mask.id()));
    // the matmul (with the bias add in place) and the two selects; h itself stays materialised
    assertEquals(3, s.kernels().size());
    assertTrue(s.kernels().stream().noneMatch(k -> k.out().id() == mask.id() || k.out().id() == wide.id()));
  }

  /** Adam's moments and parameter update become one loop that reads the gradient once. */
  @Test
  void optimiserLoopsAreGrouped() {
    GraphBuilder b = new GraphBuilder();
    TensorType t = TensorType.f32(64, 32);
    Value g = b.input("g", t), m = b.input("m", t), v = b.input("v", t), p = b.input("p", t);
    Value m1 = b.add(b.mul(m, 0.9), b.mul(g, 0.1));
    Value v1 = b.add(b.mul(v, 0.99), b.mul(b.mul(g, g), 0.01));
    Value unrelated = b.exp(b.input("q", TensorType.f32(7)));
    Value p1 = b.sub(p, b.mul(b.div(m1, b.add(b.sqrt(v1), 1e-8)), 1e-3));
    b.output("m", m1);
    b.output("v", v1);
    b.output("q", unrelated);
    b.output("p", p1);
    Schedule s = Schedule.of(b.build(), Schedule.Rule.GROUPS);
    check(s);
    var groups = s.kernels().stream().filter(k -> k instanceof Schedule.Kernel.Group).toList();
    assertEquals(1, groups.size());
    assertEquals(java.util.List.of(m1.id(), v1.id(), p1.id()), groups.getFirst().outs().stream().map(Value::id).toList());
    assertEquals(java.util.Set.of(g.id(), m.id(), v.id(), p.id()), new java.util.HashSet<>(Schedule.reads(groups.getFirst())));
    assertEquals(4, Schedule.of(b.build()).kernels().size());
  }

  /** With SCALARS, Adam's bias corrections (scalars of the step) are recomputed in each update loop. */
  @Test
  void scalarsOfReadsAreRecomputedInTheirLoops() {
    GraphBuilder b = new GraphBuilder();
    Value t = b.parameter("t", TensorType.f32());
    Value e = b.exp(b.mul(t, -0.1));
    Value correction = b.sub(b.fill(1.0, e), e);
    for (TensorType type : new TensorType[] {TensorType.f32(64, 32), TensorType.f32(32)}) {
      Value g = b.input("g" + type.rank(), type), m = b.parameter("m" + type.rank(), type);
      Value p = b.parameter("p" + type.rank(), type);
      Value m1 = b.add(b.mul(m, 0.9), b.mul(g, 0.1));
      b.output("m" + type.rank(), m1);
      b.output("p" + type.rank(), b.sub(p, b.div(m1, b.broadcastTo(correction, type.dims()))));
    }
    b.output("t", b.add(t, 1.0));
    Graph graph = b.build();
    Schedule s = Schedule.of(graph, Schedule.Rule.GROUPS, Schedule.Rule.SCALARS);
    check(s);
    assertTrue(s.inlined().contains(correction.id()));
    // two groups (moment and update of each parameter) and the step's increment
    assertEquals(3, s.kernels().size());
    assertEquals(4, Schedule.of(graph, Schedule.Rule.GROUPS).kernels().size());
  }
}

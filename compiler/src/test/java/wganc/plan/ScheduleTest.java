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
import wganc.Frontend;
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
    var o = Frontend.compile(model);
    for (var pg : Lowering.lower(o.result().model(), Lowering.Draws.RANDOM)) {
      Graph g = Pipeline.standard().run(pg.graph()).graph();
      check(Schedule.of(g));
    }
  }

  /** For each kernel, the buffer it writes holds no value that is read later (or is an output). */
  static void check(Schedule s) {
    Map<Integer, Integer> lastRead = new HashMap<>();
    for (int k = 0; k < s.kernels().size(); k++) {
      for (int v : Schedule.reads(s.kernels().get(k))) lastRead.put(v, k);
    }
    s.graph().outputs().values().forEach(v -> lastRead.put(v.id(), Integer.MAX_VALUE));
    Map<Integer, Integer> holder = new HashMap<>();  // buffer -> value currently in it
    Map<Integer, Integer> producedAt = new HashMap<>();
    for (int k = 0; k < s.kernels().size(); k++) {
      int out = s.kernels().get(k).out().id();
      int buf = s.buffer().get(out);
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

  /** The last kernel reading a value or any reshape aliasing it. */
  private static int lastUse(int value, Schedule s, Map<Integer, Integer> lastRead) {
    Map<Integer, Integer> root = new HashMap<>();
    for (var b : s.graph().bindings()) {
      if (b.node() instanceof wganc.ir.Node.Apply a && a.op() instanceof wganc.ops.Reshape) {
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
    assertFalse(s.kernels().getFirst() instanceof Schedule.Kernel.Op);
  }
}

package wganc.runtime.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import org.junit.jupiter.api.Test;

/** A failed device run names its kernel and the model line the kernel came from. */
class DeviceFailureTest {
  static final String[] GRAPH = {"critic0", "k1Add models/toy8-wgan-gp.wgan:9:14", "k12MatmulSelect models/toy8-wgan-gp.wgan:27:29",
      "k13ReduceSum"};

  @Test
  void namesTheKernelTheCauseMentions() {
    RuntimeException cause = new RuntimeException("task graph failed",
        new IllegalStateException("[Bailout] unable to compile task critic0.k12MatmulSelect: unsupported node"));
    DeviceFailure f = DeviceFailure.of(GRAPH, cause);
    assertEquals("TornadoVM failed to run kernel `k12MatmulSelect` (models/toy8-wgan-gp.wgan:27:29) of task graph "
        + "`critic0`: IllegalStateException: [Bailout] unable to compile task critic0.k12MatmulSelect: unsupported node",
        f.getMessage());
    assertSame(cause, f.getCause());
  }

  @Test
  void aKernelWithoutSourceAndAnUnnamedFailure() {
    assertEquals("TornadoVM failed to run kernel `k13ReduceSum` of task graph `critic0`: RuntimeException: k13ReduceSum",
        DeviceFailure.of(GRAPH, new RuntimeException("k13ReduceSum")).getMessage());
    // `k1Add` is not mentioned by `k12...`; nothing names a kernel: the graph and its range
    assertEquals("TornadoVM failed to run task graph `critic0` (kernels `k1Add` to `k13ReduceSum`): "
        + "RuntimeException: CL_OUT_OF_RESOURCES", DeviceFailure.of(GRAPH, new RuntimeException("CL_OUT_OF_RESOURCES"))
        .getMessage());
    assertEquals("TornadoVM failed to run task graph `upload` (no kernels): RuntimeException: null pointer",
        DeviceFailure.of(new String[] {"upload"}, new RuntimeException("null pointer")).getMessage());
  }
}

package wganc.runtime.train;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class DeviceProfileTest {
  /** Two records as TornadoVM 5.2 writes them (abridged): kernel times add up per task. */
  @Test
  void kernelTimesAddUpPerTask() {
    String log = """
        {
            "critic0": {
                "TOTAL_TASK_GRAPH_TIME": "714152824",
                "TOTAL_KERNEL_TIME": "27821",
                "critic0.k1Matmul": {
                    "BACKEND": "OPENCL",
                    "METHOD": "CriticPhase.k1Matmul",
                    "DEVICE": "pthread-skylake-avx512-Intel(R) Xeon(R) Processor",
                    "TASK_KERNEL_TIME": "8025",
                    "TASK_COMPILE_DRIVER_TIME": "190420021"
                },\s
                "critic0.k0RandomNormal": {
                    "TASK_KERNEL_TIME": "19796"
                }
            }
        }
        {
            "critic0": {
                "critic0.k1Matmul": {
                    "TASK_KERNEL_TIME": "5439"
                }
            }
        }
        """;
    Map<String, Long> nanos = new TreeMap<>();
    DeviceProfile.addKernelTimes(log, nanos);
    assertEquals(Map.of("critic0.k0RandomNormal", 19796L, "critic0.k1Matmul", 13464L), nanos);
  }
}

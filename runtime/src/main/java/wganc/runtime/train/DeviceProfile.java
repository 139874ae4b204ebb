package wganc.runtime.train;

import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads TornadoVM's profiler records (the JSON its execution results return with the profiler on):
 * each task's {@code TASK_KERNEL_TIME}, in nanoseconds, under its id {@code <task graph>.<task>}.
 * Generated TornadoVM phases compiled for {@code wganc bench} add them up through this.
 */
public final class DeviceProfile {
  private DeviceProfile() {}

  private static final Pattern TASK = Pattern.compile(
      "\"([A-Za-z_$][\\w$]*\\.[A-Za-z_$][\\w$]*)\"\\s*:\\s*\\{[^{}]*?\"TASK_KERNEL_TIME\"\\s*:\\s*\"(\\d+)\"");

  /** Adds every task's kernel time in {@code log} to {@code nanos}, by task id. */
  public static void addKernelTimes(CharSequence log, Map<String, Long> nanos) {
    Matcher m = TASK.matcher(log);
    while (m.find()) nanos.merge(m.group(1), Long.parseLong(m.group(2)), Long::sum);
  }
}

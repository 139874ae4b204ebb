package wganc.runtime.train;

import java.util.ArrayList;
import java.util.List;

/**
 * What a failed device run reports: the kernel that failed and the model source line it came from,
 * never a bare TornadoVM stack trace (and never a silent fallback: wganc runs TornadoVM with bailout
 * to Java off). TornadoVM names a failing task {@code graph.task}; the generated plan names each task
 * after its kernel method, so the kernel is the one whose name the failure's messages mention.
 */
public final class DeviceFailure extends RuntimeException {
  private DeviceFailure(String message, Throwable cause) {
    super(message, cause);
  }

  /**
   * @param graph the task graph that ran: its name, then each kernel as {@code name} or
   *              {@code name file:line:col}
   * @param cause what TornadoVM threw
   */
  public static DeviceFailure of(String[] graph, Throwable cause) {
    List<String> messages = new ArrayList<>();
    for (Throwable t = cause; t != null && messages.size() < 8; t = t.getCause()) {
      messages.add(t.getClass().getSimpleName() + (t.getMessage() == null ? "" : ": " + t.getMessage()));
    }
    String all = String.join("\n", messages);
    String why = messages.getLast().lines().findFirst().orElse("");
    for (int k = 1; k < graph.length; k++) {
      String kernel = graph[k].split(" ", 2)[0];
      if (mentions(all, kernel)) {
        String where = graph[k].contains(" ") ? " (" + graph[k].split(" ", 2)[1] + ")" : "";
        return new DeviceFailure("TornadoVM failed to run kernel `" + kernel + "`" + where + " of task graph `"
            + graph[0] + "`: " + why, cause);
      }
    }
    String kernels = graph.length == 1 ? "no kernels"
        : "kernels `" + graph[1].split(" ", 2)[0] + "` to `" + graph[graph.length - 1].split(" ", 2)[0] + "`";
    return new DeviceFailure("TornadoVM failed to run task graph `" + graph[0] + "` (" + kernels + "): " + why, cause);
  }

  /** Whether {@code text} names {@code kernel} as a whole word (`k1Add` is not in `k12Add`). */
  private static boolean mentions(String text, String kernel) {
    int at = -1;
    while ((at = text.indexOf(kernel, at + 1)) >= 0) {
      int end = at + kernel.length();
      boolean before = at == 0 || !Character.isLetterOrDigit(text.charAt(at - 1));
      boolean after = end == text.length() || !Character.isLetterOrDigit(text.charAt(end));
      if (before && after) return true;
    }
    return false;
  }
}

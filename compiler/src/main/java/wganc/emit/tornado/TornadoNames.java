package wganc.emit.tornado;

import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The names the generated TornadoVM sources share: TornadoVM's API types (each named with
 * {@link ClassName}, so wganc has no compile-time dependency on TornadoVM), the runtime's device
 * memory, the generated {@code DeviceState} class, the generator's version; and {@link #code}, text
 * with {@code TornadoMath.} and {@code @Parallel} as imported types.
 */
final class TornadoNames {
  private TornadoNames() {}

  static final String API = "uk.ac.manchester.tornado.api";
  static final ClassName FLOAT_ARRAY = ClassName.get(API + ".types.arrays", "FloatArray");
  static final ClassName INT_ARRAY = ClassName.get(API + ".types.arrays", "IntArray");
  static final ClassName PARALLEL = ClassName.get(API + ".annotations", "Parallel");
  static final ClassName TORNADO_MATH = ClassName.get(API + ".math", "TornadoMath");
  static final ClassName TASK_GRAPH = ClassName.get(API, "TaskGraph");
  static final ClassName EXECUTION_PLAN = ClassName.get(API, "TornadoExecutionPlan");
  static final ClassName TRANSFER = ClassName.get(API + ".enums", "DataTransferMode");
  static final ClassName KERNEL_CONTEXT = ClassName.get(API, "KernelContext");
  static final ClassName GRID_SCHEDULER = ClassName.get(API, "GridScheduler");
  static final ClassName DEVICE_MEMORY = ClassName.get("wganc.runtime.train", "DeviceMemory");
  /** The generated class holding the model's resident arrays and execution plan. */
  static final String DEVICE_STATE = "DeviceState";
  static final String VERSION = "0.1.0";

  private static final Pattern TOKENS = Pattern.compile("(?<![\\w.])TornadoMath\\.|@Parallel\\b");

  /** Text to code, with {@code TornadoMath.} and {@code @Parallel} as imported types. */
  static CodeBlock code(String text) {
    CodeBlock.Builder b = CodeBlock.builder();
    Matcher m = TOKENS.matcher(text);
    int last = 0;
    while (m.find()) {
      b.add("$L", text.substring(last, m.start()));
      if (m.group().startsWith("@")) b.add("@$T", PARALLEL);
      else b.add("$T.", TORNADO_MATH);
      last = m.end();
    }
    b.add("$L", text.substring(last));
    return b.build();
  }
}

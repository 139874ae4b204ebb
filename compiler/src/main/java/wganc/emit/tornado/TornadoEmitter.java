package wganc.emit.tornado;

import wganc.emit.Codegen;

import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.FieldSpec;
import com.palantir.javapoet.JavaFile;
import com.palantir.javapoet.MethodSpec;
import com.palantir.javapoet.TypeName;
import com.palantir.javapoet.TypeSpec;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.lang.model.element.Modifier;
import wganc.ir.Binding;
import wganc.ir.DType;
import wganc.ir.Graph;
import wganc.ir.Node;
import wganc.ir.Value;
import wganc.ops.Conv2d;
import wganc.ops.Conv2dBackwardInput;
import wganc.ops.Conv2dBackwardWeight;
import wganc.ops.Matmul;
import wganc.ops.Pad;
import wganc.ops.RandomDraw;
import wganc.ops.ReduceSum;
import wganc.ops.Resample;
import wganc.ops.Transpose;
import wganc.plan.Schedule;

/**
 * Emits one {@link wganc.runtime.train.Phase} class per update phase for TornadoVM: the same
 * {@link Schedule} as the JVM backend (kernels, fused expression trees, buffer reuse), each kernel a
 * public static method over {@code FloatArray} with one {@code @Parallel} loop over its output
 * elements (one thread per output element, every reduction a sequential loop inside it, so results do
 * not depend on the device's thread layout), and a {@code TaskGraph} holding every kernel of the phase
 * in program order, snapshotted once into a {@code TornadoExecutionPlan}.
 *
 * <p>Transfers: the phase's reads (parameters, optimiser state, data and noise batches) and the step
 * counter go to the device on every execution, its writes come back on every execution, and the
 * intermediate buffers and constants are sent once and stay on the device. Keeping parameters and
 * optimiser state resident across steps and phases (so only data batches and metrics move) needs the
 * phases of a step to share device buffers; that is the next step, and the copies at the
 * {@code float[]}/{@code FloatArray} boundary in {@code run} go with it.
 *
 * <p>Left to later steps: tiling matmul and convolutions with {@code KernelContext} and local memory,
 * and fusing a whole training step into one task graph.
 *
 * <p>No compile-time dependency on TornadoVM: every TornadoVM type is named with {@link ClassName}.
 */
public final class TornadoEmitter {
  static final String API = "uk.ac.manchester.tornado.api";
  static final ClassName FLOAT_ARRAY = ClassName.get(API + ".types.arrays", "FloatArray");
  static final ClassName INT_ARRAY = ClassName.get(API + ".types.arrays", "IntArray");
  static final ClassName PARALLEL = ClassName.get(API + ".annotations", "Parallel");
  static final ClassName TORNADO_MATH = ClassName.get(API + ".math", "TornadoMath");
  static final ClassName TASK_GRAPH = ClassName.get(API, "TaskGraph");
  static final ClassName EXECUTION_PLAN = ClassName.get(API, "TornadoExecutionPlan");
  static final ClassName TRANSFER = ClassName.get(API + ".enums", "DataTransferMode");
  static final ClassName PHASE = ClassName.get("wganc.runtime.train", "Phase");
  static final ClassName MEMORY_SEGMENT = ClassName.get("java.lang.foreign", "MemorySegment");
  static final ClassName VALUE_LAYOUT = ClassName.get("java.lang.foreign", "ValueLayout");
  static final String VERSION = "0.1.0";
  /** TornadoVM's task API takes at most this many arguments per task. */
  static final int MAX_TASK_ARGS = 20;

  private final Graph graph;
  private final Schedule schedule;
  private final String phaseName;
  private final String source;
  private final Map<Integer, Binding> byId = new HashMap<>();
  private final List<String> reads = new ArrayList<>();
  private final List<Value> readValues = new ArrayList<>();
  private final Map<Integer, String> arrayName = new HashMap<>();
  private final Map<Integer, Double> constants = new LinkedHashMap<>();
  private final Map<Double, String> constantArrays = new LinkedHashMap<>();

  private TornadoEmitter(Graph graph, String phaseName, String source) {
    this.graph = graph;
    this.schedule = Schedule.of(graph);
    this.phaseName = phaseName;
    this.source = source;
    for (Binding b : graph.bindings()) byId.put(b.value().id(), b);
  }

  /** The Java file of one phase; {@code source} names the model file for the header. */
  public static JavaFile emit(Graph graph, String packageName, String className, String phaseName, String source) {
    return new TornadoEmitter(graph, phaseName, source).file(packageName, className);
  }

  private JavaFile file(String packageName, String className) {
    TypeSpec.Builder type = TypeSpec.classBuilder(className)
        .addModifiers(Modifier.PUBLIC, Modifier.FINAL)
        .addSuperinterface(PHASE)
        .addJavadoc("Update `$L` of $L, as TornadoVM kernels and one task graph.\n", phaseName, source);
    for (Binding b : graph.bindings()) {
      switch (b.node()) {
        case Node.Parameter p -> { reads.add(p.name()); readValues.add(b.value()); }
        case Node.Input i -> {
          if (b.value().type().dtype() != DType.I64) { reads.add(i.name()); readValues.add(b.value()); }
        }
        case Node.Constant c -> constants.put(b.value().id(), c.value());
        default -> {}
      }
    }
    List<String> writes = new ArrayList<>(graph.outputs().keySet());
    List<Value> writeValues = new ArrayList<>(graph.outputs().values());
    type.addField(FieldSpec.builder(String[].class, "READS", Modifier.PRIVATE, Modifier.STATIC, Modifier.FINAL)
        .initializer(Codegen.strings(reads)).build());
    type.addField(FieldSpec.builder(int[][].class, "READ_SHAPES", Modifier.PRIVATE, Modifier.STATIC, Modifier.FINAL)
        .initializer(Codegen.shapes(readValues)).build());
    type.addField(FieldSpec.builder(String[].class, "WRITES", Modifier.PRIVATE, Modifier.STATIC, Modifier.FINAL)
        .initializer(Codegen.strings(writes)).build());
    type.addField(FieldSpec.builder(int[][].class, "WRITE_SHAPES", Modifier.PRIVATE, Modifier.STATIC, Modifier.FINAL)
        .initializer(Codegen.shapes(writeValues)).build());
    type.addMethod(Codegen.getter("name", String.class, CodeBlock.of("return $S", phaseName)));
    type.addMethod(Codegen.getter("reads", String[].class, CodeBlock.of("return READS.clone()")));
    type.addMethod(Codegen.getter("readShapes", int[][].class, CodeBlock.of("return READ_SHAPES.clone()")));
    type.addMethod(Codegen.getter("writes", String[].class, CodeBlock.of("return WRITES.clone()")));
    type.addMethod(Codegen.getter("writeShapes", int[][].class, CodeBlock.of("return WRITE_SHAPES.clone()")));

    // device-side arrays: one per read, one per buffer slot, one per constant value, the step counter
    for (int i = 0; i < reads.size(); i++) {
      arrayName.put(readValues.get(i).id(), "in" + i);
      type.addField(FieldSpec.builder(FLOAT_ARRAY, "in" + i, Modifier.PRIVATE, Modifier.FINAL)
          .initializer("new $T($L)", FLOAT_ARRAY, readValues.get(i).type().size()).build());
    }
    for (int i = 0; i < schedule.bufferSizes().size(); i++) {
      type.addField(FieldSpec.builder(FLOAT_ARRAY, "buffer" + i, Modifier.PRIVATE, Modifier.FINAL)
          .initializer("new $T($L)", FLOAT_ARRAY, schedule.bufferSizes().get(i)).build());
    }
    type.addField(FieldSpec.builder(INT_ARRAY, "step", Modifier.PRIVATE, Modifier.FINAL)
        .initializer("new $T(2)", INT_ARRAY)
        .addJavadoc("The step counter that keys random draws: low word, high word.\n").build());
    for (var e : schedule.buffer().entrySet()) arrayName.putIfAbsent(e.getKey(), "buffer" + e.getValue());
    for (Binding b : graph.bindings()) {
      if (b.node() instanceof Node.Apply a && a.op() instanceof wganc.ops.Reshape) {
        String src = arrayName.get(a.inputs().getFirst().id());
        if (src != null) arrayName.putIfAbsent(b.value().id(), src);
      }
    }

    // kernels and the task graph
    String graphName = camelLower(phaseName.replace('.', '_'));
    CodeBlock.Builder tasks = CodeBlock.builder();
    MethodSpec.Builder onJvm = MethodSpec.methodBuilder("runOnJvm").addModifiers(Modifier.PRIVATE)
        .addJavadoc("The same kernels as plain Java calls, in order (`-Dwganc.tornado.jvm=true`: no device).\n");
    int index = 0;
    for (Schedule.Kernel k : schedule.kernels()) {
      String name = "k" + index + camel(kernelKind(k));
      List<Value> ops = operands(k);
      MethodSpec kernel = kernel(name, k, ops);
      type.addMethod(kernel);
      List<String> args = new ArrayList<>();
      args.add(array(k.out()));
      for (Value v : ops) args.add(array(v));
      if (needsStep(k)) args.add("step");
      if (args.size() > MAX_TASK_ARGS) {
        throw new IllegalStateException("kernel " + name + " of `" + phaseName + "` reads " + args.size()
            + " arrays; TornadoVM tasks take at most " + MAX_TASK_ARGS);
      }
      tasks.add("\n.task($S, $L::$L, $L)", name, className, name, String.join(", ", args));
      onJvm.addStatement("$L($L)", name, String.join(", ", args));
      index++;
    }
    List<String> everyRun = new ArrayList<>();
    for (int i = 0; i < reads.size(); i++) everyRun.add("in" + i);
    everyRun.add("step");
    List<String> once = new ArrayList<>();
    for (int i = 0; i < schedule.bufferSizes().size(); i++) once.add("buffer" + i);
    List<String> outs = new ArrayList<>();
    for (Value v : writeValues) outs.add(array(v));
    once.addAll(constantArrays.values());
    MethodSpec.Builder taskGraph = MethodSpec.methodBuilder("taskGraph").addModifiers(Modifier.PRIVATE)
        .returns(TASK_GRAPH)
        .addJavadoc("Every kernel of the phase in program order; reads and the step go in on every run, buffers once.\n");
    CodeBlock.Builder g = CodeBlock.builder().add("return new $T($S)", TASK_GRAPH, graphName)
        .add("\n.transferToDevice($T.EVERY_EXECUTION, $L)", TRANSFER, String.join(", ", everyRun));
    if (!once.isEmpty()) g.add("\n.transferToDevice($T.FIRST_EXECUTION, $L)", TRANSFER, String.join(", ", once));
    g.add(tasks.build());
    g.add("\n.transferToHost($T.EVERY_EXECUTION, $L)", TRANSFER, String.join(", ", distinct(outs)));
    taskGraph.addStatement("$L", g.build());
    type.addMethod(taskGraph.build());
    type.addMethod(onJvm.build());

    type.addField(FieldSpec.builder(EXECUTION_PLAN, "plan", Modifier.PRIVATE).build());
    for (var e : constantArrays.entrySet()) {
      type.addField(FieldSpec.builder(FLOAT_ARRAY, e.getValue(), Modifier.PRIVATE, Modifier.FINAL)
          .initializer("filled($L, $Lf)", maxConstantSize(e.getKey()), floatLiteral(e.getKey())).build());
    }
    if (!constantArrays.isEmpty()) {
      type.addMethod(MethodSpec.methodBuilder("filled").addModifiers(Modifier.PRIVATE, Modifier.STATIC)
          .returns(FLOAT_ARRAY).addParameter(int.class, "n").addParameter(float.class, "value")
          .addStatement("$T a = new $T(n)", FLOAT_ARRAY, FLOAT_ARRAY).addStatement("a.init(value)")
          .addStatement("return a").build());
    }

    MethodSpec.Builder run = MethodSpec.methodBuilder("run").addAnnotation(Override.class)
        .addModifiers(Modifier.PUBLIC).addParameter(TypeName.LONG, "rngStep")
        .addParameter(float[][].class, "reads").addParameter(float[][].class, "writes")
        .addComment("first version: every read is copied in and every write copied out on each run");
    run.addStatement("boolean jvm = Boolean.getBoolean($S)", "wganc.tornado.jvm");
    run.beginControlFlow("if (plan == null && !jvm)")
        .addStatement("plan = new $T(taskGraph().snapshot())", EXECUTION_PLAN)
        .addStatement("String device = System.getProperty($S)", "wganc.tornado.device")
        .beginControlFlow("if (device != null && !device.isBlank())")
        .addStatement("String[] bd = device.trim().split(\":\")")
        .addStatement("plan.withDevice($T.getDevice(Integer.parseInt(bd[0]), Integer.parseInt(bd[1])))",
            EXECUTION_PLAN)
        .endControlFlow()
        .endControlFlow();
    for (int i = 0; i < reads.size(); i++) {
      run.addStatement("toDevice(reads[$L], in$L)", i, i).addComment("$L", reads.get(i));
    }
    run.addStatement("step.set(0, (int) rngStep)").addStatement("step.set(1, (int) (rngStep >>> 32))");
    run.beginControlFlow("if (jvm)").addStatement("runOnJvm()").nextControlFlow("else")
        .addStatement("plan.execute()").endControlFlow();
    for (int w = 0; w < writeValues.size(); w++) {
      run.addStatement("toHost($L, writes[$L])", array(writeValues.get(w)), w);
    }
    type.addMethod(run.build());
    type.addMethod(MethodSpec.methodBuilder("toDevice").addModifiers(Modifier.PRIVATE, Modifier.STATIC)
        .addParameter(float[].class, "from").addParameter(FLOAT_ARRAY, "to")
        .addStatement("$T.copy(from, 0, to.getSegment(), $T.JAVA_FLOAT, 0L, from.length)", MEMORY_SEGMENT, VALUE_LAYOUT)
        .build());
    type.addMethod(MethodSpec.methodBuilder("toHost").addModifiers(Modifier.PRIVATE, Modifier.STATIC)
        .addParameter(FLOAT_ARRAY, "from").addParameter(float[].class, "to")
        .addStatement("$T.copy(from.getSegment(), $T.JAVA_FLOAT, 0L, to, 0, to.length)", MEMORY_SEGMENT, VALUE_LAYOUT)
        .build());
    return JavaFile.builder(packageName, type.build())
        .addFileComment("Generated by wganc $L (TornadoVM backend) from $L, update `$L`. Do not edit.", VERSION, source,
            phaseName)
        .skipJavaLangImports(true).indent("  ").build();
  }

  private static List<String> distinct(List<String> names) {
    return names.stream().distinct().toList();
  }

  private int maxConstantSize(double value) {
    int max = 1;
    for (var e : constants.entrySet()) {
      if (e.getValue() == value) max = Math.max(max, byId.get(e.getKey()).value().type().size());
    }
    return max;
  }

  /** The field holding value {@code v}. */
  private String array(Value v) {
    String name = arrayName.get(v.id());
    if (name != null) return name;
    Double c = constants.get(v.id());
    if (c != null) return constantArrays.computeIfAbsent(c, x -> "CONSTANT_" + constantArrays.size());
    throw new IllegalStateException("no array for " + v);
  }

  /** The distinct materialised values a kernel reads, in first-read order (an epilogue's input excluded). */
  private static List<Value> operands(Schedule.Kernel k) {
    List<Value> out = new ArrayList<>();
    switch (k) {
      case Schedule.Kernel.Fused f -> leaves(f.expr(), out);
      case Schedule.Kernel.Group g -> throw ungrouped();
      case Schedule.Kernel.Op o -> {
        for (Value v : o.apply().inputs()) if (v.type().dtype() != DType.I64) out.add(v);
        if (o.epilogue() != null) {
          List<Value> rest = new ArrayList<>();
          leaves(o.epilogue(), rest);
          for (Value v : rest) {
            if (v.id() != o.inner().id() && out.stream().noneMatch(x -> x.id() == v.id())) out.add(v);
          }
        }
      }
    }
    return out;
  }

  private static void leaves(Schedule.Expr e, List<Value> out) {
    switch (e) {
      case Schedule.Expr.Leaf l -> { if (out.stream().noneMatch(v -> v.id() == l.source().id())) out.add(l.source()); }
      case Schedule.Expr.Literal l -> {}
      case Schedule.Expr.Apply a -> a.args().forEach(x -> leaves(x, out));
    }
  }

  /** This backend schedules with {@code Schedule.of(graph)}, which forms no loop groups. */
  private static IllegalStateException ungrouped() {
    return new IllegalStateException("the TornadoVM backend is scheduled without loop groups");
  }

  private static boolean needsStep(Schedule.Kernel k) {
    return k instanceof Schedule.Kernel.Op o && o.apply().op() instanceof RandomDraw;
  }

  private static String kernelKind(Schedule.Kernel k) {
    return switch (k) {
      case Schedule.Kernel.Fused f -> f.expr() instanceof Schedule.Expr.Apply a ? a.op().opName() : "copy";
      case Schedule.Kernel.Group g -> throw ungrouped();
      case Schedule.Kernel.Op o -> o.apply().op().opName() + (o.epilogue() instanceof Schedule.Expr.Apply a
          ? "_" + a.op().opName() : "");
    };
  }

  static String camel(String snake) {
    StringBuilder b = new StringBuilder();
    for (String part : snake.split("_")) {
      if (!part.isEmpty()) b.append(Character.toUpperCase(part.charAt(0))).append(part.substring(1));
    }
    return b.toString();
  }

  static String camelLower(String snake) {
    String c = camel(snake);
    return c.isEmpty() ? c : Character.toLowerCase(c.charAt(0)) + c.substring(1);
  }

  private MethodSpec kernel(String name, Schedule.Kernel k, List<Value> ops) {
    MethodSpec.Builder m = MethodSpec.methodBuilder(name).addModifiers(Modifier.PUBLIC, Modifier.STATIC);
    Binding b = byId.get(k.out().id());
    String describe = "%" + k.out().id() + " : " + k.out().type() + " = " + kernelKind(k);
    if (b.node() instanceof Node.Apply a && !a.source().isNone()) m.addJavadoc("$L: $L\n", a.source(), describe);
    else m.addJavadoc("$L\n", describe);
    m.addParameter(FLOAT_ARRAY, "out");
    for (int i = 0; i < ops.size(); i++) m.addParameter(FLOAT_ARRAY, "in" + i);
    if (needsStep(k)) m.addParameter(INT_ARRAY, "step");
    switch (k) {
      case Schedule.Kernel.Fused f -> {
        List<Integer> dims = k.out().type().dims();
        m.beginControlFlow("for (@$T int i = 0; i < $L; i++)", PARALLEL, k.out().type().size());
        m.addStatement(code("out.set(i, " + expression(f.expr(), ops, dims, "i", null) + ")"));
        m.endControlFlow();
      }
      case Schedule.Kernel.Group g -> throw ungrouped();
      case Schedule.Kernel.Op o -> TornadoLoops.op(m, o, ops, this);
    }
    return m.build();
  }

  /** The result expression of a contraction at flat output index {@code o} from accumulator {@code acc}. */
  String finish(Schedule.Kernel.Op o, List<Value> ops) {
    if (o.epilogue() == null) return "acc";
    return expression(o.epilogue(), ops, o.out().type().dims(), "o", o.inner());
  }

  /**
   * The scalar Java expression of {@code e} at flat index {@code var} of a loop over {@code dims};
   * a leaf reading {@code inner} is the local {@code acc}. java.lang.Math calls become TornadoMath calls.
   */
  static String expression(Schedule.Expr e, List<Value> ops, List<Integer> dims, String var, Value inner) {
    return switch (e) {
      case Schedule.Expr.Literal l -> floatLiteral(l.value()) + "f";
      case Schedule.Expr.Leaf l -> {
        if (inner != null && l.source().id() == inner.id()) yield "acc";
        int k = indexOf(ops, l.source());
        yield "in" + k + ".get(" + (l.from() == null ? var : broadcastIndex(l.from(), dims, var)) + ")";
      }
      case Schedule.Expr.Apply a -> {
        List<String> args = new ArrayList<>();
        for (Schedule.Expr x : a.args()) args.add(expression(x, ops, dims, var, inner));
        yield MATH.matcher(a.op().java(args, a.attrs())).replaceAll("TornadoMath.");
      }
    };
  }

  private static final Pattern MATH = Pattern.compile("(?<![\\w.])Math\\.");
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

  static int indexOf(List<Value> ops, Value v) {
    for (int i = 0; i < ops.size(); i++) if (ops.get(i).id() == v.id()) return i;
    throw new IllegalStateException("leaf not an operand");
  }

  /** Row-major index into shape {@code from} broadcast over a loop over {@code dims} at flat {@code var}. */
  static String broadcastIndex(List<Integer> from, List<Integer> dims, String var) {
    long[] loopStride = strides(dims);
    long[] fromStride = strides(from);
    List<String> terms = new ArrayList<>();
    for (int d = 0; d < from.size(); d++) {
      if (from.get(d) == 1) continue;
      String coord = d == 0 ? (loopStride[0] == 1 ? var : var + " / " + loopStride[0])
          : (loopStride[d] == 1 ? var + " % " + dims.get(d) : "(" + var + " / " + loopStride[d] + ") % " + dims.get(d));
      terms.add(fromStride[d] == 1 ? "(" + coord + ")" : "(" + coord + ") * " + fromStride[d]);
    }
    return terms.isEmpty() ? "0" : String.join(" + ", terms);
  }

  static long[] strides(List<Integer> dims) {
    long[] s = new long[dims.size()];
    long acc = 1;
    for (int d = dims.size() - 1; d >= 0; d--) {
      s[d] = acc;
      acc *= dims.get(d);
    }
    return s;
  }

  static String floatLiteral(double v) {
    float f = (float) v;
    if (Float.isNaN(f)) return "Float.NaN";
    if (Float.isInfinite(f)) return f > 0 ? "Float.POSITIVE_INFINITY" : "Float.NEGATIVE_INFINITY";
    return Float.toString(f);
  }
}

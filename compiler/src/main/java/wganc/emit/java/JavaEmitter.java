package wganc.emit.java;

import wganc.emit.Codegen;
import wganc.emit.Constants;

import com.palantir.javapoet.ArrayTypeName;
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
import java.util.Set;
import javax.lang.model.element.Modifier;
import wganc.ir.Binding;
import wganc.ir.Graph;
import wganc.ir.Node;
import wganc.ir.Value;
import wganc.loop.LoopKernel;
import wganc.ops.RandomDraw;
import wganc.plan.Schedule;

/**
 * Emits one {@link wganc.runtime.train.Phase} class per update phase: plain-Java kernels, one static
 * method each (a fused elementwise loop, a reduction, a layout move, a draw, or a call into the
 * runtime's blocked and vectorised matmul and convolution kernels), and a {@code run} that calls them
 * in program order over preallocated, reused buffers. Output is deterministic for a given graph.
 */
public final class JavaEmitter {
  static final ClassName PHASE = ClassName.get("wganc.runtime.train", "Phase");
  static final ClassName PROFILED = ClassName.get("wganc.runtime.train", "Profiled");
  static final ClassName GEMM = ClassName.get("wganc.runtime.kernels", "Gemm");
  static final ClassName CONV = ClassName.get("wganc.runtime.kernels", "Conv");
  static final ClassName PARALLEL = ClassName.get("wganc.runtime.kernels", "Parallel");
  static final ClassName PHILOX = ClassName.get("wganc.runtime.rng", "Philox");
  static final ClassName WORLD = ClassName.get("wganc.runtime.dist", "World");
  static final ClassName FLOAT_VECTOR = ClassName.get("jdk.incubator.vector", "FloatVector");
  static final ClassName VECTOR_OPERATORS = ClassName.get("jdk.incubator.vector", "VectorOperators");
  static final ClassName VECTOR_SPECIES = ClassName.get("jdk.incubator.vector", "VectorSpecies");
  static final TypeName FLOATS = ArrayTypeName.of(TypeName.FLOAT);
  static final String VERSION = "0.1.0";

  /** Element counts above this run their outer loop on the worker threads. */
  static final int PARALLEL_THRESHOLD = 1 << 15;

  private final Graph graph;
  private final Schedule schedule;
  private final String phaseName;
  private final String source;
  private final Map<Integer, Binding> byId = new HashMap<>();
  private final List<String> reads = new ArrayList<>();
  private final List<Value> readValues = new ArrayList<>();
  private final Map<Integer, String> arrayName = new HashMap<>();
  private final Constants consts;

  private final boolean profile;
  /** Each scratch slot's array in the model's {@link Scratch} class; null: the phase allocates its own. */
  private final Map<Integer, Integer> shared;

  private JavaEmitter(Schedule schedule, String phaseName, String source, boolean profile,
                      Map<Integer, Integer> shared) {
    this.profile = profile;
    this.shared = shared;
    this.graph = schedule.graph();
    this.schedule = schedule;
    this.phaseName = phaseName;
    this.source = source;
    this.consts = new Constants(graph);
    for (Binding b : graph.bindings()) byId.put(b.value().id(), b);
  }

  /**
   * The Java file of one phase, its kernels as {@code schedule} (made under {@link JvmBackend#RULES})
   * says; {@code source} names the model file for the header.
   */
  public static JavaFile emit(Schedule schedule, String packageName, String className, String phaseName, String source) {
    return emit(schedule, packageName, className, phaseName, source, false);
  }

  /** With {@code profile}, the class also implements {@code Profiled}: it times every kernel call. */
  public static JavaFile emit(Schedule schedule, String packageName, String className, String phaseName, String source,
                              boolean profile) {
    return new JavaEmitter(schedule, phaseName, source, profile, null).file(packageName, className);
  }

  /** As above, the scratch buffers taken from the model's {@link Scratch} class as {@code shared} says. */
  static JavaFile emit(Schedule schedule, String packageName, String className, String phaseName, String source,
                       boolean profile, Map<Integer, Integer> shared) {
    return new JavaEmitter(schedule, phaseName, source, profile, shared).file(packageName, className);
  }

  private JavaFile file(String packageName, String className) {
    // reads: parameters and inputs, except the step counter that keys draws
    Codegen.Io io = Codegen.Io.of(graph);
    TypeSpec.Builder type = Codegen.phaseClass(className, PHASE, CodeBlock.of("Update `$L` of $L.\n", phaseName, source),
        phaseName, io);
    reads.addAll(io.reads());
    readValues.addAll(io.readValues());
    List<String> writes = io.writes();
    // a computed output is written straight into its caller's array (writes never alias reads or
    // each other), so its buffer is that array and no copy follows the last kernel
    Map<Integer, Integer> writeOfBuffer = Scratch.outputSlots(schedule);
    Set<Integer> copied = new java.util.HashSet<>();
    for (int w0 = 0; w0 < graph.outputs().size(); w0++) if (!writeOfBuffer.containsValue(w0)) copied.add(w0);
    for (int i : Scratch.slots(schedule)) {
      type.addField(FieldSpec.builder(FLOATS, "buffer" + i, Modifier.PRIVATE, Modifier.FINAL)
          .initializer(shared == null ? CodeBlock.of("new float[$L]", schedule.bufferSizes().get(i))
              : CodeBlock.of("$L.ARRAYS[$L]", Scratch.CLASS, shared.get(i))).build());
    }

    MethodSpec.Builder run = MethodSpec.methodBuilder("run").addAnnotation(Override.class)
        .addModifiers(Modifier.PUBLIC).addParameter(TypeName.LONG, "rngStep")
        .addParameter(float[][].class, "reads").addParameter(float[][].class, "writes");
    for (int i = 0; i < reads.size(); i++) {
      String local = "in" + i;
      arrayName.put(readValues.get(i).id(), local);
      run.addStatement("float[] $N = reads[$L]", local, i).addComment("$L", reads.get(i));
    }
    for (var e : writeOfBuffer.entrySet()) {
      run.addStatement("float[] $N = writes[$L]", "buffer" + e.getKey(), e.getValue())
          .addComment("$L", writes.get(e.getValue()));
    }
    for (var e : schedule.buffer().entrySet()) arrayName.putIfAbsent(e.getKey(), "buffer" + e.getValue());
    // reshapes of inputs alias the input's array
    for (Binding b : graph.bindings()) {
      if (b.node() instanceof Node.Apply a && a.op().aliases()) {
        String src = arrayName.get(a.inputs().getFirst().id());
        if (src != null) arrayName.putIfAbsent(b.value().id(), src);
      }
    }
    int index = 0;
    List<String> kernelNames = new ArrayList<>();
    List<Long> kernelFlops = new ArrayList<>();
    for (Schedule.Kernel k : schedule.kernels()) {
      String name = "k" + index + Codegen.camel(Codegen.kernelKind(k));
      MethodSpec kernel = kernel(name, k);
      type.addMethod(kernel);
      List<String> args = new ArrayList<>();
      for (var p : kernel.parameters()) args.add(argument(p.name(), k));
      if (profile) run.addStatement("long t$L = System.nanoTime()", index);
      run.addStatement("$N($L)", name, String.join(", ", args));
      if (profile) run.addStatement("nanos[$L] += System.nanoTime() - t$L", index, index);
      kernelNames.add(name);
      kernelFlops.add(k instanceof Schedule.Kernel.Primitive o
          ? o.apply().op().flops(o.apply().inputs().stream().map(Value::type).toList(), o.apply().attrs(), k.out().type())
          : 0L);
      index++;
    }
    if (profile) profiling(type, kernelNames, kernelFlops);
    int w = 0;
    for (var e : graph.outputs().entrySet()) {
      Value v = e.getValue();
      if (copied.contains(w)) {
        run.addStatement("$T.arraycopy($L, 0, writes[$L], 0, $L)", System.class, array(v), w, v.type().size());
      }
      w++;
    }
    type.addMethod(run.build());
    consts.declare(type, FLOATS, CodeBlock.of("float[] a = new float[n]"), CodeBlock.of("$T.fill(a, value)", java.util.Arrays.class));
    String body = type.build().toString();
    if (body.contains("FloatVector.") || body.contains("S.length()")) {
      type.addField(FieldSpec.builder(com.palantir.javapoet.ParameterizedTypeName.get(VECTOR_SPECIES, ClassName.get(Float.class)),
          "S", Modifier.PRIVATE, Modifier.STATIC, Modifier.FINAL).initializer("$T.SPECIES_PREFERRED", FLOAT_VECTOR).build());
      type.addField(FieldSpec.builder(FLOAT_VECTOR, "ZERO", Modifier.PRIVATE, Modifier.STATIC, Modifier.FINAL)
          .initializer("$T.zero(S)", FLOAT_VECTOR).build());
      type.addField(FieldSpec.builder(FLOAT_VECTOR, "ONE", Modifier.PRIVATE, Modifier.STATIC, Modifier.FINAL)
          .initializer("$T.broadcast(S, 1f)", FLOAT_VECTOR).build());
    }
    return JavaFile.builder(packageName, type.build())
        .addStaticImport(VECTOR_OPERATORS, "*")
        .addFileComment("Generated by wganc $L from $L, update `$L`. Do not edit.", VERSION, source, phaseName)
        .skipJavaLangImports(true).indent("  ").build();
  }

  private static void profiling(TypeSpec.Builder type, List<String> names, List<Long> flops) {
    type.addSuperinterface(PROFILED);
    type.addField(FieldSpec.builder(String[].class, "KERNEL_NAMES", Modifier.PRIVATE, Modifier.STATIC, Modifier.FINAL)
        .initializer(Codegen.strings(names)).build());
    type.addField(FieldSpec.builder(long[].class, "KERNEL_FLOPS", Modifier.PRIVATE, Modifier.STATIC, Modifier.FINAL)
        .initializer("{$L}", String.join(", ", flops.stream().map(f -> f + "L").toList())).build());
    type.addField(FieldSpec.builder(long[].class, "nanos", Modifier.PRIVATE, Modifier.FINAL)
        .initializer("new long[$L]", names.size()).build());
    type.addMethod(Codegen.getter("kernelNames", String[].class, CodeBlock.of("return KERNEL_NAMES.clone()")));
    type.addMethod(Codegen.getter("kernelFlops", long[].class, CodeBlock.of("return KERNEL_FLOPS.clone()")));
    type.addMethod(Codegen.getter("kernelNanos", long[].class, CodeBlock.of("return nanos.clone()")));
    type.addMethod(MethodSpec.methodBuilder("resetProfile").addAnnotation(Override.class).addModifiers(Modifier.PUBLIC)
        .addStatement("$T.fill(nanos, 0L)", java.util.Arrays.class).build());
  }


  /** The array holding value {@code v} inside {@code run}. */
  private String array(Value v) {
    return consts.arrayOf(v, arrayName);
  }

  /** The arrays a kernel takes after {@code out}: what it reads, then an epilogue's input (updated in place). */
  private static List<Value> operands(Schedule.Kernel k) {
    List<Value> out = k.reads();
    if (k instanceof Schedule.Kernel.Primitive o && o.epilogue() != null) out.add(o.inner());
    return out;
  }

  /** Kernel parameters are named `out`, `in0`..; map each back to the array of the call site. */
  private String argument(String param, Schedule.Kernel k) {
    if (param.equals("out")) return array(k.out());
    if (param.startsWith("out")) return array(k.outs().get(Integer.parseInt(param.substring(3))));
    if (param.equals("rngStep")) return "rngStep";
    int i = Integer.parseInt(param.substring(2));
    return array(operands(k).get(i));
  }




  private MethodSpec kernel(String name, Schedule.Kernel k) {
    MethodSpec.Builder m = MethodSpec.methodBuilder(name).addModifiers(Modifier.PRIVATE, Modifier.STATIC);
    Binding b = byId.get(k.out().id());
    if (b.node() instanceof Node.Apply a && !a.source().isNone()) {
      m.addJavadoc("$L: $L\n", a.source(), describe(k));
    } else {
      m.addJavadoc("$L\n", describe(k));
    }
    if (k instanceof Schedule.Kernel.Group g) {
      for (int i = 0; i < g.parts().size(); i++) m.addParameter(FLOATS, "out" + i);
    } else {
      m.addParameter(FLOATS, "out");
    }
    List<Value> ops = operands(k);
    for (int i = 0; i < ops.size(); i++) m.addParameter(FLOATS, "in" + i);
    switch (k) {
      case Schedule.Kernel.Fused f -> Loops.fused(m, k.out(), f.expr(), ops);
      case Schedule.Kernel.Group g -> Loops.group(m, g.parts(), ops);
      case Schedule.Kernel.Primitive o when o.epilogue() != null && o.loops() instanceof LoopKernel.Gemm g
          && o.out().type().rank() == 2 -> {
        // the epilogue runs on each finished block of the product, by the thread that computed it
        m.addStatement("$T.sgemm($L, (r0, r1, c0, c1) -> {\n$L})", GEMM, gemmArguments(g),
            Loops.epilogueBlock(o.epilogue(), ops, o.out().type().dims()));
      }
      case Schedule.Kernel.Primitive o -> {
        op(m, o, ops);
        if (o.epilogue() != null) {
          m.addComment("epilogue, in place on the result (in$L is out)", ops.size() - 1);
          Loops.fused(m, o.out(), o.epilogue(), ops);
        }
      }
    }
    return m.build();
  }

  private String describe(Schedule.Kernel k) {
    if (k instanceof Schedule.Kernel.Group g) {
      return String.join(", ", g.parts().stream().map(this::describe).toList());
    }
    return "%" + k.out().id() + " : " + k.out().type() + " = " + Codegen.kernelKind(k);
  }

  private void op(MethodSpec.Builder m, Schedule.Kernel.Primitive k, List<Value> ops) {
    switch (k.loops()) {
      case LoopKernel.Gemm g -> m.addStatement("$T.sgemm($L)", GEMM, gemmArguments(g));
      case LoopKernel.Conv c -> Convs.call(m, c);
      case LoopKernel.Gather g -> Loops.gather(m, g);
      case LoopKernel.Draw d -> {
        m.addParameter(TypeName.LONG, "rngStep");
        if (d.sharded()) m.addStatement("int shard = $T.current().rank() * $L", WORLD, d.size());
        Loops.loop(m, d.size(), "e", CodeBlock.of("out[e] = $T.$L($LL, $L, rngStep, $L);", PHILOX,
            d.kind() == RandomDraw.UNIFORM ? "uniform" : "normal", d.seed(), d.stream(), d.sharded() ? "shard + e" : "e")
            .toString(), 20L * d.size());
      }
      case LoopKernel.AllSum a -> {
        List<String> ins = new ArrayList<>();
        for (int i = 0; i < a.sizes().size(); i++) ins.add("in" + i);
        m.addStatement("$T.current().sum(out, new int[] {$L}, $L)", WORLD,
            String.join(", ", a.sizes().stream().map(String::valueOf).toList()), String.join(", ", ins));
      }
    }
  }

  /** The arguments of {@code Gemm.sgemm}: out = in0 (x) in1, transposes as the kernel says. */
  private static String gemmArguments(LoopKernel.Gemm g) {
    int lda = g.ta() ? g.m() : g.k(), ldb = g.tb() ? g.k() : g.n();
    return g.ta() + ", " + g.tb() + ", " + g.m() + ", " + g.n() + ", " + g.k() + ", 1f, in0, 0, " + lda + ", in1, 0, "
        + ldb + ", 0f, out, 0, " + g.n();
  }

}

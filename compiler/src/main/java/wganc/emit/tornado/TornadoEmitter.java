package wganc.emit.tornado;

import wganc.emit.Codegen;
import wganc.emit.Constants;

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
import wganc.ir.ElementType;
import wganc.ir.Graph;
import wganc.ir.Node;
import wganc.ir.Value;
import wganc.ops.RandomDraw;
import wganc.plan.Schedule;

/**
 * Emits one {@link wganc.runtime.train.ResidentPhase} class per update phase for TornadoVM: the same
 * {@link Schedule} as the JVM backend (kernels, fused expression trees, loop groups, buffer reuse),
 * with one-element values of the phase's reads (Adam's bias corrections) recomputed in the loops that
 * read them ({@link Schedule.Rule#SCALARS}), since each kernel is a task launch; each kernel a
 * public static method over {@code FloatArray} with one {@code @Parallel} loop over its output
 * elements (one thread per output element, every reduction a sequential loop inside it, so results do
 * not depend on the device's thread layout; a loop group writes each part's value to its own output
 * array), in one or more task graphs ({@link TaskGraphParts}) of
 * the model's execution plan, which {@link TornadoDeviceState} builds.
 *
 * <p>Device residency: parameters and optimiser state are not the phase's own arrays but regions of
 * the model's resident {@code state} array (at the offsets of {@link TornadoDeviceState.Layout}),
 * which stays on the device across phases and steps. A run takes its data batches on the device
 * ({@link TornadoData}: gathered from the resident images, or drawn there for toy data), keys its
 * random draws on the resident step counter, which its last kernel advances, runs its parts, and
 * brings back only its scalar writes (losses, metrics; every write for
 * the sampling phase). The new parameters and state it computes stay in its buffers until
 * {@code commit()} runs the phase's commit graph, which copies them into {@code state}; other writes
 * (gradients, intermediate values) come back only when fetched. Buffers, constants and the phase's
 * arrays are static fields: one model per class loader, as the execution plan is.
 *
 * <p>With {@code tiles}, matmuls, convolutions and large sums also get {@code KernelContext} forms
 * with local-memory tiles ({@link TornadoLoops}), which the task graphs run.
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
  static final ClassName RESIDENT_PHASE = ClassName.get("wganc.runtime.train", "ResidentPhase");
  static final ClassName DEVICE_MEMORY = ClassName.get("wganc.runtime.train", "DeviceMemory");
  static final ClassName PROFILED = ClassName.get("wganc.runtime.train", "Profiled");
  static final ClassName KERNEL_CONTEXT = ClassName.get(API, "KernelContext");
  static final ClassName GRID_SCHEDULER = ClassName.get(API, "GridScheduler");
  static final String VERSION = "0.1.0";
  /** TornadoVM's task API takes at most this many arguments per task. */
  static final int MAX_TASK_ARGS = 20;
  /** The resident array of parameters and optimiser state, statically imported from DeviceState. */
  static final String STATE = "state";

  /**
   * What {@link #emit} made: the file, the task graphs it adds to the model's plan, and the samples
   * it takes from each data source per run ({@code dataBatch[d]}, 0 for a source it does not read).
   */
  public record Emitted(JavaFile file, String className, String phaseName, int parts, boolean commits, boolean tiled,
                        List<List<String>> graphKernels, int[] dataBatch) {
    /** Its parts, then its commit graph when it writes parameters or state. */
    public int graphs() {
      return parts + (commits ? 1 : 0);
    }
  }

  private final Graph graph;
  private final Schedule schedule;
  private final String phaseName;
  private final String source;
  private final TornadoDeviceState.Layout layout;
  private final int firstGraph;
  private final ClassName deviceState;
  private final Map<Integer, Binding> byId = new HashMap<>();
  private final List<String> reads = new ArrayList<>();
  private final List<Value> readValues = new ArrayList<>();
  private final Map<Integer, String> arrayName = new HashMap<>();
  private final Map<Integer, Integer> stateOffset = new HashMap<>();
  private final Constants consts;

  private final boolean profile;
  private final TornadoBackend.Tiles tiles;
  /** Tiled kernels by task name: their output grid {columns, rows}. */
  private final Map<String, int[]> tiled = new LinkedHashMap<>();

  private TornadoEmitter(Schedule schedule, String phaseName, String source, TornadoDeviceState.Layout layout, int firstGraph,
      String packageName, boolean profile, TornadoBackend.Tiles tiles) {
    this.profile = profile;
    this.tiles = tiles;
    this.graph = schedule.graph();
    this.schedule = schedule;
    this.phaseName = phaseName;
    this.source = source;
    this.consts = new Constants(graph);
    this.layout = layout;
    this.firstGraph = firstGraph;
    this.deviceState = ClassName.get(packageName, TornadoDeviceState.CLASS);
    for (Binding b : graph.bindings()) byId.put(b.value().id(), b);
  }

  /**
   * The Java file of one phase, its kernels as {@code schedule} (made under {@link TornadoBackend#RULES})
   * says; {@code source} names the model file for the header, {@code layout}
   * places the persistent tensors in {@code state}, and the phase's task graphs are graphs
   * {@code firstGraph, firstGraph + 1, ...} of the model's plan. With {@code profile} the class also
   * implements {@code Profiled}, with each kernel's device time from TornadoVM's profiler. With
   * {@code tiles} the task graphs run matmuls and convolutions as {@code KernelContext} kernels with local-memory tiles
   * (the plain kernels stay for {@code runOnJvm}).
   */
  public static Emitted emit(Schedule schedule, String packageName, String className, String phaseName, String source,
      TornadoDeviceState.Layout layout, int firstGraph, boolean profile, TornadoBackend.Tiles tiles) {
    return new TornadoEmitter(schedule, phaseName, source, layout, firstGraph, packageName, profile, tiles)
        .file(packageName, className);
  }

  private Emitted file(String packageName, String className) {
    Codegen.Io io = Codegen.Io.of(graph);
    TypeSpec.Builder type = Codegen.phaseClass(className, RESIDENT_PHASE,
        CodeBlock.of("Update `$L` of $L, as TornadoVM kernels over the model's resident state.\n", phaseName, source),
        phaseName, io);
    reads.addAll(io.reads());
    readValues.addAll(io.readValues());
    List<String> writes = io.writes();
    List<Value> writeValues = io.writeValues();

    // arrays: persistent reads are regions of `state`; data reads are filled on the device by a `take` kernel;
    // other reads (the sampling noise, a trace's draws), buffer slots and constants are fields
    List<Integer> hostReads = new ArrayList<>(), dataReads = new ArrayList<>();
    int[] dataBatch = new int[layout.data().size()], advance = new int[layout.data().size()];
    for (int i = 0; i < reads.size(); i++) {
      Value v = readValues.get(i);
      if (layout.has(reads.get(i))) {
        stateOffset.put(v.id(), layout.offset(reads.get(i)));
        continue;
      }
      int d = layout.dataIndex(reads.get(i));
      if (d >= 0) {
        dataReads.add(i);
        dataBatch[d] = v.type().dims().getFirst();
        if (!layout.data().get(d).kind().equals("toy")) advance[d] = dataBatch[d];
      } else {
        hostReads.add(i);
      }
      arrayName.put(v.id(), "read" + i);
      type.addField(FieldSpec.builder(FLOAT_ARRAY, "read" + i, Modifier.PRIVATE, Modifier.STATIC, Modifier.FINAL)
          .initializer("new $T($L)", FLOAT_ARRAY, v.type().size()).addJavadoc("`$L`\n", reads.get(i)).build());
    }
    for (int i = 0; i < schedule.bufferSizes().size(); i++) {
      type.addField(FieldSpec.builder(FLOAT_ARRAY, "buffer" + i, Modifier.PRIVATE, Modifier.STATIC, Modifier.FINAL)
          .initializer("new $T($L)", FLOAT_ARRAY, schedule.bufferSizes().get(i)).build());
    }
    for (var e : schedule.buffer().entrySet()) arrayName.putIfAbsent(e.getKey(), "buffer" + e.getValue());
    for (Binding b : graph.bindings()) {
      if (b.node() instanceof Node.Apply a && a.op() instanceof wganc.ops.Reshape) {
        int src = a.inputs().getFirst().id();
        if (arrayName.containsKey(src)) arrayName.putIfAbsent(b.value().id(), arrayName.get(src));
        if (stateOffset.containsKey(src)) stateOffset.putIfAbsent(b.value().id(), stateOffset.get(src));
      }
    }

    // kernels, in program order, as tasks
    List<TaskGraphParts.Task> tasks = new ArrayList<>();
    List<String> sources = new ArrayList<>();   // each task's source position, for device errors
    List<CodeBlock> calls = new ArrayList<>();
    List<Long> flops = new ArrayList<>();
    for (int i : dataReads) {
      int d = layout.dataIndex(reads.get(i));
      String name = "take" + Codegen.camel(reads.get(i));
      type.addMethod(TornadoData.take(name, layout.data().get(d), d, dataBatch[d]));
      List<String> args = List.of("read" + i, "data" + d, "order" + d, TornadoDeviceState.COUNTERS);
      tasks.add(new TaskGraphParts.Task(name, args));
      sources.add("");
      calls.add(CodeBlock.of("$L($L)", name, String.join(", ", args)));
      flops.add(0L);
    }
    int index = 0;
    for (Schedule.Kernel k : schedule.kernels()) {
      String name = "k" + index + Codegen.camel(Codegen.kernelKind(k));
      Operands ops = Operands.of(k.reads(), v -> stateOffset.getOrDefault(v.id(), -1));
      type.addMethod(kernel(name, k, ops));
      if (tiles != TornadoBackend.Tiles.NONE && TornadoLoops.tiles(k)) {
        type.addMethod(tiledKernel(name, (Schedule.Kernel.Primitive) k, ops));
        tiled.put(name, TornadoLoops.tiledGrid((Schedule.Kernel.Primitive) k, ops, tiles == TornadoBackend.Tiles.BLOCKED));
      }
      List<String> args = new ArrayList<>();
      for (Value out : k.outs()) args.add(array(out));
      for (int j = 0; j < ops.values().size(); j++) if (ops.offsets()[j] < 0) args.add(array(ops.value(j)));
      if (ops.readsState()) args.add(STATE);
      if (needsStep(k)) args.add(TornadoDeviceState.COUNTERS);
      if (args.size() > MAX_TASK_ARGS) {
        throw new IllegalStateException("kernel " + name + " of `" + phaseName + "` reads " + args.size()
            + " arrays; TornadoVM tasks take at most " + MAX_TASK_ARGS);
      }
      tasks.add(new TaskGraphParts.Task(name, args));
      Binding kb = byId.get(k.out().id());
      sources.add(kb.node() instanceof Node.Apply ka && !ka.source().isNone() ? ka.source().toString() : "");
      calls.add(CodeBlock.of("$L($L)", name, String.join(", ", args)));
      flops.add(k instanceof Schedule.Kernel.Primitive o
          ? o.apply().op().flops(o.apply().inputs().stream().map(Value::type).toList(), o.apply().attrs(), k.out().type())
          : 0L);
      index++;
    }
    type.addMethod(TornadoData.advance(advance));
    tasks.add(new TaskGraphParts.Task("advance", List.of(TornadoDeviceState.COUNTERS)));
    sources.add("");
    calls.add(CodeBlock.of("advance($L)", TornadoDeviceState.COUNTERS));
    flops.add(0L);

    // writes: persistent ones go into `state` at commit, the others stay in their arrays
    boolean sample = phaseName.equals("sample");
    List<Commit> commits = new ArrayList<>();
    List<String> ends = new ArrayList<>();
    List<Integer> returned = new ArrayList<>();
    for (int w = 0; w < writes.size(); w++) {
      Value v = writeValues.get(w);
      if (layout.has(writes.get(w))) {
        int to = layout.offset(writes.get(w));
        Integer from = stateOffset.get(v.id());
        if (from != null && from == to) continue;
        commits.add(new Commit(writes.get(w), to, v, from == null ? array(v) : STATE, from == null ? 0 : from));
        if (from == null && !consts.has(v)) ends.add(array(v));
      } else {
        if (stateOffset.containsKey(v.id())) {
          throw new IllegalStateException("write `" + writes.get(w) + "` of `" + phaseName
              + "` is a parameter read unchanged; the TornadoVM backend cannot return it");
        }
        String a = array(v);  // registers a constant's array too
        if (!consts.has(v)) ends.add(a);
        if (sample || v.type().size() == 1) returned.add(w);
      }
    }
    List<String> commitSources = new ArrayList<>();
    for (Commit c : commits) if (!commitSources.contains(c.array())) commitSources.add(c.array());

    java.util.Set<String> everyRun = new java.util.LinkedHashSet<>();
    for (int i : hostReads) everyRun.add("read" + i);
    List<TaskGraphParts.Part> parts = TaskGraphParts.split(tasks, everyRun,
        new java.util.LinkedHashSet<>(consts.arrays().values()), distinct(ends), layout.resident());
    List<String> back = new ArrayList<>();
    for (int w : returned) if (!consts.has(writeValues.get(w))) back.add(array(writeValues.get(w)));
    String graphName = camelLower(phaseName.replace('.', '_'));
    MethodSpec.Builder onJvm = MethodSpec.methodBuilder("runOnJvm").addModifiers(Modifier.PRIVATE, Modifier.STATIC)
        .addJavadoc("The same kernels as plain Java calls, in order (`-Dwganc.tornado.jvm=true`: no device).\n");
    for (int p = 0; p < parts.size(); p++) {
      TaskGraphParts.Part part = parts.get(p);
      type.addMethod(partGraph(className, graphName + p, p, parts.size(), part, tasks, calls,
          p + 1 == parts.size() ? distinct(back) : List.of()));
      for (int t = part.from(); t < part.to(); t++) onJvm.addStatement(calls.get(t));
    }
    type.addMethod(onJvm.build());
    if (!tiled.isEmpty()) grids(type, graphName, parts, tasks);
    if (profile) profiling(type, graphName, parts, tasks, flops);
    if (!commits.isEmpty()) commitKernels(type, className, graphName, commits, commitSources);

    consts.declare(type, FLOAT_ARRAY, CodeBlock.of("$T a = new $T(n)", FLOAT_ARRAY, FLOAT_ARRAY),
        CodeBlock.of("a.init(value)"));

    // host side
    long bytesIn = 0, bytesOut = 0, bytesOnce = 0;
    for (int i : hostReads) bytesIn += 4L * readValues.get(i).type().size();
    for (String b : distinct(back)) bytesOut += 4L * sizeOf(b, writeValues);
    for (double c : consts.arrays().keySet()) bytesOnce += 4L * consts.size(c);
    type.addField(FieldSpec.builder(int.class, "FIRST_GRAPH", Modifier.STATIC, Modifier.FINAL)
        .initializer("$L", firstGraph).addJavadoc("This phase's first task graph in the model's plan.\n").build());
    type.addField(FieldSpec.builder(int.class, "PARTS", Modifier.STATIC, Modifier.FINAL)
        .initializer("$L", parts.size()).build());
    type.addField(FieldSpec.builder(int[].class, "ADVANCE", Modifier.PRIVATE, Modifier.STATIC, Modifier.FINAL)
        .initializer("{$L}", String.join(", ", java.util.Arrays.stream(advance).mapToObj(String::valueOf).toList()))
        .addJavadoc("Samples a run moves each data source's cursor on (image sources it reads).\n").build());
    type.addField(FieldSpec.builder(boolean.class, "sent", Modifier.PRIVATE, Modifier.STATIC)
        .addJavadoc("Whether the constants have been sent (they go with the first run).\n").build());
    MethodSpec.Builder run = MethodSpec.methodBuilder("run").addAnnotation(Override.class)
        .addModifiers(Modifier.PUBLIC).addParameter(TypeName.LONG, "rngStep")
        .addParameter(float[][].class, "reads").addParameter(float[][].class, "writes")
        .addJavadoc("Takes the data batches on the device$L, runs the parts, returns the $L.\n",
            hostReads.isEmpty() ? "" : ", sends the other inputs", sample ? "samples" : "scalar writes");
    run.addStatement("$T device = $T.get()", deviceState, deviceState);
    run.addStatement("device.step(rngStep)");
    for (int i : dataReads) {
      run.addComment("$L", reads.get(i)).addStatement("device.take($L, $L, reads[$L])", layout.dataIndex(reads.get(i)),
          dataBatch[layout.dataIndex(reads.get(i))], i);
    }
    for (int i : hostReads) run.addStatement("$T.toDevice(reads[$L], read$L)", deviceState, i, i);
    run.addStatement("device.run(FIRST_GRAPH, PARTS, ADVANCE, $L(sent ? 0 : $L), $L, $T::runOnJvm)",
        bytesIn == 0 ? "" : bytesIn + " + ", bytesOnce, bytesOut, ClassName.get(packageName, className));
    run.addStatement("sent = true");
    for (int w : returned) {
      run.addComment("$L", writes.get(w)).addStatement("$T.toHost($L, writes[$L])", deviceState, array(writeValues.get(w)), w);
    }
    type.addMethod(run.build());
    MethodSpec.Builder commit = MethodSpec.methodBuilder("commit").addAnnotation(Override.class)
        .addModifiers(Modifier.PUBLIC);
    if (commits.isEmpty()) commit.addComment("this phase writes no parameters or state");
    else commit.addStatement("$T.get().commit(FIRST_GRAPH + PARTS, $T::commitOnJvm)", deviceState,
        ClassName.get(packageName, className));
    type.addMethod(commit.build());
    MethodSpec.Builder fetch = MethodSpec.methodBuilder("fetch").addAnnotation(Override.class)
        .addModifiers(Modifier.PUBLIC).addParameter(int.class, "index").addParameter(float[].class, "into");
    fetch.beginControlFlow("switch (index)");
    for (int w = 0; w < writes.size(); w++) {
      if (layout.has(writes.get(w))) continue;
      if (consts.has(writeValues.get(w))) {
        fetch.addStatement("case $L -> $T.toHost($L, into)", w, deviceState, array(writeValues.get(w)));
      } else {
        fetch.addStatement("case $L -> $T.get().fetch($L, into)", w, deviceState, array(writeValues.get(w)));
      }
    }
    fetch.addStatement("default -> throw new $T(\"write \" + index + \" of `$L` is persistent: download it\")",
        IllegalArgumentException.class, phaseName);
    fetch.endControlFlow();
    type.addMethod(fetch.build());
    type.addMethod(MethodSpec.methodBuilder("memory").addAnnotation(Override.class).addModifiers(Modifier.PUBLIC)
        .returns(DEVICE_MEMORY).addStatement("return $T.get()", deviceState).build());
    JavaFile file = JavaFile.builder(packageName, type.build())
        .addFileComment("Generated by wganc $L (TornadoVM backend) from $L, update `$L`. Do not edit.", VERSION, source,
            phaseName)
        .addStaticImport(deviceState, layout.resident().toArray(String[]::new))
        .skipJavaLangImports(true).indent("  ").build();
    // per task graph: its name, then each kernel as `name file:line:col` (what DeviceFailure reports)
    List<List<String>> graphKernels = new ArrayList<>();
    for (int p = 0; p < parts.size(); p++) {
      List<String> g = new ArrayList<>(List.of(graphName + p));
      for (int t = parts.get(p).from(); t < parts.get(p).to(); t++) {
        g.add(sources.get(t).isEmpty() ? tasks.get(t).name() : tasks.get(t).name() + " " + sources.get(t));
      }
      graphKernels.add(g);
    }
    if (!commits.isEmpty()) graphKernels.add(List.of(graphName + "Commit"));
    return new Emitted(file, className, phaseName, parts.size(), !commits.isEmpty(), !tiled.isEmpty(), graphKernels,
        dataBatch);
  }

  private long sizeOf(String array, List<Value> values) {
    for (Value v : values) if (arrayName.get(v.id()) != null && arrayName.get(v.id()).equals(array)) return v.type().size();
    throw new IllegalStateException("no write in " + array);
  }

  /** {@code Profiled}: kernel names, their task ids in the plan, FLOPs, and device times from DeviceState. */
  private void profiling(TypeSpec.Builder type, String graphName, List<TaskGraphParts.Part> parts,
      List<TaskGraphParts.Task> tasks, List<Long> flops) {
    List<String> names = new ArrayList<>(), ids = new ArrayList<>();
    for (int p = 0; p < parts.size(); p++) {
      for (int t = parts.get(p).from(); t < parts.get(p).to(); t++) {
        names.add(tasks.get(t).name());
        ids.add(graphName + p + "." + tasks.get(t).name());
      }
    }
    type.addSuperinterface(PROFILED);
    type.addField(FieldSpec.builder(String[].class, "KERNEL_NAMES", Modifier.PRIVATE, Modifier.STATIC, Modifier.FINAL)
        .initializer(Codegen.strings(names)).build());
    type.addField(FieldSpec.builder(String[].class, "KERNEL_TASKS", Modifier.PRIVATE, Modifier.STATIC, Modifier.FINAL)
        .initializer(Codegen.strings(ids)).addJavadoc("Each kernel's task id, as TornadoVM's profiler names it.\n").build());
    type.addField(FieldSpec.builder(long[].class, "KERNEL_FLOPS", Modifier.PRIVATE, Modifier.STATIC, Modifier.FINAL)
        .initializer("{$L}", String.join(", ", flops.stream().map(f -> f + "L").toList())).build());
    type.addMethod(Codegen.getter("kernelNames", String[].class, CodeBlock.of("return KERNEL_NAMES.clone()")));
    type.addMethod(Codegen.getter("kernelFlops", long[].class, CodeBlock.of("return KERNEL_FLOPS.clone()")));
    type.addMethod(Codegen.getter("kernelNanos", long[].class,
        CodeBlock.of("return $T.get().kernelNanos(KERNEL_TASKS)", deviceState)));
    type.addMethod(MethodSpec.methodBuilder("resetProfile").addAnnotation(Override.class).addModifiers(Modifier.PUBLIC)
        .addStatement("$T.get().resetProfile()", deviceState).build());
  }

  /** A tiled matmul, convolution or large sum: {@code name + "Tiled"}, over a 2-D grid of TILE x TILE work-groups. */
  private MethodSpec tiledKernel(String name, Schedule.Kernel.Primitive k, Operands ops) {
    MethodSpec.Builder m = MethodSpec.methodBuilder(name + "Tiled").addModifiers(Modifier.PUBLIC, Modifier.STATIC)
        .addJavadoc("`$L` in $Lx$L tiles through local memory (the task graphs run this one).\n", name,
            TornadoLoops.TILE, TornadoLoops.TILE)
        .addParameter(KERNEL_CONTEXT, "context").addParameter(FLOAT_ARRAY, "out");
    for (int j = 0; j < ops.values().size(); j++) if (ops.offsets()[j] < 0) m.addParameter(FLOAT_ARRAY, ops.param(j));
    if (ops.readsState()) m.addParameter(FLOAT_ARRAY, STATE);
    TornadoLoops.tiled(m, k, ops, this, tiles == TornadoBackend.Tiles.BLOCKED);
    return m.build();
  }

  /** {@code grids}: the work-group grid of every tiled task, by its id in the plan. */
  private void grids(TypeSpec.Builder type, String graphName, List<TaskGraphParts.Part> parts,
      List<TaskGraphParts.Task> tasks) {
    MethodSpec.Builder m = MethodSpec.methodBuilder("grids").addModifiers(Modifier.STATIC)
        .addJavadoc("Adds the grids of this phase's tiled kernels: TILE x TILE work-groups over their outputs.\n")
        .addParameter(GRID_SCHEDULER, "grid");
    for (int p = 0; p < parts.size(); p++) {
      for (int t = parts.get(p).from(); t < parts.get(p).to(); t++) {
        int[] g = tiled.get(tasks.get(t).name());
        if (g == null) continue;
        m.addStatement("grid.addWorkerGrid($S, $T.tile($L, $L))", graphName + p + "." + tasks.get(t).name(), deviceState,
            g[0], g[1]);
      }
    }
    type.addMethod(m.build());
  }

  /** One part of the phase as a task graph. */
  private MethodSpec partGraph(String className, String name, int p, int of, TaskGraphParts.Part part,
      List<TaskGraphParts.Task> tasks, List<CodeBlock> calls, List<String> back) {
    CodeBlock.Builder g = CodeBlock.builder().add("return new $T($S)", TASK_GRAPH, name)
        .add("\n.consumeFromDevice($L)", String.join(", ", part.consume()));
    if (!part.everyRun().isEmpty()) {
      g.add("\n.transferToDevice($T.EVERY_EXECUTION, $L)", TRANSFER, String.join(", ", part.everyRun()));
    }
    if (!part.once().isEmpty()) g.add("\n.transferToDevice($T.FIRST_EXECUTION, $L)", TRANSFER, String.join(", ", part.once()));
    boolean context = false;
    for (int t = part.from(); t < part.to(); t++) {
      TaskGraphParts.Task task = tasks.get(t);
      List<String> args = task.arrays();
      if (tiled.containsKey(task.name())) {
        context = true;
        g.add("\n.task($S, $L::$LTiled, context, $L)", task.name(), className, task.name(), String.join(", ", args));
      } else {
        g.add("\n.task($S, $L::$L, $L)", task.name(), className, task.name(), String.join(", ", args));
      }
    }
    g.add("\n.persistOnDevice($L)", String.join(", ", part.persist()));
    if (!back.isEmpty()) g.add("\n.transferToHost($T.EVERY_EXECUTION, $L)", TRANSFER, String.join(", ", back));
    MethodSpec.Builder m = MethodSpec.methodBuilder("part" + p).addModifiers(Modifier.STATIC).returns(TASK_GRAPH)
        .addJavadoc("Part $L of $L: kernels $L to $L$L.\n", p + 1, of, tasks.get(part.from()).name(),
            tasks.get(part.to() - 1).name(), p + 1 == of && !back.isEmpty() ? "; the returned writes come back" : "");
    if (context) m.addStatement("$T context = new $T()", KERNEL_CONTEXT, KERNEL_CONTEXT);
    return m.addStatement("$L", g.build()).build();
  }

  /** A persistent write: tensor {@code name} at {@code to} in state gets {@code array} from {@code from}. */
  private record Commit(String name, int to, Value value, String array, int from) {}

  /**
   * The commit kernels (each copies up to {@link #MAX_TASK_ARGS} - 1 arrays into their regions of
   * {@code state}), the commit graph, and {@code commitOnJvm}.
   */
  private void commitKernels(TypeSpec.Builder type, String className, String graphName, List<Commit> commits,
      List<String> sources) {
    List<List<String>> groups = new ArrayList<>();
    for (int i = 0; i < sources.size(); i += MAX_TASK_ARGS - 1) {
      groups.add(sources.subList(i, Math.min(sources.size(), i + MAX_TASK_ARGS - 1)));
    }
    CodeBlock.Builder g = CodeBlock.builder().add("return new $T($S)", TASK_GRAPH, graphName + "Commit");
    List<String> consume = new ArrayList<>(layout.resident()), once = new ArrayList<>();
    for (String s : sources) if (!s.equals(STATE)) (consts.arrays().containsValue(s) ? once : consume).add(s);
    g.add("\n.consumeFromDevice($L)", String.join(", ", consume));
    if (!once.isEmpty()) g.add("\n.transferToDevice($T.FIRST_EXECUTION, $L)", TRANSFER, String.join(", ", once));
    MethodSpec.Builder onJvm = MethodSpec.methodBuilder("commitOnJvm").addModifiers(Modifier.PRIVATE, Modifier.STATIC);
    for (int k = 0; k < groups.size(); k++) {
      List<String> group = groups.get(k);
      List<String> params = new ArrayList<>(List.of(STATE));
      for (String s : group) if (!s.equals(STATE)) params.add(s);
      String name = "commit" + k;
      MethodSpec.Builder m = MethodSpec.methodBuilder(name).addModifiers(Modifier.PUBLIC, Modifier.STATIC)
          .addJavadoc("Copies the new values of $L tensors into their regions of `state`.\n",
              commits.stream().filter(c -> group.contains(c.array())).count())
          .addParameter(FLOAT_ARRAY, STATE);
      for (int i = 1; i < params.size(); i++) m.addParameter(FLOAT_ARRAY, "in" + (i - 1));
      int max = 1;
      for (Commit c : commits) if (group.contains(c.array())) max = Math.max(max, c.value().type().size());
      m.beginControlFlow("for (@$T int i = 0; i < $L; i++)", PARALLEL, max);
      for (Commit c : commits) {
        if (!group.contains(c.array())) continue;
        String from = c.array().equals(STATE) ? "state.get(" + c.from() + " + i)"
            : "in" + (params.indexOf(c.array()) - 1) + ".get(i)";
        int n = c.value().type().size();
        if (n < max) m.beginControlFlow("if (i < $L)", n);
        m.addStatement("state.set($L + i, $L)", c.to(), from).addComment("$L", c.name());
        if (n < max) m.endControlFlow();
      }
      m.endControlFlow();
      type.addMethod(m.build());
      g.add("\n.task($S, $L::$L, $L)", name, className, name, String.join(", ", params));
      onJvm.addStatement("$L($L)", name, String.join(", ", params));
    }
    g.add("\n.persistOnDevice($L)", String.join(", ", layout.resident()));
    type.addMethod(MethodSpec.methodBuilder("commitGraph").addModifiers(Modifier.STATIC).returns(TASK_GRAPH)
        .addJavadoc("Copies the parameters and state the last run computed into `state` (the trainer's commit).\n")
        .addStatement("$L", g.build()).build());
    type.addMethod(onJvm.build());
  }

  private static List<String> distinct(List<String> names) {
    return names.stream().distinct().toList();
  }


  /** The field holding value {@code v}. */
  private String array(Value v) {
    String name = arrayName.get(v.id());
    if (name != null) return name;
    String constant = consts.array(v);
    if (constant != null) return constant;
    throw new IllegalStateException("no array for " + v);
  }


  private static boolean needsStep(Schedule.Kernel k) {
    return k instanceof Schedule.Kernel.Primitive o && o.apply().op() instanceof RandomDraw;
  }

  static String camelLower(String snake) {
    String c = Codegen.camel(snake);
    return c.isEmpty() ? c : Character.toLowerCase(c.charAt(0)) + c.substring(1);
  }

  private MethodSpec kernel(String name, Schedule.Kernel k, Operands ops) {
    MethodSpec.Builder m = MethodSpec.methodBuilder(name).addModifiers(Modifier.PUBLIC, Modifier.STATIC);
    Binding b = byId.get(k.out().id());
    String describe = describe(k);
    if (b.node() instanceof Node.Apply a && !a.source().isNone()) m.addJavadoc("$L: $L\n", a.source(), describe);
    else m.addJavadoc("$L\n", describe);
    if (k instanceof Schedule.Kernel.Group g) {
      for (int p = 0; p < g.parts().size(); p++) m.addParameter(FLOAT_ARRAY, "out" + p);
    } else {
      m.addParameter(FLOAT_ARRAY, "out");
    }
    for (int j = 0; j < ops.values().size(); j++) if (ops.offsets()[j] < 0) m.addParameter(FLOAT_ARRAY, ops.param(j));
    if (ops.readsState()) m.addParameter(FLOAT_ARRAY, STATE);
    if (needsStep(k)) m.addParameter(INT_ARRAY, TornadoDeviceState.COUNTERS);
    switch (k) {
      case Schedule.Kernel.Fused f -> {
        List<Integer> dims = k.out().type().dims();
        m.beginControlFlow("for (@$T int i = 0; i < $L; i++)", PARALLEL, k.out().type().size());
        m.addStatement(code("out.set(i, " + expression(f.expr(), ops, dims, "i", Map.of()) + ")"));
        m.endControlFlow();
      }
      case Schedule.Kernel.Group g -> group(m, g, ops);
      case Schedule.Kernel.Primitive o -> TornadoLoops.op(m, o, ops, this);
    }
    return m.build();
  }

  /** {@code %id : type = kind}, or, for a group, each part's. */
  private static String describe(Schedule.Kernel k) {
    if (k instanceof Schedule.Kernel.Group g) {
      return String.join(", ", g.parts().stream().map(TornadoEmitter::describe).toList());
    }
    return "%" + k.out().id() + " : " + k.out().type() + " = " + Codegen.kernelKind(k);
  }

  /**
   * A {@link Schedule.Kernel.Group}: one loop computing every part's value at index i into a local
   * {@code y0, y1, ..}, stored to {@code out0, out1, ..}; a part reading an earlier part's value uses
   * its local.
   */
  private static void group(MethodSpec.Builder m, Schedule.Kernel.Group g, Operands ops) {
    Map<Integer, String> locals = new HashMap<>();
    m.beginControlFlow("for (@$T int i = 0; i < $L; i++)", PARALLEL, g.out().type().size());
    for (int p = 0; p < g.parts().size(); p++) {
      Schedule.Kernel.Fused f = g.parts().get(p);
      m.addStatement(code("float y" + p + " = " + expression(f.expr(), ops, f.out().type().dims(), "i", locals)));
      m.addStatement("out$L.set(i, y$L)", p, p);
      locals.put(f.out().id(), "y" + p);
    }
    m.endControlFlow();
  }

  /** The result expression of a contraction at flat output index {@code o} from accumulator {@code acc}. */
  String finish(Schedule.Kernel.Primitive o, Operands ops) {
    if (o.epilogue() == null) return "acc";
    return expression(o.epilogue(), ops, o.out().type().dims(), "o", Map.of(o.inner().id(), "acc"));
  }

  /**
   * The scalar Java expression of {@code e} at flat index {@code var} of a loop over {@code dims};
   * a leaf reading a value in {@code locals} is that local ({@code acc}, an earlier part of a group).
   * java.lang.Math calls become TornadoMath calls.
   */
  static String expression(Schedule.Expr e, Operands ops, List<Integer> dims, String var, Map<Integer, String> locals) {
    return switch (e) {
      case Schedule.Expr.Literal l -> Codegen.floatLiteral(l.value());
      case Schedule.Expr.Leaf l -> {
        String local = locals.get(l.source().id());
        if (local != null) yield local;
        yield ops.get(ops.indexOf(l.source()), l.from() == null ? var : broadcastIndex(l.from(), dims, var));
      }
      case Schedule.Expr.Apply a -> {
        List<String> args = new ArrayList<>();
        for (Schedule.Expr x : a.args()) args.add(expression(x, ops, dims, var, locals));
        yield MATH.matcher(a.op().java(args, a.attrs())).replaceAll("TornadoMath.");
      }
    };
  }

  /** Math. and StrictMath. (the JVM's scalar forms of transcendental functions) become TornadoMath. */
  private static final Pattern MATH = Pattern.compile("(?<![\\w.])(?:Strict)?Math\\.");
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
}

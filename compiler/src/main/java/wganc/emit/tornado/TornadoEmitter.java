package wganc.emit.tornado;

import static wganc.emit.tornado.DeviceLayout.COUNTERS;
import static wganc.emit.tornado.DeviceLayout.STATE;
import static wganc.emit.tornado.TornadoNames.DEVICE_MEMORY;
import static wganc.emit.tornado.TornadoNames.FLOAT_ARRAY;
import static wganc.emit.tornado.TornadoNames.GRID_SCHEDULER;
import static wganc.emit.tornado.TornadoNames.INT_ARRAY;
import static wganc.emit.tornado.TornadoNames.KERNEL_CONTEXT;
import static wganc.emit.tornado.TornadoNames.PARALLEL;
import static wganc.emit.tornado.TornadoNames.TASK_GRAPH;
import static wganc.emit.tornado.TornadoNames.TRANSFER;
import static wganc.emit.tornado.TornadoNames.VERSION;
import static wganc.emit.tornado.TornadoNames.code;

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
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.lang.model.element.Modifier;
import wganc.emit.Codegen;
import wganc.emit.Constants;
import wganc.ir.Binding;
import wganc.ir.Graph;
import wganc.ir.Node;
import wganc.ir.Value;
import wganc.ops.RandomDraw;
import wganc.plan.Schedule;
import wganc.plan.Tiling;

/**
 * Emits one {@link wganc.runtime.train.ResidentPhase} class per update phase for TornadoVM: the same
 * {@link Schedule} as the JVM backend (kernels, fused expression trees, loop groups, buffer reuse),
 * with one-element values of the phase's reads (Adam's bias corrections) recomputed in the loops that
 * read them ({@link Schedule.Rule#SCALARS}), since each kernel is a task launch; each kernel a
 * public static method over {@code FloatArray} with one {@code @Parallel} loop over its output
 * elements (one thread per output element, every reduction a sequential loop inside it, so results do
 * not depend on the device's thread layout; a loop group writes each part's value to its own output
 * array), in one or more task graphs ({@link TaskGraphParts}) of
 * the model's execution plan, which {@code TornadoDeviceState} builds.
 *
 * <p>Device residency: parameters and optimiser state are not the phase's own arrays but regions of
 * the model's resident {@code state} array (at the offsets of a {@link DeviceLayout}),
 * which stays on the device across phases and steps. A run takes its data batches on the device
 * ({@link TornadoData}: gathered from the resident images, or drawn there for toy data), keys its
 * random draws on the resident step counter, which its last kernel advances, runs its parts, and
 * brings back only its scalar writes (losses, metrics; every write for
 * the sampling phase). The new parameters and state it computes stay in its buffers until
 * {@code commit()} runs the phase's commit graph, which copies them into {@code state}; other writes
 * (gradients, intermediate values) come back only when fetched. Buffers, constants and the phase's
 * arrays are static fields: one model per class loader, as the execution plan is.
 *
 * <p>With tiles, matmuls, convolutions and large sums also get {@code KernelContext} forms with
 * local-memory tiles, as the plan's {@link Tiling} says ({@link TornadoLoops} prints them), which the
 * task graphs run.
 *
 * <p>No compile-time dependency on TornadoVM: every TornadoVM type is named with {@link ClassName}.
 */
public final class TornadoEmitter {
  static final ClassName RESIDENT_PHASE = ClassName.get("wganc.runtime.train", "ResidentPhase");
  static final ClassName PROFILED = ClassName.get("wganc.runtime.train", "Profiled");
  /** TornadoVM's task API takes at most this many arguments per task. */
  static final int MAX_TASK_ARGS = 20;

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
  private final String packageName;
  private final String className;
  private final String phaseName;
  /** The phase's task graphs are named {@code graphName + part} and {@code graphName + "Commit"}. */
  private final String graphName;
  private final String source;
  private final DeviceLayout layout;
  private final int firstGraph;
  private final ClassName deviceState;
  private final Codegen.Io io;
  private final Map<Integer, Binding> byId = new HashMap<>();
  private final Map<Integer, String> arrayName = new HashMap<>();
  private final Map<Integer, Integer> stateOffset = new HashMap<>();
  private final Constants consts;

  private final boolean profile;
  private final Tiling.Mode tiles;
  /** Tiled kernels by task name: how the plan tiles them. */
  private final Map<String, Tiling> tiled = new LinkedHashMap<>();

  private TornadoEmitter(Schedule schedule, String packageName, String className, String phaseName, String source,
      DeviceLayout layout, int firstGraph, boolean profile, Tiling.Mode tiles) {
    this.profile = profile;
    this.tiles = tiles;
    this.graph = schedule.graph();
    this.schedule = schedule;
    this.packageName = packageName;
    this.className = className;
    this.phaseName = phaseName;
    this.graphName = camelLower(phaseName.replace('.', '_'));
    this.source = source;
    this.consts = new Constants(graph);
    this.layout = layout;
    this.firstGraph = firstGraph;
    this.deviceState = ClassName.get(packageName, TornadoNames.DEVICE_STATE);
    this.io = Codegen.Io.of(graph);
    for (Binding b : graph.bindings()) byId.put(b.value().id(), b);
  }

  /**
   * The Java file of one phase, its kernels as {@code schedule} (made under TornadoBackend's rules)
   * says; {@code source} names the model file for the header, {@code layout}
   * places the persistent tensors in {@code state}, and the phase's task graphs are graphs
   * {@code firstGraph, firstGraph + 1, ...} of the model's plan. With {@code profile} the class also
   * implements {@code Profiled}, with each kernel's device time from TornadoVM's profiler. With
   * {@code tiles} the task graphs run matmuls and convolutions as {@code KernelContext} kernels with local-memory tiles
   * (the plain kernels stay for {@code runOnJvm}).
   */
  public static Emitted emit(Schedule schedule, String packageName, String className, String phaseName, String source,
      DeviceLayout layout, int firstGraph, boolean profile, Tiling.Mode tiles) {
    return new TornadoEmitter(schedule, packageName, className, phaseName, source, layout, firstGraph, profile, tiles)
        .file();
  }

  /** The phase's file: its arrays, its kernels as tasks, its task graphs, then what the host calls. */
  private Emitted file() {
    TypeSpec.Builder type = Codegen.phaseClass(className, RESIDENT_PHASE,
        CodeBlock.of("Update `$L` of $L, as TornadoVM kernels over the model's resident state.\n", phaseName, source),
        phaseName, io);
    Reads reads = readArrays(type);
    bufferArrays(type);
    Tasks tasks = new Tasks();
    takeTasks(type, reads, tasks);
    kernelTasks(type, tasks);
    type.addMethod(TornadoData.advance(reads.advance()));
    tasks.add(new TaskGraphParts.Task("advance", List.of(COUNTERS)), "", CodeBlock.of("advance($L)", COUNTERS), 0L);
    Writes writes = writes();
    List<String> back = back(writes);
    List<TaskGraphParts.Part> parts = taskGraphs(type, reads, tasks, writes, back);
    consts.declare(type, FLOAT_ARRAY, CodeBlock.of("$T a = new $T(n)", FLOAT_ARRAY, FLOAT_ARRAY),
        CodeBlock.of("a.init(value)"));
    hostFields(type, reads, parts.size());
    type.addMethod(run(reads, writes, back));
    type.addMethod(commit(writes));
    type.addMethod(fetch());
    type.addMethod(MethodSpec.methodBuilder("memory").addAnnotation(Override.class).addModifiers(Modifier.PUBLIC)
        .returns(DEVICE_MEMORY).addStatement("return $T.get()", deviceState).build());
    JavaFile file = JavaFile.builder(packageName, type.build())
        .addFileComment("Generated by wganc $L (TornadoVM backend) from $L, update `$L`. Do not edit.", VERSION, source,
            phaseName)
        .addStaticImport(deviceState, layout.resident().toArray(String[]::new))
        .skipJavaLangImports(true).indent("  ").build();
    return new Emitted(file, className, phaseName, parts.size(), !writes.commits().isEmpty(), !tiled.isEmpty(),
        graphKernels(parts, tasks, writes), reads.dataBatch());
  }

  /**
   * Which reads are data batches taken on the device ({@code data}, with the samples each takes from
   * its source and moves its cursor on) and which are sent from the host every run ({@code host}).
   */
  private record Reads(List<Integer> data, List<Integer> host, int[] dataBatch, int[] advance) {}

  /**
   * The read arrays: persistent reads are regions of `state`; data reads are filled on the device by a
   * `take` kernel; other reads (the sampling noise, a trace's draws) are fields.
   */
  private Reads readArrays(TypeSpec.Builder type) {
    List<String> reads = io.reads();
    List<Integer> hostReads = new ArrayList<>(), dataReads = new ArrayList<>();
    int[] dataBatch = new int[layout.data().size()], advance = new int[layout.data().size()];
    for (int i = 0; i < reads.size(); i++) {
      Value v = io.readValues().get(i);
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
    return new Reads(dataReads, hostReads, dataBatch, advance);
  }

  /** The buffer fields, each value's buffer, and a reshape's array or state offset: its input's. */
  private void bufferArrays(TypeSpec.Builder type) {
    for (int i = 0; i < schedule.bufferSizes().size(); i++) {
      type.addField(FieldSpec.builder(FLOAT_ARRAY, "buffer" + i, Modifier.PRIVATE, Modifier.STATIC, Modifier.FINAL)
          .initializer("new $T($L)", FLOAT_ARRAY, schedule.bufferSizes().get(i)).build());
    }
    for (var e : schedule.buffer().entrySet()) arrayName.putIfAbsent(e.getKey(), "buffer" + e.getValue());
    for (Binding b : graph.bindings()) {
      if (b.node() instanceof Node.Apply a && a.op().aliases()) {
        int src = a.inputs().getFirst().id();
        if (arrayName.containsKey(src)) arrayName.putIfAbsent(b.value().id(), arrayName.get(src));
        if (stateOffset.containsKey(src)) stateOffset.putIfAbsent(b.value().id(), stateOffset.get(src));
      }
    }
  }

  /**
   * The phase's tasks in program order, with each one's source position (for device errors), its
   * plain-Java call ({@code runOnJvm}) and its FLOPs.
   */
  private record Tasks(List<TaskGraphParts.Task> list, List<String> sources, List<CodeBlock> calls, List<Long> flops) {
    Tasks() {
      this(new ArrayList<>(), new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
    }

    void add(TaskGraphParts.Task task, String source, CodeBlock call, long flop) {
      list.add(task);
      sources.add(source);
      calls.add(call);
      flops.add(flop);
    }

    TaskGraphParts.Task get(int t) {
      return list.get(t);
    }
  }

  /** A {@code take} kernel and task per data read: its batch from the resident data. */
  private void takeTasks(TypeSpec.Builder type, Reads reads, Tasks tasks) {
    for (int i : reads.data()) {
      String read = io.reads().get(i);
      int d = layout.dataIndex(read);
      String name = "take" + Codegen.camel(read);
      type.addMethod(TornadoData.take(name, layout.data().get(d), d, reads.dataBatch()[d]));
      List<String> args = List.of("read" + i, "data" + d, "order" + d, COUNTERS);
      tasks.add(new TaskGraphParts.Task(name, args), "", CodeBlock.of("$L($L)", name, String.join(", ", args)), 0L);
    }
  }

  /** Each kernel of the schedule as a method (and its tiled form, where the plan tiles it) and a task. */
  private void kernelTasks(TypeSpec.Builder type, Tasks tasks) {
    int index = 0;
    for (Schedule.Kernel k : schedule.kernels()) {
      String name = "k" + index + Codegen.camel(Codegen.kernelKind(k));
      Operands ops = Operands.of(k.reads(), v -> stateOffset.getOrDefault(v.id(), -1));
      type.addMethod(kernel(name, k, ops));
      Tiling tiling = Tiling.of(k, tiles).orElse(null);
      if (tiling != null) {
        type.addMethod(tiledKernel(name, (Schedule.Kernel.Primitive) k, ops, tiling));
        tiled.put(name, tiling);
      }
      List<String> args = kernelArgs(name, k, ops);
      Binding kb = byId.get(k.out().id());
      tasks.add(new TaskGraphParts.Task(name, args),
          kb.node() instanceof Node.Apply ka && !ka.source().isNone() ? ka.source().toString() : "",
          CodeBlock.of("$L($L)", name, String.join(", ", args)),
          k instanceof Schedule.Kernel.Primitive o
              ? o.apply().op().flops(o.apply().inputs().stream().map(Value::type).toList(), o.apply().attrs(),
                  k.out().type())
              : 0L);
      index++;
    }
  }

  /** The arrays kernel {@code name} takes: its outputs, its operands not in `state`, `state`, `counters`. */
  private List<String> kernelArgs(String name, Schedule.Kernel k, Operands ops) {
    List<String> args = new ArrayList<>();
    for (Value out : k.outs()) args.add(array(out));
    for (int j = 0; j < ops.values().size(); j++) if (ops.offsets()[j] < 0) args.add(array(ops.value(j)));
    if (ops.readsState()) args.add(STATE);
    if (needsStep(k)) args.add(COUNTERS);
    if (args.size() > MAX_TASK_ARGS) {
      throw new IllegalStateException("kernel " + name + " of `" + phaseName + "` reads " + args.size()
          + " arrays; TornadoVM tasks take at most " + MAX_TASK_ARGS);
    }
    return args;
  }

  /**
   * What the writes need: the persistent ones go into `state` at commit ({@code commits}), the others
   * stay in their arrays, which the last part persists ({@code ends}); {@code returned}: the writes
   * each run brings back (scalars; every write of the sampling phase).
   */
  private record Writes(List<Commit> commits, List<String> ends, List<Integer> returned) {}

  /** The phase's writes sorted into commits, arrays that stay on the device, and writes returned. */
  private Writes writes() {
    boolean sample = phaseName.equals("sample");
    List<String> writes = io.writes();
    List<Commit> commits = new ArrayList<>();
    List<String> ends = new ArrayList<>();
    List<Integer> returned = new ArrayList<>();
    for (int w = 0; w < writes.size(); w++) {
      Value v = io.writeValues().get(w);
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
    return new Writes(commits, ends, returned);
  }

  /** The distinct arrays of the returned writes that the last part brings back (constants stay on the host). */
  private List<String> back(Writes writes) {
    List<String> back = new ArrayList<>();
    for (int w : writes.returned()) if (!consts.has(io.writeValues().get(w))) back.add(array(io.writeValues().get(w)));
    return distinct(back);
  }

  /**
   * The tasks cut into parts, each a task graph method, and {@code runOnJvm}; the grids of the tiled
   * kernels, the profiler's tables, the commit kernels and graph.
   */
  private List<TaskGraphParts.Part> taskGraphs(TypeSpec.Builder type, Reads reads, Tasks tasks, Writes writes,
      List<String> back) {
    Set<String> everyRun = new LinkedHashSet<>();
    for (int i : reads.host()) everyRun.add("read" + i);
    List<TaskGraphParts.Part> parts = TaskGraphParts.split(tasks.list(), everyRun,
        new LinkedHashSet<>(consts.arrays().values()), distinct(writes.ends()), layout.resident());
    MethodSpec.Builder onJvm = MethodSpec.methodBuilder("runOnJvm").addModifiers(Modifier.PRIVATE, Modifier.STATIC)
        .addJavadoc("The same kernels as plain Java calls, in order (`-Dwganc.tornado.jvm=true`: no device).\n");
    for (int p = 0; p < parts.size(); p++) {
      TaskGraphParts.Part part = parts.get(p);
      type.addMethod(partGraph(p, parts.size(), part, tasks, p + 1 == parts.size() ? back : List.of()));
      for (int t = part.from(); t < part.to(); t++) onJvm.addStatement(tasks.calls().get(t));
    }
    type.addMethod(onJvm.build());
    if (!tiled.isEmpty()) grids(type, parts, tasks);
    if (profile) profiling(type, parts, tasks);
    if (!writes.commits().isEmpty()) commitKernels(type, writes.commits());
    return parts;
  }

  /** The host side's constants: where the phase's graphs are, how it moves the data cursors, whether constants went. */
  private void hostFields(TypeSpec.Builder type, Reads reads, int parts) {
    type.addField(FieldSpec.builder(int.class, "FIRST_GRAPH", Modifier.STATIC, Modifier.FINAL)
        .initializer("$L", firstGraph).addJavadoc("This phase's first task graph in the model's plan.\n").build());
    type.addField(FieldSpec.builder(int.class, "PARTS", Modifier.STATIC, Modifier.FINAL)
        .initializer("$L", parts).build());
    type.addField(FieldSpec.builder(int[].class, "ADVANCE", Modifier.PRIVATE, Modifier.STATIC, Modifier.FINAL)
        .initializer("{$L}", String.join(", ", java.util.Arrays.stream(reads.advance()).mapToObj(String::valueOf).toList()))
        .addJavadoc("Samples a run moves each data source's cursor on (image sources it reads).\n").build());
    type.addField(FieldSpec.builder(boolean.class, "sent", Modifier.PRIVATE, Modifier.STATIC)
        .addJavadoc("Whether the constants have been sent (they go with the first run).\n").build());
  }

  /** {@code run}: takes the data batches, sends the host's reads, runs the parts, returns the returned writes. */
  private MethodSpec run(Reads reads, Writes writes, List<String> back) {
    long bytesIn = 0, bytesOut = 0, bytesOnce = 0;
    for (int i : reads.host()) bytesIn += 4L * io.readValues().get(i).type().size();
    for (String b : back) bytesOut += 4L * sizeOf(b, io.writeValues());
    for (double c : consts.arrays().keySet()) bytesOnce += 4L * consts.size(c);
    MethodSpec.Builder run = MethodSpec.methodBuilder("run").addAnnotation(Override.class)
        .addModifiers(Modifier.PUBLIC).addParameter(TypeName.LONG, "rngStep")
        .addParameter(float[][].class, "reads").addParameter(float[][].class, "writes")
        .addJavadoc("Takes the data batches on the device$L, runs the parts, returns the $L.\n",
            reads.host().isEmpty() ? "" : ", sends the other inputs", phaseName.equals("sample") ? "samples" : "scalar writes");
    run.addStatement("$T device = $T.get()", deviceState, deviceState);
    run.addStatement("device.step(rngStep)");
    for (int i : reads.data()) {
      int d = layout.dataIndex(io.reads().get(i));
      run.addComment("$L", io.reads().get(i)).addStatement("device.take($L, $L, reads[$L])", d, reads.dataBatch()[d], i);
    }
    for (int i : reads.host()) run.addStatement("$T.toDevice(reads[$L], read$L)", deviceState, i, i);
    run.addStatement("device.run(FIRST_GRAPH, PARTS, ADVANCE, $L(sent ? 0 : $L), $L, $T::runOnJvm)",
        bytesIn == 0 ? "" : bytesIn + " + ", bytesOnce, bytesOut, ClassName.get(packageName, className));
    run.addStatement("sent = true");
    for (int w : writes.returned()) {
      run.addComment("$L", io.writes().get(w))
          .addStatement("$T.toHost($L, writes[$L])", deviceState, array(io.writeValues().get(w)), w);
    }
    return run.build();
  }

  /** {@code commit}: runs the commit graph, if the phase writes parameters or state. */
  private MethodSpec commit(Writes writes) {
    MethodSpec.Builder commit = MethodSpec.methodBuilder("commit").addAnnotation(Override.class)
        .addModifiers(Modifier.PUBLIC);
    if (writes.commits().isEmpty()) commit.addComment("this phase writes no parameters or state");
    else commit.addStatement("$T.get().commit(FIRST_GRAPH + PARTS, $T::commitOnJvm)", deviceState,
        ClassName.get(packageName, className));
    return commit.build();
  }

  /** {@code fetch}: a write that is not persistent, brought back from the device (a constant from the host). */
  private MethodSpec fetch() {
    List<String> writes = io.writes();
    MethodSpec.Builder fetch = MethodSpec.methodBuilder("fetch").addAnnotation(Override.class)
        .addModifiers(Modifier.PUBLIC).addParameter(int.class, "index").addParameter(float[].class, "into");
    fetch.beginControlFlow("switch (index)");
    for (int w = 0; w < writes.size(); w++) {
      if (layout.has(writes.get(w))) continue;
      Value v = io.writeValues().get(w);
      if (consts.has(v)) {
        fetch.addStatement("case $L -> $T.toHost($L, into)", w, deviceState, array(v));
      } else {
        fetch.addStatement("case $L -> $T.get().fetch($L, into)", w, deviceState, array(v));
      }
    }
    fetch.addStatement("default -> throw new $T(\"write \" + index + \" of `$L` is persistent: download it\")",
        IllegalArgumentException.class, phaseName);
    fetch.endControlFlow();
    return fetch.build();
  }

  /** Per task graph: its name, then each kernel as `name file:line:col` (what DeviceFailure reports). */
  private List<List<String>> graphKernels(List<TaskGraphParts.Part> parts, Tasks tasks, Writes writes) {
    List<List<String>> graphKernels = new ArrayList<>();
    for (int p = 0; p < parts.size(); p++) {
      List<String> g = new ArrayList<>(List.of(graphName + p));
      for (int t = parts.get(p).from(); t < parts.get(p).to(); t++) {
        String at = tasks.sources().get(t);
        g.add(at.isEmpty() ? tasks.get(t).name() : tasks.get(t).name() + " " + at);
      }
      graphKernels.add(g);
    }
    if (!writes.commits().isEmpty()) graphKernels.add(List.of(graphName + "Commit"));
    return graphKernels;
  }

  /** The size of the write held in {@code array}. */
  private long sizeOf(String array, List<Value> values) {
    for (Value v : values) if (arrayName.get(v.id()) != null && arrayName.get(v.id()).equals(array)) return v.type().size();
    throw new IllegalStateException("no write in " + array);
  }

  /** {@code Profiled}: kernel names, their task ids in the plan, FLOPs, and device times from DeviceState. */
  private void profiling(TypeSpec.Builder type, List<TaskGraphParts.Part> parts, Tasks tasks) {
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
        .initializer("{$L}", String.join(", ", tasks.flops().stream().map(f -> f + "L").toList())).build());
    type.addMethod(Codegen.getter("kernelNames", String[].class, CodeBlock.of("return KERNEL_NAMES.clone()")));
    type.addMethod(Codegen.getter("kernelFlops", long[].class, CodeBlock.of("return KERNEL_FLOPS.clone()")));
    type.addMethod(Codegen.getter("kernelNanos", long[].class,
        CodeBlock.of("return $T.get().kernelNanos(KERNEL_TASKS)", deviceState)));
    type.addMethod(MethodSpec.methodBuilder("resetProfile").addAnnotation(Override.class).addModifiers(Modifier.PUBLIC)
        .addStatement("$T.get().resetProfile()", deviceState).build());
  }

  /** A tiled matmul, convolution or large sum: {@code name + "Tiled"}, over the 2-D grid of {@code tiling}. */
  private MethodSpec tiledKernel(String name, Schedule.Kernel.Primitive k, Operands ops, Tiling tiling) {
    MethodSpec.Builder m = MethodSpec.methodBuilder(name + "Tiled").addModifiers(Modifier.PUBLIC, Modifier.STATIC)
        .addJavadoc("`$L` in $Lx$L tiles through local memory (the task graphs run this one).\n", name,
            tiling.grid().localX(), tiling.grid().localY())
        .addParameter(KERNEL_CONTEXT, "context").addParameter(FLOAT_ARRAY, "out");
    for (int j = 0; j < ops.values().size(); j++) if (ops.offsets()[j] < 0) m.addParameter(FLOAT_ARRAY, ops.param(j));
    if (ops.readsState()) m.addParameter(FLOAT_ARRAY, STATE);
    TornadoLoops.tiled(m, k, ops, tiling);
    return m.build();
  }

  /** {@code grids}: the work-group grid of every tiled task, by its id in the plan. */
  private void grids(TypeSpec.Builder type, List<TaskGraphParts.Part> parts, Tasks tasks) {
    MethodSpec.Builder m = MethodSpec.methodBuilder("grids").addModifiers(Modifier.STATIC)
        .addJavadoc("Adds the grids of this phase's tiled kernels: TILE x TILE work-groups over their outputs.\n")
        .addParameter(GRID_SCHEDULER, "grid");
    for (int p = 0; p < parts.size(); p++) {
      for (int t = parts.get(p).from(); t < parts.get(p).to(); t++) {
        Tiling tiling = tiled.get(tasks.get(t).name());
        if (tiling == null) continue;
        Tiling.Grid g = tiling.grid();
        if (g.localX() != Tiling.TILE || g.localY() != Tiling.TILE) {
          throw new IllegalStateException("DeviceState's tile grids have TILE x TILE work-groups, not " + g);
        }
        m.addStatement("grid.addWorkerGrid($S, $T.tile($L, $L))", graphName + p + "." + tasks.get(t).name(), deviceState,
            g.x(), g.y());
      }
    }
    type.addMethod(m.build());
  }

  /** One part of the phase as a task graph. */
  private MethodSpec partGraph(int p, int of, TaskGraphParts.Part part, Tasks tasks, List<String> back) {
    CodeBlock.Builder g = CodeBlock.builder().add("return new $T($S)", TASK_GRAPH, graphName + p)
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
  private void commitKernels(TypeSpec.Builder type, List<Commit> commits) {
    List<String> sources = new ArrayList<>();
    for (Commit c : commits) if (!sources.contains(c.array())) sources.add(c.array());
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

  /** {@code names} without repeats, in first-seen order. */
  private static List<String> distinct(List<String> names) {
    return names.stream().distinct().toList();
  }

  /** The field holding value {@code v}. */
  private String array(Value v) {
    return consts.arrayOf(v, arrayName);
  }

  /** Whether {@code k} draws random numbers, keyed on the resident step counter. */
  private static boolean needsStep(Schedule.Kernel k) {
    return k instanceof Schedule.Kernel.Primitive o && o.apply().op() instanceof RandomDraw;
  }

  /** {@code snake_case} as {@code lowerCamel}. */
  static String camelLower(String snake) {
    String c = Codegen.camel(snake);
    return c.isEmpty() ? c : Character.toLowerCase(c.charAt(0)) + c.substring(1);
  }

  /** Kernel {@code k} as method {@code name}: one {@code @Parallel} loop over its outputs. */
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
    if (needsStep(k)) m.addParameter(INT_ARRAY, COUNTERS);
    switch (k) {
      case Schedule.Kernel.Fused f -> {
        List<Integer> dims = k.out().type().dims();
        m.beginControlFlow("for (@$T int i = 0; i < $L; i++)", PARALLEL, k.out().type().size());
        m.addStatement(code("out.set(i, " + Expressions.expression(f.expr(), ops, dims, "i", Map.of()) + ")"));
        m.endControlFlow();
      }
      case Schedule.Kernel.Group g -> group(m, g, ops);
      case Schedule.Kernel.Primitive o -> TornadoLoops.op(m, o, ops);
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
      m.addStatement(code("float y" + p + " = " + Expressions.expression(f.expr(), ops, f.out().type().dims(), "i",
          locals)));
      m.addStatement("out$L.set(i, y$L)", p, p);
      locals.put(f.out().id(), "y" + p);
    }
    m.endControlFlow();
  }
}

package wganc.emit.tornado;

import static wganc.emit.tornado.DeviceLayout.COUNTERS;
import static wganc.emit.tornado.DeviceLayout.MOVERS;
import static wganc.emit.tornado.DeviceLayout.STATE;
import static wganc.emit.tornado.TornadoNames.API;
import static wganc.emit.tornado.TornadoNames.EXECUTION_PLAN;
import static wganc.emit.tornado.TornadoNames.FLOAT_ARRAY;
import static wganc.emit.tornado.TornadoNames.GRID_SCHEDULER;
import static wganc.emit.tornado.TornadoNames.INT_ARRAY;
import static wganc.emit.tornado.TornadoNames.PARALLEL;
import static wganc.emit.tornado.TornadoNames.TASK_GRAPH;
import static wganc.emit.tornado.TornadoNames.TRANSFER;

import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.FieldSpec;
import com.palantir.javapoet.JavaFile;
import com.palantir.javapoet.MethodSpec;
import com.palantir.javapoet.TypeSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.lang.model.element.Modifier;
import wganc.emit.Codegen;
import wganc.plan.Tiling;
import wganc.runtime.train.DeviceCounters;
import wganc.runtime.train.ModelSpec;

/**
 * Emits a model's {@code DeviceState}: its {@link wganc.runtime.train.DeviceMemory}, holding every
 * parameter and optimiser state tensor in one array, {@code state}, at the offsets of a {@link DeviceLayout};
 * the step counter and data cursors in {@code counters}; each data source's samples ({@code data<d>},
 * an attached image source's every image, sent once) and visiting order ({@code order<d>}, sent once
 * per epoch); and the one TornadoVM execution plan of all its task graphs: graph 0 sends every
 * resident array (the first upload), then come graphs that send {@code state}, bring it back, send
 * {@code counters}, and send each source's data and order, then each phase's parts and commit graph
 * ({@link TornadoEmitter}). One plan because TornadoVM shares a device buffer between task graphs
 * only within a plan, handing it from the graph that ran last to the next ({@link TaskGraphParts}):
 * so every graph consumes and persists every resident array.
 *
 * <p>The counters advance on the device (each phase's last kernel adds one step, and its batch to
 * each image source's position) and the host keeps the same count, so a step sends nothing unless
 * the host wants other counters (a replay at another step, the sampling phase at step 0, a new epoch).
 */final class TornadoDeviceState {
  private TornadoDeviceState() {}

  static final ClassName MEMORY_SEGMENT = ClassName.get("java.lang.foreign", "MemorySegment");
  static final ClassName VALUE_LAYOUT = ClassName.get("java.lang.foreign", "ValueLayout");
  static final ClassName EXECUTION_RESULT = ClassName.get(API, "TornadoExecutionResult");
  static final ClassName DEVICE_FAILURE = ClassName.get("wganc.runtime.train", "DeviceFailure");
  static final ClassName PROFILER_MODE = ClassName.get(API + ".enums", "ProfilerMode");
  static final ClassName DEVICE_PROFILE = ClassName.get("wganc.runtime.train", "DeviceProfile");
  static final ClassName WORKER_GRID = ClassName.get(API, "WorkerGrid");
  static final ClassName WORKER_GRID_2D = ClassName.get(API, "WorkerGrid2D");
  static final ClassName DATA_FEED = ClassName.get("wganc.runtime.train", "DataFeed");
  static final ClassName DATA_SOURCE = DATA_FEED.nestedClass("Source");
  static final ClassName IDX_SOURCE = DATA_FEED.nestedClass("IdxSource");
  static final ClassName DEVICE_COUNTERS = ClassName.get(DeviceCounters.class);

  /**
   * {@code -Dwganc.tornado.cudagraph=true}: the plan records its launches as CUDA graphs and replays
   * them (TornadoVM's {@code withCUDAGraph()}, PTX only): fewer host-side launch costs on NVIDIA GPUs.
   * Off by default, and untimed so far (no GPU has been lent); `bench/gpu-run` tries it on PTX.
   */
  static final String CUDA_GRAPH = "wganc.tornado.cudagraph";

  /** The DeviceState file of a model whose phases {@code phases} were emitted in plan order. */
  static JavaFile emit(String packageName, String source, DeviceLayout layout, List<TornadoEmitter.Emitted> phases,
      boolean profile) {
    ClassName self = ClassName.get(packageName, TornadoNames.DEVICE_STATE);
    TypeSpec.Builder type = TypeSpec.classBuilder(TornadoNames.DEVICE_STATE).addModifiers(Modifier.PUBLIC, Modifier.FINAL)
        .addSuperinterface(TornadoNames.DEVICE_MEMORY)
        .addJavadoc("The device memory of $L: every parameter and optimiser state tensor in `state`, the step counter\n"
            + "and data cursors in `counters`, and each data source's samples and visiting order, all of which stay\n"
            + "on the device; and the execution plan of every phase's task graphs.\n", source);
    tables(type, layout, phases);
    residentArrays(type, layout);
    graphTable(type, layout, phases);
    hostState(type, self, layout.data().size());
    keepTasks(type);
    type.addMethod(plan(self, packageName, layout, phases, profile));
    data(type, layout, layout.data().size());
    runs(type, profile);
    transfers(type);
    if (phases.stream().anyMatch(TornadoEmitter.Emitted::tiled)) type.addMethod(tile());
    if (profile) {
      int count = layout.firstPhaseGraph();
      for (TornadoEmitter.Emitted e : phases) count += e.graphs();
      profiling(type, count);
    }
    hostCopies(type);
    return JavaFile.builder(packageName, type.build())
        .addFileComment("Generated by wganc $L (TornadoVM backend) from $L: device memory and execution plan. Do not edit.",
            TornadoNames.VERSION, source)
        .skipJavaLangImports(true).indent("  ").build();
  }

  /** The layout's tables: each tensor's name, offset and size; each data source's name, kind, sample size, room. */
  private static void tables(TypeSpec.Builder type, DeviceLayout layout, List<TornadoEmitter.Emitted> phases) {
    int sources = layout.data().size();
    type.addField(FieldSpec.builder(String[].class, "NAMES", Modifier.PRIVATE, Modifier.STATIC, Modifier.FINAL)
        .initializer(Codegen.strings(layout.names())).build());
    type.addField(FieldSpec.builder(int[].class, "OFFSETS", Modifier.PRIVATE, Modifier.STATIC, Modifier.FINAL)
        .initializer("{$L}", join(layout.offsets())).build());
    type.addField(FieldSpec.builder(int[].class, "SIZES", Modifier.PRIVATE, Modifier.STATIC, Modifier.FINAL)
        .initializer("{$L}", join(layout.sizes())).build());
    List<Integer> sampleSizes = new ArrayList<>(), capacity = new ArrayList<>();
    for (int d = 0; d < sources; d++) {
      sampleSizes.add(layout.data().get(d).rowSize());
      int most = 1;
      for (TornadoEmitter.Emitted e : phases) most = Math.max(most, e.dataBatch()[d]);
      capacity.add(most);
    }
    type.addField(FieldSpec.builder(String[].class, "DATA", Modifier.PRIVATE, Modifier.STATIC, Modifier.FINAL)
        .initializer(Codegen.strings(layout.data().stream().map(ModelSpec.Data::name).toList()))
        .addJavadoc("The data sources, in the model's order: source `d` is `data<d>` and `order<d>`.\n").build());
    type.addField(FieldSpec.builder(boolean[].class, "GATHER_ONLY", Modifier.PRIVATE, Modifier.STATIC, Modifier.FINAL)
        .initializer("{$L}", String.join(", ", layout.data().stream().map(d -> String.valueOf(!d.kind().equals("toy")))
            .toList()))
        .addJavadoc("Whether a source's batches can only be gathered (a dataset; its kernel draws no toy points).\n")
        .build());
    type.addField(FieldSpec.builder(int[].class, "SAMPLE_SIZES", Modifier.PRIVATE, Modifier.STATIC, Modifier.FINAL)
        .initializer("{$L}", join(sampleSizes)).build());
    type.addField(FieldSpec.builder(int[].class, "CAPACITY", Modifier.PRIVATE, Modifier.STATIC, Modifier.FINAL)
        .initializer("{$L}", join(capacity))
        .addJavadoc("The largest batch a phase takes from each source (the room for a given batch).\n").build());
  }

  /** The resident arrays: {@code state}, {@code counters}, each source's data and order; and {@code JVM}. */
  private static void residentArrays(TypeSpec.Builder type, DeviceLayout layout) {
    type.addField(FieldSpec.builder(FLOAT_ARRAY, STATE, Modifier.PUBLIC, Modifier.STATIC, Modifier.FINAL)
        .initializer("new $T($L)", FLOAT_ARRAY, Math.max(1, layout.total()))
        .addJavadoc("Every parameter and optimiser state tensor, at `OFFSETS`.\n").build());
    type.addField(FieldSpec.builder(INT_ARRAY, COUNTERS, Modifier.PUBLIC, Modifier.STATIC, Modifier.FINAL)
        .initializer("new $T($L)", INT_ARRAY, layout.counters())
        .addJavadoc("The step that keys random draws (low, high word), then per data source: mode (0: toy points drawn\n"
            + "here, 1: gathered from `data<d>`), Philox key (low, high) and stream, and where the next batch starts in\n"
            + "`order<d>`. Every phase advances it on the device; the host sends it only when it differs.\n").build());
    for (int d = 0; d < layout.data().size(); d++) {
      ModelSpec.Data data = layout.data().get(d);
      type.addField(FieldSpec.builder(FLOAT_ARRAY, "data" + d, Modifier.PUBLIC, Modifier.STATIC)
          .addJavadoc("`$L`: $L, set by `attach` or for given batches.\n", data.name(), data.kind().equals("toy")
              ? "unused when its points are drawn on the device; otherwise the given batch"
              : "every image of the attached source, sent once; otherwise the given batch").build());
      type.addField(FieldSpec.builder(INT_ARRAY, "order" + d, Modifier.PUBLIC, Modifier.STATIC)
          .addJavadoc("`$L`: the visiting order of the current epoch (sent once per epoch).\n", data.name()).build());
    }
    type.addField(FieldSpec.builder(boolean.class, "JVM", Modifier.STATIC, Modifier.FINAL)
        .initializer("Boolean.getBoolean($S)", "wganc.tornado.jvm")
        .addJavadoc("`-Dwganc.tornado.jvm=true`: the kernels run as plain Java, without TornadoVM.\n").build());
  }

  /** The indices of the movers and of source 0's data and order graphs, and {@code GRAPHS}, every graph's kernels. */
  private static void graphTable(TypeSpec.Builder type, DeviceLayout layout, List<TornadoEmitter.Emitted> phases) {
    // the movers' indices, then where source 0's data and order graphs are (source d's: + 2 d)
    List<String> fixedGraphs = List.of("START", "UPLOAD", "DOWNLOAD", "COUNTER_GRAPH", "DATA_GRAPH", "ORDER_GRAPH");
    for (int g = 0; g < fixedGraphs.size(); g++) {
      type.addField(FieldSpec.builder(int.class, fixedGraphs.get(g), Modifier.PRIVATE, Modifier.STATIC, Modifier.FINAL)
          .initializer("$L", g).build());
    }
    // each graph of the plan: its name, then its kernels with the model lines they came from
    CodeBlock.Builder graphTable = CodeBlock.builder().add("{$>");
    for (int g = 0; g < MOVERS.size(); g++) graphTable.add(g == 0 ? "\n{$S}" : ",\n{$S}", MOVERS.get(g));
    for (int d = 0; d < layout.data().size(); d++) graphTable.add(",\n{$S},\n{$S}", "data" + d, "order" + d);
    for (TornadoEmitter.Emitted e : phases) {
      for (List<String> g : e.graphKernels()) {
        graphTable.add(",\n{$L}", String.join(", ", g.stream().map(x -> CodeBlock.of("$S", x).toString()).toList()));
      }
    }
    type.addField(FieldSpec.builder(String[][].class, "GRAPHS", Modifier.PRIVATE, Modifier.STATIC, Modifier.FINAL)
        .initializer(graphTable.add("$<\n}").build())
        .addJavadoc("Each graph of the plan: its name, then its kernels and the model lines they came from.\n").build());
  }

  /** The instance, its plan and last result, what the device has, the bytes moved; the constructor and {@code get}. */
  private static void hostState(TypeSpec.Builder type, ClassName self, int sources) {
    type.addField(FieldSpec.builder(self, "INSTANCE", Modifier.PRIVATE, Modifier.STATIC, Modifier.FINAL)
        .initializer("new $T()", self).build());
    type.addField(FieldSpec.builder(EXECUTION_PLAN, "plan", Modifier.PRIVATE).build());
    type.addField(FieldSpec.builder(EXECUTION_RESULT, "last", Modifier.PRIVATE)
        .addJavadoc("The result of the last graph run, through which writes are fetched.\n").build());
    type.addField(FieldSpec.builder(boolean.class, "started", Modifier.PRIVATE)
        .addJavadoc("Whether the start graph has put every resident array on the device.\n").build());
    type.addField(FieldSpec.builder(boolean.class, "hostCurrent", Modifier.PRIVATE)
        .initializer("true").addJavadoc("Whether the host copy of `state` equals the device's.\n").build());
    type.addField(FieldSpec.builder(DEVICE_COUNTERS, "host", Modifier.PRIVATE, Modifier.FINAL)
        .initializer("new $T(DATA, SAMPLE_SIZES)", DEVICE_COUNTERS)
        .addJavadoc("The host's account of `counters`: what the next run needs, what the device has.\n").build());
    type.addField(FieldSpec.builder(boolean[].class, "dataPending", Modifier.PRIVATE, Modifier.FINAL)
        .initializer("new boolean[$L]", sources).build());
    type.addField(FieldSpec.builder(boolean[].class, "orderPending", Modifier.PRIVATE, Modifier.FINAL)
        .initializer("new boolean[$L]", sources).build());
    type.addField(FieldSpec.builder(long.class, "toDevice", Modifier.PRIVATE).build());
    type.addField(FieldSpec.builder(long.class, "toHost", Modifier.PRIVATE).build());
    type.addMethod(MethodSpec.constructorBuilder().addModifiers(Modifier.PRIVATE).build());
    type.addMethod(MethodSpec.methodBuilder("get").addModifiers(Modifier.PUBLIC, Modifier.STATIC).returns(self)
        .addStatement("return INSTANCE").build());
  }

  /** {@code keep} and {@code keepInts}: the tasks of the graphs that only move an array. */
  private static void keepTasks(TypeSpec.Builder type) {
    type.addMethod(MethodSpec.methodBuilder("keep").addModifiers(Modifier.PUBLIC, Modifier.STATIC)
        .addJavadoc("The task of the graphs that only move an array (TornadoVM moves only the arrays its tasks use).\n")
        .addParameter(FLOAT_ARRAY, "array")
        .beginControlFlow("for (@$T int i = 0; i < 1; i++)", PARALLEL)
        .addStatement("array.set(0, array.get(0))").endControlFlow().build());
    type.addMethod(MethodSpec.methodBuilder("keepInts").addModifiers(Modifier.PUBLIC, Modifier.STATIC)
        .addJavadoc("`keep` for an int array.\n")
        .addParameter(INT_ARRAY, "array")
        .beginControlFlow("for (@$T int i = 0; i < 1; i++)", PARALLEL)
        .addStatement("array.set(0, array.get(0))").endControlFlow().build());
  }

  /** {@code plan}: every task graph of the model (movers, then each phase's parts and commit graph), made once. */
  private static MethodSpec plan(ClassName self, String packageName, DeviceLayout layout,
      List<TornadoEmitter.Emitted> phases, boolean profile) {
    List<String> resident = layout.resident();
    // the graphs that move resident arrays: each consumes the others from the graph that ran before and persists all
    String all = String.join(", ", resident);
    CodeBlock.Builder graphs = CodeBlock.builder().add("new $T($S)\n.transferToDevice($T.EVERY_EXECUTION, $L)",
        TASK_GRAPH, "start", TRANSFER, all);
    for (int i = 0; i < resident.size(); i++) {
      graphs.add("\n.task($S, $T::$L, $L)", "keep" + i, self, keep(resident.get(i)), resident.get(i));
    }
    graphs.add("\n.persistOnDevice($L)\n.snapshot()", all);
    graphs.add(",\n").add(mover(self, "upload", resident, STATE, false));
    graphs.add(",\n").add(mover(self, "download", resident, STATE, true));
    graphs.add(",\n").add(mover(self, "counters", resident, COUNTERS, false));
    for (int d = 0; d < layout.data().size(); d++) {
      graphs.add(",\n").add(mover(self, "data" + d, resident, "data" + d, false));
      graphs.add(",\n").add(mover(self, "order" + d, resident, "order" + d, false));
    }
    for (TornadoEmitter.Emitted e : phases) {
      ClassName phase = ClassName.get(packageName, e.className());
      for (int p = 0; p < e.parts(); p++) graphs.add(",\n$T.part$L().snapshot()", phase, p);
      if (e.commits()) graphs.add(",\n$T.commitGraph().snapshot()", phase);
    }
    return MethodSpec.methodBuilder("plan").addModifiers(Modifier.PRIVATE).returns(EXECUTION_PLAN)
        .addJavadoc("Every task graph of the model: those that move resident arrays, then each phase's parts and commit\n"
            + "graph.\n")
        .beginControlFlow("if (plan == null)")
        .addStatement("arrays()")
        .addStatement("plan = new $T(\n$>$>$L$<$<)", EXECUTION_PLAN, graphs.build())
        .addCode(profile ? CodeBlock.of("plan.withProfiler($T.SILENT);\n", PROFILER_MODE) : CodeBlock.of(""))
        .addStatement("if (Boolean.getBoolean($S)) plan.withCUDAGraph()", CUDA_GRAPH)
        .addCode(grids(packageName, phases))
        .addStatement("String device = System.getProperty($S)", "wganc.tornado.device")
        .beginControlFlow("if (device != null && !device.isBlank())")
        .addStatement("String[] bd = device.trim().split(\":\")")
        .addStatement("plan.withDevice($T.getDevice(Integer.parseInt(bd[0]), Integer.parseInt(bd[1])))", EXECUTION_PLAN)
        .endControlFlow()
        .endControlFlow()
        .addStatement("return plan").build();
  }

  /** {@code step}, {@code run} and {@code commit}: what a phase calls. */
  private static void runs(TypeSpec.Builder type, boolean profile) {
    type.addMethod(MethodSpec.methodBuilder("step").addModifiers(Modifier.SYNCHRONIZED)
        .addJavadoc("Starts the next run at `rngStep` (the step its random draws are keyed on).\n")
        .addParameter(long.class, "rngStep")
        .addStatement("host.step(rngStep)").build());
    type.addMethod(MethodSpec.methodBuilder("run").addModifiers(Modifier.SYNCHRONIZED)
        .addJavadoc("Runs graphs `first` to `first + count - 1` in order (without a device: `onJvm`), after sending what\n"
            + "changed (a given batch, a new epoch's order, counters the device does not have), counting the bytes\n"
            + "moved; the phase's last kernel advances the counters on the device by one step and by `advance[d]`\n"
            + "samples of each source, and so does the host's copy. The first run starts the device.\n")
        .addParameter(int.class, "first").addParameter(int.class, "count").addParameter(int[].class, "advance")
        .addParameter(long.class, "bytesIn").addParameter(long.class, "bytesOut").addParameter(Runnable.class, "onJvm")
        .beginControlFlow("if (!started)").addStatement("upload(new String[0], new float[0][])").endControlFlow()
        .addStatement("send()")
        .beginControlFlow("if (JVM)").addStatement("onJvm.run()")
        .nextControlFlow("else")
        .beginControlFlow("for (int g = first; g < first + count; g++)")
        .addStatement("last = execute(g)")
        .addCode(profile ? CodeBlock.of("record(g);\n") : CodeBlock.of("")).endControlFlow()
        .addStatement("hostCurrent = false")
        .endControlFlow()
        .addStatement("host.ran(advance)")
        .addStatement("toDevice += bytesIn").addStatement("toHost += bytesOut").build());
    type.addMethod(MethodSpec.methodBuilder("commit").addModifiers(Modifier.SYNCHRONIZED)
        .addJavadoc("Runs commit graph `graph` (without a device: `onJvm`).\n")
        .addParameter(int.class, "graph").addParameter(Runnable.class, "onJvm")
        .beginControlFlow("if (JVM)").addStatement("onJvm.run()")
        .nextControlFlow("else").addStatement("last = execute(graph)").addStatement("hostCurrent = false")
        .endControlFlow().build());
  }

  /** {@code send}, {@code counters}, {@code execute} and {@code fetch}: the plan's runs and what they move. */
  private static void transfers(TypeSpec.Builder type) {
    type.addMethod(MethodSpec.methodBuilder("send").addModifiers(Modifier.PRIVATE)
        .addJavadoc("Sends the given batches, new orders and counters the device does not have yet.\n")
        .beginControlFlow("for (int d = 0; d < DATA.length; d++)")
        .beginControlFlow("if (dataPending[d])")
        .addStatement("if (!JVM) last = execute(DATA_GRAPH + 2 * d)")
        .addStatement("toDevice += 4L * CAPACITY[d] * SAMPLE_SIZES[d]")
        .addStatement("dataPending[d] = false").endControlFlow()
        .beginControlFlow("if (orderPending[d])")
        .addStatement("if (!JVM) last = execute(ORDER_GRAPH + 2 * d)")
        .addStatement("toDevice += 4L * order(d).getSize()")
        .addStatement("orderPending[d] = false").endControlFlow()
        .endControlFlow()
        .beginControlFlow("if (host.changed())")
        .addStatement("counters()")
        .addStatement("if (!JVM) last = execute(COUNTER_GRAPH)")
        .addStatement("host.sent()")
        .addStatement("toDevice += 4L * counters.getSize()").endControlFlow().build());
    type.addMethod(MethodSpec.methodBuilder("counters").addModifiers(Modifier.PRIVATE)
        .addJavadoc("Copies the counters the next run needs into `counters`.\n")
        .addStatement("int[] want = host.want()")
        .addStatement("for (int i = 0; i < want.length; i++) counters.set(i, want[i])").build());
    type.addMethod(MethodSpec.methodBuilder("execute").addModifiers(Modifier.PRIVATE).returns(EXECUTION_RESULT)
        .addJavadoc("Runs graph `g`; a failure names the kernel and the model line it came from.\n")
        .addParameter(int.class, "g")
        .beginControlFlow("try")
        .addStatement("return plan().withGraph(g).execute()")
        .nextControlFlow("catch (RuntimeException e)")
        .addStatement("throw $T.of(GRAPHS[g], e)", DEVICE_FAILURE)
        .endControlFlow().build());
    type.addMethod(MethodSpec.methodBuilder("fetch").addModifiers(Modifier.SYNCHRONIZED)
        .addJavadoc("Brings `array` back from the device after the last run and copies it into `into`.\n")
        .addParameter(FLOAT_ARRAY, "array").addParameter(float[].class, "into")
        .beginControlFlow("if (!JVM)").addStatement("last.transferToHost(array)").endControlFlow()
        .addStatement("toHost(array, into)").addStatement("toHost += 4L * into.length").build());
  }

  /** {@code tile}: a 2-D grid of the plan's TILE x TILE work-groups. */
  private static MethodSpec tile() {
    return MethodSpec.methodBuilder("tile").addModifiers(Modifier.STATIC).returns(WORKER_GRID)
        .addJavadoc("A 2-D grid of $L x $L work-groups over `x` by `y` threads.\n", Tiling.TILE, Tiling.TILE)
        .addParameter(int.class, "x").addParameter(int.class, "y")
        .addStatement("$T grid = new $T(x, y)", WORKER_GRID, WORKER_GRID_2D)
        .addStatement("grid.setLocalWork($L, $L, 1)", Tiling.TILE, Tiling.TILE)
        .addStatement("return grid").build();
  }

  /** {@code names}, {@code upload}, {@code download}, the byte counts, and copies between host and device arrays. */
  private static void hostCopies(TypeSpec.Builder type) {
    type.addMethod(Codegen.getter("names", String[].class, CodeBlock.of("return NAMES.clone()")));
    type.addMethod(upload());
    type.addMethod(MethodSpec.methodBuilder("download").addAnnotation(Override.class)
        .addModifiers(Modifier.PUBLIC, Modifier.SYNCHRONIZED)
        .addParameter(String[].class, "names").addParameter(float[][].class, "into")
        .beginControlFlow("if (!hostCurrent)")
        .addStatement("last = execute(DOWNLOAD)")
        .addStatement("hostCurrent = true").addStatement("toHost += 4L * state.getSize()").endControlFlow()
        .beginControlFlow("for (int i = 0; i < into.length; i++)")
        .addStatement("int t = index(names[i])")
        .addStatement("$T.copy(state.getSegment(), $T.JAVA_FLOAT, 4L * OFFSETS[t], into[i], 0, SIZES[t])",
            MEMORY_SEGMENT, VALUE_LAYOUT)
        .endControlFlow().build());
    type.addMethod(Codegen.getter("bytesToDevice", long.class, CodeBlock.of("return toDevice")));
    type.addMethod(Codegen.getter("bytesToHost", long.class, CodeBlock.of("return toHost")));
    type.addMethod(MethodSpec.methodBuilder("index").addModifiers(Modifier.PRIVATE, Modifier.STATIC).returns(int.class)
        .addParameter(String.class, "name")
        .beginControlFlow("for (int t = 0; t < NAMES.length; t++)")
        .addStatement("if (NAMES[t].equals(name)) return t").endControlFlow()
        .addStatement("throw new $T(\"no parameter or state `\" + name + \"`\")", IllegalArgumentException.class)
        .build());
    type.addMethod(MethodSpec.methodBuilder("toDevice").addModifiers(Modifier.STATIC)
        .addParameter(float[].class, "from").addParameter(FLOAT_ARRAY, "to")
        .addStatement("$T.copy(from, 0, to.getSegment(), $T.JAVA_FLOAT, 0L, from.length)", MEMORY_SEGMENT, VALUE_LAYOUT)
        .build());
    type.addMethod(MethodSpec.methodBuilder("toHost").addModifiers(Modifier.STATIC)
        .addParameter(FLOAT_ARRAY, "from").addParameter(float[].class, "to")
        .addStatement("$T.copy(from.getSegment(), $T.JAVA_FLOAT, 0L, to, 0, to.length)", MEMORY_SEGMENT, VALUE_LAYOUT)
        .build());
  }

  /** {@code upload}: the named tensors into {@code state} on the device; the first upload sends every resident array. */
  private static MethodSpec upload() {
    return MethodSpec.methodBuilder("upload").addAnnotation(Override.class)
        .addModifiers(Modifier.PUBLIC, Modifier.SYNCHRONIZED)
        .addParameter(String[].class, "names").addParameter(float[][].class, "values")
        .beginControlFlow("if (!hostCurrent)")
        .addComment("the tensors not named keep their device values")
        .addStatement("download(new String[0], new float[0][])").endControlFlow()
        .beginControlFlow("for (int i = 0; i < values.length; i++)")
        .addStatement("int t = index(names[i])")
        .addStatement("$T.copy(values[i], 0, state.getSegment(), $T.JAVA_FLOAT, 4L * OFFSETS[t], SIZES[t])",
            MEMORY_SEGMENT, VALUE_LAYOUT)
        .endControlFlow()
        .beginControlFlow("if (started)")
        .addStatement("if (!JVM) last = execute(UPLOAD)")
        .nextControlFlow("else")
        .addComment("the first move sends every resident array")
        .addStatement("arrays()")
        .addStatement("counters()")
        .addStatement("if (!JVM) last = execute(START)")
        .addStatement("started = true")
        .addStatement("host.sent()")
        .addStatement("toDevice += 4L * counters.getSize()")
        .beginControlFlow("for (int d = 0; d < DATA.length; d++)")
        .addStatement("toDevice += 4L * (data(d).getSize() + order(d).getSize())")
        .addStatement("dataPending[d] = false").addStatement("orderPending[d] = false")
        .endControlFlow()
        .endControlFlow()
        .addStatement("hostCurrent = true")
        .addStatement("toDevice += 4L * state.getSize()").build();
  }

  /** The task method that keeps resident array {@code name} in a graph. */
  private static String keep(String name) {
    return DeviceLayout.ints(name) ? "keepInts" : "keep";
  }

  /** A graph that sends {@code array} to the device (or, {@code back}, brings it back), handing on the other resident arrays. */
  private static CodeBlock mover(ClassName self, String name, List<String> resident, String array, boolean back) {
    List<String> others = new ArrayList<>(resident);
    if (!back) others.remove(array);
    CodeBlock.Builder g = CodeBlock.builder().add("new $T($S)\n.consumeFromDevice($L)", TASK_GRAPH, name,
        String.join(", ", others));
    if (!back) g.add("\n.transferToDevice($T.EVERY_EXECUTION, $L)", TRANSFER, array);
    g.add("\n.task($S, $T::$L, $L)", "keep", self, keep(array), array);
    if (back) g.add("\n.transferToHost($T.EVERY_EXECUTION, $L)", TRANSFER, array);
    return g.add("\n.persistOnDevice($L)\n.snapshot()", String.join(", ", resident)).build();
  }

  /** {@code attach}, {@code attached}, {@code take} and the arrays of given batches. */
  private static void data(TypeSpec.Builder type, DeviceLayout layout, int sources) {
    MethodSpec.Builder data = MethodSpec.methodBuilder("data").addModifiers(Modifier.PRIVATE, Modifier.STATIC)
        .returns(FLOAT_ARRAY).addParameter(int.class, "d").beginControlFlow("return switch (d)");
    MethodSpec.Builder order = MethodSpec.methodBuilder("order").addModifiers(Modifier.PRIVATE, Modifier.STATIC)
        .returns(INT_ARRAY).addParameter(int.class, "d").beginControlFlow("return switch (d)");
    MethodSpec.Builder set = MethodSpec.methodBuilder("set").addModifiers(Modifier.PRIVATE, Modifier.STATIC)
        .addParameter(int.class, "d").addParameter(FLOAT_ARRAY, "data").addParameter(INT_ARRAY, "order")
        .beginControlFlow("switch (d)");
    for (int d = 0; d < sources; d++) {
      data.addStatement("case $L -> data$L", d, d);
      order.addStatement("case $L -> order$L", d, d);
      set.beginControlFlow("case $L ->", d).addStatement("data$L = data", d).addStatement("order$L = order", d)
          .endControlFlow();
    }
    String bad = "throw new $T(\"no data source \" + d)";
    data.addStatement("default -> " + bad, IllegalArgumentException.class).addCode("$<};\n");
    order.addStatement("default -> " + bad, IllegalArgumentException.class).addCode("$<};\n");
    set.addStatement("default -> " + bad, IllegalArgumentException.class).endControlFlow();
    type.addMethod(data.build()).addMethod(order.build()).addMethod(set.build());
    type.addMethod(MethodSpec.methodBuilder("arrays").addModifiers(Modifier.PRIVATE)
        .addJavadoc("Without attached sources: room for the given batches, gathered in order.\n")
        .beginControlFlow("if (host.attached() || DATA.length == 0 || data(0) != null)").addStatement("return")
        .endControlFlow()
        .beginControlFlow("for (int d = 0; d < DATA.length; d++)")
        .addStatement("$T o = new $T(CAPACITY[d])", INT_ARRAY, INT_ARRAY)
        .addStatement("for (int i = 0; i < CAPACITY[d]; i++) o.set(i, i)")
        .addStatement("set(d, new $T(CAPACITY[d] * SAMPLE_SIZES[d]), o)", FLOAT_ARRAY)
        .endControlFlow().build());
    type.addMethod(MethodSpec.methodBuilder("attach").addAnnotation(Override.class)
        .addModifiers(Modifier.PUBLIC, Modifier.SYNCHRONIZED).addParameter(DATA_FEED, "feed")
        .beginControlFlow("if (plan != null || (DATA.length > 0 && data(0) != null))")
        .addStatement("throw new $T(\"attach the data before the first upload or run\")", IllegalStateException.class)
        .endControlFlow()
        .addStatement("$T[] s = host.attach(feed)", DATA_SOURCE)
        .beginControlFlow("for (int d = 0; d < DATA.length; d++)")
        .beginControlFlow("if (s[d] instanceof $T idx)", IDX_SOURCE)
        .addComment("every image, and the current epoch's order; the first upload sends them")
        .addStatement("$T images = new $T(idx.data().length)", FLOAT_ARRAY, FLOAT_ARRAY)
        .addStatement("toDevice(idx.data(), images)")
        .addStatement("set(d, images, new $T(idx.count()))", INT_ARRAY)
        .addStatement("setOrder(d, idx.order())")
        .nextControlFlow("else if (GATHER_ONLY[d])")
        .addStatement("throw new $T(\"data `\" + DATA[d] + \"` is a dataset; a toy source cannot feed it\")",
            IllegalArgumentException.class)
        .nextControlFlow("else")
        .addComment("toy points are drawn on the device")
        .addStatement("set(d, new $T(1), new $T(1))", FLOAT_ARRAY, INT_ARRAY)
        .endControlFlow()
        .endControlFlow().build());
    type.addMethod(MethodSpec.methodBuilder("setOrder").addModifiers(Modifier.PRIVATE)
        .addParameter(int.class, "d").addParameter(int[].class, "o")
        .addStatement("$T.copy(o, 0, order(d).getSegment(), $T.JAVA_INT, 0L, o.length)", MEMORY_SEGMENT, VALUE_LAYOUT)
        .addStatement("orderPending[d] = true").build());
    type.addMethod(Codegen.getter("attached", boolean.class, CodeBlock.of("return host.attached()")));
    type.addMethod(MethodSpec.methodBuilder("take").addModifiers(Modifier.SYNCHRONIZED)
        .addJavadoc("The next run's batch of `n` samples of source `d`: from its attached source (an image source's\n"
            + "cursor moves; a new epoch's order is sent before the run), or `given`.\n")
        .addParameter(int.class, "d").addParameter(int.class, "n").addParameter(float[].class, "given")
        .beginControlFlow("if (!host.attached())")
        .addStatement("arrays()")
        .addStatement("$T.copy(given, 0, data(d).getSegment(), $T.JAVA_FLOAT, 0L, given.length)", MEMORY_SEGMENT,
            VALUE_LAYOUT)
        .addStatement("dataPending[d] = true")
        .endControlFlow()
        .addStatement("int[] order = host.take(d, n)")
        .addStatement("if (order != null) setOrder(d, order)").build());
  }

  /** The grid scheduler of the tiled kernels, when there are any. */
  private static CodeBlock grids(String packageName, List<TornadoEmitter.Emitted> phases) {
    if (phases.stream().noneMatch(TornadoEmitter.Emitted::tiled)) return CodeBlock.of("");
    CodeBlock.Builder b = CodeBlock.builder()
        .addStatement("$T grid = new $T()", GRID_SCHEDULER, GRID_SCHEDULER);
    for (TornadoEmitter.Emitted e : phases) {
      if (e.tiled()) b.addStatement("$T.grids(grid)", ClassName.get(packageName, e.className()));
    }
    return b.addStatement("plan.withGridScheduler(grid)").build();
  }

  /** Kernel times from TornadoVM's profiler (on in a plan compiled for `wganc bench`). */
  private static void profiling(TypeSpec.Builder type, int graphs) {
    ClassName map = ClassName.get(Map.class), hashMap = ClassName.get(java.util.HashMap.class);
    type.addField(FieldSpec.builder(com.palantir.javapoet.ParameterizedTypeName.get(map, ClassName.get(String.class),
        ClassName.get(Long.class)), "nanos", Modifier.PRIVATE, Modifier.FINAL)
        .initializer("new $T<>()", hashMap).addJavadoc("Kernel nanoseconds by task id since the last reset.\n").build());
    type.addField(FieldSpec.builder(int[].class, "logged", Modifier.PRIVATE, Modifier.FINAL)
        .initializer("new int[$L]", graphs)
        .addJavadoc("How much of each graph's profiler log (TornadoVM appends a record per run) is counted.\n").build());
    type.addMethod(MethodSpec.methodBuilder("record").addModifiers(Modifier.PRIVATE).addParameter(int.class, "graph")
        .addStatement("String log = last.getProfilerResult().getProfileLog()")
        .addStatement("$T.addKernelTimes(log.substring(logged[graph]), nanos)", DEVICE_PROFILE)
        .addStatement("logged[graph] = log.length()").build());
    type.addMethod(MethodSpec.methodBuilder("kernelNanos").addModifiers(Modifier.SYNCHRONIZED).returns(long[].class)
        .addParameter(String[].class, "tasks")
        .addStatement("long[] out = new long[tasks.length]")
        .addStatement("for (int i = 0; i < tasks.length; i++) out[i] = nanos.getOrDefault(tasks[i], 0L)")
        .addStatement("return out").build());
    type.addMethod(MethodSpec.methodBuilder("resetProfile").addModifiers(Modifier.SYNCHRONIZED)
        .addStatement("nanos.clear()").build());
  }

  /** {@code xs} as {@code a, b, c}. */
  private static String join(List<Integer> xs) {
    return String.join(", ", xs.stream().map(String::valueOf).toList());
  }
}

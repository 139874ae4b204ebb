package wganc.emit.tornado;

import static wganc.emit.tornado.TornadoEmitter.EXECUTION_PLAN;
import static wganc.emit.tornado.TornadoEmitter.FLOAT_ARRAY;
import static wganc.emit.tornado.TornadoEmitter.PARALLEL;
import static wganc.emit.tornado.TornadoEmitter.TASK_GRAPH;
import static wganc.emit.tornado.TornadoEmitter.TRANSFER;

import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.FieldSpec;
import com.palantir.javapoet.JavaFile;
import com.palantir.javapoet.MethodSpec;
import com.palantir.javapoet.TypeSpec;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.lang.model.element.Modifier;
import wganc.emit.Codegen;
import wganc.runtime.train.ModelSpec;

/**
 * Emits a model's {@code DeviceState}: its {@link wganc.runtime.train.DeviceMemory}, holding every
 * parameter and optimiser state tensor in one array, {@code state}, at the offsets of a {@link Layout},
 * and the one TornadoVM execution plan of all its task graphs: graph 0 uploads {@code state}, graph 1
 * downloads it, then come each phase's parts and commit graph ({@link TornadoEmitter}). One array and
 * one plan because TornadoVM shares a device buffer between task graphs only within a plan, handing it
 * from the graph that ran last to the next ({@link TaskGraphParts}).
 */
final class TornadoDeviceState {
  private TornadoDeviceState() {}

  static final String CLASS = "DeviceState";
  static final ClassName MEMORY_SEGMENT = ClassName.get("java.lang.foreign", "MemorySegment");
  static final ClassName VALUE_LAYOUT = ClassName.get("java.lang.foreign", "ValueLayout");
  static final ClassName EXECUTION_RESULT = ClassName.get(TornadoEmitter.API, "TornadoExecutionResult");
  static final ClassName DEVICE_FAILURE = ClassName.get("wganc.runtime.train", "DeviceFailure");
  static final ClassName PROFILER_MODE = ClassName.get(TornadoEmitter.API + ".enums", "ProfilerMode");
  static final ClassName DEVICE_PROFILE = ClassName.get("wganc.runtime.train", "DeviceProfile");
  static final ClassName WORKER_GRID = ClassName.get(TornadoEmitter.API, "WorkerGrid");
  static final ClassName WORKER_GRID_2D = ClassName.get(TornadoEmitter.API, "WorkerGrid2D");

  /** Where each persistent tensor lives in {@code state}: the spec's parameters, then its state, in order. */
  record Layout(List<String> names, List<Integer> offsets, List<Integer> sizes, Map<String, Integer> offset, int total) {
    static Layout of(ModelSpec spec) {
      List<String> names = new ArrayList<>();
      List<Integer> offsets = new ArrayList<>(), sizes = new ArrayList<>();
      Map<String, Integer> offset = new LinkedHashMap<>();
      int at = 0;
      List<Map.Entry<String, int[]>> all = new ArrayList<>();
      for (ModelSpec.Param p : spec.params()) all.add(Map.entry(p.name(), p.shape()));
      for (ModelSpec.State s : spec.state()) all.add(Map.entry(s.name(), s.shape()));
      for (var e : all) {
        int n = 1;
        for (int d : e.getValue()) n = Math.multiplyExact(n, d);
        names.add(e.getKey());
        offsets.add(at);
        sizes.add(n);
        offset.put(e.getKey(), at);
        at = Math.addExact(at, n);
      }
      return new Layout(List.copyOf(names), List.copyOf(offsets), List.copyOf(sizes), Map.copyOf(offset), at);
    }

    boolean has(String name) {
      return offset.containsKey(name);
    }

    int offset(String name) {
      return offset.get(name);
    }
  }

  /** The DeviceState file of a model whose phases {@code phases} were emitted in plan order. */
  static JavaFile emit(String packageName, String source, Layout layout, List<TornadoEmitter.Emitted> phases,
      boolean profile) {
    ClassName self = ClassName.get(packageName, CLASS);
    TypeSpec.Builder type = TypeSpec.classBuilder(CLASS).addModifiers(Modifier.PUBLIC, Modifier.FINAL)
        .addSuperinterface(TornadoEmitter.DEVICE_MEMORY)
        .addJavadoc("The device memory of $L: every parameter and optimiser state tensor in `state`, which stays on\n"
            + "the device, and the execution plan of every phase's task graphs.\n", source);
    type.addField(FieldSpec.builder(String[].class, "NAMES", Modifier.PRIVATE, Modifier.STATIC, Modifier.FINAL)
        .initializer(Codegen.strings(layout.names())).build());
    type.addField(FieldSpec.builder(int[].class, "OFFSETS", Modifier.PRIVATE, Modifier.STATIC, Modifier.FINAL)
        .initializer("{$L}", join(layout.offsets())).build());
    type.addField(FieldSpec.builder(int[].class, "SIZES", Modifier.PRIVATE, Modifier.STATIC, Modifier.FINAL)
        .initializer("{$L}", join(layout.sizes())).build());
    type.addField(FieldSpec.builder(FLOAT_ARRAY, TornadoEmitter.STATE, Modifier.PUBLIC, Modifier.STATIC, Modifier.FINAL)
        .initializer("new $T($L)", FLOAT_ARRAY, Math.max(1, layout.total()))
        .addJavadoc("Every parameter and optimiser state tensor, at `OFFSETS`.\n").build());
    type.addField(FieldSpec.builder(boolean.class, "JVM", Modifier.STATIC, Modifier.FINAL)
        .initializer("Boolean.getBoolean($S)", "wganc.tornado.jvm")
        .addJavadoc("`-Dwganc.tornado.jvm=true`: the kernels run as plain Java, without TornadoVM.\n").build());
    type.addField(FieldSpec.builder(int.class, "UPLOAD", Modifier.PRIVATE, Modifier.STATIC, Modifier.FINAL)
        .initializer("0").build());
    type.addField(FieldSpec.builder(int.class, "DOWNLOAD", Modifier.PRIVATE, Modifier.STATIC, Modifier.FINAL)
        .initializer("1").build());
    // each graph of the plan: its name, then its kernels with the model lines they came from
    CodeBlock.Builder graphTable = CodeBlock.builder().add("{\n$>{$S},\n{$S}", "upload", "download");
    for (TornadoEmitter.Emitted e : phases) {
      for (List<String> g : e.graphKernels()) {
        graphTable.add(",\n{$L}", String.join(", ", g.stream().map(x -> CodeBlock.of("$S", x).toString()).toList()));
      }
    }
    type.addField(FieldSpec.builder(String[][].class, "GRAPHS", Modifier.PRIVATE, Modifier.STATIC, Modifier.FINAL)
        .initializer(graphTable.add("$<\n}").build())
        .addJavadoc("Each graph of the plan: its name, then its kernels and the model lines they came from.\n").build());
    type.addField(FieldSpec.builder(self, "INSTANCE", Modifier.PRIVATE, Modifier.STATIC, Modifier.FINAL)
        .initializer("new $T()", self).build());
    type.addField(FieldSpec.builder(EXECUTION_PLAN, "plan", Modifier.PRIVATE).build());
    type.addField(FieldSpec.builder(EXECUTION_RESULT, "last", Modifier.PRIVATE)
        .addJavadoc("The result of the last graph run, through which writes are fetched.\n").build());
    type.addField(FieldSpec.builder(boolean.class, "uploaded", Modifier.PRIVATE).build());
    type.addField(FieldSpec.builder(boolean.class, "hostCurrent", Modifier.PRIVATE)
        .initializer("true").addJavadoc("Whether the host copy of `state` equals the device's.\n").build());
    type.addField(FieldSpec.builder(long.class, "toDevice", Modifier.PRIVATE).build());
    type.addField(FieldSpec.builder(long.class, "toHost", Modifier.PRIVATE).build());
    type.addMethod(MethodSpec.constructorBuilder().addModifiers(Modifier.PRIVATE).build());
    type.addMethod(MethodSpec.methodBuilder("get").addModifiers(Modifier.PUBLIC, Modifier.STATIC).returns(self)
        .addStatement("return INSTANCE").build());
    type.addMethod(MethodSpec.methodBuilder("keep").addModifiers(Modifier.PUBLIC, Modifier.STATIC)
        .addJavadoc("The task of the upload and download graphs (TornadoVM moves only the arrays its tasks use).\n")
        .addParameter(FLOAT_ARRAY, TornadoEmitter.STATE)
        .beginControlFlow("for (@$T int i = 0; i < 1; i++)", PARALLEL)
        .addStatement("state.set(0, state.get(0))").endControlFlow().build());

    CodeBlock.Builder graphs = CodeBlock.builder()
        .add("new $T($S)\n.transferToDevice($T.EVERY_EXECUTION, state)\n.task($S, $T::keep, state)\n.persistOnDevice(state)"
            + "\n.snapshot()", TASK_GRAPH, "upload", TRANSFER, "keep", self)
        .add(",\nnew $T($S)\n.consumeFromDevice(state)\n.task($S, $T::keep, state)\n.transferToHost($T.EVERY_EXECUTION, state)"
            + "\n.snapshot()", TASK_GRAPH, "download", "keep", self, TRANSFER);
    for (TornadoEmitter.Emitted e : phases) {
      ClassName phase = ClassName.get(packageName, e.className());
      for (int p = 0; p < e.parts(); p++) graphs.add(",\n$T.part$L().snapshot()", phase, p);
      if (e.commits()) graphs.add(",\n$T.commitGraph().snapshot()", phase);
    }
    type.addMethod(MethodSpec.methodBuilder("plan").addModifiers(Modifier.PRIVATE).returns(EXECUTION_PLAN)
        .addJavadoc("Every task graph of the model: upload, download, then each phase's parts and commit graph.\n")
        .beginControlFlow("if (plan == null)")
        .addStatement("plan = new $T(\n$>$>$L$<$<)", EXECUTION_PLAN, graphs.build())
        .addCode(profile ? CodeBlock.of("plan.withProfiler($T.SILENT);\n", PROFILER_MODE) : CodeBlock.of(""))
        .addCode(grids(packageName, phases))
        .addStatement("String device = System.getProperty($S)", "wganc.tornado.device")
        .beginControlFlow("if (device != null && !device.isBlank())")
        .addStatement("String[] bd = device.trim().split(\":\")")
        .addStatement("plan.withDevice($T.getDevice(Integer.parseInt(bd[0]), Integer.parseInt(bd[1])))", EXECUTION_PLAN)
        .endControlFlow()
        .endControlFlow()
        .addStatement("return plan").build());
    type.addMethod(MethodSpec.methodBuilder("run").addModifiers(Modifier.SYNCHRONIZED)
        .addJavadoc("Runs graphs `first` to `first + count - 1` in order (without a device: `onJvm`), counting the\n"
            + "bytes they move; the first run uploads `state` if nothing has yet.\n")
        .addParameter(int.class, "first").addParameter(int.class, "count").addParameter(long.class, "bytesIn")
        .addParameter(long.class, "bytesOut").addParameter(Runnable.class, "onJvm")
        .beginControlFlow("if (JVM)").addStatement("onJvm.run()")
        .nextControlFlow("else")
        .beginControlFlow("if (!uploaded)").addStatement("upload(NAMES, new float[0][])").endControlFlow()
        .beginControlFlow("for (int g = first; g < first + count; g++)")
        .addStatement("last = execute(g)")
        .addCode(profile ? CodeBlock.of("record(g);\n") : CodeBlock.of("")).endControlFlow()
        .addStatement("hostCurrent = false")
        .endControlFlow()
        .addStatement("toDevice += bytesIn").addStatement("toHost += bytesOut").build());
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
    if (phases.stream().anyMatch(TornadoEmitter.Emitted::tiled)) {
      type.addMethod(MethodSpec.methodBuilder("tile").addModifiers(Modifier.STATIC).returns(WORKER_GRID)
          .addJavadoc("A 2-D grid of $L x $L work-groups over `x` by `y` threads.\n", TornadoLoops.TILE, TornadoLoops.TILE)
          .addParameter(int.class, "x").addParameter(int.class, "y")
          .addStatement("$T grid = new $T(x, y)", WORKER_GRID, WORKER_GRID_2D)
          .addStatement("grid.setLocalWork($L, $L, 1)", TornadoLoops.TILE, TornadoLoops.TILE)
          .addStatement("return grid").build());
    }
    if (profile) {
      int count = 2;
      for (TornadoEmitter.Emitted e : phases) count += e.graphs();
      profiling(type, count);
    }
    type.addMethod(Codegen.getter("names", String[].class, CodeBlock.of("return NAMES.clone()")));
    type.addMethod(MethodSpec.methodBuilder("upload").addAnnotation(Override.class)
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
        .beginControlFlow("if (!JVM)")
        .addStatement("last = execute(UPLOAD)").endControlFlow()
        .addStatement("uploaded = true").addStatement("hostCurrent = true")
        .addStatement("toDevice += 4L * state.getSize()").build());
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
    return JavaFile.builder(packageName, type.build())
        .addFileComment("Generated by wganc $L (TornadoVM backend) from $L: device memory and execution plan. Do not edit.",
            TornadoEmitter.VERSION, source)
        .skipJavaLangImports(true).indent("  ").build();
  }

  /** The grid scheduler of the tiled kernels, when there are any. */
  private static CodeBlock grids(String packageName, List<TornadoEmitter.Emitted> phases) {
    if (phases.stream().noneMatch(TornadoEmitter.Emitted::tiled)) return CodeBlock.of("");
    CodeBlock.Builder b = CodeBlock.builder()
        .addStatement("$T grid = new $T()", TornadoEmitter.GRID_SCHEDULER, TornadoEmitter.GRID_SCHEDULER);
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

  private static String join(List<Integer> xs) {
    return String.join(", ", xs.stream().map(String::valueOf).toList());
  }
}

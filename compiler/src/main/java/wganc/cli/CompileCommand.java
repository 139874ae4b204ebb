package wganc.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import wganc.compile.Checked;
import wganc.compile.Compiler;
import wganc.emit.Backend;
import wganc.emit.Sources;
import wganc.emit.java.JvmBackend;
import wganc.runtime.io.AtomicFiles;
import wganc.runtime.train.TrainerMain;

/** `wganc compile MODEL -o DIR`: the generated sources of every phase and the trainer's spec. */
@Command(name = "compile", mixinStandardHelpOptions = true,
    description = {
        "Compiles a model to Java sources and a runnable trainer jar.",
        "",
        "Writes DIR/src/<package>/<Phase>.java (readable, deterministic, one static method per kernel,",
        "each with the source line it came from), DIR/spec.json (data, noise, parameters and their",
        "initialisers, optimiser state, the update schedule) and DIR/<model>-trainer.jar, which trains",
        "on its own (the runtime is inside) on Java 25 or newer. The last line printed is the command",
        "that runs it with wganc's own JDK: .../bin/java --add-modules jdk.incubator.vector ... -jar",
        "DIR/<model>-trainer.jar --steps N --out RUN."})
final class CompileCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "MODEL", description = "the model file (.wgan)")
  Path model;

  @Option(names = {"-o", "--output"}, required = true, paramLabel = "DIR", description = "output folder")
  Path output;

  @Option(names = "--backend", paramLabel = "B", description = "jvm (default) or tornado", defaultValue = "jvm")
  String backend;

  @Option(names = "--tiles", negatable = true, defaultValue = "true", fallbackValue = "true",
      description = "TornadoVM: matmuls, convolutions (and their transposes) and large sums as KernelContext kernels over 16 x 16 local-memory tiles (the default); --no-tiles runs every kernel as one thread per output element")
  boolean tiles = true;

  @Option(names = "--tornado-home", paramLabel = "DIR", description = "TornadoVM SDK (default: $TORNADOVM_HOME)")
  Path tornadoHome;

  @Option(names = "--ranks", paramLabel = "K", defaultValue = "1",
      description = "MPI processes the trainer jar is for: it then runs as `mpirun -np K java ... -jar JAR` (docs/distributed.md)")
  int ranks;

  @CommandLine.Mixin RankOptions rankOptions = new RankOptions();

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override public Integer call() throws IOException {
    PrintWriter err = spec.commandLine().getErr();
    Checked o = Compiler.check(model);
    if (!CheckCommand.report(o, err)) return 1;
    wganc.lower.Ranks forRanks = rankOptions.ranks(ranks, err);
    if (forRanks == null) return 2;
    if (ranks > 1 && !backend.equals("jvm")) {
      err.println("error: " + wganc.emit.tornado.TornadoBackend.NOT_DISTRIBUTED);
      return 2;
    }
    if (backend.equals("tornado")) return TornadoCli.compile(o, model, output, TornadoCli.backend(tornadoHome, tiles), err);
    if (!backend.equals("jvm")) {
      err.println("error: unknown backend `" + backend + "`; use `jvm` or `tornado`");
      return 2;
    }
    JvmBackend jvm = new JvmBackend();
    Sources s;
    try {
      s = jvm.sources(Compiler.compile(o, jvm.target(Backend.Options.defaults())
          .withRanks(forRanks)), Backend.Options.defaults());
    } catch (IllegalArgumentException e) {  // a batch that does not split over the ranks
      err.println("error: " + e.getMessage());
      return 2;
    }
    Files.createDirectories(output);
    for (var e : s.files().entrySet()) {
      Path file = output.resolve("src").resolve(e.getKey().replace('.', '/') + ".java");
      Files.createDirectories(file.getParent());
      AtomicFiles.writeString(file, e.getValue().toString());
    }
    ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    AtomicFiles.writeString(output.resolve("spec.json"), json.writeValueAsString(s.spec()) + "\n");
    java.util.Map<String, String> text = new java.util.LinkedHashMap<>();
    s.files().forEach((name, file) -> text.put(name, file.toString()));
    java.util.Map<String, byte[]> classes;
    try {
      classes = wganc.emit.java.InMemoryCompiler.compile(text);
    } catch (IllegalStateException e) {
      err.println("error: " + e.getMessage());
      return 70;
    }
    Path jar = output.resolve(TrainCommand.stem(model) + "-trainer.jar");
    wganc.emit.java.TrainerJar.write(jar, classes, s.spec(), s.phaseClasses(), "jvm", ranks);
    err.println("wganc: wrote " + s.files().size() + " sources, spec.json and " + jar.getFileName() + " to " + output);
    err.println("wganc: train with `" + (ranks > 1 ? "mpirun -np " + ranks + " " : "") + trainCommand(jar) + " --steps N --out RUN`");
    return 0;
  }

  /** The command that starts the trainer jar with the JDK wganc runs on (a trainer needs as new a Java). */
  static String trainCommand(Path jar) {
    List<String> words = new ArrayList<>(TrainerMain.javaCommand());
    words.addAll(List.of("-jar", jar.toString()));
    return words.stream().map(CompileCommand::shellQuote).collect(Collectors.joining(" "));
  }

  private static String shellQuote(String word) {
    return word.matches("[A-Za-z0-9_./:=+@%,-]+") ? word : "'" + word.replace("'", "'\\''") + "'";
  }
}

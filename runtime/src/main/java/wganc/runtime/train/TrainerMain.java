package wganc.runtime.train;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import wganc.runtime.data.DataPath;

/**
 * The entry point of a trainer jar written by `wganc compile`: the jar holds the generated phase
 * classes, {@code /wganc/trainer.json} (the model spec and the phase class names) and this runtime.
 * {@code java -jar <model>-trainer.jar --steps N --out RUN} (the jar's Main-Class,
 * {@link wganc.runtime.launch.Launcher}, checks the Java version first). The kernels use the Vector
 * API, an incubator module a jar manifest cannot add, so without it the trainer starts itself again
 * with {@code --add-modules jdk.incubator.vector}.
 */
@Command(name = "trainer", mixinStandardHelpOptions = true,
    description = {"Trains the model this jar was compiled from (see `wganc train --help` for what a run leaves)."})
public final class TrainerMain implements Callable<Integer> {
  /** What `wganc compile` writes into the jar. */
  public record Manifest(ModelSpec spec, List<String> phases, String backend) {
    public Manifest(ModelSpec spec, List<String> phases) { this(spec, phases, "jvm"); }
  }

  @Option(names = "--steps", paramLabel = "N", description = "generator steps (default: the model's)")
  long steps;

  @Option(names = "--out", paramLabel = "RUN", description = "run directory (default: runs/<model>)")
  Path out;

  @Option(names = "--resume", description = "continue from the newest checkpoint in the run directory")
  boolean resume;

  @Option(names = "--sample-every", paramLabel = "N", description = "steps between sample grids")
  int sampleEvery;

  @Option(names = "--checkpoint-every", paramLabel = "N", description = "steps between checkpoints")
  int checkpointEvery;

  @Option(names = "--data-dir", paramLabel = "DIR", description = "folder holding the dataset files the model names, the only place looked (default: the folders of $WGANC_DATA, else Debian's dataset-fashion-mnist folder)")
  Path dataDir;

  @Option(names = "--seed", paramLabel = "S", description = "seed of the trainer's draws (default: the model's)")
  Long seed;

  @Option(names = "--threads", paramLabel = "T", description = "kernel threads (default: all cores)")
  int threads;

  public static void main(String[] args) throws Exception {
    if (ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty()) {
      System.exit(relaunch(args));
    }
    System.exit(new CommandLine(new TrainerMain()).execute(args));
  }

  /**
   * The running JDK's {@code java} with the options a trainer wants: the Vector API module, native
   * access (which code using the FFM API needs to run without warnings) and the parallel collector.
   */
  public static List<String> javaCommand() {
    return List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED", "-XX:+UseParallelGC");
  }

  private static int relaunch(String[] args) throws Exception {
    String self = Path.of(TrainerMain.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
    List<String> cmd = new ArrayList<>(javaCommand());
    cmd.addAll(List.of("-cp", self, TrainerMain.class.getName()));
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).inheritIO().start();
    return p.waitFor();
  }

  @Override public Integer call() throws Exception {
    int launched = wganc.runtime.dist.World.launched(System.getenv());
    if (launched > 1) {
      // every process would train the whole batch alone and write the same run directory
      System.err.println("error: this trainer jar was compiled for one process, but an MPI launcher started " + launched
          + "; data-parallel runs compile for their ranks: `mpirun -np " + launched + " wganc train MODEL` (docs/distributed.md)");
      return 2;
    }
    Manifest m;
    try (InputStream in = TrainerMain.class.getResourceAsStream("/wganc/trainer.json")) {
      if (in == null) {
        System.err.println("error: this jar holds no /wganc/trainer.json; build trainers with `wganc compile`");
        return 2;
      }
      m = new ObjectMapper().readValue(in, Manifest.class);
    }
    List<Phase> phases = new ArrayList<>();
    for (String cls : m.phases()) phases.add((Phase) Class.forName(cls).getDeclaredConstructor().newInstance());
    CompiledModel model = CompiledModel.of(m.spec(), phases, m.backend() == null ? "jvm" : m.backend());
    Path run = out != null ? out : Path.of("runs", m.spec().name());
    try {
      for (ModelSpec.Data d : m.spec().data()) {
        for (DataFeed.File f : DataFeed.files(d, DataPath.standard(dataDir))) System.err.println(f.describe());
      }
    } catch (java.io.IOException e) {
      System.err.println("error: " + e.getMessage());
      return 1;
    }
    TrainOptions opts = TrainOptions.defaults(run).withSteps(steps).withSeed(seed).withSampleEvery(sampleEvery)
        .withCheckpointEvery(checkpointEvery).withResume(resume).withDataDir(dataDir)
        .withProgress(new PrintStream(System.err, true), Progress.Style.AUTO, 0).withThreads(threads);
    Trainer t = new Trainer(model, opts);
    Thread hook = t.installShutdownHook();
    try {
      Trainer.Result r = t.train();
      System.err.println("done after " + r.steps() + " of " + r.totalSteps() + " steps; run directory " + run);
      return 0;
    } catch (NonFiniteLossException e) {
      System.err.print(e.diagnostic());
      return 1;
    } catch (java.io.IOException | DeviceFailure | IllegalStateException | IllegalArgumentException e) {
      System.err.println("error: " + e.getMessage());
      return 1;
    } finally {
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException | IllegalArgumentException ignored) {
        // shutting down already
      }
    }
  }
}

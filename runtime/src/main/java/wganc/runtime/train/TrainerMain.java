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
import wganc.runtime.dist.World;

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
  /**
   * What `wganc compile` writes into the jar; {@code ranks}: the MPI processes the phases are
   * compiled for ({@code wganc compile --ranks K}; null, from older jars, is one).
   */
  public record Manifest(ModelSpec spec, List<String> phases, String backend, Integer ranks) {
    public Manifest(ModelSpec spec, List<String> phases) { this(spec, phases, "jvm", 1); }

    public Manifest(ModelSpec spec, List<String> phases, String backend) { this(spec, phases, backend, 1); }

    public int rankCount() {
      return ranks == null ? 1 : ranks;
    }
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

  @Option(names = "--data-dir", paramLabel = "DIR", description = "folder holding the dataset files and folders the model names (idx, images, npy), the only place looked (default: the folders of $WGANC_DATA, else Debian's dataset-fashion-mnist folder)")
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
   * access (which code using the FFM API needs to run without warnings) and the parallel collector
   * with a 32 MiB young generation: a step allocates nothing, but the Vector API allocates hundreds
   * of MiB per second until C2 has compiled the kernels, and an unbounded young generation kept
   * that warm-up's peak as resident memory (toy8: 690 MiB, with the bound 245 MiB; the launcher
   * {@code ./wganc} passes the same).
   */
  public static List<String> javaCommand() {
    return List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED", "-XX:+UseParallelGC", "-Xmn32m");
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
    Manifest m;
    try (InputStream in = TrainerMain.class.getResourceAsStream("/wganc/trainer.json")) {
      if (in == null) {
        System.err.println("error: this jar holds no /wganc/trainer.json; build trainers with `wganc compile`");
        return 2;
      }
      m = new ObjectMapper().readValue(in, Manifest.class);
    }
    int launched = World.launched(System.getenv());
    if (launched != m.rankCount()) {
      // the phases compute a share of each batch sized for that many ranks
      System.err.println("error: this trainer jar was compiled for " + (m.rankCount() == 1 ? "one process" : m.rankCount()
          + " MPI ranks") + ", but " + (launched == 1 ? "was started without an MPI launcher" : "an MPI launcher started "
          + launched) + "; start it with " + (m.rankCount() == 1 ? "plain `java -jar`" : "`mpirun -np " + m.rankCount() + "`")
          + ", or compile it with `wganc compile --ranks " + launched + "` (docs/distributed.md)");
      return 2;
    }
    World world;
    try {
      world = World.join(System.getenv());
    } catch (IllegalStateException e) {
      System.err.println("error: " + e.getMessage());
      return 1;
    }
    return world.run(() -> train(m, world), line -> {
      System.err.println(line);
      System.err.flush();
    });
  }

  /** This rank's training (rank 0 speaks for all). */
  private World.Exit train(Manifest m, World world) throws Exception {
    PrintStream err = world.leader() ? System.err : new PrintStream(java.io.OutputStream.nullOutputStream());
    List<Phase> phases = new ArrayList<>();
    for (String cls : m.phases()) phases.add((Phase) Class.forName(cls).getDeclaredConstructor().newInstance());
    CompiledModel model = CompiledModel.of(m.spec(), phases, m.backend() == null ? "jvm" : m.backend());
    Path run = out != null ? out : Path.of("runs", m.spec().name());
    try {
      for (ModelSpec.Data d : m.spec().data()) {
        for (DataFeed.File f : DataFeed.files(d, DataPath.standard(dataDir))) err.println(f.describe());
      }
    } catch (java.io.IOException e) {
      System.err.println("error: " + e.getMessage());
      return new World.Exit(1, false);
    }
    TrainOptions opts = TrainOptions.defaults(run).withSteps(steps).withSeed(seed).withSampleEvery(sampleEvery)
        .withCheckpointEvery(checkpointEvery).withResume(resume).withDataDir(dataDir)
        .withProgress(world.leader() ? new PrintStream(System.err, true) : err, world.leader() ? Progress.Style.AUTO
            : Progress.Style.LINES, 0)
        .withThreads(threads > 0 || !world.distributed() ? threads
            : Math.max(1, Runtime.getRuntime().availableProcessors() / World.localRanks(System.getenv())));
    Trainer t = new Trainer(model, opts);
    Thread hook = world.distributed() ? null : t.installShutdownHook();  // as `wganc train` (docs/distributed.md)
    try {
      Trainer.Result r = t.train();
      err.println("done after " + r.steps() + " of " + r.totalSteps() + " steps; run directory " + run);
      return World.Exit.OK;
    } catch (NonFiniteLossException e) {
      err.print(e.diagnostic());
      return new World.Exit(1, true);
    } catch (java.io.IOException | DeviceFailure | IllegalStateException | IllegalArgumentException e) {
      System.err.println("error: " + e.getMessage());
      return new World.Exit(1, false);
    } finally {
      try {
        if (hook != null) Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException | IllegalArgumentException ignored) {
        // shutting down already
      }
    }
  }
}

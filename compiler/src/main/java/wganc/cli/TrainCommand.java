package wganc.cli;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import wganc.check.Model;
import wganc.compile.Checked;
import wganc.compile.Compiler;
import wganc.compile.Specs;
import wganc.diag.Diagnostic;
import wganc.diag.Renderer;
import wganc.emit.Backend;
import wganc.emit.java.JvmBackend;
import wganc.emit.tornado.TornadoBackend;
import wganc.lower.Ranks;
import wganc.runtime.data.DataNotFoundException;
import wganc.runtime.data.DataPath;
import wganc.runtime.dist.World;
import wganc.runtime.io.AtomicFiles;
import wganc.runtime.train.CompiledModel;
import wganc.runtime.train.DataFeed;
import wganc.runtime.train.ModelSpec;
import wganc.runtime.train.NonFiniteLossException;
import wganc.runtime.train.Progress;
import wganc.runtime.train.TrainOptions;
import wganc.runtime.train.Trainer;

/** `wganc train MODEL`: compile in memory and train, leaving a run directory. */
@Command(name = "train", mixinStandardHelpOptions = true,
    description = {
        "Compiles a model in memory and trains it.",
        "",
        "One step is every critic update (`N per generator step` times) and then the generator update.",
        "The run directory (--out, default runs/<model>) receives: manifest.json, metrics.csv, loss.png,",
        "samples/step-NNNNNN.png from a fixed noise batch and samples.gif, checkpoints/*.safetensors",
        "(PyTorch names and layouts, with optimiser state, RNG counters and a SHA-256 of every tensor),",
        "and model.wgan (the source); for toy mixtures also coverage.csv: at every sample grid, the modes",
        "covered by 2,000 samples and the share of them within 3 standard deviations of a mode (as",
        "`wganc sample` reports).",
        "Every file is written atomically; the temporary files of a killed run are deleted at the next",
        "start. Ctrl-C saves a checkpoint and stops cleanly; --resume continues from the newest checkpoint",
        "with exactly the numbers an uninterrupted run would have produced, and refuses a checkpoint that",
        "fails its checksums, naming the intact one to go back to.",
        "",
        "Under `mpirun -np K` (or `srun --mpi=pmix`) the K processes train the model data-parallel: each",
        "computes its share of every batch and the gradients are summed over them once per update; rank 0",
        "writes the run directory (docs/distributed.md)."})
final class TrainCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "MODEL", description = "the model file (.wgan)")
  Path model;

  @Option(names = "--steps", paramLabel = "N", description = "generator steps (default: the model's `steps` or `epochs`)")
  Long steps;

  @Option(names = "--out", paramLabel = "RUN", description = "run directory (default: runs/<model>)")
  Path out;

  @Option(names = "--seed", paramLabel = "S", description = "seed of every draw (default: the model's `seed`)")
  Long seed;

  @Option(names = "--batch", paramLabel = "B", description = "batch size (default: the model's)")
  Integer batch;

  @Option(names = "--resume", description = "continue from the newest checkpoint in the run directory (to go back to an "
      + "earlier one, delete the newer ones)")
  boolean resume;

  @Option(names = "--sample-every", paramLabel = "N", description = "steps between sample grids (default: min(500, steps/10))")
  int sampleEvery;

  @Option(names = "--checkpoint-every", paramLabel = "N", description = "steps between checkpoints (default: 1000)")
  int checkpointEvery;

  @Option(names = "--data-dir", paramLabel = "DIR", description = "folder holding the dataset files and folders the model names (idx, images, npy), the only place looked (default: the folders of $WGANC_DATA, else Debian's dataset-fashion-mnist folder)")
  Path dataDir;

  @Option(names = "--threads", paramLabel = "T", description = "kernel threads (default: all cores, shared out among the MPI ranks on a machine)")
  int threads;

  @Option(names = "--progress", paramLabel = "STYLE", description = "auto, bar or lines (default: ${DEFAULT-VALUE})",
      defaultValue = "auto")
  String progress;

  @Option(names = "--backend", paramLabel = "B", description = "jvm (default) or tornado (TornadoVM, in a child JVM)",
      defaultValue = "jvm")
  String backend;

  @Option(names = "--device", paramLabel = "B:D", description = "TornadoVM device (see `wganc devices`; default: its default)")
  String device;

  @Option(names = "--tiles", negatable = true, defaultValue = "true", fallbackValue = "true",
      description = "TornadoVM: matmuls, convolutions (and their transposes) and large sums as KernelContext kernels over 16 x 16 local-memory tiles (the default); --no-tiles runs every kernel as one thread per output element")
  boolean tiles = true;

  @Option(names = "--tornado-home", paramLabel = "DIR", description = "TornadoVM SDK (default: $TORNADOVM_HOME)")
  Path tornadoHome;

  @Option(names = "--record-inputs",
      description = "also write RUN/inputs/NNNNNN-<phase>.safetensors for every phase run: its data batch, noise, "
          + "sampled values and dropout masks, named as `wganc trace --list` names them, so that the run can be "
          + "replayed elsewhere from checkpoints/step-000000.safetensors, and keep every checkpoint (none pruned) "
          + "for comparing on the way: `python bench/replay_pytorch.py RUN` (docs/replay.md; JVM backend only)")
  boolean recordInputs;

  @CommandLine.Mixin RankOptions rankOptions = new RankOptions();

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override public Integer call() throws Exception {
    World world;
    try {
      world = World.join(System.getenv());
    } catch (IllegalStateException e) {
      spec.commandLine().getErr().println("error: " + e.getMessage());
      return 1;
    }
    PrintWriter err = spec.commandLine().getErr();
    return world.run(() -> train(world), line -> {
      err.println(line);
      err.flush();
    });
  }

  /** This rank's training; exits with 2 (usage) and non-finite metrics are every rank's alike. */
  private World.Exit train(World world) throws Exception {
    PrintWriter err = spec.commandLine().getErr();
    // rank 0 speaks for all; the others print only their own errors
    PrintWriter info = world.leader() ? err : new PrintWriter(java.io.Writer.nullWriter());
    Checked o = Compiler.check(model);
    if (!CheckCommand.report(o, world.leader() ? err : info)) return new World.Exit(1, true);
    Model m = o.model();
    if (batch != null) m = m.withBatch(batch);
    if (seed != null) m = m.withSeed(seed);
    Path run = out != null ? out : Path.of("runs", stem(model));
    Progress.Style style = switch (progress.toLowerCase(Locale.ROOT)) {
      case "bar" -> Progress.Style.BAR;
      case "lines" -> Progress.Style.LINES;
      case "auto" -> Progress.Style.AUTO;
      default -> null;
    };
    if (style == null) {
      err.println("error: --progress must be auto, bar or lines, found `" + progress + "`");
      return new World.Exit(2, true);
    }
    if (!backend.equals("jvm") && !backend.equals("tornado")) {
      err.println("error: unknown backend `" + backend + "`; use `jvm` or `tornado`");
      return new World.Exit(2, true);
    }
    if (backend.equals("tornado") && recordInputs) {
      err.println("error: --record-inputs needs the JVM backend (the TornadoVM backend draws on the device); "
          + "drop --backend tornado, or --record-inputs");
      return new World.Exit(2, true);
    }
    Ranks ranks = Ranks.ONE;
    if (world.distributed()) {
      if (backend.equals("tornado")) {
        info.println("error: " + TornadoBackend.NOT_DISTRIBUTED);
        return new World.Exit(2, true);
      }
      if (recordInputs) {
        info.println("error: --record-inputs records one process's inputs; with " + world.size() + " ranks each draws only"
            + " its share: record with one process (the run is the same up to float32 rounding)");
        return new World.Exit(2, true);
      }
      ranks = rankOptions.ranks(world.size(), info);
      if (ranks == null) return new World.Exit(2, true);
      for (Model.Update u : m.training().updates()) {
        for (Model.Phase p : u.phases()) {
          String uneven = ranks.unevenSplit(p.batch());
          if (uneven != null) {
            info.println("error: " + uneven + " (phase `" + p.name() + "`; set it with --batch or in the model)");
            return new World.Exit(2, true);
          }
        }
      }
    }
    if (!announceData(m, dataDir, info)) return new World.Exit(1, false);
    if (backend.equals("tornado")) {
      boolean fresh = !Files.isDirectory(run.resolve("checkpoints"));
      if (fresh || resume) {
        Files.createDirectories(run);
        AtomicFiles.writeString(run.resolve("model.wgan"), o.source().text());
      }
      java.util.List<String> args = new java.util.ArrayList<>();
      if (steps != null) args.addAll(java.util.List.of("--steps", steps.toString()));
      if (seed != null) args.addAll(java.util.List.of("--seed", seed.toString()));
      if (resume) args.add("--resume");
      if (sampleEvery > 0) args.addAll(java.util.List.of("--sample-every", String.valueOf(sampleEvery)));
      if (checkpointEvery > 0) args.addAll(java.util.List.of("--checkpoint-every", String.valueOf(checkpointEvery)));
      if (dataDir != null) args.addAll(java.util.List.of("--data-dir", dataDir.toString()));
      if (threads > 0) args.addAll(java.util.List.of("--threads", String.valueOf(threads)));
      return new World.Exit(TornadoCli.train(o.withModel(m), run, args, TornadoCli.backend(tornadoHome, tiles), device, err), true);
    }
    info.println("wganc: compiling " + m.name() + " for the JVM" + (ranks.distributed() ? ", rank " + world.rank()
        + " of " + ranks.count() + " (" + m.training().batch() / ranks.count() + " samples of each batch of "
        + m.training().batch() + ", batchnorm statistics " + rankOptions.batchnorm + ")" : "") + " ...");
    info.flush();
    CompiledModel c;
    try {
      JvmBackend jvm = new JvmBackend();
      Backend.Options options = Backend.Options.defaults().withRecordInputs(recordInputs);
      c = jvm.load(Compiler.compile(o.withModel(m), jvm.target(options).withRanks(ranks)), options);
    } catch (Backend.BackendException e) {
      err.println("error: " + e.getMessage());
      return new World.Exit(70, true);
    }
    TrainOptions opts = TrainOptions.defaults(run)
        .withSteps(steps == null ? 0 : steps)
        .withSeed(seed)
        .withSampleEvery(sampleEvery)
        .withCheckpointEvery(checkpointEvery)
        .withResume(resume)
        .withDataDir(dataDir)
        .withProgress(world.leader() ? new PrintStream(System.err, true) : new PrintStream(java.io.OutputStream.nullOutputStream()),
            world.leader() ? style : Progress.Style.LINES, 0)
        // ranks sharing a machine share its cores unless told otherwise
        .withThreads(threads > 0 || !world.distributed() ? threads
            : Math.max(1, Runtime.getRuntime().availableProcessors() / World.localRanks(System.getenv())))
        .withRecordInputs(recordInputs);
    Trainer trainer = new Trainer(c, opts);
    // with several ranks a stop must be agreed on by all of them, which a signal handler cannot do:
    // mpirun ends the job on Ctrl-C, and the last checkpoint (written atomically) stays valid
    Thread hook = world.distributed() ? null : trainer.installShutdownHook();
    Trainer.Result r;
    boolean created = !Files.exists(run);
    try {
      boolean fresh = !Files.isDirectory(run.resolve("checkpoints"));
      if (world.leader() && (fresh || resume)) {
        Files.createDirectories(run);
        AtomicFiles.writeString(run.resolve("model.wgan"), o.source().text());
      }
      r = trainer.train();
    } catch (java.io.IOException e) {
      err.println("error: " + e.getMessage());
      if (created && world.leader()) removeUnstarted(run);
      return new World.Exit(1, false);
    } catch (NonFiniteLossException e) {
      info.print(e.diagnostic());
      info.flush();
      return new World.Exit(1, true);  // every rank saw the same summed metrics
    } catch (IllegalStateException | IllegalArgumentException e) {
      err.println("error: " + (world.leader() ? "" : "rank " + world.rank() + ": ") + e.getMessage());
      return new World.Exit(1, false);
    } finally {
      try {
        if (hook != null) Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException | IllegalArgumentException ignored) {
        // the JVM is shutting down (Ctrl-C) or train() removed it already
      }
    }
    if (world.distributed() && r.stepsRun() > 0) {
      long steps = r.stepsRun();
      info.printf(Locale.ROOT, "wganc: %d ranks; all-reduced %,d floats (%,d bytes) per step in %d sums, %.1f ms per step"
          + " in them (copying, waiting for the other ranks, summing)%n", world.size(), world.sumFloats() / steps,
          4 * world.sumFloats() / steps, world.sumCalls() / steps, world.sumNanos() / 1e6 / steps);
    }
    info.printf(Locale.ROOT, "wganc: %s after %d of %d steps; run directory %s (checkpoint %s)%n",
        r.stopped() ? "stopped" : "done", r.steps(), r.totalSteps(), run, r.checkpoint());
    info.flush();
    return World.Exit.OK;
  }

  /**
   * Says which dataset files the model reads, before anything is compiled; or, for a file that
   * cannot be found, an error at the model's `data` line listing where it looked.
   */
  static boolean announceData(Model m, Path dataDir, PrintWriter err) {
    DataPath path = DataPath.standard(dataDir);
    List<ModelSpec.Data> data = Specs.data(m);
    for (int i = 0; i < data.size(); i++) {
      try {
        for (DataFeed.File f : DataFeed.files(data.get(i), path)) err.println("wganc: " + f.describe());
      } catch (DataNotFoundException e) {
        Diagnostic d = Diagnostic.error("E0313", "dataset " + e.noun() + " `" + e.name() + "` not found",
            m.data().get(i).span(), "data `" + data.get(i).name() + "` reads it");
        if (e.tried().size() > 1) d = d.withNote("tried " + String.join(", ", e.tried()));  // the IDX spellings
        for (String place : e.searched()) d = d.withNote("looked in " + place);
        err.print(Renderer.render(d.withHelp(e.help())));
        return false;
      } catch (java.io.IOException e) {
        err.println("error: " + e.getMessage());
        return false;
      }
    }
    err.flush();
    return true;
  }

  /** A run that failed before its first checkpoint leaves nothing behind (a missing dataset, say). */
  private static void removeUnstarted(Path run) {
    if (Files.isDirectory(run.resolve("checkpoints"))) return;
    try (var files = Files.walk(run)) {
      for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
    } catch (java.io.IOException ignored) {
      // best effort: what is left is an empty or partial folder the user can remove
    }
  }

  static String stem(Path p) {
    String f = p.getFileName().toString();
    return f.endsWith(".wgan") ? f.substring(0, f.length() - 5) : f;
  }
}

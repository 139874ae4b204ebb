package wganc.runtime.train;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import wganc.runtime.data.DataPath;
import wganc.runtime.dist.World;
import wganc.runtime.io.SafeTensors;
import wganc.runtime.kernels.Parallel;

/**
 * Trains a {@link CompiledModel} and leaves a run directory.
 *
 * <h2>Steps</h2>
 * One <b>step</b> is one generator step: every update once, critics {@code perGenerator} times
 * ({@link TrainingStep}). Steps are numbered from 1; "step N" in file names means N steps done.
 * The number of steps is {@link TrainOptions#steps} when positive, else the spec's {@code steps}, else
 * {@code epochs * floor(N / batch)} with N the size of the first data source held in memory (idx, images or npy).
 *
 * <h2>Random numbers</h2>
 * A global counter {@code rngStep} starts at 0 and is passed to every training phase invocation,
 * then incremented: after N steps it is N times the phases per step. Generated phases key their draws
 * (noise, interpolation, dropout) on it; the trainer keys toy data on it too. Initialisation, epoch
 * shuffles and sampling noise use their own streams ({@link Streams}). The sampling phase always
 * runs with rngStep 0 and does not advance the counter.
 *
 * <h2>Data order</h2>
 * See {@link DataFeed}: idx data are consumed sequentially from a per-epoch permutation, each phase
 * invocation taking the next batch of its own size (a critic iteration and the half-batch phases
 * take their own batches), partial last batches dropped; toy data are fresh per invocation.
 *
 * <h2>Run directory</h2>
 * {@link RunDirectory}: the manifest ({@link RunManifest}) at the start, at every checkpoint and at
 * the end; a {@link Metrics} row per step; sample grids, their GIF and the loss plot
 * ({@link Pictures}, with {@link ModeCoverage} for toy mixtures) every {@code sampleEvery} steps, at
 * step 0 of a fresh run and at the end; a checkpoint ({@link Checkpoints}) every
 * {@code checkpointEvery} steps, at the end, on a stop request and, before the first update of a
 * fresh run, {@code step-000000} (the initial state); with {@link TrainOptions#recordInputs} also
 * {@code inputs/} ({@link InputRecorder}).
 *
 * <h2>Resuming and stopping</h2>
 * With {@link TrainOptions#resume} the newest checkpoint is loaded (state, step, rngStep, data cursors)
 * and training continues bit-exactly: N steps, then resume to 2N, equals 2N steps at once. A
 * damaged checkpoint is refused ({@link Checkpoints.Resume#read}).
 * {@link #requestStop} (what the shutdown hook of {@link #installShutdownHook} calls on Ctrl-C) ends
 * the loop after the current step with a checkpoint and the manifest.
 *
 * <h2>Device memory</h2>
 * When the phases are {@link ResidentPhase}s (TornadoVM), the persistent tensors live in their
 * {@link DeviceMemory}: uploaded once after initialisation or resume, updated there by every commit,
 * and downloaded into the host slots only for a checkpoint (which the end of training and a stop
 * write too) and the non-finite report. The data feed is attached to it ({@link DeviceMemory#attach}):
 * images are sent once and each epoch's order once, toy points are drawn there, and the step counter
 * advances there, so between those a step sends nothing and brings back its metrics.
 * The manifest's {@code device.bytes_to_device} and {@code device.bytes_to_host} count what moved.
 *
 * <h2>Non-finite values</h2>
 * A metric that comes out NaN or infinite ({@link TrainingStep}) stops training: the state just
 * before that invocation goes to {@code checkpoints/step-N-before-nan.safetensors} (N = steps done)
 * and {@link NonFiniteLossException} is thrown. The trainer prints nothing then: the caller prints
 * the error.
 *
 * <h2>Several processes</h2>
 * Under an MPI launcher ({@link World#current()} of more than one rank; docs/distributed.md) every
 * rank runs this loop on its share of each batch, and the phases sum gradients and metrics over the
 * ranks, so every rank holds the same state. Rank 0 alone writes the run directory, checkpoints and
 * pictures; the others keep a private temporary folder, removed at the end. With {@code --resume}
 * rank 0 reads the newest checkpoint and sends it to the others. Every {@link #AGREE_EVERY} steps and
 * at the end the ranks compare a checksum of their state, and stop with an error if it differs.
 */
public final class Trainer {
  /** Steps between the ranks' comparisons of their state's checksum (several processes only). */
  public static final int AGREE_EVERY = 10;

  /** This runtime's version, written into manifests and checkpoints. */
  public static final String VERSION = version();

  /**
   * What a run did: steps done of the total, the rngStep reached, whether a stop request ended it,
   * its last checkpoint, the last step's metrics by column name, and the steps this run made (fewer
   * than {@code steps} after a resume).
   */
  public record Result(long steps, long totalSteps, long rngStep, boolean stopped, Path checkpoint,
                       Map<String, Double> metrics, long stepsRun) {}

  private final CompiledModel model;
  private final ModelSpec spec;
  private final TrainOptions options;
  private final DataFeed givenFeed;
  private final StopRequest stop = new StopRequest();
  private final World world = World.current();

  public Trainer(CompiledModel model, TrainOptions options) {
    this(model, options, null);
  }

  /** A trainer reading its data from {@code feed} instead of the spec's sources (tests, custom data). */
  public Trainer(CompiledModel model, TrainOptions options, DataFeed feed) {
    this.model = model;
    this.spec = model.spec();
    this.options = options;
    this.givenFeed = feed;
  }

  /** Asks the loop to stop after the current step (with a checkpoint and the manifest). */
  public void requestStop() {
    stop.request();
  }

  public boolean stopRequested() {
    return stop.requested();
  }

  /**
   * Installs a JVM shutdown hook (Ctrl-C, SIGTERM) that requests a stop and waits up to a minute for
   * the loop to write its checkpoint and manifest. {@link #train} removes it when it returns.
   */
  public Thread installShutdownHook() {
    return stop.installHook();
  }

  /** The total steps for {@code spec} and a steps option (0 = from the spec); see the class comment. */
  public static long totalSteps(ModelSpec spec, long steps, DataFeed feed) {
    if (steps > 0) return steps;
    if (spec.steps() != null) return spec.steps();
    if (spec.epochs() != null) {
      for (DataFeed.Source s : feed.sources().values()) {
        if (s instanceof DataFeed.IdxSource idx) {
          long perEpoch = idx.count() / spec.batch();
          if (perEpoch == 0) {
            throw new IllegalArgumentException(idx.count() + " samples make no batch of " + spec.batch());
          }
          return spec.epochs() * perEpoch;
        }
      }
    }
    throw new IllegalArgumentException("model `" + spec.name() + "` gives neither steps nor epochs of image data;"
        + " pass a number of steps");
  }

  // ------------------------------------------------------------------------------------------ run

  private RunDirectory run;
  /** {@link #options} as this run uses them ({@link TrainOptions#forRun}). */
  private TrainOptions used;
  private long seed;
  private Slots slots;
  /** Where the persistent tensors live between phases when not in {@code slots} (TornadoVM), else null. */
  private DeviceMemory memory;
  /** Whether the device memory holds newer persistent tensors than the host slots. */
  private boolean deviceAhead;
  private DataFeed feed;
  private TrainingStep training;
  private long step;
  private long rngStep;
  private long total;
  private Long resumedFrom;
  private Path lastCheckpoint;
  private long lastCheckpointStep = -1;
  private Progress progress;
  private Metrics metrics;
  private Pictures pictures;
  /** The mode coverage of a toy mixture, else null. */
  private ModeCoverage coverage;
  /** Writes each invocation's inputs ({@link TrainOptions#recordInputs}), else null. */
  private InputRecorder recorder;
  private RunManifest manifest;

  /** Trains to the total steps (or until a stop request) and returns what was done. */
  public Result train() throws IOException {
    stop.started();
    try {
      String startTime = Instant.now().toString();
      boolean fresh = start();
      manifest = new RunManifest(run, model, used, seed, training.invocations, feed, memory, total, resumedFrom,
          startTime);
      writeManifest("running", null);
      return loop(fresh);
    } finally {
      stop.ended();
      if (!world.leader() && run != null) removeTree(run.root());
    }
  }

  /** Opens the run directory, binds the phases and loads the checkpoint to resume; false when resuming. */
  private boolean start() throws IOException {
    run = world.leader() ? RunDirectory.create(options.out())
        : RunDirectory.create(Files.createTempDirectory("wganc-rank" + world.rank() + "-"));
    if (options.threads() > 0) Parallel.setThreads(options.threads());
    Checkpoints.Resume resumed = null;
    if (options.resume()) {
      Path newest = world.leader() ? Checkpoints.newest(run.checkpoints()) : null;
      if (world.distributed()) newest = fromLeader(newest);
      if (newest != null) resumed = Checkpoints.Resume.read(newest);
    } else if (world.leader()) {
      run.refuseExistingRun();
    }
    int leftovers = run.removeLeftovers();
    seed = resumed != null ? resumed.seed(spec, options.seed()) : options.seed() != null ? options.seed() : spec.seed();
    java.io.PrintStream say = options.progress();  // null: training says nothing
    feed = givenFeed != null ? givenFeed
        : DataFeed.open(spec, seed, DataPath.standard(options.dataDir()), say == null ? line -> {} : say::println);
    total = totalSteps(spec, options.steps(), feed);
    used = options.forRun(total);
    slots = Slots.init(spec, seed);
    memory = BoundPhase.memory(model);
    if (memory != null) memory.attach(feed);
    bind();
    if (options.recordInputs()) recorder = new InputRecorder(run.root(), spec, training.phases);
    if (resumed != null) {
      resumed.loadInto(slots);
      step = resumed.step();
      rngStep = resumed.rngStep();
      resumed.seek(feed);
      resumedFrom = step;
      lastCheckpoint = resumed.file();
      lastCheckpointStep = step;
    }
    if (memory != null) memory.upload(slots.names, slots.cur);
    progress = Progress.of(options.progress(), options.progressStyle(), used.progressEvery());
    metrics.open(run, resumedFrom);
    if (coverage != null) coverage.open(run, resumedFrom);
    if (leftovers > 0) {
      progress.message("removed " + leftovers + " temporary file" + (leftovers == 1 ? "" : "s")
          + " left in " + run.root() + " by an interrupted run");
    }
    if (resumed != null && world.leader()) {
      metrics.loadHistory(run);
      pictures.loadFrames(step);
      progress.message("resuming " + spec.name() + " from " + resumed.file() + " (step " + step + " of " + total
          + (resumed.checksummed() ? ")" : "; the file has no checksums, written by an older wganc: not verified)"));
    } else if (options.resume()) {
      progress.message("no checkpoint in " + run.checkpoints() + "; starting from step 0");
    }
    return resumed == null;
  }

  /** Binds every phase: the training step, the metrics, the pictures and the coverage. */
  private void bind() {
    training = TrainingStep.bind(model, slots, feed);
    metrics = new Metrics(training.phases);
    pictures = new Pictures(model, slots, seed, run, feed);
    coverage = ModeCoverage.of(model, slots, seed);
  }

  /** Runs the steps; {@code fresh}: first writes the initial checkpoint and samples. */
  private Result loop(boolean fresh) throws IOException {
    boolean stopped = false;
    try {
      if (fresh) {
        checkpoint(false);
        writeSamples();
      }
      metrics.startClock(step);
      while (step < total) {
        if (stop.requested()) {
          stopped = true;
          break;
        }
        runStep();
        step++;
        if (world.distributed() && (step % AGREE_EVERY == 0 || step == total)) agree();
        double rate = metrics.log(step);
        progress.update(step, total, metrics.names(), metrics.values(), rate);
        if (step % used.sampleEvery() == 0 || step == total) writeSamples();
        if (step % used.checkpointEvery() == 0 || step == total) {
          checkpoint(step == total);
          writeManifest("running", null);
        }
      }
      if (stop.requested() && step < total) stopped = true;
    } catch (NonFiniteLossException | DeviceFailure e) {
      progress.finish();  // whoever catches it prints the error, once
      close();
      writeManifest("failed", e.getMessage());
      throw e;
    }
    if (lastCheckpointStep != step) checkpoint(step == total);
    if (pictures.lastStep() != step) writeSamples();
    close();
    progress.finish();
    writeManifest(stopped ? "stopped" : "completed", null);
    if (stopped) progress.message("stopped at step " + step + " of " + total + "; checkpoint " + lastCheckpoint);
    return new Result(step, total, rngStep, stopped, lastCheckpoint, metrics.lastRow(),
        step - (resumedFrom == null ? 0 : resumedFrom));
  }

  /** Runs step {@code step + 1}; a non-finite metric ends it with a before-nan checkpoint and the error. */
  private void runStep() throws IOException {
    deviceAhead = true;
    int failed = training.run(step + 1, rngStep, recorder);
    if (failed < 0) {
      rngStep += training.invocations.size();
      return;
    }
    rngStep += failed;
    String phase = training.invocations.get(failed).name;
    Path file = world.leader() ? Checkpoints.saveBeforeNan(run.checkpoints(), step, checkpointNow(), phase, rngStep) : null;
    throw training.failure(failed, step + 1, rngStep, file, lastCheckpoint, lastCheckpointStep);
  }

  /** Sample grid (or scatter) at this step, the GIF so far, the loss plot and the mode coverage. */
  private void writeSamples() throws IOException {
    if (!world.leader()) return;
    pictures.write(step, metrics);
    if (coverage != null) progress.message("step " + step + ": " + coverage.log(step));
  }

  /** The checkpoint of the state now, brought back from the device first when it is ahead there. */
  private SafeTensors checkpointNow() {
    if (memory != null && deviceAhead) {
      memory.download(slots.names, slots.cur);
      deviceAhead = false;
    }
    return Checkpoints.of(slots, spec, seed, step, rngStep, feed);
  }

  private void checkpoint(boolean isFinal) throws IOException {
    if (!world.leader()) return;
    lastCheckpoint = Checkpoints.save(run.checkpoints(), step, checkpointNow(), isFinal, options.recordInputs());
    lastCheckpointStep = step;
  }

  private void writeManifest(String status, String error) throws IOException {
    manifest.write(status, error, step, rngStep, lastCheckpoint);
  }

  /**
   * The newest checkpoint as rank 0 found it ({@code newest} there), on every rank: the others
   * receive its bytes into their own folder (the run directory need not be shared); null for none.
   */
  private Path fromLeader(Path newest) throws IOException {
    byte[] name = world.broadcast(newest == null ? new byte[0]
        : newest.getFileName().toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
    byte[] bytes = world.broadcast(world.leader() && newest != null ? Files.readAllBytes(newest) : new byte[0]);
    if (name.length == 0 || world.leader()) return newest;
    Files.createDirectories(run.checkpoints());
    Path copy = run.checkpoints().resolve(new String(name, java.nio.charset.StandardCharsets.UTF_8));
    Files.write(copy, bytes);
    return copy;
  }

  /** Stops every rank with an error when their states' checksums differ (they all learn it from one all-reduce). */
  private void agree() {
    long h = 0xcbf29ce484222325L;
    for (float[] a : slots.cur) {
      for (float f : a) h = (h ^ Float.floatToRawIntBits(f)) * 0x100000001b3L;
    }
    h = (h ^ rngStep) * 0x100000001b3L;
    if (!world.agree(h)) {
      throw new IllegalStateException("the " + world.size() + " ranks hold different parameters after step " + step
          + " (their checksums differ): the ranks ran different code or data; check that every rank runs the same"
          + " wganc and model, and report it if they do (docs/distributed.md)");
    }
  }

  /** Deletes a rank's private folder (best effort). */
  private static void removeTree(Path root) {
    try (var files = Files.walk(root)) {
      for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
    } catch (IOException ignored) {
      // a temporary folder left behind
    }
  }

  private void close() throws IOException {
    metrics.close();
    if (coverage != null) coverage.close();
  }

  private static String version() {
    String v = Trainer.class.getPackage() == null ? null : Trainer.class.getPackage().getImplementationVersion();
    return v != null ? v : "0.1.0-SNAPSHOT";
  }
}

package wganc.runtime.train;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import wganc.runtime.image.Gif;
import wganc.runtime.image.LossPlot;
import wganc.runtime.image.Png;
import wganc.runtime.io.AtomicFiles;
import wganc.runtime.io.FormatException;
import wganc.runtime.io.SafeTensors;
import wganc.runtime.kernels.Parallel;
import wganc.runtime.metrics.Manifest;
import wganc.runtime.data.Toy2d;
import wganc.runtime.metrics.MetricsCsv;

/**
 * Trains a {@link CompiledModel} and leaves a run directory.
 *
 * <h2>Steps and the order of work</h2>
 * One <b>step</b> is one generator step: every update of {@link ModelSpec#updates()} in spec order,
 * an update running {@code perGenerator} times (critics; 1 for the generator, which comes last),
 * each time all its phases in order. So toy8 (5 critic iterations) runs 6 phases per step:
 * critic x5, generator. Steps are numbered from 1; "step N" in file names means N steps done.
 * The number of steps is {@link Options#steps} when positive, else the spec's {@code steps}, else
 * {@code epochs * floor(N / batch)} with N the size of the first {@code idx} data source.
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
 * {@code manifest.json} (rewritten at the start, at every checkpoint and at the end),
 * {@code metrics.csv} (a row per step: {@code step}, {@code <phase>.<metric>} for every phase's
 * metrics from its last invocation in the step, {@code steps_per_s}), {@code loss.png} (a panel per
 * statement, {@link LossPanels}), {@code samples/step-000500.png} from the fixed noise batch (also step
 * 0 on a fresh run; toy points on axes that only grow, so the frames share them) and
 * {@code samples.gif}, every {@code sampleEvery} steps and at the end;
 * {@code checkpoints/step-001000.safetensors} every {@code checkpointEvery} steps, at the end and on
 * a stop request, the 3 newest kept plus the final one and {@code step-000000.safetensors} (the
 * initial state, written before the first update of a fresh run), and {@code checkpoints/latest};
 * with {@link Options#recordInputs} also {@code inputs/} ({@link InputRecorder}). All files are
 * written atomically; the temporary files of a run killed while writing are deleted when the next
 * one starts on the folder. A checkpoint holds every parameter and state tensor by name and the
 * metadata {@code step}, {@code rng_step}, {@code seed}, {@code model}, {@code model_sha256},
 * {@code wganc_version}, {@code data.<name>.epoch} and {@code data.<name>.position} (idx sources),
 * and SHA-256 checksums of every tensor's data and of the header ({@link SafeTensors#withChecksums});
 * nothing time-dependent, so equal states give equal bytes.
 *
 * <h2>Resuming and stopping</h2>
 * With {@link Options#resume} the newest checkpoint is loaded (state, step, rngStep, data cursors)
 * and training continues bit-exactly: N steps, then resume to 2N, equals 2N steps at once. A
 * checkpoint that fails its checksums is refused, naming the newest intact one and the files to
 * delete so that {@code --resume} takes it; one written without checksums (an older wganc) is
 * loaded with a note that it was not verified.
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
 * After every phase invocation its metrics are checked; a NaN or infinity stops training before the
 * phase's writes are swapped in, writes {@code checkpoints/step-N-before-nan.safetensors} (the state
 * just before that invocation, N = steps done) and throws {@link NonFiniteLossException}, which names
 * the non-finite metric whose statement comes first in the source, with its place
 * ({@link ModelSpec.PhaseInfo#origins}). The trainer prints nothing then: the caller prints the error.
 */
public final class Trainer {
  /** This runtime's version, written into manifests and checkpoints. */
  public static final String VERSION = version();

  /**
   * The names a phase's Wasserstein estimate goes by: a scalar it writes under one of them is logged
   * as one of its metrics even when the model does not list it.
   */
  static final List<String> WASSERSTEIN = List.of("wasserstein", "wdist");

  /** How progress is shown. */
  public enum ProgressStyle {
    /** A bar when stderr is a terminal, else lines. */
    AUTO,
    BAR,
    LINES
  }

  /**
   * Run options.
   *
   * @param out             the run directory
   * @param steps           steps to train to (total, counting resumed ones); 0 = from the model
   * @param seed            overrides the model's seed for the trainer's draws (initialisation, data
   *                        order, toy data, sampling noise); null = the model's. The compiled phases
   *                        keep the seed they were compiled with.
   * @param sampleEvery     steps between sample grids; 0 = min(500, max(1, steps / 10))
   * @param checkpointEvery steps between checkpoints; 0 = 1000
   * @param resume          continue from the newest checkpoint in {@code out}
   * @param dataDir         where to look first for idx files (null: see {@link wganc.runtime.data.DataPath})
   * @param progress        where progress goes (normally {@code System.err}, whose terminal's width
   *                        the bar is fitted to); null = nowhere
   * @param progressStyle   bar, lines, or decide by whether stderr is a terminal
   * @param progressEvery   steps between plain progress lines; 0 = max(1, min(100, steps / 20))
   * @param threads         kernel threads ({@link Parallel#setThreads}); 0 = leave as is
   * @param recordInputs    write every input each phase invocation consumed to {@code inputs/} (the
   *                        phases must write their draws, see {@link ModelSpec.PhaseInfo#inputs})
   */
  public record Options(Path out, long steps, Long seed, int sampleEvery, int checkpointEvery, boolean resume,
                        Path dataDir, PrintStream progress, ProgressStyle progressStyle, int progressEvery,
                        int threads, boolean recordInputs) {
    public static Options defaults(Path out) {
      return new Options(out, 0, null, 0, 0, false, null, System.err, ProgressStyle.AUTO, 0, 0, false);
    }

    public Options withSteps(long n) {
      return new Options(out, n, seed, sampleEvery, checkpointEvery, resume, dataDir, progress, progressStyle, progressEvery, threads, recordInputs);
    }

    public Options withSeed(Long s) {
      return new Options(out, steps, s, sampleEvery, checkpointEvery, resume, dataDir, progress, progressStyle, progressEvery, threads, recordInputs);
    }

    public Options withSampleEvery(int n) {
      return new Options(out, steps, seed, n, checkpointEvery, resume, dataDir, progress, progressStyle, progressEvery, threads, recordInputs);
    }

    public Options withCheckpointEvery(int n) {
      return new Options(out, steps, seed, sampleEvery, n, resume, dataDir, progress, progressStyle, progressEvery, threads, recordInputs);
    }

    public Options withResume(boolean r) {
      return new Options(out, steps, seed, sampleEvery, checkpointEvery, r, dataDir, progress, progressStyle, progressEvery, threads, recordInputs);
    }

    public Options withDataDir(Path d) {
      return new Options(out, steps, seed, sampleEvery, checkpointEvery, resume, d, progress, progressStyle, progressEvery, threads, recordInputs);
    }

    public Options withProgress(PrintStream p, ProgressStyle style, int every) {
      return new Options(out, steps, seed, sampleEvery, checkpointEvery, resume, dataDir, p, style, every, threads, recordInputs);
    }

    public Options withThreads(int n) {
      return new Options(out, steps, seed, sampleEvery, checkpointEvery, resume, dataDir, progress, progressStyle, progressEvery, n, recordInputs);
    }

    public Options withRecordInputs(boolean r) {
      return new Options(out, steps, seed, sampleEvery, checkpointEvery, resume, dataDir, progress, progressStyle, progressEvery, threads, r);
    }
  }

  /**
   * What a run did: steps done of the total, the rngStep reached, whether a stop request ended it,
   * its last checkpoint, and the last step's metrics by column name.
   */
  public record Result(long steps, long totalSteps, long rngStep, boolean stopped, Path checkpoint,
                       Map<String, Double> metrics) {}

  private final CompiledModel model;
  private final ModelSpec spec;
  private final Options options;
  private final DataFeed givenFeed;
  private volatile boolean stopRequested;
  private volatile boolean running;
  private final CountDownLatch finished = new CountDownLatch(1);
  private Thread hook;

  public Trainer(CompiledModel model, Options options) {
    this(model, options, null);
  }

  /** A trainer reading its data from {@code feed} instead of the spec's sources (tests, custom data). */
  public Trainer(CompiledModel model, Options options, DataFeed feed) {
    this.model = model;
    this.spec = model.spec();
    this.options = options;
    this.givenFeed = feed;
  }

  /** Asks the loop to stop after the current step (with a checkpoint and the manifest). */
  public void requestStop() {
    stopRequested = true;
  }

  public boolean stopRequested() {
    return stopRequested;
  }

  /**
   * Installs a JVM shutdown hook (Ctrl-C, SIGTERM) that requests a stop and waits up to a minute for
   * the loop to write its checkpoint and manifest. {@link #train} removes it when it returns.
   */
  public Thread installShutdownHook() {
    Thread t = new Thread(() -> {
      if (!running) return;
      requestStop();
      try {
        finished.await(60, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, "wganc-trainer-stop");
    Runtime.getRuntime().addShutdownHook(t);
    hook = t;
    return t;
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

  private long seed;
  private Slots slots;
  /** Where the persistent tensors live between phases when not in {@code slots} (TornadoVM), else null. */
  private DeviceMemory memory;
  private DataFeed feed;
  private List<BoundPhase> schedule;
  private BoundPhase samplePhase;
  private float[] fixedNoise;
  private float[] realPoints;
  private List<String> columns;
  private int[][] columnSource;
  private double[] last;
  private long step;
  private long rngStep;
  private long total;
  private Path out;
  private MetricsCsv csv;
  private Progress progress;
  private final List<BufferedImage> frames = new ArrayList<>();
  /** The axes of the toy scatter plots: they only grow, so the GIF's frames share them (not kept on resume). */
  private double[] scatterBounds;
  private long[] histSteps = new long[256];
  private double[][] histValues;
  private int histN;
  private final long[] times = new long[32];
  private String startTime;
  private Long resumedFrom;
  private Path lastCheckpoint;
  private long lastCheckpointStep = -1;
  private long lastSampleStep = -1;
  private int sampleEvery;
  private int checkpointEvery;

  /** Trains to the total steps (or until a stop request) and returns what was done. */
  public Result train() throws IOException {
    running = true;
    try {
      return doTrain();
    } finally {
      running = false;
      finished.countDown();
      if (hook != null) {
        try {
          Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
          // shutting down: the hook is running
        }
      }
    }
  }

  private Result doTrain() throws IOException {
    startTime = Instant.now().toString();
    out = options.out();
    Files.createDirectories(out);
    if (options.threads() > 0) Parallel.setThreads(options.threads());
    Path ckDir = out.resolve(Checkpoints.DIR);
    Path resumeFrom = null;
    SafeTensors resumed = null;
    if (options.resume()) {
      resumeFrom = Checkpoints.newest(ckDir);
      if (resumeFrom != null) resumed = readToResume(resumeFrom);
    } else if (!Checkpoints.list(ckDir).isEmpty()) {
      throw new IOException(out + " already holds a run (" + Checkpoints.list(ckDir).getLast().getFileName()
          + "); resume it or choose another output folder");
    }
    int leftovers = removeLeftovers(out);
    seed = options.seed() != null ? options.seed() : spec.seed();
    if (resumed != null) {
      Map<String, String> md = resumed.metadata();
      String sha = md.get("model_sha256");
      if (sha != null && !sha.equals(spec.sourceSha256())) {
        throw new IOException(resumeFrom + " was trained from a different model source (sha256 " + sha
            + ", this model " + spec.sourceSha256() + "); cannot resume it");
      }
      long ckSeed = Long.parseLong(md.getOrDefault("seed", Long.toString(seed)));
      if (options.seed() != null && ckSeed != options.seed()) {
        throw new IOException(resumeFrom + " was trained with seed " + ckSeed + ", not " + options.seed());
      }
      seed = ckSeed;
    }
    feed = givenFeed != null ? givenFeed : DataFeed.open(spec, seed, options.dataDir());
    total = totalSteps(spec, options.steps(), feed);
    slots = Slots.init(spec, seed);
    memory = BoundPhase.memory(model);
    if (memory != null) memory.attach(feed);
    bind();
    if (options.recordInputs()) recorder = new InputRecorder(out, spec, phasesOfColumns);
    if (resumed != null) {
      slots.load(resumed, resumeFrom.toString());
      Map<String, String> md = resumed.metadata();
      step = Long.parseLong(md.get("step"));
      rngStep = Long.parseLong(md.get("rng_step"));
      for (var e : feed.sources().entrySet()) {
        if (e.getValue() instanceof DataFeed.IdxSource idx) {
          String ep = md.get("data." + e.getKey() + ".epoch");
          String pos = md.get("data." + e.getKey() + ".position");
          if (ep == null || pos == null) throw new IOException(resumeFrom + ": no data cursor for `" + e.getKey() + "`");
          idx.seek(Long.parseLong(ep), Integer.parseInt(pos));
        }
      }
      resumedFrom = step;
      lastCheckpoint = resumeFrom;
      lastCheckpointStep = step;
    }
    if (memory != null) memory.upload(slots.names, slots.cur);
    sampleEvery = options.sampleEvery() > 0 ? options.sampleEvery() : (int) Math.min(500, Math.max(1, total / 10));
    checkpointEvery = options.checkpointEvery() > 0 ? options.checkpointEvery() : 1000;
    long progressEvery = options.progressEvery() > 0 ? options.progressEvery() : Math.max(1, Math.min(100, total / 20));
    boolean bar = switch (options.progressStyle()) {
      case BAR -> true;
      case LINES -> false;
      case AUTO -> Progress.isTerminal();
    };
    progress = bar ? Progress.bar(options.progress(), Progress::columns, System::nanoTime)
        : Progress.lines(options.progress(), progressEvery);
    Path csvPath = out.resolve("metrics.csv");
    csv = resumed != null ? MetricsCsv.resume(csvPath, columns, step) : MetricsCsv.create(csvPath, columns);
    if (toyModes != null) {
      Path covPath = out.resolve("coverage.csv");
      List<String> covColumns = List.of("step", "modes_covered", "modes", "within_3std", "samples");
      coverageCsv = resumed != null && Files.exists(covPath) ? MetricsCsv.resume(covPath, covColumns, step)
          : MetricsCsv.create(covPath, covColumns);
    }
    histValues = new double[columns.size() - 2][histSteps.length];
    if (leftovers > 0) {
      progress.message("removed " + leftovers + " temporary file" + (leftovers == 1 ? "" : "s")
          + " left in " + out + " by an interrupted run");
    }
    if (resumed != null) {
      loadHistory(csvPath);
      loadFrames();
      progress.message("resuming " + spec.name() + " from " + resumeFrom + " (step " + step + " of " + total
          + (resumed.checksummed() ? ")" : "; the file has no checksums, written by an older wganc: not verified)"));
    } else if (options.resume()) {
      progress.message("no checkpoint in " + ckDir + "; starting from step 0");
    }
    writeManifest("running", null);
    boolean stopped = false;
    try {
      if (resumed == null) {
        checkpoint(false);
        writeSamples();
      }
      long t0 = System.nanoTime();
      Arrays.fill(times, t0);
      while (step < total) {
        if (stopRequested) {
          stopped = true;
          break;
        }
        runStep();
        step++;
        long now = System.nanoTime();
        long then = times[(int) (step % times.length)];
        times[(int) (step % times.length)] = now;
        long window = Math.min(step - (resumedFrom == null ? 0 : resumedFrom), times.length);
        double rate = now > then ? window * 1e9 / (now - then) : Double.NaN;
        log(rate);
        if (step % sampleEvery == 0 || step == total) writeSamples();
        if (step % checkpointEvery == 0 || step == total) {
          checkpoint(step == total);
          writeManifest("running", null);
        }
      }
      if (stopRequested && step < total) stopped = true;
    } catch (NonFiniteLossException | DeviceFailure e) {
      progress.finish();  // whoever catches it prints the error, once
      csv.close();
      if (coverageCsv != null) coverageCsv.close();
      writeManifest("failed", e.getMessage());
      throw e;
    }
    if (lastCheckpointStep != step) checkpoint(step == total);
    if (lastSampleStep != step) writeSamples();
    csv.close();
    if (coverageCsv != null) coverageCsv.close();
    progress.finish();
    writeManifest(stopped ? "stopped" : "completed", null);
    if (stopped) progress.message("stopped at step " + step + " of " + total + "; checkpoint " + lastCheckpoint);
    Map<String, Double> metrics = new LinkedHashMap<>();
    for (int c = 1; c < columns.size(); c++) metrics.put(columns.get(c), last[c - 1]);
    return new Result(step, total, rngStep, stopped, lastCheckpoint, metrics);
  }

  /**
   * Reads the checkpoint to resume from, the newest; a damaged one is refused naming the newest
   * intact one and what to delete so that --resume takes it.
   */
  private static SafeTensors readToResume(Path file) throws IOException {
    try {
      return SafeTensors.read(file);
    } catch (FormatException e) {
      Checkpoints.Fallback f = Checkpoints.fallback(file);
      List<Path> delete = new ArrayList<>(List.of(file));
      delete.addAll(f.alsoDamaged());
      if (f.intact() == null) {
        throw new IOException(e.getMessage() + "; no earlier checkpoint beside it reads back intact"
            + (f.alsoDamaged().isEmpty() ? "" : " (" + and(f.alsoDamaged()) + " are damaged too)")
            + ", so this run cannot be resumed: train afresh into another --out folder", e);
      }
      throw new IOException(e.getMessage() + "; --resume continues from the newest checkpoint, so to resume from "
          + f.intact() + " (step " + Checkpoints.stepOf(f.intact()) + "), the newest intact one, delete "
          + and(delete) + (delete.size() > 1 ? " (damaged too)" : "") + " and run again with --resume", e);
    }
  }

  /** {@code a}, {@code a and b}, {@code a, b and c}. */
  private static String and(List<Path> files) {
    List<String> s = files.stream().map(Path::toString).toList();
    return s.size() == 1 ? s.getFirst()
        : String.join(", ", s.subList(0, s.size() - 1)) + " and " + s.getLast();
  }

  /** The folders training writes into: the run directory, checkpoints/, samples/ and inputs/. */
  private static int removeLeftovers(Path run) throws IOException {
    int n = 0;
    for (String d : List.of("", Checkpoints.DIR, "samples", InputRecorder.DIR)) {
      n += AtomicFiles.removeLeftovers(run.resolve(d));
    }
    return n;
  }

  /** Binds every phase; builds the metric columns. */
  private void bind() {
    Map<String, float[]> noFixed = Map.of();
    schedule = new ArrayList<>();
    columns = new ArrayList<>(List.of("step"));
    List<int[]> sources = new ArrayList<>();
    List<BoundPhase> distinct = new ArrayList<>();
    for (ModelSpec.Update u : spec.updates()) {
      List<BoundPhase> phases = new ArrayList<>();
      for (ModelSpec.PhaseInfo info : u.phases()) {
        Phase p = model.phase(info.name());
        List<String> metrics = new ArrayList<>(info.metrics());
        for (String w : WASSERSTEIN) {
          int i = BoundPhase.indexOf(p.writes(), w);
          if (i >= 0 && Init.size(p.writeShapes()[i]) == 1 && !metrics.contains(w)) metrics.add(w);
        }
        BoundPhase b = new BoundPhase(p, slots, feed.sources(), noFixed, metrics);
        for (int m = 0; m < b.metrics.length; m++) {
          columns.add(b.name + "." + b.metrics[m]);
          sources.add(new int[] {distinct.size(), m});
        }
        distinct.add(b);
        phases.add(b);
      }
      int reps = Math.max(1, u.perGenerator());
      for (int r = 0; r < reps; r++) schedule.addAll(phases);
    }
    columns.add("steps_per_s");
    columnSource = new int[sources.size()][];
    for (int i = 0; i < sources.size(); i++) {
      int[] s = sources.get(i);
      columnSource[i] = new int[] {s[0], s[1]};
    }
    phasesOfColumns = distinct;
    last = new double[columns.size() - 1];
    progressNames = columns.subList(1, columns.size() - 1).toArray(String[]::new);
    progressValues = new double[progressNames.length];
    Arrays.fill(last, Double.NaN);
    fixedNoise = Samples.noise(spec, seed, 0);
    realPoints = Samples.realPoints(spec, seed);
    samplePhase = new BoundPhase(model.phase(spec.sample().phase()), slots, Map.of(),
        Map.of(spec.sample().noise(), fixedNoise), List.of());
    for (ModelSpec.Data d : spec.data()) {
      if (d.kind().equals("toy") && DataFeed.toy(d).centres().length > 0) {
        toyModes = DataFeed.toy(d);
        coverageSampler = Sampler.live(model, slots, seed);
      }
    }
  }

  /** The toy mixture whose mode coverage is logged (null for other data), and its sampler. */
  private Toy2d toyModes;
  private Sampler coverageSampler;
  private MetricsCsv coverageCsv;

  private List<BoundPhase> phasesOfColumns;
  /** Whether the device memory holds newer persistent tensors than the host slots. */
  private boolean deviceAhead;
  /** Writes each invocation's inputs ({@link Options#recordInputs}), else null. */
  private InputRecorder recorder;
  private String[] progressNames;
  private double[] progressValues;

  private void runStep() throws IOException {
    deviceAhead = true;
    for (int i = 0; i < schedule.size(); i++) {
      BoundPhase p = schedule.get(i);
      int bad = p.run(rngStep);
      if (recorder != null) recorder.record(p, rngStep, step + 1);
      if (bad >= 0) failNonFinite(p, i);
      p.commit();
      rngStep++;
    }
  }

  private void failNonFinite(BoundPhase p, int position) throws IOException {
    int iteration = 0;
    int of = 0;
    for (int i = 0; i < schedule.size(); i++) {
      if (schedule.get(i) == p) {
        of++;
        if (i <= position) iteration++;
      }
    }
    Path file = out.resolve(Checkpoints.DIR).resolve(Checkpoints.beforeNanName(step));
    SafeTensors st = checkpointTensors();
    st.putMetadata("failed_phase", p.name);
    st.putMetadata("failed_rng_step", Long.toString(rngStep));
    try {
      st.write(file);
    } catch (IOException e) {
      file = null;
    }
    Map<String, ModelSpec.Origin> origins = origins(p.name);
    List<NonFiniteLossException.Bad> bad = new ArrayList<>();
    for (int m = 0; m < p.metrics.length; m++) {
      float v = p.metric(m);
      if (!Float.isFinite(v)) {
        bad.add(new NonFiniteLossException.Bad(p.metrics[m], Progress.number(v), origins.get(p.metrics[m])));
      }
    }
    throw NonFiniteLossException.of(step + 1, p.name, iteration, of, rngStep, bad, file, lastCheckpoint,
        lastCheckpointStep);
  }

  /** Where phase {@code name}'s metric statements are in the source (empty when the spec does not say). */
  private Map<String, ModelSpec.Origin> origins(String name) {
    for (ModelSpec.Update u : spec.updates()) {
      for (ModelSpec.PhaseInfo info : u.phases()) {
        if (info.name().equals(name)) return info.origins();
      }
    }
    return Map.of();
  }

  private void log(double rate) throws IOException {
    Object[] row = new Object[columns.size()];
    row[0] = step;
    for (int c = 0; c < columnSource.length; c++) {
      float v = phasesOfColumns.get(columnSource[c][0]).metric(columnSource[c][1]);
      last[c] = v;
      row[c + 1] = v;  // a Float: written in float's shortest form
    }
    last[columns.size() - 2] = rate;
    row[columns.size() - 1] = rate;
    csv.row(row);
    addHistory(step, last);
    System.arraycopy(last, 0, progressValues, 0, progressValues.length);
    progress.update(step, total, progressNames, progressValues, rate);
  }

  private void addHistory(long s, double[] values) {
    if (histN == histSteps.length) {
      histSteps = Arrays.copyOf(histSteps, 2 * histN);
      for (int c = 0; c < histValues.length; c++) histValues[c] = Arrays.copyOf(histValues[c], 2 * histN);
    }
    histSteps[histN] = s;
    for (int c = 0; c < histValues.length; c++) histValues[c][histN] = values[c];
    histN++;
  }

  private void loadHistory(Path csvPath) throws IOException {
    List<String> lines = Files.readAllLines(csvPath, StandardCharsets.UTF_8);
    double[] v = new double[columns.size() - 1];
    for (int i = 1; i < lines.size(); i++) {
      String[] cells = lines.get(i).split(",", -1);
      if (cells.length != columns.size()) continue;
      for (int c = 1; c < cells.length; c++) v[c - 1] = parse(cells[c]);
      addHistory(Long.parseLong(cells[0].strip()), v);
    }
  }

  private static double parse(String s) {
    return switch (s.strip()) {
      case "", "nan" -> Double.NaN;
      case "inf" -> Double.POSITIVE_INFINITY;
      case "-inf" -> Double.NEGATIVE_INFINITY;
      default -> Double.parseDouble(s.strip());
    };
  }

  private void loadFrames() throws IOException {
    Path dir = out.resolve("samples");
    if (!Files.isDirectory(dir)) return;
    List<Path> files;
    try (Stream<Path> s = Files.list(dir)) {
      files = s.filter(p -> sampleStep(p) >= 0 && sampleStep(p) <= step)
          .sorted(java.util.Comparator.comparingLong(Trainer::sampleStep)).toList();
    }
    for (Path p : files) {
      BufferedImage img = ImageIO.read(p.toFile());
      if (img != null) frames.add(img);
    }
    lastSampleStep = files.isEmpty() ? -1 : sampleStep(files.getLast());
  }

  static long sampleStep(Path p) {
    String n = p.getFileName().toString();
    if (!n.matches("step-\\d+\\.png")) return -1;
    return Long.parseLong(n.substring(5, n.length() - 4));
  }

  /** Sample grid (or scatter) at this step, the GIF so far, and the loss plot. */
  private void writeSamples() throws IOException {
    samplePhase.run(0);
    samplePhase.commit();
    float[] s = samplePhase.output(spec.sample().output());
    int n = spec.sample().n();
    scatterBounds = Samples.scatterBounds(spec, s, n, realPoints, scatterBounds);
    BufferedImage img = Samples.render(spec, s, n, realPoints, scatterBounds, spec.name() + " step " + step);
    Png.write(img, out.resolve("samples").resolve(String.format(java.util.Locale.ROOT, "step-%06d.png", step)));
    frames.add(img);
    Gif.write(frames, 250, out.resolve("samples.gif"));
    lastSampleStep = step;
    writeLossPlot();
    if (toyModes != null) {
      Toy2d.Coverage c = toyModes.coverage(coverageSampler.sample(COVERAGE_SAMPLES), COVERAGE_SAMPLES);
      coverageCsv.row(step, c.covered(), c.modes(), c.within(), c.n());
      progress.message("step " + step + ": " + c.summary());
    }
  }

  /** Samples drawn for coverage.csv at every sample grid of a toy mixture. */
  static final int COVERAGE_SAMPLES = 2000;

  private void writeLossPlot() throws IOException {
    if (histN == 0) return;
    double[][] values = new double[histValues.length][];
    List<String> statements = new ArrayList<>();
    for (int c = 0; c < histValues.length; c++) {
      values[c] = Arrays.copyOf(histValues[c], histN);
      statements.add(phasesOfColumns.get(columnSource[c][0]).metrics[columnSource[c][1]]);
    }
    List<LossPlot.Panel> panels = LossPanels.group(columns.subList(1, columns.size() - 1), statements,
        Arrays.copyOf(histSteps, histN), values);
    LossPlot.write(spec.name(), panels, 800, LOSS_PANEL_HEIGHT, out.resolve("loss.png"));
  }

  /** Pixel height of each panel of loss.png ({@link LossPanels}). */
  public static final int LOSS_PANEL_HEIGHT = 260;

  private SafeTensors checkpointTensors() {
    if (memory != null && deviceAhead) {
      memory.download(slots.names, slots.cur);
      deviceAhead = false;
    }
    SafeTensors st = slots.toSafeTensors().withChecksums();
    st.putMetadata("step", Long.toString(step));
    st.putMetadata("rng_step", Long.toString(rngStep));
    st.putMetadata("seed", Long.toString(seed));
    st.putMetadata("model", spec.name());
    st.putMetadata("model_sha256", spec.sourceSha256());
    st.putMetadata("wganc_version", VERSION);
    for (var e : feed.sources().entrySet()) {
      if (e.getValue() instanceof DataFeed.IdxSource idx) {
        st.putMetadata("data." + e.getKey() + ".epoch", Long.toString(idx.epoch()));
        st.putMetadata("data." + e.getKey() + ".position", Integer.toString(idx.position()));
      }
    }
    return st;
  }

  private void checkpoint(boolean isFinal) throws IOException {
    Path dir = out.resolve(Checkpoints.DIR);
    Path file = dir.resolve(Checkpoints.fileName(step));
    checkpointTensors().write(file);
    Checkpoints.writeLatest(dir, file);
    // a recorded run keeps every checkpoint: a replay compares at each one on the way
    if (!options.recordInputs()) Checkpoints.prune(dir, 3, isFinal ? file.getFileName().toString() : null);
    lastCheckpoint = file;
    lastCheckpointStep = step;
  }

  private void writeManifest(String status, String error) throws IOException {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("model", spec.name());
    m.put("source_sha256", spec.sourceSha256());
    m.put("backend", model.backend());
    m.put("seed", seed);
    m.put("model_seed", spec.seed());
    Map<String, Object> o = new LinkedHashMap<>();
    o.put("steps", options.steps());
    o.put("seed", options.seed());
    o.put("sample_every", sampleEvery);
    o.put("checkpoint_every", checkpointEvery);
    o.put("resume", options.resume());
    o.put("data_dir", options.dataDir() == null ? null : options.dataDir().toString());
    o.put("threads", options.threads());
    o.put("record_inputs", options.recordInputs());
    m.put("options", o);
    m.put("schedule", schedule.stream().map(p -> p.name).toList());
    Map<String, Object> device = new LinkedHashMap<>();
    device.put("backend", model.backend());
    device.put("threads", Parallel.threads());
    device.put("cpus", Runtime.getRuntime().availableProcessors());
    device.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version"));
    device.put("arch", System.getProperty("os.arch"));
    if (memory != null) {
      device.put("bytes_to_device", memory.bytesToDevice());
      device.put("bytes_to_host", memory.bytesToHost());
    }
    m.put("device", device);
    Map<String, Object> java = new LinkedHashMap<>();
    java.put("version", System.getProperty("java.version"));
    java.put("vendor", System.getProperty("java.vendor"));
    java.put("vm", System.getProperty("java.vm.name"));
    m.put("java", java);
    m.put("wganc_version", VERSION);
    m.put("data", feed.descriptions());
    m.put("batch", spec.batch());
    m.put("start_time", startTime);
    m.put("end_time", status.equals("running") ? null : Instant.now().toString());
    m.put("status", status);
    if (error != null) m.put("error", error);
    m.put("steps_done", step);
    m.put("steps_total", total);
    m.put("rng_step", rngStep);
    m.put("resumed_from_step", resumedFrom);
    m.put("last_checkpoint", lastCheckpoint == null ? null : out.relativize(lastCheckpoint).toString());
    Manifest.write(out.resolve("manifest.json"), m);
  }

  private static String version() {
    String v = Trainer.class.getPackage() == null ? null : Trainer.class.getPackage().getImplementationVersion();
    return v != null ? v : "0.1.0-SNAPSHOT";
  }
}

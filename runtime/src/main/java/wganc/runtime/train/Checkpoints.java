package wganc.runtime.train;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import wganc.runtime.io.AtomicFiles;
import wganc.runtime.io.FormatException;
import wganc.runtime.io.SafeTensors;

/**
 * The checkpoint files of a run directory: {@code checkpoints/step-000500.safetensors}, {@code
 * checkpoints/latest} (a text file naming the newest one), and
 * {@code checkpoints/step-000012-before-nan.safetensors} when a non-finite loss stopped the run
 * (never picked for resuming). A checkpoint ({@link #of}) holds every parameter and state tensor by
 * name (PyTorch layouts, float32) and the metadata {@code step}, {@code rng_step}, {@code seed},
 * {@code model}, {@code model_sha256}, {@code wganc_version}, {@code data.<name>.epoch} and
 * {@code data.<name>.position} (idx sources), with SHA-256 checksums of every tensor and of the
 * header ({@link SafeTensors#withChecksums}); nothing time-dependent, so equal states give equal
 * bytes. {@link #save} keeps the 3 newest plus the final one and {@code step-000000} (the initial
 * state). A damaged checkpoint is refused when read: {@link #fallback} finds the one to go back to,
 * and {@link Resume#read} names it with the files to delete so that {@code --resume} takes it; one
 * written without checksums (an older wganc) is resumed from unverified.
 */
public final class Checkpoints {
  private Checkpoints() {}

  public static final String DIR = "checkpoints";
  public static final String LATEST = "latest";
  private static final Pattern NAME = Pattern.compile("step-(\\d+)\\.safetensors");

  /** {@code step-000500.safetensors}. */
  public static String fileName(long step) {
    return String.format(Locale.ROOT, "step-%06d.safetensors", step);
  }

  /** {@code step-000012-before-nan.safetensors}. */
  public static String beforeNanName(long step) {
    return String.format(Locale.ROOT, "step-%06d-before-nan.safetensors", step);
  }

  /** The step of a regular checkpoint's file name, or -1 for any other name. */
  public static long stepOf(Path file) {
    Matcher m = NAME.matcher(file.getFileName().toString());
    return m.matches() ? Long.parseLong(m.group(1)) : -1;
  }

  /** The regular checkpoints in {@code dir}, oldest first (an empty list when there is no such folder). */
  public static List<Path> list(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) return List.of();
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(p -> stepOf(p) >= 0 && Files.isRegularFile(p))
          .sorted(Comparator.comparingLong(Checkpoints::stepOf)).toList();
    }
  }

  /**
   * The newest checkpoint for {@code where}: a checkpoint file itself, a run directory (its
   * {@code checkpoints/}) or a checkpoints folder; null when there is none. The highest step wins;
   * the {@code latest} pointer is only a convenience for people and scripts.
   */
  public static Path newest(Path where) throws IOException {
    if (Files.isRegularFile(where)) return where;
    Path dir = Files.isDirectory(where.resolve(DIR)) ? where.resolve(DIR) : where;
    List<Path> all = list(dir);
    return all.isEmpty() ? null : all.getLast();
  }

  /**
   * Deletes all but the {@code keep} newest regular checkpoints, never touching {@code spare} (may be
   * null) nor the initial state {@code step-000000} (replays start from it).
   */
  public static void prune(Path dir, int keep, String spare) throws IOException {
    List<Path> all = new ArrayList<>(list(dir));
    all.removeIf(p -> p.getFileName().toString().equals(spare) || stepOf(p) == 0);
    for (int i = 0; i < all.size() - keep; i++) Files.deleteIfExists(all.get(i));
  }

  /**
   * What to go back to when {@code damaged} does not read back: {@code intact}, the newest regular
   * checkpoint of its folder before it (any other one when {@code damaged} is not a regular checkpoint)
   * that reads back, or null when none does; {@code alsoDamaged}, those after {@code intact} that do
   * not read back either, newest first.
   */
  record Fallback(Path intact, List<Path> alsoDamaged) {}

  /** Reads the checkpoints before {@code damaged}, newest first, until one reads back. */
  static Fallback fallback(Path damaged) throws IOException {
    long step = stepOf(damaged);
    Path dir = damaged.getParent() != null ? damaged.getParent() : Path.of("");
    List<Path> candidates = new ArrayList<>(list(dir));
    candidates.removeIf(p -> p.getFileName().equals(damaged.getFileName()) || (step >= 0 && stepOf(p) > step));
    List<Path> skipped = new ArrayList<>();
    for (Path p : candidates.reversed()) {
      try {
        SafeTensors.read(p);
        return new Fallback(p, skipped);
      } catch (FormatException e) {
        skipped.add(p);
      }
    }
    return new Fallback(null, skipped);
  }

  /** Points {@code checkpoints/latest} at {@code file}. */
  public static void writeLatest(Path dir, Path file) throws IOException {
    AtomicFiles.writeString(dir.resolve(LATEST), file.getFileName() + "\n");
  }

  /** The checkpoint of a training state: the tensors of {@code slots} (shared) and the metadata above. */
  static SafeTensors of(Slots slots, ModelSpec spec, long seed, long step, long rngStep, DataFeed feed) {
    SafeTensors st = slots.toSafeTensors().withChecksums();
    st.putMetadata("step", Long.toString(step));
    st.putMetadata("rng_step", Long.toString(rngStep));
    st.putMetadata("seed", Long.toString(seed));
    st.putMetadata("model", spec.name());
    st.putMetadata("model_sha256", spec.sourceSha256());
    st.putMetadata("wganc_version", Trainer.VERSION);
    for (var e : feed.sources().entrySet()) {
      if (e.getValue() instanceof DataFeed.IdxSource idx) {
        st.putMetadata("data." + e.getKey() + ".epoch", Long.toString(idx.epoch()));
        st.putMetadata("data." + e.getKey() + ".position", Integer.toString(idx.position()));
      }
    }
    return st;
  }

  /**
   * Writes {@code checkpoint} as step {@code step}'s file in {@code dir}, points {@code latest} at it
   * and, unless {@code keepAll} (a recorded run: a replay compares at every checkpoint on the way),
   * prunes all but the 3 newest, sparing this one when it is the final one; returns the file.
   */
  static Path save(Path dir, long step, SafeTensors checkpoint, boolean isFinal, boolean keepAll) throws IOException {
    Path file = dir.resolve(fileName(step));
    checkpoint.write(file);
    writeLatest(dir, file);
    if (!keepAll) prune(dir, 3, isFinal ? file.getFileName().toString() : null);
    return file;
  }

  /**
   * Writes {@code checkpoint}, the state before phase {@code phase} at {@code rngStep} turned a metric
   * non-finite in step {@code step + 1}, as {@link #beforeNanName}; returns the file, or null when it
   * could not be written (the error about the non-finite value matters more).
   */
  static Path saveBeforeNan(Path dir, long step, SafeTensors checkpoint, String phase, long rngStep) {
    Path file = dir.resolve(beforeNanName(step));
    checkpoint.putMetadata("failed_phase", phase);
    checkpoint.putMetadata("failed_rng_step", Long.toString(rngStep));
    try {
      checkpoint.write(file);
      return file;
    } catch (IOException e) {
      return null;
    }
  }

  /** A checkpoint read to resume from: {@code file} and what it holds. */
  record Resume(Path file, SafeTensors tensors) {
    /**
     * Reads {@code file}, the newest checkpoint; a damaged one is refused naming the newest intact
     * one and what to delete so that {@code --resume} takes it.
     */
    static Resume read(Path file) throws IOException {
      try {
        return new Resume(file, SafeTensors.read(file));
      } catch (FormatException e) {
        Fallback f = fallback(file);
        List<Path> delete = new ArrayList<>(List.of(file));
        delete.addAll(f.alsoDamaged());
        if (f.intact() == null) {
          throw new IOException(e.getMessage() + "; no earlier checkpoint beside it reads back intact"
              + (f.alsoDamaged().isEmpty() ? "" : " (" + and(f.alsoDamaged()) + " are damaged too)")
              + ", so this run cannot be resumed: train afresh into another --out folder", e);
        }
        throw new IOException(e.getMessage() + "; --resume continues from the newest checkpoint, so to resume from "
            + f.intact() + " (step " + stepOf(f.intact()) + "), the newest intact one, delete "
            + and(delete) + (delete.size() > 1 ? " (damaged too)" : "") + " and run again with --resume", e);
      }
    }

    /**
     * The seed the run continues with, the checkpoint's (else {@code option}, else the model's);
     * refuses a checkpoint of another model source or of a seed other than {@code option}.
     */
    long seed(ModelSpec spec, Long option) throws IOException {
      Map<String, String> md = tensors.metadata();
      String sha = md.get("model_sha256");
      if (sha != null && !sha.equals(spec.sourceSha256())) {
        throw new IOException(file + " was trained from a different model source (sha256 " + sha
            + ", this model " + spec.sourceSha256() + "); cannot resume it");
      }
      long given = option != null ? option : spec.seed();
      long seed = Long.parseLong(md.getOrDefault("seed", Long.toString(given)));
      if (option != null && seed != option) {
        throw new IOException(file + " was trained with seed " + seed + ", not " + option);
      }
      return seed;
    }

    void loadInto(Slots slots) throws IOException {
      slots.load(tensors, file.toString());
    }

    long step() {
      return Long.parseLong(tensors.metadata().get("step"));
    }

    long rngStep() {
      return Long.parseLong(tensors.metadata().get("rng_step"));
    }

    /** Moves every idx source of {@code feed} to the epoch and position the checkpoint left it at. */
    void seek(DataFeed feed) throws IOException {
      for (var e : feed.sources().entrySet()) {
        if (e.getValue() instanceof DataFeed.IdxSource idx) {
          String ep = tensors.metadata().get("data." + e.getKey() + ".epoch");
          String pos = tensors.metadata().get("data." + e.getKey() + ".position");
          if (ep == null || pos == null) throw new IOException(file + ": no data cursor for `" + e.getKey() + "`");
          idx.seek(Long.parseLong(ep), Integer.parseInt(pos));
        }
      }
    }

    boolean checksummed() {
      return tensors.checksummed();
    }

    /** {@code a}, {@code a and b}, {@code a, b and c}. */
    private static String and(List<Path> files) {
      List<String> s = files.stream().map(Path::toString).toList();
      return s.size() == 1 ? s.getFirst()
          : String.join(", ", s.subList(0, s.size() - 1)) + " and " + s.getLast();
    }
  }
}

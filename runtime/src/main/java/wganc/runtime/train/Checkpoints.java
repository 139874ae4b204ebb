package wganc.runtime.train;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import wganc.runtime.io.AtomicFiles;
import wganc.runtime.io.FormatException;
import wganc.runtime.io.SafeTensors;

/**
 * The checkpoint files of a run directory: {@code checkpoints/step-000500.safetensors} (every
 * parameter and state tensor by name, PyTorch layouts, float32; metadata as strings, see
 * {@link Trainer}), {@code checkpoints/latest} (a text file naming the newest one), and
 * {@code checkpoints/step-000012-before-nan.safetensors} when a non-finite loss stopped the run
 * (never picked for resuming). Checkpoints carry SHA-256 checksums of every tensor and of the
 * header ({@link SafeTensors#withChecksums}), so a damaged one is refused when read; {@link #fallback}
 * finds the checkpoint to go back to.
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
}

package wganc.runtime.train;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import wganc.runtime.io.AtomicFiles;

/**
 * The folder a run leaves, {@code --out}: {@code manifest.json} ({@link RunManifest}),
 * {@code metrics.csv} ({@link Metrics}), {@code coverage.csv} for toy mixtures ({@link ModeCoverage}),
 * {@code loss.png}, {@code samples/step-000500.png} and {@code samples.gif} ({@link Pictures}),
 * {@code checkpoints/} ({@link Checkpoints}) and, when inputs are recorded, {@code inputs/}
 * ({@link InputRecorder}). Every file is written atomically ({@link AtomicFiles}): a temporary file
 * beside it, then a rename. The temporary files of a run killed while writing are deleted when the
 * next run starts on the folder ({@link #removeLeftovers}), and a fresh run refuses a folder that
 * already holds checkpoints.
 */
record RunDirectory(Path root) {
  /** The run directory {@code root}, created when missing. */
  static RunDirectory create(Path root) throws IOException {
    Files.createDirectories(root);
    return new RunDirectory(root);
  }

  /** The file or folder {@code name} of the run directory. */
  Path resolve(String name) {
    return root.resolve(name);
  }

  Path checkpoints() {
    return root.resolve(Checkpoints.DIR);
  }

  /** Refuses to start a fresh run where another one left checkpoints. */
  void refuseExistingRun() throws IOException {
    List<Path> old = Checkpoints.list(checkpoints());
    if (!old.isEmpty()) {
      throw new IOException(root + " already holds a run (" + old.getLast().getFileName()
          + "); resume it or choose another output folder");
    }
  }

  /** Deletes the temporary files of a killed run from every folder training writes into; returns how many. */
  int removeLeftovers() throws IOException {
    int n = 0;
    for (String d : List.of("", Checkpoints.DIR, Pictures.SAMPLES, InputRecorder.DIR)) {
      n += AtomicFiles.removeLeftovers(root.resolve(d));
    }
    return n;
  }
}

package wganc.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import wganc.runtime.train.TrainerMain;

/**
 * A model whose penalty statement is infinite from the first step, trained by `wganc train` and by
 * the trainer jar of `wganc compile`, each in a child JVM so that everything written to stderr is
 * seen: the error names the statement's `file:line:col` and shows its line, as compile errors do,
 * and is printed once.
 */
class NonFiniteTrainingTest {
  @TempDir static Path dir;
  static Path model;
  /** The statement that is infinite: line 29 of the model, column 5. */
  static final String BAD = "    bad   = log(mean(D(real)) - mean(D(real)))";

  @BeforeAll
  static void writeModel() throws Exception {
    String text = Files.readString(Path.of("models/toy8-wgan-gp.wgan")).replace("dense 512", "dense 16")
        .replaceAll("train batch \\d+", "train batch 8")
        .replace("    loss  = -wdist + 10 * gp\n", BAD + "\n    loss  = -wdist + 10 * gp + bad\n");
    assertEquals(BAD, text.lines().toList().get(28), "the bad statement is on line 29");
    model = dir.resolve("blows-up.wgan");
    Files.writeString(model, text);
  }

  static void assertNamesTheStatementOnce(Exec e, Path run) {
    assertEquals(1, e.status(), e.err());
    String err = e.err();
    String first = "error: training stopped at step 1, phase `critic` (iteration 1 of 5): `bad` is -inf\n";
    assertEquals(1, err.split("error: training stopped", -1).length - 1, err);
    String expected = first
        + "  --> " + model + ":29:5\n"
        + "   |\n"
        + "29 | " + BAD + "\n"
        + "   |     " + "^".repeat(BAD.strip().length()) + " -inf at rngStep 0\n"
        + "   |\n"
        + "   = note: `loss` is -inf too\n"
        + "   = note: the state before this update is in " + run.resolve("checkpoints/step-000000-before-nan.safetensors")
        + "\n";
    assertTrue(err.contains(expected), err);
    assertTrue(err.contains("   = help: lower the learning rate"), err);
    assertFalse(err.contains("Exception"), err);
    assertTrue(Files.isRegularFile(run.resolve("checkpoints/step-000000-before-nan.safetensors")));
  }

  @Test
  void wgancTrainNamesTheStatementOnce() throws Exception {
    Path run = dir.resolve("train-run");
    List<String> cmd = new ArrayList<>(TrainerMain.javaCommand());
    cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), "wganc.cli.Main", "train", model.toString(),
        "--steps", "3", "--out", run.toString(), "--progress", "lines"));
    assertNamesTheStatementOnce(Exec.run(new ProcessBuilder(cmd), 300), run);
  }

  @Test
  void theTrainerJarNamesTheStatementOnce() throws Exception {
    Path out = dir.resolve("compiled");
    Cli c = Cli.run("compile", model.toString(), "-o", out.toString());
    assertEquals(0, c.status(), c.err());
    Path run = dir.resolve("jar-run");
    List<String> cmd = new ArrayList<>(TrainerMain.javaCommand());
    cmd.addAll(List.of("-jar", out.resolve("blows-up-trainer.jar").toString(), "--steps", "3", "--out", run.toString()));
    assertNamesTheStatementOnce(Exec.run(new ProcessBuilder(cmd), 300), run);
  }
}

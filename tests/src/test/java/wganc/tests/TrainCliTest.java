package wganc.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import wganc.cli.Main;

/** `wganc train` on an image model whose dataset is missing: a clear error and no run directory. */
class TrainCliTest {
  @TempDir Path dir;

  @Test
  void missingDatasetSaysWhereItLookedAndWritesNothing() throws Exception {
    Path model = dir.resolve("m.wgan");
    Files.writeString(model, """
        model missing_data
        data  real: image[1, 8, 8] = idx("no-such-images.gz") scaled to [-1, 1]
        noise z: [4] ~ normal(0, 1)
        network G(z: [4]) -> [1, 8, 8] { dense 64; reshape [1, 8, 8]; tanh }
        network D(x: [1, 8, 8]) -> [1] { flatten; dense 1 }
        train batch 4, steps 2 {
          critic D with rmsprop(lr=5e-5) { loss = mean(D(G(z))) - mean(D(real)) }
          generator G with rmsprop(lr=5e-5) { loss = -mean(D(G(z))) }
        }
        """);
    Path run = dir.resolve("run");
    Path empty = Files.createDirectory(dir.resolve("empty"));
    StringWriter err = new StringWriter();
    int code = Main.run(new String[] {"train", model.toString(), "--out", run.toString(), "--data-dir", empty.toString()},
        new PrintWriter(new StringWriter()), new PrintWriter(err));
    assertEquals(1, code, err.toString());
    String text = err.toString();
    assertTrue(text.contains("error: dataset file `no-such-images.gz` not found"), text);
    assertTrue(text.contains("--data-dir " + empty + ": "), text);
    assertTrue(text.contains("apt-get install dataset-fashion-mnist"), text);
    assertFalse(text.contains("Exception"), text);
    assertFalse(Files.exists(run), "a failed start leaves no run directory");
  }
}

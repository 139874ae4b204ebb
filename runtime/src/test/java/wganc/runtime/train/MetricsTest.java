package wganc.runtime.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import wganc.runtime.image.LossPlot;

class MetricsTest {
  /** FakeModel's training step bound to fresh slots and toy data. */
  static TrainingStep step() throws IOException {
    FakeModel model = new FakeModel();
    return TrainingStep.bind(model, Slots.init(model.spec(), 7), DataFeed.open(model.spec(), 7, (Path) null));
  }

  @Test
  void aColumnPerMetricOfEveryPhaseARowPerStepAndTheHistoryReadBackOnResume(@TempDir Path dir) throws IOException {
    RunDirectory run = RunDirectory.create(dir);
    TrainingStep training = step();
    Metrics metrics = new Metrics(training.phases);
    assertArrayEquals(new String[] {"critic.loss", "critic.gp", "critic.wasserstein", "generator.loss"}, metrics.names());
    metrics.open(run, null);
    metrics.startClock(0);
    assertFalse(metrics.hasHistory());
    for (long s = 1; s <= 3; s++) {
      assertEquals(-1, training.run(s, 3 * (s - 1), null));
      metrics.log(s);
    }
    metrics.close();
    List<String> csv = Files.readAllLines(dir.resolve("metrics.csv"));
    assertEquals("step,critic.loss,critic.gp,critic.wasserstein,generator.loss,steps_per_s", csv.getFirst());
    assertEquals(4, csv.size());
    String[] row = csv.get(3).split(",");
    assertEquals("3", row[0]);
    assertEquals(Float.toString((float) metrics.values()[1]), row[2], "a float in its shortest form");
    assertEquals(List.of("critic.loss", "critic.gp", "critic.wasserstein", "generator.loss", "steps_per_s"),
        List.copyOf(metrics.lastRow().keySet()));

    // resuming at step 2 drops row 3 and reads steps 1 and 2 back for the loss plot
    Metrics resumed = new Metrics(step().phases);
    resumed.open(run, 2L);
    resumed.loadHistory(run);
    resumed.close();
    assertEquals(3, Files.readAllLines(dir.resolve("metrics.csv")).size());
    assertTrue(resumed.hasHistory());
    List<LossPlot.Panel> panels = resumed.lossPanels();
    assertEquals(List.of(List.of("loss", "critic.loss", "generator.loss"), List.of("gp", "critic.gp"),
        List.of("wasserstein", "critic.wasserstein")), LossPanelsTest.names(panels));
    assertArrayEquals(new long[] {1, 2}, panels.getFirst().series().getFirst().steps());
    assertEquals(Double.parseDouble(csv.get(2).split(",")[1]), panels.getFirst().series().getFirst().values()[1]);
  }
}

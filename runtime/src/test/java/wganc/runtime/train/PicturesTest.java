package wganc.runtime.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PicturesTest {
  @Test
  void everySampleGridIsAFrameOfTheGifAlsoAfterResuming(@TempDir Path dir) throws IOException {
    FakeModel model = new FakeModel();
    Slots slots = Slots.init(model.spec(), 7);
    RunDirectory run = RunDirectory.create(dir);
    Metrics metrics = new Metrics(MetricsTest.step().phases);
    Pictures pictures = new Pictures(model, slots, 7, run, DataFeed.open(model.spec(), 7, (Path) null));
    assertEquals(-1, pictures.lastStep());
    pictures.write(0, metrics);
    assertTrue(Files.exists(dir.resolve("samples/step-000000.png")));
    assertFalse(Files.exists(dir.resolve("loss.png")), "no loss plot before a logged step");
    pictures.write(5, metrics);
    assertEquals(5, pictures.lastStep());
    assertEquals(2, TrainerTest.gifFrames(dir.resolve("samples.gif")));

    // a resumed run at step 5 starts the GIF with the grids up to there
    Files.writeString(dir.resolve("samples/step-000009.png"), "a later session's grid, not read back");
    Pictures again = new Pictures(model, slots, 7, run, DataFeed.open(model.spec(), 7, (Path) null));
    again.loadFrames(5);
    assertEquals(5, again.lastStep());
    again.write(10, metrics);
    assertEquals(3, TrainerTest.gifFrames(dir.resolve("samples.gif")));
  }

  @Test
  void onlyGridFileNamesHaveAStep() {
    assertEquals(500, Pictures.sampleStep(Path.of("samples/step-000500.png")));
    assertEquals(-1, Pictures.sampleStep(Path.of("samples/.step-000500.png.x1.tmp")));
    assertEquals(-1, Pictures.sampleStep(Path.of("samples.gif")));
  }
}

package wganc.runtime.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import wganc.runtime.io.SafeTensors;
import wganc.runtime.metrics.Manifest;

/**
 * The trainer with phases whose state stays on a device ({@link ResidentModel} around
 * {@link FakeModel}): the same checkpoints as host phases, bit-exact resume, the state before a
 * non-finite loss, and parameters moved only at the start and for checkpoints.
 */
class ResidentTrainingTest {
  @Test
  void residentPhasesTrainAsHostPhasesDo(@TempDir Path dir) throws IOException {
    new Trainer(new FakeModel(), TrainerTest.options(dir.resolve("host"), 12)).train();
    ResidentModel resident = new ResidentModel(new FakeModel());
    new Trainer(resident, TrainerTest.options(dir.resolve("device"), 12)).train();
    for (String ck : new String[] {"step-000004", "step-000008", "step-000012"}) {
      assertArrayEquals(Files.readAllBytes(dir.resolve("host/checkpoints/" + ck + ".safetensors")),
          Files.readAllBytes(dir.resolve("device/checkpoints/" + ck + ".safetensors")), ck);
    }
    // one upload; one download per checkpoint (steps 4, 8, 12); no parameter moved in between
    assertEquals(1, resident.memory.uploads);
    assertEquals(3, resident.memory.downloads);
    @SuppressWarnings("unchecked")
    Map<String, Object> device = (Map<String, Object>) Manifest.read(dir.resolve("device/manifest.json")).get("device");
    assertEquals(resident.memory.bytesToDevice(), ((Number) device.get("bytes_to_device")).longValue());
    assertEquals(resident.memory.bytesToHost(), ((Number) device.get("bytes_to_host")).longValue());
  }

  @Test
  void imageDataOnTheDeviceTrainsAsOnTheHostAndIsSentOnce(@TempDir Path dir) throws IOException {
    // 10 samples, 2 critic batches of 4 per step: a new epoch every step but the first
    new Trainer(new FakeModel(), TrainerTest.options(dir.resolve("host"), 8), TrainerTest.idxFeed()).train();
    ResidentModel resident = new ResidentModel(new FakeModel());
    new Trainer(resident, TrainerTest.options(dir.resolve("device"), 8), TrainerTest.idxFeed()).train();
    assertArrayEquals(Files.readAllBytes(dir.resolve("host/checkpoints/step-000008.safetensors")),
        Files.readAllBytes(dir.resolve("device/checkpoints/step-000008.safetensors")));
    ResidentModel four = new ResidentModel(new FakeModel());
    new Trainer(four, TrainerTest.options(dir.resolve("four"), 4), TrainerTest.idxFeed()).train();
    // steps 5-8 send 4 epochs' orders (10 ints) and the counters with them (7 ints: the cursor back to 0)
    assertEquals(4 * (4 * 10 + 4 * 7), resident.memory.bytesToDevice() - four.memory.bytesToDevice());
  }

  @Test
  void resumingWithImageDataOnTheDeviceIsBitExact(@TempDir Path dir) throws IOException {
    // the resumed run's device gets the images, then the order of the epoch the checkpoint's cursor is in
    new Trainer(new ResidentModel(new FakeModel()), TrainerTest.options(dir.resolve("full"), 8), TrainerTest.idxFeed())
        .train();
    new Trainer(new ResidentModel(new FakeModel()), TrainerTest.options(dir.resolve("half"), 3), TrainerTest.idxFeed())
        .train();
    new Trainer(new ResidentModel(new FakeModel()), TrainerTest.options(dir.resolve("half"), 8).withResume(true),
        TrainerTest.idxFeed()).train();
    assertArrayEquals(Files.readAllBytes(dir.resolve("full/checkpoints/step-000008.safetensors")),
        Files.readAllBytes(dir.resolve("half/checkpoints/step-000008.safetensors")));
  }

  @Test
  void resumingResidentPhasesIsBitExact(@TempDir Path dir) throws IOException {
    new Trainer(new ResidentModel(new FakeModel()), TrainerTest.options(dir.resolve("full"), 12)).train();
    new Trainer(new ResidentModel(new FakeModel()), TrainerTest.options(dir.resolve("half"), 6)).train();
    new Trainer(new ResidentModel(new FakeModel()), TrainerTest.options(dir.resolve("half"), 12).withResume(true)).train();
    assertArrayEquals(Files.readAllBytes(dir.resolve("full/checkpoints/step-000012.safetensors")),
        Files.readAllBytes(dir.resolve("half/checkpoints/step-000012.safetensors")));
  }

  @Test
  void aNonFiniteLossSavesTheStateBeforeTheUncommittedRun(@TempDir Path out) {
    FakeModel inner = new FakeModel();
    inner.nanAt = 7;
    NonFiniteLossException e = assertThrows(NonFiniteLossException.class,
        () -> new Trainer(new ResidentModel(inner), TrainerTest.options(out, 10)).train());
    assertTrue(e.getMessage().startsWith("training stopped at step 3, phase `critic` (iteration 2 of 2)"), e.getMessage());
    SafeTensors st;
    try {
      st = SafeTensors.read(e.checkpoint());
    } catch (IOException io) {
      throw new AssertionError(io);
    }
    assertArrayEquals(new float[] {6}, st.floats("critic.t"));
  }
}

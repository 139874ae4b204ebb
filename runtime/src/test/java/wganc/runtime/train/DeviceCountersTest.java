package wganc.runtime.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import wganc.runtime.data.Toy2d;

/** The host's account of the device counters: what goes to the device, and when. */
class DeviceCountersTest {
  static DataFeed feed() {
    Map<String, DataFeed.Source> s = new LinkedHashMap<>();
    s.put("points", new DataFeed.ToySource(Toy2d.wganGp8(), 0x1_0000_0002L, Streams.TOY));
    s.put("images", DataFeedTest.counting(10));
    return DataFeed.of(s);
  }

  static DeviceCounters attached() {
    DeviceCounters c = new DeviceCounters(new String[] {"points", "images"}, new int[] {2, 1});
    c.attach(feed());
    return c;
  }

  static int w(int d, int word) {
    return DeviceCounters.word(d, word);
  }

  @Test
  void attachingNamesEachSourcesModeAndAToySourcesKeyAndStream() {
    int[] want = attached().want();
    assertEquals(DeviceCounters.words(2), want.length);
    assertEquals(DeviceCounters.DRAW, want[w(0, DeviceCounters.MODE)]);
    assertEquals(2, want[w(0, DeviceCounters.SEED_LO)]);
    assertEquals(1, want[w(0, DeviceCounters.SEED_HI)]);
    assertEquals(Streams.TOY, want[w(0, DeviceCounters.STREAM)]);
    assertEquals(DeviceCounters.GATHER, want[w(1, DeviceCounters.MODE)]);
  }

  @Test
  void steadyTrainingSendsNothingAfterTheFirstRun() {
    DeviceCounters c = attached();
    long step = 0;
    for (int run = 0; run < 3; run++) {  // a step of three phases: two take 3 images, the last takes nothing
      boolean takes = run < 2;
      c.step(step);
      if (takes) assertNull(c.take(1, 3), "epoch 0's order went with the start");
      assertEquals(run == 0, c.changed(), "run " + run);
      if (c.changed()) c.sent();
      c.ran(new int[] {0, takes ? 3 : 0});
      step++;
    }
    assertArrayEquals(new int[] {3, 0}, new int[] {c.have()[0], c.have()[1]});
    assertEquals(6, c.have()[w(1, DeviceCounters.POSITION)]);
  }

  @Test
  void aNewEpochSendsItsOrderAndTheCursor() {
    DeviceCounters c = attached();
    c.step(0);
    c.take(1, 4);
    c.sent();
    c.ran(new int[] {0, 4});
    c.step(1);
    assertNull(c.take(1, 4));
    assertFalse(c.changed());
    c.ran(new int[] {0, 4});
    c.step(2);
    int[] order = c.take(1, 4);  // 2 left of 10: dropped, epoch 1
    assertArrayEquals(DataFeed.permutation(10, 3, Streams.SHUFFLE, 1), order);
    assertTrue(c.changed());
    assertEquals(0, c.want()[w(1, DeviceCounters.POSITION)]);
  }

  @Test
  void anotherStepThanTheDevicesIsSentAndCountsOnFromThere() {
    DeviceCounters c = attached();
    c.step(41);
    c.sent();
    c.ran(new int[2]);
    c.step(0);  // the sampling phase
    assertTrue(c.changed());
    c.sent();
    c.ran(new int[2]);
    c.step(42);
    assertTrue(c.changed());
    c.step(1);
    assertFalse(c.changed());
  }

  @Test
  void theStepCarriesIntoTheHighWord() {
    DeviceCounters c = attached();
    c.step(0xFFFF_FFFFL);
    c.sent();
    c.ran(new int[2]);
    c.step(0x1_0000_0000L);
    assertFalse(c.changed());
  }

  @Test
  void givenBatchesStartAtZeroAndNeedNoOrder() {
    DeviceCounters c = new DeviceCounters(new String[] {"images"}, new int[] {1});
    assertFalse(c.attached());
    assertEquals(DeviceCounters.GATHER, c.want()[w(0, DeviceCounters.MODE)]);
    c.step(5);
    assertNull(c.take(0, 3));
    c.sent();
    c.ran(new int[] {3});
    c.step(6);
    c.take(0, 3);
    assertTrue(c.changed(), "the device's cursor moved past the given batch");
    assertEquals(0, c.want()[w(0, DeviceCounters.POSITION)]);
  }

  @Test
  void aSourceOfOtherSamplesIsRefused() {
    DeviceCounters c = new DeviceCounters(new String[] {"images"}, new int[] {784});
    Map<String, DataFeed.Source> s = Map.of("images", DataFeedTest.counting(10));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> c.attach(DataFeed.of(s)));
    assertTrue(e.getMessage().contains("samples of 1 values; the model's have 784"), e.getMessage());
    assertNotNull(e);
  }
}

package wganc.runtime.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Mode coverage: the data themselves, a collapsed generator, and points off the modes. */
class Toy2dCoverageTest {
  @Test
  void realPointsCoverEveryModeWithTheGaussianShareInside() {
    Toy2d t = Toy2d.eightGaussians(2, 0.02);
    Toy2d.Coverage c = t.coverage(t.sample(20_000, 7, 1, 0), 20_000);
    assertEquals(8, c.modes());
    assertEquals(8, c.covered());
    assertEquals(0.06, c.radius(), 1e-12);
    // a 2-D standard normal lies within 3 of its mean with probability 1 - exp(-9/2) = 0.98889
    assertEquals(1 - Math.exp(-4.5), c.within(), 0.003);
  }

  @Test
  void aCollapsedGeneratorCoversOneMode() {
    Toy2d t = Toy2d.eightGaussians(2, 0.02);
    float[] xy = new float[2 * 100];
    for (int i = 0; i < 100; i++) {
      xy[2 * i] = 2f + (i % 2 == 0 ? 0.05f : -0.05f);   // inside 0.06 of the mode at (2, 0)
      xy[2 * i + 1] = 0f;
    }
    Toy2d.Coverage c = t.coverage(xy, 100);
    assertEquals(1, c.covered());
    assertEquals(1.0, c.within());
    assertTrue(c.summary().startsWith("1 of 8 modes covered; 100.0 % of 100 samples within 3 std (0.06"), c.summary());
  }

  @Test
  void strayPointsNeitherCountNorCover() {
    Toy2d t = Toy2d.twentyFiveGaussians(2, 0.05);
    float[] xy = new float[2 * 200];
    for (int i = 0; i < 200; i++) xy[2 * i] = xy[2 * i + 1] = 1f;    // between four centres
    xy[0] = -4f;                                                       // one point on the corner mode: < 1 %
    xy[1] = -4f;
    Toy2d.Coverage c = t.coverage(xy, 200);
    assertEquals(25, c.modes());
    assertEquals(0, c.covered());
    assertEquals(1 / 200.0, c.within(), 1e-12);
    assertNull(Toy2d.wganGpSwissRoll().coverage(xy, 200));
  }
}

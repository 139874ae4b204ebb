package wganc.runtime.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import org.junit.jupiter.api.Test;

class ProgressTest {
  static final String[] NAMES = {"critic.loss", "critic.gp", "generator.loss"};
  static final double[] VALUES = {-1.23456, 0.0123456, 0.5};

  /** The metric columns of models/toy8-wgan-gp.wgan (also toy8-dragan, mnist-wgan-gp*), as Trainer names them. */
  static final String[] TOY8 = {"critic.loss", "critic.gp", "critic.wdist", "generator.loss"};
  /** Values with long spellings: four significant digits, a small one in e-notation. */
  static final double[] TOY8_VALUES = {-1.23456, 0.0004131, 1.1278, -0.004557};
  /** The metric columns of models/mnist-wgan-clip.wgan: two critic half-batch phases, no estimate. */
  static final String[] CLIP = {"critic.real_half.loss", "critic.fake_half.loss", "generator.loss"};
  static final double[] CLIP_VALUES = {-0.01234, 0.009876, -0.0004567};
  static final int[] WIDTHS = {40, 60, 80, 120, 200};

  @Test
  void barLineWithRoom() {
    assertEquals("1234/5000 [#####...................]  24.7% critic.loss -1.235 critic.gp 0.01235"
            + " generator.loss 0.5000 | 12.3 steps/s ETA 5m06s",
        Progress.line(1234, 5000, NAMES, VALUES, 12.3, 200));
    assertEquals("  12/5000 [", Progress.line(12, 5000, NAMES, VALUES, 12.3, 200).substring(0, 11));
  }

  @Test
  void toy8AtEachWidth() {
    List<String> lines = new ArrayList<>();
    for (int w : WIDTHS) lines.add(Progress.line(1234, 5000, TOY8, TOY8_VALUES, 12.3, w));
    assertEquals(List.of(
        "1234/5000 c.wdist 1.128 ETA 5m06s",
        "1234/5000 c.loss -1.235 c.wdist 1.128 12.3/s ETA 5m06s",
        "1234/5000 c.loss -1.235 c.wdist 1.128 g.loss -0.004557 12.3/s ETA 5m06s",
        "1234/5000  24.7% c.loss -1.235 c.gp 4.131e-04 c.wdist 1.128 g.loss -0.004557 | 12.3 steps/s ETA 5m06s",
        "1234/5000 [#####...................]  24.7% critic.loss -1.235 critic.gp 4.131e-04 critic.wdist 1.128"
            + " generator.loss -0.004557 | 12.3 steps/s ETA 5m06s"), lines);
  }

  @Test
  void everyWidthFitsKeepsTheCountTheEtaAndTheEstimateAndRepeatsNothing() {
    for (String[][] set : new String[][][] {{TOY8}, {CLIP}, {NAMES}}) {
      String[] names = set[0];
      double[] values = names == TOY8 ? TOY8_VALUES : names == CLIP ? CLIP_VALUES : VALUES;
      for (int w = 20; w <= 240; w++) {
        String line = Progress.line(1234, 5000, names, values, 12.3, w);
        String where = w + " columns: " + line;
        assertTrue(line.length() <= w - 1, where);
        assertTrue(line.startsWith("1234/5000 "), where);
        if (w >= 30) assertTrue(line.endsWith(" ETA 5m06s"), where);
        if (w >= 40 && names == TOY8) assertTrue(line.contains("wdist 1.128"), where);
        if (w >= 60) assertTrue(line.contains("12.3/s") || line.contains("12.3 steps/s"), where);
        List<String> words = List.of(line.split(" +"));
        for (double v : values) {
          String n = Progress.number(v);
          assertTrue(words.indexOf(n) == words.lastIndexOf(n), where);
        }
        assertEquals(new HashSet<>(words).size(), words.size(), where);
      }
    }
  }

  @Test
  void mnistClipCutsNamesToInitialsBeforeItDropsALoss() {
    for (int w : WIDTHS) {
      String line = Progress.line(1234, 5000, CLIP, CLIP_VALUES, 12.3, w);
      assertTrue(line.length() <= w - 1, line);
      if (w == 40) assertEquals("1234/5000 c.rh.loss -0.01234 ETA 5m06s", line);
      if (w == 60) assertEquals("1234/5000 c.real_half.loss -0.01234 12.3/s ETA 5m06s", line);
      if (w == 80) assertEquals("1234/5000 c.real_half.loss -0.01234 c.fake_half.loss 0.009876 12.3/s ETA 5m06s", line);
      if (w >= 120) assertTrue(line.contains("real_half.loss -0.01234 c"), line);
      if (w >= 120) assertTrue(line.contains(".loss -4.567e-04"), line);
      if (w >= 200) assertTrue(line.contains("critic.real_half.loss"), line);
    }
  }

  @Test
  void initialsMakeRoomForASecondLoss() {
    assertEquals("1234/5000 c.rh.loss -0.01234 c.fh.loss 0.009876 12.3/s ETA 5m06s",
        Progress.line(1234, 5000, CLIP, CLIP_VALUES, 12.3, 70));
  }

  @Test
  void tinyWidthsAreCut() {
    assertEquals("1234/5000 E", Progress.line(1234, 5000, TOY8, TOY8_VALUES, 12.3, 12));
    assertEquals("", Progress.line(1234, 5000, TOY8, TOY8_VALUES, 12.3, 1));
    assertEquals("", Progress.line(1234, 5000, TOY8, TOY8_VALUES, 12.3, 0));
  }

  @Test
  void theEstimateFirstThenLossesThenTheRest() {
    assertArrayEquals(new int[] {2, 0, 3, 1}, Progress.importance(TOY8));
    assertArrayEquals(new int[] {0, 1, 2}, Progress.importance(CLIP));
  }

  @Test
  void shortNamesOnlyWhenUnambiguous() {
    assertSame(TOY8, Progress.shortNames(TOY8, 0));
    assertArrayEquals(new String[] {"c.loss", "c.gp", "c.wdist", "g.loss"}, Progress.shortNames(TOY8, 1));
    assertArrayEquals(new String[] {"c.loss", "c.gp", "c.wdist", "g.loss"}, Progress.shortNames(TOY8, 2));
    assertArrayEquals(new String[] {"c.real_half.loss", "c.fake_half.loss", "g.loss"}, Progress.shortNames(CLIP, 1));
    assertArrayEquals(new String[] {"c.rh.loss", "c.fh.loss", "g.loss"}, Progress.shortNames(CLIP, 2));
    String[] clash = {"critic.loss", "c.loss"};
    assertArrayEquals(clash, Progress.shortNames(clash, 1));
    String[] deeper = {"critic.real_half.loss", "critic.real_hot.loss"};
    assertArrayEquals(new String[] {"c.real_half.loss", "c.real_hot.loss"}, Progress.shortNames(deeper, 2));
    assertArrayEquals(new String[] {"loss"}, Progress.shortNames(new String[] {"loss"}, 2));
  }

  @Test
  void plainLineShowsEveryMetricOnce() {
    assertEquals("step 100/100 critic.loss -1.235 critic.gp 0.01235 generator.loss 0.5000 | 250 steps/s ETA 0s",
        Progress.plain(100, 100, NAMES, VALUES, 250));
    assertEquals("step 1/10 critic.loss -1.235 critic.gp 4.131e-04 critic.wdist 1.128 generator.loss -0.004557"
        + " | 2.0 s/step ETA 18s", Progress.plain(1, 10, TOY8, TOY8_VALUES, 0.5));
  }

  @Test
  void numbersRatesAndEtas() {
    assertEquals("nan", Progress.number(Double.NaN));
    assertEquals("-inf", Progress.number(Double.NEGATIVE_INFINITY));
    assertEquals("1.000e-05", Progress.number(1e-5));
    assertEquals("1.235e+05", Progress.number(123456));
    assertEquals("0", Progress.number(0));
    assertEquals("2.0 s/step", Progress.rate(0.5));
    assertEquals("- steps/s", Progress.rate(Double.NaN));
    assertEquals("2.0s/step", Progress.shortRate(0.5));
    assertEquals("250/s", Progress.shortRate(250));
    assertEquals("-/s", Progress.shortRate(Double.NaN));
    assertEquals("42s", Progress.eta(42, 1));
    assertEquals("2h03m", Progress.eta(7380, 1));
    assertEquals("-", Progress.eta(5, Double.NaN));
  }

  @Test
  void barRedrawsAtMostFourTimesASecondAndEndsItsLine() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    long[] now = {0};
    Progress p = Progress.bar(new PrintStream(bytes, true, StandardCharsets.UTF_8), () -> 80, () -> now[0]);
    String[] n = {"loss"};
    p.update(1, 10, n, new double[] {1}, 1);
    now[0] += 100_000_000;
    p.update(2, 10, n, new double[] {2}, 1);  // too soon: skipped
    now[0] += 200_000_000;
    p.update(3, 10, n, new double[] {3}, 1);
    p.update(10, 10, n, new double[] {4}, 1);  // the last step is always drawn
    String text = bytes.toString(StandardCharsets.UTF_8);
    assertEquals(3, text.chars().filter(c -> c == '\r').count());
    assertFalse(text.contains("loss 2.000"));
    assertTrue(text.endsWith("\n"));
  }

  @Test
  void eachRedrawFitsTheWidthItIsGivenThenAndWipesNoFurther() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    long[] now = {0};
    int[] columns = {200, 60, 80};
    int[] call = {0};
    Progress p = Progress.bar(new PrintStream(bytes, true, StandardCharsets.UTF_8), () -> columns[call[0]++],
        () -> now[0]);
    for (int s = 1; s <= 3; s++) {
      p.update(s * 1000L, 5000, TOY8, TOY8_VALUES, 12.3);
      now[0] += Progress.BAR_INTERVAL_NS;
    }
    String[] draws = bytes.toString(StandardCharsets.UTF_8).split("\r", -1);
    assertEquals(4, draws.length);
    assertEquals(Progress.line(1000, 5000, TOY8, TOY8_VALUES, 12.3, 200), draws[1]);
    assertEquals(59, draws[2].length());  // padded over the longer line, but only to 59
    assertTrue(draws[3].length() <= 79);
  }

  @Test
  void plainLinesEveryNSteps() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    Progress p = Progress.lines(new PrintStream(bytes, true, StandardCharsets.UTF_8), 5);
    for (int s = 1; s <= 12; s++) p.update(s, 12, new String[0], new double[0], Double.NaN);
    assertEquals("step 5/12 | - steps/s ETA -\nstep 10/12 | - steps/s ETA -\nstep 12/12 | - steps/s ETA 0s\n",
        bytes.toString(StandardCharsets.UTF_8).replace(System.lineSeparator(), "\n"));
  }
}

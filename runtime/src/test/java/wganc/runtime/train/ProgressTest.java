package wganc.runtime.train;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ProgressTest {
  static final String[] NAMES = {"critic.loss", "critic.gp", "generator.loss"};
  static final double[] VALUES = {-1.23456, 0.0123456, 0.5};

  @Test
  void barLine() {
    assertEquals("1234/5000 [#####...................]  24.7% critic.loss -1.235 critic.gp 0.01235"
            + " generator.loss 0.5000 W 1.230 | 12.3 steps/s ETA 5m06s",
        Progress.line(1234, 5000, NAMES, VALUES, 1.23, 12.3));
    assertEquals("  12/5000 [", Progress.line(12, 5000, NAMES, VALUES, 1.23, 12.3).substring(0, 11));
  }

  @Test
  void plainLineWithoutWassersteinEstimate() {
    assertEquals("step 100/100 critic.loss -1.235 critic.gp 0.01235 generator.loss 0.5000 | 250 steps/s ETA 0s",
        Progress.plain(100, 100, NAMES, VALUES, Double.NaN, 250));
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
    assertEquals("42s", Progress.eta(42, 1));
    assertEquals("2h03m", Progress.eta(7380, 1));
    assertEquals("-", Progress.eta(5, Double.NaN));
  }

  @Test
  void barRedrawsAtMostFourTimesASecondAndEndsItsLine() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    long[] now = {0};
    Progress p = new Progress(new PrintStream(bytes, true, StandardCharsets.UTF_8), true, 1, () -> now[0]);
    String[] n = {"loss"};
    p.update(1, 10, n, new double[] {1}, Double.NaN, 1);
    now[0] += 100_000_000;
    p.update(2, 10, n, new double[] {2}, Double.NaN, 1);  // too soon: skipped
    now[0] += 200_000_000;
    p.update(3, 10, n, new double[] {3}, Double.NaN, 1);
    p.update(10, 10, n, new double[] {4}, Double.NaN, 1);  // the last step is always drawn
    String text = bytes.toString(StandardCharsets.UTF_8);
    assertEquals(3, text.chars().filter(c -> c == '\r').count());
    assertEquals(false, text.contains("loss 2.000"));
    assertEquals(true, text.endsWith("\n"));
  }

  @Test
  void plainLinesEveryNSteps() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    Progress p = new Progress(new PrintStream(bytes, true, StandardCharsets.UTF_8), false, 5, () -> 0);
    for (int s = 1; s <= 12; s++) p.update(s, 12, new String[0], new double[0], Double.NaN, Double.NaN);
    assertEquals("step 5/12 | - steps/s ETA -\nstep 10/12 | - steps/s ETA -\nstep 12/12 | - steps/s ETA 0s\n",
        bytes.toString(StandardCharsets.UTF_8).replace(System.lineSeparator(), "\n"));
  }
}

package wganc.runtime.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

class StderrTerminalTest {
  @Test
  void aTestsStderrIsAPipeSoTheWidthIsColumnsOrEighty() {
    assertFalse(StderrTerminal.isTerminal());  // Surefire reads a forked JVM's stderr through a pipe
    Integer env = StderrTerminal.positive(System.getenv("COLUMNS"));
    assertEquals(env != null ? env : StderrTerminal.FALLBACK_COLUMNS, StderrTerminal.columns());
  }

  @Test
  void columnsMustBeAPositiveNumber() {
    assertEquals(132, StderrTerminal.positive(" 132"));
    assertNull(StderrTerminal.positive("0"));
    assertNull(StderrTerminal.positive("wide"));
    assertNull(StderrTerminal.positive(null));
  }
}

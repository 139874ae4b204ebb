package wganc.runtime.train;

import java.io.IOException;
import org.jline.terminal.spi.SystemStream;
import org.jline.terminal.spi.TerminalProvider;

/**
 * The terminal that stderr (where progress goes) is drawn on: whether there is one, and how wide it
 * is now. Java alone can only tell whether stdin and stdout are a terminal, and never its width, so
 * this asks JLine's FFM terminal provider, which calls {@code isatty} and {@code ioctl(TIOCGWINSZ)}
 * on file descriptor 2 (and the console API on Windows). Only those queries are made: no JLine
 * {@code Terminal} is opened, so the terminal's modes and the JVM's signal handlers stay as they
 * are. Where the provider cannot load (native access denied, say) stderr counts as no terminal.
 */
final class StderrTerminal {
  /** The width assumed when neither {@code COLUMNS} nor the terminal gives one. */
  static final int FALLBACK_COLUMNS = 80;

  private StderrTerminal() {}

  /** Loaded on first use, so that plain-line runs never touch native code. */
  private static final class Provider {
    static final TerminalProvider FFM = load();

    private static TerminalProvider load() {
      try {
        return TerminalProvider.load("ffm");
      } catch (IOException | RuntimeException | LinkageError e) {
        return null;
      }
    }
  }

  /** Whether stderr is a terminal. */
  static boolean isTerminal() {
    TerminalProvider p = Provider.FFM;
    try {
      return p != null && p.isSystemStream(SystemStream.Error);
    } catch (RuntimeException | LinkageError e) {
      return false;
    }
  }

  /**
   * The columns to draw in now: {@code COLUMNS} when it is set to a positive number (as Python's
   * {@code shutil.get_terminal_size} does), else the width of the terminal on stderr, else
   * {@link #FALLBACK_COLUMNS}. Asked before every redraw, so a resized window is followed.
   */
  static int columns() {
    Integer env = positive(System.getenv("COLUMNS"));
    if (env != null) return env;
    TerminalProvider p = Provider.FFM;
    if (p != null) {
      try {
        if (p.isSystemStream(SystemStream.Error)) {
          int w = p.systemStreamWidth(SystemStream.Error);
          if (w > 0) return w;
        }
      } catch (RuntimeException | LinkageError e) {
        // no width to be had (stderr closed or redirected meanwhile): use the fallback
      }
    }
    return FALLBACK_COLUMNS;
  }

  /** {@code text} as a positive int, else null. */
  static Integer positive(String text) {
    if (text == null) return null;
    try {
      int n = Integer.parseInt(text.strip());
      return n > 0 ? n : null;
    } catch (NumberFormatException e) {
      return null;
    }
  }
}

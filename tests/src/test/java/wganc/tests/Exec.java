package wganc.tests;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.util.concurrent.TimeUnit;

/** Runs a command in a child process and captures what it prints. */
record Exec(int status, String out, String err) {
  static Exec run(ProcessBuilder command, long timeoutS) throws IOException, InterruptedException {
    File out = File.createTempFile("wganc-exec", ".out");
    File err = File.createTempFile("wganc-exec", ".err");
    try {
      Process p = command.redirectOutput(out).redirectError(err).start();
      if (!p.waitFor(timeoutS, TimeUnit.SECONDS)) {
        p.destroyForcibly().waitFor();
        throw new AssertionError(command.command() + " ran longer than " + timeoutS + " s");
      }
      return new Exec(p.exitValue(), Files.readString(out.toPath()), Files.readString(err.toPath()));
    } finally {
      out.delete();
      err.delete();
    }
  }
}

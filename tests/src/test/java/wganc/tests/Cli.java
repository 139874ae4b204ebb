package wganc.tests;

import java.io.PrintWriter;
import java.io.StringWriter;

/** Runs the `wganc` command line in-process and captures what it prints. */
record Cli(int status, String out, String err) {
  static Cli run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int status = wganc.cli.Main.run(args, new PrintWriter(out), new PrintWriter(err));
    return new Cli(status, out.toString(), err.toString());
  }
}

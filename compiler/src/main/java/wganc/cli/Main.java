package wganc.cli;

import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The `wganc` command line. */
@Command(name = "wganc", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
    description = {
        "Compiles a .wgan model (a critic, a generator and their training rule) into a trainer.",
        "",
        "Start with `wganc check models/toy8-wgan-gp.wgan`; `wganc <command> --help` explains each command."},
    subcommands = {CheckCommand.class, TrainCommand.class, TraceCommand.class, GraphCommand.class, CompileCommand.class, BenchCommand.class, VerifyCommand.class, SampleCommand.class, TornadoCli.DevicesCommand.class, CommandLine.HelpCommand.class})
public final class Main implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /** Runs the CLI on a thread with a large stack, so deeply nested input cannot overflow it. */
  public static void main(String[] args) throws InterruptedException {
    int[] code = new int[1];
    Thread t = new Thread(null, () -> code[0] = run(args, new PrintWriter(System.out, true),
        new PrintWriter(System.err, true)), "wganc", 1L << 29);
    t.start();
    t.join();
    System.exit(code[0]);
  }

  /**
   * Descriptions are written as lines of source; joins the lines of each paragraph (paragraphs are
   * separated by an empty line) so that picocli wraps them to the terminal width as one text.
   */
  static void reflow(CommandLine cl) {
    var usage = cl.getCommandSpec().usageMessage();
    java.util.List<String> paragraphs = new java.util.ArrayList<>();
    StringBuilder current = new StringBuilder();
    for (String line : usage.description()) {
      if (line.isBlank()) {
        paragraphs.add(current.toString());
        paragraphs.add("");
        current.setLength(0);
      } else {
        if (!current.isEmpty()) current.append(' ');
        current.append(line.strip());
      }
    }
    if (!current.isEmpty()) paragraphs.add(current.toString());
    usage.description(paragraphs.toArray(String[]::new));
    cl.getSubcommands().values().forEach(Main::reflow);
  }

  public static int run(String[] args, PrintWriter out, PrintWriter err) {
    CommandLine cl = new CommandLine(new Main());
    reflow(cl);
    cl.setOut(out);
    cl.setErr(err);
    cl.setExecutionExceptionHandler((ex, cmd, parsed) -> {
      err.println("wganc: internal error: " + ex);
      err.println("please report it with the model file that caused it");
      return 70;
    });
    int code = cl.execute(args);
    out.flush();
    err.flush();
    return code;
  }

  static final class Version implements CommandLine.IVersionProvider {
    @Override public String[] getVersion() {
      String v = Main.class.getPackage().getImplementationVersion();
      return new String[] {"wganc " + (v == null ? "0.1.0-SNAPSHOT" : v)};
    }
  }
}

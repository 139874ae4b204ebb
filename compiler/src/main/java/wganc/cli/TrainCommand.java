package wganc.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import wganc.Frontend;

/** `wganc train MODEL`: checks the model; the training loop arrives with the JVM backend. */
@Command(name = "train", mixinStandardHelpOptions = true,
    description = {
        "Compiles a model in memory and trains it.",
        "",
        "A run leaves a directory with metrics, sample grids and checkpoints.",
        "This build checks the model and prints its summary; the JVM backend that runs the training",
        "step is not built yet, so the command stops there with exit status 3."})
final class TrainCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "MODEL", description = "the model file (.wgan)")
  Path model;

  @Option(names = "--steps", description = "generator steps (overrides the model's length)")
  Integer steps;

  @Option(names = "--out", description = "run directory (default: runs/<model>)")
  Path out;

  @Option(names = "--data-dir", description = "folder holding the dataset files named in the model")
  Path dataDir;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override public Integer call() {
    Frontend.Outcome o = Frontend.compile(model);
    if (!CheckCommand.report(o, spec.commandLine().getErr())) return 1;
    spec.commandLine().getOut().print(CheckCommand.summary(o.result().model()));
    spec.commandLine().getErr().println("wganc: " + model + " checks clean; training needs the JVM backend, which this "
        + "build does not have yet (it arrives with the backend); nothing was written");
    return 3;
  }
}

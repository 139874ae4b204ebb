package wganc.cli;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import wganc.compile.Checked;
import wganc.compile.Compiler;
import wganc.emit.Backend;
import wganc.emit.java.JvmBackend;
import wganc.runtime.train.CompiledModel;
import wganc.runtime.train.Sampler;

/** `wganc sample RUN_OR_CHECKPOINT --n N -o FILE`: samples from a trained generator. */
@Command(name = "sample", mixinStandardHelpOptions = true,
    description = {
        "Writes samples of a trained generator: a PNG grid, or raw samples as .npy.",
        "",
        "RUN is a run directory of `wganc train` (its newest checkpoint is used) or a checkpoint file",
        "inside one; the model is the run's model.wgan unless --model names another. .npy holds",
        "[N, C, H, W] floats for image models and [N, 2] for toy models, for evaluation in other tools.",
        "A checkpoint that fails its checksums is refused, naming the newest intact one before it.",
        "",
        "For toy mixtures (8 or 25 Gaussians) it also prints how the samples cover the modes: the modes",
        "with at least 1 %% of the samples within 3 standard deviations, and the share of samples within",
        "3 standard deviations of a mode.",
        "",
        "A conditional model (a generator with a class input, docs/language.md) samples class K for",
        "every sample with --class K; without it sample i is of class i mod the class count, and a PNG",
        "grid has one column per class."})
final class SampleCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "RUN_OR_CHECKPOINT", description = "a run directory or a checkpoint file")
  Path from;

  @Option(names = "--n", paramLabel = "N", description = "number of samples (default: ${DEFAULT-VALUE})", defaultValue = "64")
  int n;

  @Option(names = {"-o", "--output"}, required = true, paramLabel = "FILE", description = "FILE.png or FILE.npy")
  Path output;

  @Option(names = "--class", paramLabel = "K", description = "the class of every sample, for a conditional model")
  Integer klass;

  @Option(names = "--model", paramLabel = "MODEL", description = "the model file (default: the run's model.wgan)")
  Path model;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override public Integer call() throws Exception {
    PrintWriter err = spec.commandLine().getErr();
    String f = output.getFileName().toString();
    if (!f.endsWith(".png") && !f.endsWith(".npy")) {
      err.println("error: the output must end in .png or .npy, found `" + f + "`");
      return 2;
    }
    if (n < 1 || n > 100_000) {
      err.println("error: --n must be from 1 to 100000, found " + n);
      return 2;
    }
    if (klass != null && klass < 0) {
      err.println("error: --class must be a class number, 0 or more, found " + klass);
      return 2;
    }
    Path runDir = Files.isDirectory(from) ? from : from.toAbsolutePath().getParent().getParent();
    Path source = model != null ? model : runDir.resolve("model.wgan");
    if (!Files.exists(from)) {
      err.println("error: " + from + " does not exist; give a run directory of `wganc train` or a checkpoint in one");
      return 2;
    }
    if (!Files.exists(source)) {
      err.println("error: no model.wgan in " + runDir + "; pass the model file with --model");
      return 2;
    }
    Checked o = Compiler.check(source);
    if (!CheckCommand.report(o, err)) return 1;
    JvmBackend jvm = new JvmBackend();
    CompiledModel c = jvm.load(Compiler.compile(o, jvm.target(Backend.Options.defaults())), Backend.Options.defaults());
    Sampler s;
    try {
      s = Sampler.load(c, from, klass == null ? wganc.runtime.train.Samples.CYCLE : klass);
    } catch (java.io.IOException | IllegalArgumentException | IllegalStateException e) {
      err.println("error: " + e.getMessage());
      return 1;
    }
    float[] samples = s.write(n, output);
    err.println("wganc: wrote " + n + " samples from " + s.checkpoint() + " (step " + s.step() + ") to " + output);
    var coverage = s.coverage(samples, n);
    if (coverage != null) err.println("wganc: " + coverage.summary());
    return 0;
  }
}

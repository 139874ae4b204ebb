package wganc.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import wganc.Frontend;
import wganc.emit.Backend;
import wganc.emit.java.JvmBackend;
import wganc.runtime.io.AtomicFiles;

/** `wganc compile MODEL -o DIR`: the generated sources of every phase and the trainer's spec. */
@Command(name = "compile", mixinStandardHelpOptions = true,
    description = {
        "Compiles a model to Java sources: one class per update phase and one for sampling.",
        "",
        "Writes DIR/src/<package>/<Phase>.java (readable, deterministic, one static method per kernel,",
        "each with the source line it came from) and DIR/spec.json (data, noise, parameters and their",
        "initialisers, optimiser state, the update schedule)."})
final class CompileCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "MODEL", description = "the model file (.wgan)")
  Path model;

  @Option(names = {"-o", "--output"}, required = true, paramLabel = "DIR", description = "output folder")
  Path output;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override public Integer call() throws IOException {
    PrintWriter err = spec.commandLine().getErr();
    Frontend.Outcome o = Frontend.compile(model);
    if (!CheckCommand.report(o, err)) return 1;
    JvmBackend.Sources s = new JvmBackend().sources(o.result().model(), o.source().text(), Backend.Options.defaults());
    Files.createDirectories(output);
    for (var e : s.files().entrySet()) {
      Path file = output.resolve("src").resolve(e.getKey().replace('.', '/') + ".java");
      Files.createDirectories(file.getParent());
      AtomicFiles.writeString(file, e.getValue().toString());
    }
    ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    AtomicFiles.writeString(output.resolve("spec.json"), json.writeValueAsString(s.spec()) + "\n");
    err.println("wganc: wrote " + s.files().size() + " sources and spec.json to " + output);
    return 0;
  }
}

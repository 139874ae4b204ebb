package wganc.emit.tornado;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import wganc.emit.Backend.BackendException;

/**
 * An installed TornadoVM SDK: the folder {@code TORNADOVM_HOME} names (or {@code --tornado-home}),
 * holding {@code share/java/tornado/tornado-api-*.jar} (what generated kernels compile against) and
 * {@code tornado-argfile} (the JVM flags TornadoVM needs: JVMCI, its module path, native library path;
 * written by TornadoVM's installer, or expanded here from {@code tornado-argfile.template}).
 */
public record TornadoSdk(Path home, Path apiJar, Path argfile) {
  /** What to do when no SDK is found. */
  public static final String HOW_TO_INSTALL = String.join("\n",
      "the TornadoVM backend needs a TornadoVM SDK (OpenCL, PTX or SPIR-V backend) on this machine",
      "  = help: install TornadoVM (https://tornadovm.readthedocs.io/en/latest/installation.html), e.g.",
      "          `./bin/tornadovm-installer --jdk jdk25 --backend opencl`, then `source setvars.sh`",
      "  = help: point wganc at it with `export TORNADOVM_HOME=/path/to/tornadovm-sdk` or `--tornado-home DIR`;",
      "          `wganc devices` lists the devices it finds");

  /** The SDK at {@code override}, else at {@code $TORNADOVM_HOME} (or {@code -Dtornado.home}). */
  public static TornadoSdk find(Path override) throws BackendException {
    Path home = override;
    if (home == null) {
      String env = System.getenv("TORNADOVM_HOME");
      if (env == null || env.isBlank()) env = System.getProperty("tornado.home");
      if (env == null || env.isBlank()) throw new BackendException("no TornadoVM SDK found\n" + HOW_TO_INSTALL);
      home = Path.of(env);
    }
    if (!Files.isDirectory(home)) {
      throw new BackendException("TornadoVM SDK `" + home + "` does not exist\n" + HOW_TO_INSTALL);
    }
    Path jars = home.resolve("share/java/tornado");
    Path api;
    try (Stream<Path> s = Files.isDirectory(jars) ? Files.list(jars) : Stream.empty()) {
      api = s.filter(p -> p.getFileName().toString().matches("tornado-api-.*\\.jar")).sorted().findFirst().orElse(null);
    } catch (IOException e) {
      throw new BackendException("cannot read " + jars + ": " + e.getMessage(), e);
    }
    if (api == null) {
      throw new BackendException("`" + home + "` is not a TornadoVM SDK: no share/java/tornado/tornado-api-*.jar\n"
          + HOW_TO_INSTALL);
    }
    Path argfile = home.resolve("tornado-argfile");
    if (!Files.isRegularFile(argfile)) {
      Path template = home.resolve("tornado-argfile.template");
      if (!Files.isRegularFile(template)) {
        throw new BackendException("`" + home + "` has neither tornado-argfile nor tornado-argfile.template\n"
            + "  = help: run `tornado --generate-argfile` in the SDK once");
      }
      try {
        argfile = Files.createTempFile("wganc-tornado-", ".argfile");
        argfile.toFile().deleteOnExit();
        Files.writeString(argfile, Files.readString(template).replace("${TORNADOVM_HOME}", home.toString()));
      } catch (IOException e) {
        throw new BackendException("cannot expand " + template + ": " + e.getMessage(), e);
      }
    }
    return new TornadoSdk(home, api, argfile);
  }

  /** TornadoVM's bytecode buffer per task graph (its default, 4 KiB, holds about 30 tasks). */
  public static final int BYTECODE_SIZE = 1 << 20;

  /** The java launcher to run TornadoVM with: this JVM's (TornadoVM checks its JDK itself). */
  public static String java() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  /**
   * The command that runs {@code mainClass} from {@code classpath} on TornadoVM; {@code device} is
   * {@code B:D} (backend, device index as `wganc devices` lists them) or null for TornadoVM's default.
   */
  public List<String> command(String classpath, String device, String mainClass, List<String> args) {
    List<String> cmd = new ArrayList<>(List.of(java(), "@" + argfile, "-Dtornado.recover.bailout=False",
        "-Dtornado.tvm.maxbytecodesize=" + BYTECODE_SIZE,
        "--add-modules", "jdk.incubator.vector",
        "--enable-native-access=ALL-UNNAMED"));  // for JLine's FFM provider (StderrTerminal), without a warning
    if (device != null && !device.isBlank()) cmd.add("-Dwganc.tornado.device=" + device);
    if (Boolean.getBoolean(TornadoDeviceState.CUDA_GRAPH)) cmd.add("-D" + TornadoDeviceState.CUDA_GRAPH + "=true");
    cmd.addAll(List.of("-cp", classpath, mainClass));
    cmd.addAll(args);
    return cmd;
  }

  /** The device listing command (TornadoVM's own device query). */
  public List<String> devicesCommand() {
    return List.of(java(), "@" + argfile, "uk.ac.manchester.tornado.drivers.TornadoDeviceQuery", "verbose");
  }

  /** {@code B:D} as two non-negative integers, or null when malformed. */
  public static boolean validDevice(String device) {
    return device == null || device.matches("\\d+:\\d+");
  }
}

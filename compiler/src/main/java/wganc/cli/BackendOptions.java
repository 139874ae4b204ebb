package wganc.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import picocli.CommandLine.Option;
import wganc.emit.tornado.TornadoBackend;
import wganc.emit.tornado.TornadoSdk;

/** The backend options that `bench` and `verify` share: `--backend`, `--device`, `--[no-]tiles`, `--tornado-home`. */
final class BackendOptions {
  @Option(names = "--backend", description = "jvm (default); tornado needs a TornadoVM SDK", defaultValue = "jvm")
  String backend;

  @Option(names = "--device", paramLabel = "B:D", description = "TornadoVM device (backend:device, see `wganc devices`)")
  String device;

  @Option(names = "--tiles", negatable = true, defaultValue = "true", fallbackValue = "true",
      description = "TornadoVM: matmuls, convolutions (and their transposes) and large sums as KernelContext kernels over 16 x 16 local-memory tiles (the default); --no-tiles runs every kernel as one thread per output element")
  boolean tiles = true;

  @Option(names = "--tornado-home", paramLabel = "DIR", description = "TornadoVM SDK (default: $TORNADOVM_HOME)")
  Path tornadoHome;

  boolean tornado() {
    return backend.equals("tornado");
  }

  /** The TornadoVM backend these options name. */
  TornadoBackend tornadoBackend() {
    return TornadoCli.backend(tornadoHome, tiles);
  }

  /** False after printing what is wrong: an unknown backend, or with tornado a device that is not B:D. */
  boolean valid(PrintWriter err) {
    if (!backend.equals("jvm") && !tornado()) {
      err.println("error: unknown backend `" + backend + "`; use `jvm` or `tornado`");
      return false;
    }
    if (tornado() && !TornadoSdk.validDevice(device)) {
      err.println("error: --device must be B:D (backend and device index, as `wganc devices` lists them), found `"
          + device + "`");
      return false;
    }
    return true;
  }
}

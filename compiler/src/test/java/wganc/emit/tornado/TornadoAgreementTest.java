package wganc.emit.tornado;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import wganc.compile.Checked;
import wganc.compile.Compiled;
import wganc.compile.Compiler;
import wganc.emit.Agreement;
import wganc.emit.Backend;

/**
 * Every model's TornadoVM phases against the double-precision reference interpreter, as
 * {@code JvmAgreementTest} does for the JVM backend ({@link Agreement}: same inputs, same tolerances,
 * the heavy models narrowed by {@link wganc.lower.Shrunk}), on two steps of every update. The phases run in a child JVM started with the SDK's flags
 * ({@link DeviceReplay}, as `wganc verify --backend tornado` runs them); skipped without
 * {@code TORNADOVM_HOME}. {@code -Dwganc.tornado.models=REGEX} limits the models,
 * {@code -Dwganc.tornado.batch=B} gives every update at least B samples ({@link Agreement#atLeast};
 * 2: quick; 70: with {@code -Dwganc.tornado.tiles=blocked}, every large GEMM register-blocked, in
 * partial blocks too); the tiled kernels (the default) run, or with {@code -Dwganc.tornado.tiles=false}
 * every kernel as one thread per output element, or with {@code =blocked} the register-blocked ones;
 * {@code -Dwganc.tornado.jvm=true} runs the same kernels as plain Java in the child (an emitter bug
 * shows there too, a device bug does not).
 */
class TornadoAgreementTest {
  static final int STEPS = 2;

  static Stream<Path> models() throws IOException {
    String only = System.getProperty("wganc.tornado.models", ".*");
    return Files.list(Path.of("../models")).filter(p -> p.toString().endsWith(".wgan"))
        .filter(p -> p.getFileName().toString().matches(only)).sorted();
  }

  @ParameterizedTest
  @MethodSource("models")
  void tornadoKernelsAgreeWithTheInterpreter(Path path, @TempDir Path dir) throws Exception {
    sdkOrSkip();
    String text = Files.readString(path);
    // the heavy models run narrowed, as in JvmAgreementTest (every layer, kernel and spatial size kept)
    if (wganc.lower.Shrunk.HEAVY.contains(path.getFileName().toString())) text = wganc.lower.Shrunk.shrink(text);
    Checked o = Compiler.check(path.toString(), text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    assertTrue(o.ok(), () -> o.diagnostics().toString());
    int batch = Integer.parseInt(System.getProperty("wganc.tornado.batch", "2"));
    // the same kernels as plain Java in the child: separates emitter bugs from device ones
    List<String> flags = Boolean.getBoolean("wganc.tornado.jvm") ? List.of("-Dwganc.tornado.jvm=true") : List.of();
    TornadoBackend backend = new TornadoBackend();
    Compiled compiled = Compiler.compile(Agreement.atLeast(o.model(), batch), text, backend.target(DeviceReplay.OPTIONS));
    List<String> failures = DeviceReplay.check(backend, compiled, null, flags, STEPS, dir, line -> {}).stream()
        .filter(c -> !c.ok()).map(Agreement.Check::failure).toList();
    assertTrue(failures.isEmpty(), () -> failures.size() + " tensors disagree:\n" + String.join("\n", failures));
  }

  /** The SDK of {@code TORNADOVM_HOME}; without one, the calling test is skipped. */
  static TornadoSdk sdkOrSkip() {
    try {
      return TornadoSdk.find(null);
    } catch (Backend.BackendException e) {
      Assumptions.abort("no TornadoVM SDK (TORNADOVM_HOME): " + e.getMessage().lines().findFirst().orElse(""));
      throw new AssertionError(e);
    }
  }
}

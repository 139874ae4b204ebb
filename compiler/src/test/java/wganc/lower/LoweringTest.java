package wganc.lower;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import wganc.compile.Checked;
import wganc.compile.Compiler;
import wganc.ir.IrVerifier;
import wganc.ir.Node;
import wganc.passes.Pipeline;

/** Every model in models/ lowers to verified IR with finite constants in every draw mode, and the passes keep it valid. */
class LoweringTest {
  static Stream<Path> models() throws IOException {
    return Files.list(Path.of("../models")).filter(p -> p.toString().endsWith(".wgan")).sorted();
  }

  @ParameterizedTest
  @MethodSource("models")
  void everyPhaseLowersToVerifiedIr(Path model) {
    Checked o = Compiler.check(model);
    assertTrue(o.ok(), () -> model + " does not check: " + o.diagnostics());
    for (Lowering.Draws draws : Lowering.Draws.values()) {
      List<Lowering.PhaseGraph> phases = Lowering.lower(o.result().model(), draws);
      assertEquals(o.result().model().training().updates().stream().mapToInt(u -> u.phases().size()).sum(), phases.size());
      for (Lowering.PhaseGraph p : phases) {
        IrVerifier.verify(p.graph());
        assertTrue(p.graph().outputs().containsKey("loss"));
        // device compilers built for fast math (TornadoVM's OpenCL) assume infinities away: Adam with
        // beta1=0 once lowered 1 - 0^t as 1 - exp(t * log 0) and trained garbage on PoCL
        for (var b : p.graph().bindings()) {
          if (b.node() instanceof Node.Constant c) {
            assertTrue(Double.isFinite(c.value()), p.name() + " has the constant " + c.value());
          }
        }
        for (String trained : p.update().trains()) {
          assertTrue(p.graph().outputs().containsKey("grad." + trained), "no gradient for " + trained);
          assertTrue(p.graph().outputs().containsKey(trained), "no new value for " + trained);
        }
        boolean hasRandom = p.graph().bindings().stream().anyMatch(b -> b.node() instanceof Node.Apply a
            && a.op().opName().startsWith("random"));
        boolean drawInputs = p.graph().bindings().stream().anyMatch(b -> b.node() instanceof Node.Input i
            && !i.name().equals("rng_step") && o.result().model().data().stream().noneMatch(d -> d.name().equals(i.name())));
        if (draws != Lowering.Draws.INPUTS) assertTrue(!drawInputs, p.name() + " reads draws as inputs");
        else assertTrue(!hasRandom, p.name() + " draws random numbers in INPUTS mode");
        if (draws == Lowering.Draws.RECORDED) {
          // every draw is also an output under the name it has as an input in INPUTS mode
          Lowering.PhaseGraph traced = Lowering.lower(o.result().model(), Lowering.Draws.INPUTS).stream()
              .filter(x -> x.name().equals(p.name())).findFirst().orElseThrow();
          for (var b : traced.graph().bindings()) {
            if (b.node() instanceof Node.Input i && !i.name().equals("rng_step")
                && o.result().model().data().stream().noneMatch(d -> d.name().equals(i.name()))) {
              assertTrue(p.graph().outputs().containsKey(i.name()), p.name() + " does not output its draw " + i.name());
              assertEquals(b.value().type(), p.graph().outputs().get(i.name()).type(), i.name());
            }
          }
        }
        Pipeline.Result r = Pipeline.standard().run(p.graph());
        assertTrue(r.graph().size() <= p.graph().size());
      }
    }
  }

}

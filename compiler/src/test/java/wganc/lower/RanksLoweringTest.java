package wganc.lower;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import wganc.check.Model;
import wganc.compile.Checked;
import wganc.compile.Compiled;
import wganc.compile.Compiler;
import wganc.emit.Agreement;
import wganc.emit.Backend;
import wganc.emit.java.JvmBackend;
import wganc.ir.Graph;
import wganc.ir.Node;
import wganc.ops.AllSum;

/**
 * Graphs compiled for several ranks (docs/distributed.md): where the {@code all_sum}s are, the
 * uneven split's error, and, run in one process (where {@code all_sum} is the concatenation and a
 * sharded draw is rank 0's rows), the JVM kernels agree with the interpreter on three steps.
 */
class RanksLoweringTest {
  static Model model(String file, int batch) throws Exception {
    Checked o = Compiler.check(Path.of("../models", file));
    assertTrue(o.ok(), () -> o.diagnostics().toString());
    return o.result().model().withBatch(batch);
  }

  static long allSums(Graph g) {
    return g.bindings().stream().filter(b -> b.node() instanceof Node.Apply a && a.op() == AllSum.INSTANCE).count();
  }

  @Test
  void oneRankIsTheSingleProcessGraph() throws Exception {
    Model m = model("mnist-wgan-gp-paper.wgan", 4);
    List<Lowering.PhaseGraph> one = Lowering.lower(m, Lowering.Draws.RANDOM);
    List<Lowering.PhaseGraph> ranks1 = Lowering.lower(m, Lowering.Draws.RANDOM, Ranks.ONE);
    for (int i = 0; i < one.size(); i++) {
      assertEquals(wganc.ir.IrPrinter.print(one.get(i).graph()), wganc.ir.IrPrinter.print(ranks1.get(i).graph()));
      assertEquals(0, allSums(one.get(i).graph()));
    }
  }

  @Test
  void gradientsAndStatementsAreSummedOnceAndBatchnormStatisticsAreSynchronised() throws Exception {
    for (Lowering.PhaseGraph p : Lowering.lower(model("toy8-wgan-gp.wgan", 8), Lowering.Draws.RANDOM, new Ranks(2, true))) {
      assertEquals(1, allSums(p.graph()), p.name());
    }
    var mnist = Lowering.lower(model("mnist-wgan-gp-paper.wgan", 8), Lowering.Draws.RANDOM, new Ranks(2, true));
    var perRank = Lowering.lower(model("mnist-wgan-gp-paper.wgan", 8), Lowering.Draws.RANDOM, new Ranks(2, false));
    for (int i = 0; i < mnist.size(); i++) {
      // the generator's 4 batchnorms: mean and variance in the forward pass, and in the backward pass
      // where the update differentiates through them; per rank, only the one flat sum
      assertTrue(allSums(mnist.get(i).graph()) > 1, mnist.get(i).name());
      assertEquals(1, allSums(perRank.get(i).graph()), perRank.get(i).name());
    }
  }

  @Test
  void anUnevenSplitSaysWhichBatchesWork() throws Exception {
    var e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
        () -> Lowering.lower(model("toy8-wgan-gp.wgan", 10), Lowering.Draws.RANDOM, new Ranks(4, true)));
    assertEquals("batch 10 does not split evenly over 4 ranks; use a multiple of 4 (8 or 12)", e.getMessage());
  }

  @ParameterizedTest
  @ValueSource(strings = {"toy8-wgan-gp.wgan"})
  void kernelsForTwoRanksAgreeWithTheInterpreterInOneProcess(String file) throws Exception {
    Model m = model(file, 4);
    String text = Files.readString(Path.of("../models", file));
    JvmBackend jvm = new JvmBackend();
    Compiled compiled = Compiler.compile(m, text, jvm.target(new Backend.Options(3)).withRanks(new Ranks(2, true)));
    List<String> failures = Agreement.check(compiled, jvm.load(compiled, new Backend.Options(3)), 3, line -> {}).stream()
        .filter(c -> !c.ok()).map(Agreement.Check::failure).toList();
    assertTrue(failures.isEmpty(), () -> failures.size() + " tensors disagree:\n" + String.join("\n", failures));
  }
}

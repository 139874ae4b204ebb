package wganc.emit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import wganc.compile.Checked;
import wganc.compile.Compiled;
import wganc.compile.Compiler;
import wganc.check.Model;
import wganc.emit.java.JvmBackend;
import wganc.runtime.train.CompiledModel;

/** The closeness rule, and that a wrong result fails the check (so that agreement means something). */
class AgreementTest {
  static final double[] REF = {1, -2, 3, 0.5};

  static float[] floats(double... x) {
    float[] f = new float[x.length];
    for (int i = 0; i < x.length; i++) f[i] = (float) x[i];
    return f;
  }

  @Test
  void roundingPassesAndAWrongValueFails() {
    Agreement.Check same = Agreement.close("critic", 0, "loss", REF, floats(REF), Agreement.VALUES, "jvm");
    assertTrue(same.ok());
    assertEquals(0, same.error(), 1e-7);
    assertEquals(Agreement.VALUES, same.bound());

    Agreement.Check wrong = Agreement.close("critic", 1, "loss", REF, floats(1, -2, 3.01, 0.5), Agreement.VALUES, "jvm");
    assertFalse(wrong.ok());
    assertTrue(wrong.error() > wrong.bound() && wrong.share() > 1, wrong.toString());
    assertTrue(wrong.failure().startsWith("critic step 1 `loss`: ||jvm - ref|| = "), wrong.failure());
    // the same error is within the looser bound of gradients and updates
    assertTrue(Agreement.close("critic", 1, "grad.w", REF, floats(1, -2, 3.01, 0.5), Agreement.DERIVED, "jvm").ok());
  }

  @Test
  void theAbsoluteFloorCoversCancellingZerosAndNonFiniteAlwaysFails() {
    double[] zero = {0, 0};
    assertTrue(Agreement.close("c", 0, "grad.b", zero, floats(1e-5, -1e-5), Agreement.DERIVED, "jvm").ok());
    assertFalse(Agreement.close("c", 0, "grad.b", zero, floats(1e-4, 0), Agreement.DERIVED, "jvm").ok());
    Agreement.Check nan = Agreement.close("c", 0, "x", REF, floats(1, Double.NaN, 3, 0.5), Agreement.DERIVED, "tornado");
    assertFalse(nan.ok());
    assertEquals("c step 0 `x`[1] is NaN", nan.failure());
    assertTrue(Double.isInfinite(nan.share()));
  }

  /** toy8's JVM kernels agree; perturbing one reference value by 1 % makes exactly that tensor fail. */
  @Test
  void aPerturbedReferenceFailsThatTensorAlone() throws Exception {
    String text = Files.readString(Path.of("../models/toy8-wgan-gp.wgan"));
    Checked o = Compiler.check("toy8-wgan-gp.wgan", text.getBytes(StandardCharsets.UTF_8));
    assertTrue(o.ok(), () -> o.diagnostics().toString());
    Model model = o.result().model().withBatch(2);
    JvmBackend jvm = new JvmBackend();
    Compiled compiled = Compiler.compile(model, text, jvm.target(new Backend.Options(3)));
    CompiledModel c = jvm.load(compiled, new Backend.Options(3));
    List<Agreement.Run> runs = Agreement.reference(compiled, Agreement.Io.of(c), 1);
    List<float[][]> actual = Agreement.run(c, runs);
    assertTrue(Agreement.compare(runs, actual, "jvm").stream().allMatch(Agreement.Check::ok));

    Agreement.Run critic = runs.getFirst();
    int loss = critic.writes().indexOf("loss");
    List<double[]> expected = new ArrayList<>(critic.expected());
    double[] perturbed = expected.get(loss).clone();
    perturbed[0] = perturbed[0] * 1.01 + 1e-3;
    expected.set(loss, perturbed);
    runs = new ArrayList<>(runs);
    runs.set(0, new Agreement.Run(critic.phase(), critic.step(), critic.rngStep(), critic.reads(), critic.writes(), expected,
        critic.relative()));
    List<Agreement.Check> failures = Agreement.compare(runs, actual, "jvm").stream().filter(x -> !x.ok()).toList();
    assertEquals(1, failures.size(), failures.toString());
    assertEquals("loss", failures.getFirst().name());
    assertTrue(failures.getFirst().failure().startsWith("critic step 0 `loss`: ||jvm - ref||"), failures.getFirst().failure());
  }

  @Test
  void atLeastGivesTheSmallestUpdateTheBatch() throws Exception {
    Path clip = Path.of("../models/mnist-wgan-clip.wgan");
    Checked o = Compiler.check(clip.toString(), Files.readAllBytes(clip));
    assertTrue(o.ok(), () -> o.diagnostics().toString());
    Model small = Agreement.atLeast(o.result().model(), 2);
    assertEquals(4, small.training().batch());  // two half-batch updates of 2 each
    for (Model.Update u : small.training().updates()) {
      for (Model.Phase p : u.phases()) assertTrue(p.batch() >= 2, u.name() + " " + p.batch());
    }
  }
}

package wganc.runtime.train;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class NonFiniteLossExceptionTest {
  static final ModelSpec.Origin GP = new ModelSpec.Origin("m.wgan", 7, 5, 8, "    gp = log(0 * x)");
  static final ModelSpec.Origin LOSS = new ModelSpec.Origin("m.wgan", 8, 5, 16, "    loss = -w + gp");

  @Test
  void theStatementThatComesFirstInTheSourceIsNamedAndTheOthersNoted() {
    var loss = new NonFiniteLossException.Bad("loss", "-inf", LOSS);
    var gp = new NonFiniteLossException.Bad("gp", "inf", GP);
    NonFiniteLossException e = NonFiniteLossException.of(2, "critic", 1, 1, 5, List.of(loss, gp),
        Path.of("run/checkpoints/step-000001-before-nan.safetensors"), null, -1);
    assertEquals("gp", e.metric());
    assertEquals("training stopped at step 2, phase `critic`: `gp` is inf at m.wgan:7:5 (rngStep 5); the state"
        + " before it is in run/checkpoints/step-000001-before-nan.safetensors", e.getMessage());
    assertEquals("""
        error: training stopped at step 2, phase `critic`: `gp` is inf
         --> m.wgan:7:5
          |
        7 |     gp = log(0 * x)
          |     ^^^^^^^^ inf at rngStep 5
          |
          = note: `loss` is -inf too
          = note: the state before this update is in run/checkpoints/step-000001-before-nan.safetensors
          = help: lower the learning rate, or keep this statement finite (a `log` or `/` of zero is infinite), then \
        train again into a new `--out` folder
        """, e.diagnostic());
  }

  @Test
  void withoutOriginsTheFirstListedIsNamedAndTheErrorHasNoSourceLine() {
    var w = new NonFiniteLossException.Bad("wdist", "nan", null);
    var loss = new NonFiniteLossException.Bad("loss", "nan", null);
    NonFiniteLossException e = NonFiniteLossException.of(1, "critic", 2, 5, 1, List.of(loss, w), null,
        Path.of("run/checkpoints/step-000000.safetensors"), 0);
    assertEquals("loss", e.metric());
    assertEquals("""
        error: training stopped at step 1, phase `critic` (iteration 2 of 5): `loss` is nan
          = note: `wdist` is nan too
          = note: the state before this update could not be saved
          = note: the last checkpoint is run/checkpoints/step-000000.safetensors (step 0)
          = help: lower the learning rate, or keep this statement finite (a `log` or `/` of zero is infinite), then \
        train again into a new `--out` folder
        """, e.diagnostic());
    // an origin wins over an earlier entry without one
    assertEquals("wdist", NonFiniteLossException.first(List.of(loss, new NonFiniteLossException.Bad("wdist", "nan", GP)))
        .metric());
  }
}

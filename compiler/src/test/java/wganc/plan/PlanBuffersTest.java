package wganc.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.List;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** Buffers are reused after their last use; aliases, outputs and epilogues are respected. */
class PlanBuffersTest {
  static Plan planned(Plan in) {
    Plan out = Plans.run(PlanBuffers::run, in);
    assertSame(out, PlanBuffers.run(out));
    return out;
  }

  static String slots(Plan p) {
    return new TreeMap<>(p.buffers().slot()).toString();
  }

  /** Each product's buffer is free once the next product has read it; the output gets its own. */
  @Test
  void aBufferIsReusedAfterItsLastRead() {
    Plan out = planned(Plans.fused("""
        %0 : f32[4,4] = input "x"
        %1 : f32[4,4] = matmul %0 %0 {ta=false, tb=false}
        %2 : f32[4,4] = matmul %1 %1 {ta=false, tb=false}
        %3 : f32[4,4] = matmul %2 %2 {ta=false, tb=false}
        %4 : f32[4,4] = matmul %3 %3 {ta=false, tb=false}
        output "y" = %4
        """));
    assertEquals("{1=0, 2=1, 3=0, 4=2}", slots(out));
    assertEquals(List.of(16, 16, 16), out.buffers().sizes());
  }

  /** %1 is read only through its reshape %2, so it stays live until %5: %3 may not take its buffer. */
  @Test
  void aReshapeSharesAndKeepsItsOwnersBuffer() {
    Plan out = planned(Plans.fused("""
        %0 : f32[4,4] = input "x"
        %1 : f32[4,4] = matmul %0 %0 {ta=false, tb=false}
        %2 : f32[16] = reshape %1 {shape=[16]}
        %3 : f32[4,4] = matmul %0 %0 {ta=false, tb=false}
        %4 : f32[16] = reshape %3 {shape=[16]}
        %5 : f32[16] = add %2 %4
        output "y" = %5
        """));
    assertEquals("{1=0, 2=0, 3=1, 4=1, 5=2}", slots(out));
  }

  /** The epilogue runs in place: the product and the activation share one buffer. */
  @Test
  void anEpilogueWritesOverItsContraction() {
    Plan out = planned(FuseEpilogues.run(Plans.fused("""
        %0 : f32[8,32] = input "x"
        %1 : f32[32,16] = parameter "w"
        %2 : f32[8,16] = matmul %0 %1 {ta=false, tb=false}
        %3 : f32[8,16] = tanh %2
        output "y" = %3
        """)));
    assertEquals("{2=0, 3=0}", slots(out));
    assertEquals(List.of(128), out.buffers().sizes());
  }

  @Test
  void noKernelsNeedNoBuffers() {
    Plan in = Plans.of(Plans.NOTHING);
    Plans.assertUnchanged(PlanBuffers::run, in);
  }
}

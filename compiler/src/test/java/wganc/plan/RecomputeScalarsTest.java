package wganc.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import org.junit.jupiter.api.Test;

/** One-element values of the phase's reads are recomputed in the loops that read them. */
class RecomputeScalarsTest {
  /** Adam's bias correction {@code 1 - exp(-0.1 t)}, through a reshape and a broadcast, into the update. */
  static final String CORRECTION = """
      %0 : f32[] = parameter "t"
      %1 : f32[] = constant -0.1
      %2 : f32[] = mul %0 %1
      %3 : f32[] = exp %2
      %4 : f32[] = constant 1.0
      %5 : f32[] = sub %4 %3
      %6 : f32[1] = reshape %5 {shape=[1]}
      %7 : f32[64] = broadcast_to %6 {shape=[64]}
      %8 : f32[64] = input "g"
      %9 : f32[64] = div %8 %7
      %10 : f32[] = constant 1.0
      %11 : f32[] = add %0 %10
      output "p" = %9
      output "t" = %11
      """;

  @Test
  void aScalarOfReadsIsReplicatedIntoItsLoops() {
    Plan out = Plans.run(RecomputeScalars::run, Plans.of(CORRECTION));
    assertEquals("""
        %2 replicated, under broadcast
        %3 replicated, under broadcast
        %5 replicated, under broadcast
        %6 replicated, under broadcast
        """, Plans.inlined(out));
    assertSame(out, RecomputeScalars.run(out));
    // fusion keeps these decisions and inlines the broadcast: one loop computes the correction per element
    Plan fused = FormKernels.run(InlineElementwise.run(out));
    assertEquals("""
        %9 : f32[64] = loop div(%8, sub(1, exp(mul(%0<[1]>, -0.1))))
        %11 : f32[] = loop add(%0, 1)
        """, Plans.kernels(fused));
    assertEquals(3, Plans.fused(CORRECTION).kernels().size(), "without the rule the correction is a kernel");
  }

  /** Read by a contraction, or computed from a reduction: neither is recomputed. */
  @Test
  void otherScalarsStay() {
    Plan in = Plans.of("""
        %0 : f32[1,1] = parameter "a"
        %1 : f32[1,1] = exp %0
        %2 : f32[1,1] = matmul %1 %1 {ta=false, tb=false}
        %3 : f32[8] = input "x"
        %4 : f32[] = reduce_sum %3 {axes=[0], keepdims=false}
        %5 : f32[] = exp %4
        %6 : f32[1] = reshape %5 {shape=[1]}
        %7 : f32[8] = broadcast_to %6 {shape=[8]}
        %8 : f32[8] = mul %3 %7
        output "y" = %2
        output "z" = %8
        """);
    Plans.assertUnchanged(RecomputeScalars::run, in);
  }
}

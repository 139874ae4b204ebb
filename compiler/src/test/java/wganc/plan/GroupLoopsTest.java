package wganc.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** Flat loops of one length that share operands or feed each other run as one loop. */
class GroupLoopsTest {
  /** Adam's moments and update read the gradient once; the unrelated loop of another length stays. */
  @Test
  void optimiserLoopsAreGrouped() {
    Plan out = Plans.run(GroupLoops::run, Plans.fused("""
        %0 : f32[64] = input "g"
        %1 : f32[64] = parameter "m"
        %2 : f32[64] = parameter "v"
        %3 : f32[64] = parameter "p"
        %4 : f32[64] = constant 0.5
        %5 : f32[64] = mul %1 %4
        %6 : f32[64] = add %5 %0
        %7 : f32[64] = mul %0 %0
        %8 : f32[64] = add %2 %7
        %9 : f32[7] = input "q"
        %10 : f32[7] = exp %9
        %11 : f32[64] = sqrt %8
        %12 : f32[64] = div %6 %11
        %13 : f32[64] = sub %3 %12
        output "m" = %6
        output "v" = %8
        output "q" = %10
        output "p" = %13
        """));
    assertEquals("""
        %10 : f32[7] = loop exp(%9)
        group
          %6 : f32[64] = add(mul(%1, 0.5), %0)
          %8 : f32[64] = add(%2, mul(%0, %0))
          %13 : f32[64] = sub(%3, div(%6, sqrt(%8)))
        """, Plans.kernels(out));
  }

  /** A kernel in between reads the first loop's value; the last loop reads a broadcast (not flat). */
  @Test
  void loopsStayApartWhenAKernelBetweenReadsThemOrTheyAreNotFlat() {
    Plan in = Plans.fused("""
        %0 : f32[4,4] = input "x"
        %1 : f32[4,4] = exp %0
        %2 : f32[4,4] = matmul %1 %1 {ta=false, tb=false}
        %3 : f32[4,4] = neg %0
        %4 : f32[1,4] = input "b"
        %5 : f32[4,4] = broadcast_to %4 {shape=[4,4]}
        %6 : f32[4,4] = add %0 %5
        output "e" = %1
        output "m" = %2
        output "n" = %3
        output "s" = %6
        """);
    assertEquals(4, in.kernels().size());
    Plans.assertUnchanged(GroupLoops::run, in);
  }
}

package wganc.plan;


import org.junit.jupiter.api.Test;

/** A contraction runs its one elementwise consumer in place when that loop reads it at its own index. */
class FuseEpiloguesTest {
  /** Also checks that an epilogue is never fused twice (a second run changes nothing). */
  static void assertFuses(String ir, String kernels) {
    Plans.assertRun(FuseEpilogues::run, Plans.fused(ir), Plans::kernels, kernels);
  }

  @Test
  void biasAndActivationRunAfterTheMatmul() {
    assertFuses("""
        %0 : f32[8,32] = input "x"
        %1 : f32[32,16] = parameter "w"
        %2 : f32[1,16] = parameter "b"
        %3 : f32[8,16] = matmul %0 %1 {ta=false, tb=false}
        %4 : f32[8,16] = broadcast_to %2 {shape=[8,16]}
        %5 : f32[8,16] = add %3 %4
        %6 : f32[8,16] = tanh %5
        output "y" = %6
        """, """
        %6 : f32[8,16] = gemm m=8 n=16 k=32 then %3 <- tanh(add(%3, %2<[1, 16]>))
        """);
  }

  /** The loop reads the second product, ready only after the first: it becomes the second's epilogue. */
  @Test
  void everythingElseTheLoopReadsMustBeReady() {
    assertFuses("""
        %0 : f32[8,32] = input "x"
        %1 : f32[32,16] = parameter "w"
        %2 : f32[8,16] = matmul %0 %1 {ta=false, tb=false}
        %3 : f32[8,16] = matmul %0 %1 {ta=false, tb=false}
        %4 : f32[8,16] = add %2 %3
        output "y" = %4
        """, """
        %2 : f32[8,16] = gemm m=8 n=16 k=32
        %4 : f32[8,16] = gemm m=8 n=16 k=32 then %3 <- add(%2, %3)
        """);
  }

  /** An output, a product read twice, and one read through a broadcast keep their own kernels. */
  @Test
  void otherContractionsStay() {
    Plan in = Plans.fused("""
        %0 : f32[8,32] = input "x"
        %1 : f32[32,16] = parameter "w"
        %2 : f32[1,32] = input "r"
        %3 : f32[8,16] = matmul %0 %1 {ta=false, tb=false}
        %4 : f32[8,16] = exp %3
        %5 : f32[8,16] = matmul %0 %1 {ta=false, tb=false}
        %6 : f32[8,16] = mul %5 %5
        %7 : f32[1,16] = matmul %2 %1 {ta=false, tb=false}
        %8 : f32[8,16] = broadcast_to %7 {shape=[8,16]}
        %9 : f32[8,16] = add %6 %8
        output "p" = %3
        output "e" = %4
        output "y" = %9
        """);
    Plans.assertUnchanged(FuseEpilogues::run, in);
  }
}

package wganc.plan;


import org.junit.jupiter.api.Test;

/** One kernel per stored value: loops with expression trees over index-mapped leaves, one per other op. */
class FormKernelsTest {
  static void assertKernels(String ir, String kernels) {
    Plans.assertRun(FormKernels::run, InlineElementwise.run(Plans.of(ir)), Plans::kernels, kernels);
  }

  @Test
  void inlinedValuesBecomeExpressionsAndBroadcastsIndexMaps() {
    assertKernels(InlineElementwiseTest.BIAS_AND_MASK, """
        %3 : f32[8,32] = loop add(%0, %1<[1, 32]>)
        %6 : f32[8,32] = loop select(greater(%3, 0), %3, 0)
        %8 : f32[8,32] = loop select(greater(%3, 0), mul(%1<[1, 32]>, %0), %0)
        """);
  }

  /** A stored broadcast is a loop of its own, read through an index map by the next. */
  @Test
  void aStoredBroadcastIsALoop() {
    assertKernels(InlineElementwiseTest.BROADCAST_OF_BROADCAST, """
        %1 : f32[1,4] = loop %0<[1, 1]>
        %4 : f32[8,4] = loop add(%1<[1, 4]>, %3)
        """);
  }

  /** A reshape is no kernel (its reader reads the reshape, which aliases); a contraction is one op. */
  @Test
  void reshapesAliasAndContractionsAreOps() {
    assertKernels("""
        %0 : f32[8,4] = input "x"
        %1 : f32[4,8] = reshape %0 {shape=[4,8]}
        %2 : f32[4,4] = matmul %1 %0 {ta=false, tb=false}
        %3 : f32[32] = reshape %0 {shape=[32]}
        %4 : f32[32] = exp %3
        output "y" = %2
        output "e" = %4
        """, """
        %2 : f32[4,4] = gemm m=4 n=4 k=8
        %4 : f32[32] = loop exp(%3)
        """);
  }

  @Test
  void aGraphWithoutApplicationsHasNoKernels() {
    Plan in = Plans.of(Plans.NOTHING);
    Plans.assertUnchanged(FormKernels::run, in);
  }
}

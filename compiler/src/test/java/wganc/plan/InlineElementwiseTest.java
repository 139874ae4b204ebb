package wganc.plan;


import org.junit.jupiter.api.Test;

/** Which values loops compute in place: single uses, replicated broadcasts and masks, one-loop values. */
class InlineElementwiseTest {
  /** A bias broadcast, an add, a ReLU mask read by two selects, a product with the bias. */
  static final String BIAS_AND_MASK = """
      %0 : f32[8,32] = input "x"
      %1 : f32[1,32] = input "b"
      %2 : f32[8,32] = broadcast_to %1 {shape=[8,32]}
      %3 : f32[8,32] = add %0 %2
      %4 : f32[8,32] = constant 0.0
      %5 : f32[8,32] = greater %3 %4
      %6 : f32[8,32] = select %5 %3 %4
      %7 : f32[8,32] = mul %2 %0
      %8 : f32[8,32] = select %5 %7 %0
      output "relu" = %6
      output "other" = %8
      """;

  /** A scalar broadcast to a row, the row broadcast to a matrix. */
  static final String BROADCAST_OF_BROADCAST = """
      %0 : f32[1,1] = input "s"
      %1 : f32[1,4] = broadcast_to %0 {shape=[1,4]}
      %2 : f32[8,4] = broadcast_to %1 {shape=[8,4]}
      %3 : f32[8,4] = input "x"
      %4 : f32[8,4] = add %2 %3
      output "y" = %4
      """;

  static void assertInlines(String ir, String decisions) {
    Plans.assertRun(InlineElementwise::run, Plans.of(ir), Plans::inlined, decisions);
  }

  @Test
  void aSingleUseChainIsInlinedIntoItsConsumer() {
    assertInlines("""
        %0 : f32[16] = input "x"
        %1 : f32[16] = exp %0
        %2 : f32[16] = constant 2.0
        %3 : f32[16] = mul %1 %2
        %4 : f32[16] = sqrt %3
        output "y" = %4
        """, """
        %1 in %3
        %3 in %4
        """);
  }

  /** The bias broadcast and the mask are recomputed in each loop; h, read by two loops, is stored. */
  @Test
  void broadcastsAndMasksAreReplicated() {
    assertInlines(BIAS_AND_MASK, """
        %2 replicated, under broadcast
        %5 replicated
        %7 in %8
        """);
  }

  /** The x of {@code select(x > 0, x, 0)}: both uses are in one loop, so it is computed there, twice. */
  @Test
  void aValueWhoseUsesShareALoopIsRecomputedThere() {
    assertInlines("""
        %0 : f32[4] = input "x"
        %1 : f32[4] = exp %0
        %2 : f32[4] = constant 0.0
        %3 : f32[4] = greater %1 %2
        %4 : f32[4] = select %3 %1 %2
        output "y" = %4
        """, """
        %1 replicated in %4
        %3 in %4
        """);
  }

  /** A leaf has one index map at most: a broadcast below another is stored. */
  @Test
  void aBroadcastBelowABroadcastIsNotInlined() {
    assertInlines(BROADCAST_OF_BROADCAST, """
        %2 in %4
        """);
  }

  /** The mask is replicated into two loops; inlining exp into it would compute exp in both. */
  @Test
  void workIsNotInlinedIntoAReplicatedValue() {
    assertInlines("""
        %0 : f32[4] = input "x"
        %1 : f32[4] = exp %0
        %2 : f32[4] = constant 0.0
        %3 : f32[4] = greater %1 %2
        %4 : f32[4] = select %3 %0 %2
        %5 : f32[4] = select %3 %2 %0
        output "a" = %4
        output "b" = %5
        """, """
        %3 replicated
        """);
  }

  /** Outputs, values read by a contraction and the contraction itself stay; the plan is returned as is. */
  @Test
  void nothingToInlineReturnsTheInput() {
    Plan in = Plans.of("""
        %0 : f32[4,4] = input "x"
        %1 : f32[4,4] = exp %0
        %2 : f32[4,4] = matmul %1 %1 {ta=false, tb=false}
        %3 : f32[4,4] = neg %2
        output "y" = %3
        """);
    Plans.assertUnchanged(InlineElementwise::run, in);
  }
}

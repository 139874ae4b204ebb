package wganc.ops;

/** A counter-based block function: four 32-bit counter words and two key words to four words. */
@FunctionalInterface
public interface CounterRng {
  int[] block(int[] counter, int[] key);
}

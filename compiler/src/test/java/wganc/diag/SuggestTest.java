package wganc.diag;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class SuggestTest {
  static final List<String> LAYERS = List.of("dense", "conv", "conv_transpose", "batchnorm", "layernorm", "dropout",
      "leaky_relu", "relu", "tanh", "sigmoid", "upsample", "pad", "crop", "reshape", "flatten");

  @Test
  void distanceIsOptimalStringAlignment() {
    assertEquals(0, Suggest.distance("dense", "dense"));
    assertEquals(1, Suggest.distance("dens", "dense"));
    assertEquals(1, Suggest.distance("dnese", "dense"));   // one transposition
    assertEquals(1, Suggest.distance("dunse", "dense"));
    assertEquals(2, Suggest.distance("dnsee", "dense"));
    assertEquals(3, Suggest.distance("", "abc"));
  }

  @Test
  void shortNamesAllowOneEdit() {
    assertEquals(Optional.of("adam"), Suggest.closest("adma", List.of("sgd", "rmsprop", "adam")));
    assertEquals(Optional.of("D"), Suggest.closest("DD", List.of("D", "G")));
    assertEquals(Optional.of("relu"), Suggest.closest("rel", LAYERS));
    assertEquals(Optional.empty(), Suggest.closest("Gen", List.of("G", "D")));      // distance 2, 3 characters
    assertEquals(Optional.empty(), Suggest.closest("abcd", List.of("abxy")));       // distance 2, 4 characters
  }

  @Test
  void longerNamesAllowTwoEdits() {
    assertEquals(Optional.of("abxye"), Suggest.closest("abcde", List.of("abxye")));  // distance 2, 5 characters
    assertEquals(Optional.of("batchnorm"), Suggest.closest("bachnrom", LAYERS));
    assertEquals(Optional.of("conv_transpose"), Suggest.closest("conv_transpse", LAYERS));
    assertEquals(Optional.empty(), Suggest.closest("abcdef", List.of("abxyzf")));   // distance 3
  }

  @Test
  void theClosestWinsAndTiesGoToTheFirstInSortedOrder() {
    assertEquals(Optional.of("conv"), Suggest.closest("cona", List.of("crop", "conv")));
    assertEquals(Optional.of("pad"), Suggest.closest("pap", List.of("pap1", "pad", "pat")));
    assertEquals(Optional.of("abcdx"), Suggest.closest("abcde", List.of("abcxy", "abcdx")));
  }

  @Test
  void helpText() {
    assertEquals("did you mean `dense`?", Suggest.didYouMean("dens", LAYERS));
    assertEquals(null, Suggest.didYouMean("xyz", LAYERS));
  }
}

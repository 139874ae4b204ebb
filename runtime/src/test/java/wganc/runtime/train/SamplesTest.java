package wganc.runtime.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The classes a conditional generator samples: one chosen, or a column per class. */
class SamplesTest {
  /** A spec whose sampling phase reads noise `z` [2] and, with {@code classes} > 0, the class `G.y`, for batches of {@code n}. */
  static ModelSpec spec(int classes, int n) {
    ModelSpec.Sample s = classes == 0 ? new ModelSpec.Sample("sample", "z", new int[] {2}, "sample", new int[] {1, 4, 4}, n)
        : new ModelSpec.Sample("sample", "z", new int[] {2}, "sample", new int[] {1, 4, 4}, n, "G.y", classes);
    return new ModelSpec("cond", "x", 4, null, 10, 0, List.of(), List.of(new ModelSpec.Noise("z", new int[] {2}, "normal", 0, 1)),
        List.of(), List.of(), List.of(), s);
  }

  @Test
  void aChosenClassIsEverySamplesClass() {
    float[] c = Samples.classes(spec(3, 2), 1);
    assertArrayEquals(new float[] {0, 1, 0, 0, 1, 0}, c);
  }

  @Test
  void withoutAChoiceSampleIIsOfClassIModTheCount() {
    float[] c = Samples.classes(spec(3, 4), Samples.CYCLE);
    assertArrayEquals(new float[] {1, 0, 0, 0, 1, 0, 0, 0, 1, 1, 0, 0}, c);
    var in = Samples.inputs(spec(3, 4), new float[8], Samples.CYCLE);
    assertEquals(List.of("z", "G.y"), List.copyOf(in.keySet()));
  }

  @Test
  void aClassOutOfRangeOrAModelWithoutClassesIsRefused() {
    var e = assertThrows(IllegalArgumentException.class, () -> Samples.classes(spec(10, 2), 10));
    assertEquals("class 10 is out of range: model `cond` has 10 classes, 0 to 9", e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> Samples.classes(spec(0, 2), 3));
    assertEquals("model `cond` has no class input: its generator reads only noise `z`", e.getMessage());
    assertEquals(List.of("z"), List.copyOf(Samples.inputs(spec(0, 2), new float[4], Samples.CYCLE).keySet()));
  }

  @Test
  void aGridWithoutAChosenClassHasAColumnPerClass() {
    float[] s = new float[12 * 16];
    var cycle = Samples.render(spec(3, 12), s, 12, null, null, "t", Samples.CYCLE);
    var chosen = Samples.render(spec(3, 12), s, 12, null, null, "t", 2);
    var threeColumns = wganc.runtime.image.Grid.render(s, 12, 1, 4, 4, 3, -1, 1);
    var square = wganc.runtime.image.Grid.render(s, 12, 1, 4, 4, 4, -1, 1);
    assertEquals(List.of(threeColumns.getWidth(), threeColumns.getHeight()), List.of(cycle.getWidth(), cycle.getHeight()));
    assertEquals(List.of(square.getWidth(), square.getHeight()), List.of(chosen.getWidth(), chosen.getHeight()));
  }
}

package wganc.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.junit.jupiter.api.Test;
import wganc.ir.ElementType;
import wganc.ir.GraphBuilder;
import wganc.ir.TensorType;
import wganc.ir.Value;
import wganc.plan.Tiling.Blocked;
import wganc.plan.Tiling.GemmSize;
import wganc.plan.Tiling.Grid;
import wganc.plan.Tiling.GroupSum;
import wganc.plan.Tiling.Mode;
import wganc.plan.Tiling.Plain;

/** Which kernels the plan tiles, in which form, with which grid. */
class TilingTest {
  /** The kernel that computes {@code out}, in the schedule of a graph whose one output it is. */
  private static Schedule.Kernel kernelOf(GraphBuilder b, Value out) {
    b.output("y", out);
    return Schedule.of(b.build()).kernels().stream().filter(k -> k.out().id() == out.id()).findFirst().orElseThrow();
  }

  /** {@code [m, k] x [k, n]}. */
  private static Schedule.Kernel matmul(int m, int k, int n) {
    GraphBuilder b = new GraphBuilder();
    return kernelOf(b, b.matmul(b.input("a", TensorType.f32(m, k)), b.input("b", TensorType.f32(k, n))));
  }

  /** A 16 x 16 work-group over x by y threads. */
  private static Grid grid(int x, int y) {
    return new Grid(x, y, Tiling.TILE, Tiling.TILE);
  }

  @Test
  void aMatmulIsAPlainTiledGemmWithItsOutputRoundedUpToTiles() {
    assertEquals(Optional.of(new Plain(new GemmSize(8, 32, 32), grid(32, 16))), Tiling.of(matmul(8, 32, 32), Mode.PLAIN));
    assertEquals(Optional.of(new Plain(new GemmSize(100, 70, 300), grid(80, 112))),
        Tiling.of(matmul(100, 300, 70), Mode.PLAIN));
  }

  @Test
  void blockedGemmsNeedABlockOfRowsAndOfColumns() {
    assertEquals(Optional.of(new Blocked(new GemmSize(64, 64, 10), grid(16, 16))), Tiling.of(matmul(64, 10, 64), Mode.BLOCKED));
    // 100 x 70: two 64 x 64 blocks each way, a 16 x 16 work-group per block
    assertEquals(Optional.of(new Blocked(new GemmSize(100, 70, 300), grid(32, 32))),
        Tiling.of(matmul(100, 300, 70), Mode.BLOCKED));
    // a row short of a block: plain tiles
    assertEquals(Optional.of(new Plain(new GemmSize(63, 200, 10), grid(208, 64))), Tiling.of(matmul(63, 10, 200), Mode.BLOCKED));
    assertEquals(Optional.of(new Plain(new GemmSize(200, 63, 10), grid(64, 208))), Tiling.of(matmul(200, 10, 63), Mode.BLOCKED));
  }

  @Test
  void aTransposedOperandKeepsTheGemmSizes() {
    GraphBuilder b = new GraphBuilder();
    Schedule.Kernel k = kernelOf(b, b.matmul(b.input("a", TensorType.f32(40, 20)), b.input("b", TensorType.f32(30, 40)),
        true, true));
    assertEquals(Optional.of(new Plain(new GemmSize(20, 30, 40), grid(32, 32))), Tiling.of(k, Mode.PLAIN));
  }

  @Test
  void convolutionsAreGemmsInEachDirection() {
    int[] stride = {1, 1}, pad = {1, 1, 1, 1};
    GraphBuilder b = new GraphBuilder();
    Value x = b.input("x", TensorType.f32(2, 3, 8, 8)), w = b.input("w", TensorType.f32(4, 3, 3, 3));
    // forward: rows O, columns N Ho Wo, k C kh kw
    assertEquals(Optional.of(new Plain(new GemmSize(4, 128, 27), grid(128, 16))),
        Tiling.of(kernelOf(b, b.conv2d(x, w, stride, pad)), Mode.PLAIN));
    b = new GraphBuilder();
    Value dy = b.input("dy", TensorType.f32(2, 4, 8, 8));
    w = b.input("w", TensorType.f32(4, 3, 3, 3));
    // backward input: rows C, columns N H W, k O kh kw
    assertEquals(Optional.of(new Plain(new GemmSize(3, 128, 36), grid(128, 16))),
        Tiling.of(kernelOf(b, b.conv2dBackwardInput(dy, w, stride, pad, new int[] {8, 8})), Mode.PLAIN));
    b = new GraphBuilder();
    x = b.input("x", TensorType.f32(2, 3, 8, 8));
    dy = b.input("dy", TensorType.f32(2, 4, 8, 8));
    // backward weight: rows O, columns C kh kw, k N Ho Wo
    assertEquals(Optional.of(new Plain(new GemmSize(4, 27, 128), grid(32, 16))),
        Tiling.of(kernelOf(b, b.conv2dBackwardWeight(x, dy, stride, pad, new int[] {3, 3})), Mode.BLOCKED));
  }

  @Test
  void aContractionWithItsEpilogueTilesAsTheContraction() {
    GraphBuilder b = new GraphBuilder();
    Value y = b.tanh(b.matmul(b.input("a", TensorType.f32(8, 32)), b.input("b", TensorType.f32(32, 24))));
    Schedule.Kernel k = kernelOf(b, y);
    assertTrue(k instanceof Schedule.Kernel.Primitive p && p.epilogue() != null, "tanh runs on the matmul's tiles");
    assertEquals(Optional.of(new Plain(new GemmSize(8, 24, 32), grid(32, 16))), Tiling.of(k, Mode.PLAIN));
  }

  @Test
  void aSumOfAtLeastAGroupIsAGroupReduction() {
    GraphBuilder b = new GraphBuilder();
    Schedule.Kernel rows = kernelOf(b, b.reduceSum(b.input("x", TensorType.f32(4, 256)), new int[] {1}, false));
    assertEquals(Optional.of(new GroupSum(256, grid(16, 64))), Tiling.of(rows, Mode.PLAIN));
    assertEquals(Optional.of(new GroupSum(256, grid(16, 64))), Tiling.of(rows, Mode.BLOCKED));
    b = new GraphBuilder();
    Schedule.Kernel all = kernelOf(b, b.sum(b.input("x", TensorType.f32(3, 10, 10))));
    assertEquals(Optional.of(new GroupSum(300, grid(16, 16))), Tiling.of(all, Mode.PLAIN));
    b = new GraphBuilder();
    Schedule.Kernel small = kernelOf(b, b.reduceSum(b.input("x", TensorType.f32(4, 255)), new int[] {1}, false));
    assertEquals(Optional.empty(), Tiling.of(small, Mode.PLAIN));
  }

  @Test
  void drawsLayoutMovesAndLoopsRunOneThreadPerOutput() {
    GraphBuilder b = new GraphBuilder();
    Value step = b.input("rng_step", TensorType.of(ElementType.I64));
    assertEquals(Optional.empty(), Tiling.of(kernelOf(b, b.randomNormal(step, 7, 0, TensorType.f32(64, 64))), Mode.PLAIN));
    b = new GraphBuilder();
    Value x = b.input("x", TensorType.f32(64, 64));
    assertEquals(Optional.empty(), Tiling.of(kernelOf(b, b.transpose(x, new int[] {1, 0})), Mode.PLAIN));
    b = new GraphBuilder();
    assertEquals(Optional.empty(), Tiling.of(kernelOf(b, b.exp(b.input("x", TensorType.f32(64, 64)))), Mode.PLAIN));
  }

  @Test
  void withoutTilesNothingTiles() {
    assertEquals(Optional.empty(), Tiling.of(matmul(128, 128, 128), Mode.NONE));
    GraphBuilder b = new GraphBuilder();
    assertEquals(Optional.empty(), Tiling.of(kernelOf(b, b.sum(b.input("x", TensorType.f32(4096)))), Mode.NONE));
  }

  @Test
  void modesParseAsTheTilesPropertyTakesThem() {
    assertEquals(Mode.PLAIN, Mode.parse("true"));
    assertEquals(Mode.PLAIN, Mode.parse(" Plain "));
    assertEquals(Mode.NONE, Mode.parse("false"));
    assertEquals(Mode.BLOCKED, Mode.parse("blocked"));
    assertThrows(IllegalArgumentException.class, () -> Mode.parse("yes"));
  }
}

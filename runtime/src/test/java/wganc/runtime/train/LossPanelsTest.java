package wganc.runtime.train;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;
import wganc.runtime.image.LossPlot;

class LossPanelsTest {
  static List<List<String>> names(List<LossPlot.Panel> panels) {
    return panels.stream().map(p -> {
      List<String> out = new java.util.ArrayList<>(List.of(p.title()));
      p.series().forEach(s -> out.add(s.name()));
      return out;
    }).toList();
  }

  @Test
  void lossesShareAPanelAndEveryOtherStatementHasItsOwn() {
    long[] steps = {1, 2};
    double[][] v = {{1, 2}, {0.01, 0.02}, {3, 4}, {5, 6}};
    List<LossPlot.Panel> panels = LossPanels.group(List.of("critic.loss", "critic.gp", "critic.wdist", "generator.loss"),
        List.of("loss", "gp", "wdist", "loss"), steps, v);
    assertEquals(List.of(List.of("loss", "critic.loss", "generator.loss"), List.of("gp", "critic.gp"),
        List.of("wdist", "critic.wdist")), names(panels));
    assertEquals(0.02, panels.get(1).series().getFirst().values()[1]);
  }

  @Test
  void halfBatchPhasesWithDotsInTheirNamesGroupByStatementNotByColumnName() {
    long[] steps = {1};
    double[][] v = {{1}, {2}, {3}};
    List<LossPlot.Panel> panels = LossPanels.group(
        List.of("critic.real_half.loss", "critic.fake_half.loss", "generator.loss"), List.of("loss", "loss", "loss"),
        steps, v);
    assertEquals(List.of(List.of("loss", "critic.real_half.loss", "critic.fake_half.loss", "generator.loss")),
        names(panels));
  }
}

package wganc.runtime.train;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import wganc.runtime.image.LossPlot;

/**
 * How {@code loss.png} groups the logged metrics into panels. A metric is a scalar statement of a
 * phase ({@link ModelSpec.PhaseInfo#metrics}), so the grouping follows the statements: one panel for
 * `loss`, the value every update minimises (the losses of all phases share an axis), then one panel
 * per other statement name, in the order the phases log them (`wdist`, `gp`, ...), holding that
 * statement of every phase that has one. Each panel fits its own y axis, so a penalty of 0.01 keeps
 * its shape beside losses of 1.
 */
final class LossPanels {
  private LossPanels() {}

  /**
   * @param columns    the series names ({@code <phase>.<statement>}), one per metric
   * @param statements the statement each column logs, in the same order
   * @param values     each column's values at {@code steps}
   */
  static List<LossPlot.Panel> group(List<String> columns, List<String> statements, long[] steps, double[][] values) {
    if (columns.size() != statements.size() || columns.size() != values.length) {
      throw new IllegalArgumentException(columns.size() + " columns, " + statements.size() + " statements and "
          + values.length + " value series");
    }
    Map<String, List<LossPlot.Series>> panels = new LinkedHashMap<>();
    panels.put("loss", new ArrayList<>());
    for (int c = 0; c < columns.size(); c++) {
      panels.computeIfAbsent(statements.get(c), k -> new ArrayList<>())
          .add(new LossPlot.Series(columns.get(c), steps, values[c]));
    }
    List<LossPlot.Panel> out = new ArrayList<>();
    panels.forEach((name, series) -> {
      if (!series.isEmpty()) out.add(new LossPlot.Panel(name, series));
    });
    return out;
  }
}

package wganc.ir;

import java.util.Map;

/**
 * The one text form of the IR, one binding per line:
 * <pre>
 *   %0 : f32[256,2] = input "real"
 *   %1 : f32[512,2] = parameter "D.dense1.weight"
 *   %2 : f32[256,512] = matmul %0 %1 {ta=false, tb=true} @toy8.wgan:12:5
 *   %3 : f32[] = constant 0.5
 *   output "loss" = %9
 * </pre>
 * Constants print with {@link Double#toString} (shortest round-tripping form), so
 * {@link IrParser} reads back an equal graph.
 */
public final class IrPrinter {
  private IrPrinter() {}

  public static String print(Graph g) {
    StringBuilder sb = new StringBuilder();
    for (Binding b : g.bindings()) {
      sb.append(line(b)).append('\n');
    }
    for (Map.Entry<String, Value> e : g.outputs().entrySet()) {
      sb.append("output \"").append(e.getKey()).append("\" = ").append(e.getValue()).append('\n');
    }
    return sb.toString();
  }

  public static String line(Binding b) {
    StringBuilder sb = new StringBuilder();
    sb.append(b.value()).append(" : ").append(b.value().type()).append(" = ");
    switch (b.node()) {
      case Node.Input in -> sb.append("input \"").append(in.name()).append('"');
      case Node.Parameter p -> sb.append("parameter \"").append(p.name()).append('"');
      case Node.Constant c -> sb.append("constant ").append(c.value());
      case Node.Apply a -> {
        sb.append(a.op().opName());
        for (Value v : a.inputs()) {
          sb.append(' ').append(v);
        }
        if (!a.attrs().isEmpty()) {
          sb.append(' ').append(a.attrs());
        }
        if (!a.source().isNone()) {
          sb.append(" @").append(a.source());
        }
      }
    }
    return sb.toString();
  }
}

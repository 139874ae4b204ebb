package wganc.check;

import java.util.List;
import java.util.Locale;

/**
 * A Keras-style summary of a network: one row per layer statement with its output shape (batch axis
 * `None`, channels first) and parameter count, the statements nested in a residual, a concatenation
 * or a block use indented under it, then total, trainable and non-trainable counts.
 */
public final class Summary {
  private static final int WIDTH = 72;

  private Summary() {}

  public static String of(Model.Network net) {
    StringBuilder b = new StringBuilder();
    b.append("network ").append(net.name()).append(" (").append(net.param()).append(": ").append(net.in());
    for (Model.Input x : net.extra()) b.append(", ").append(x.name()).append(": ").append(x.shape());
    b.append(" -> ").append(net.out()).append(")\n");
    b.append("_".repeat(WIDTH)).append('\n');
    b.append(row("Layer (type)", "Output Shape", "Param #")).append('\n');
    b.append("=".repeat(WIDTH)).append('\n');
    b.append(row(net.param() + " (input)", shape(net.in()), "0")).append('\n');
    for (Model.Input x : net.extra()) b.append(row(x.name() + " (input)", shape(x.shape()), "0")).append('\n');
    long total = 0, trainable = 0;
    for (Model.Layer l : net.layers()) {
      total += l.params().stream().mapToLong(Model.Param::size).sum();
      trainable += l.params().stream().filter(Model.Param::trainable).mapToLong(Model.Param::size).sum();
      rows(b, l, "");
    }
    b.append("=".repeat(WIDTH)).append('\n');
    b.append("Total params: ").append(count(total)).append('\n');
    b.append("Trainable params: ").append(count(trainable)).append('\n');
    b.append("Non-trainable params: ").append(count(total - trainable)).append('\n');
    b.append("_".repeat(WIDTH)).append('\n');
    return b.toString();
  }

  /** The row of {@code l}, then those of the statements nested in it, indented. */
  private static void rows(StringBuilder b, Model.Layer l, String indent) {
    long n = l.params().stream().mapToLong(Model.Param::size).sum();
    b.append(row(indent + l.path() + " " + l.spec().kind(), shape(l.out()), count(n))).append('\n');
    for (Model.Layer inner : l.spec().inner()) rows(b, inner, indent + "  ");
  }

  private static String row(String a, String b, String c) {
    return String.format(Locale.ROOT, " %-29s %-26s %13s", a, b, c).stripTrailing();
  }

  static String shape(List<Integer> dims) {
    StringBuilder b = new StringBuilder("(None");
    for (int d : dims) b.append(", ").append(d);
    return b.append(')').toString();
  }

  static String count(long n) { return String.format(Locale.ROOT, "%,d", n); }

  public static long total(Model.Network net) { return net.params().stream().mapToLong(Model.Param::size).sum(); }

  public static long trainable(Model.Network net) {
    return net.params().stream().filter(Model.Param::trainable).mapToLong(Model.Param::size).sum();
  }
}

package wganc.loop;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.BiFunction;

/**
 * A {@link LoopKernel.Gather}'s value at one output element as Java statements, the part both
 * printers share (plain Java over {@code float[]} and TornadoVM over {@code FloatArray} differ only
 * in how an operand is read and in the loop around). Statements first decode the flat output index
 * into the coordinates the value uses; sums become loops over a local accumulator, conditions
 * {@code if} blocks, so that nothing out of range is ever read.
 */
public final class JavaText {
  /** The statements, and the float expression of the value once they have run. */
  public record Body(List<String> lines, String result) {}

  private final BiFunction<Integer, String, String> read;
  private final List<String> lines = new ArrayList<>();
  private int locals;

  private JavaText(BiFunction<Integer, String, String> read) {
    this.read = read;
  }

  /**
   * {@code g}'s value at the flat output index in the int variable {@code index}; {@code read} gives
   * the expression reading operand j at an index text.
   */
  public static Body of(LoopKernel.Gather g, String index, BiFunction<Integer, String, String> read) {
    Body value = at(g, read);
    List<String> lines = new ArrayList<>(decode(g, index));
    lines.addAll(value.lines());
    return new Body(List.copyOf(lines), value.result());
  }

  /**
   * {@code g}'s value where the coordinates {@code i0, i1, ..} are in scope (loop variables of a
   * nest over the output).
   */
  public static Body at(LoopKernel.Gather g, BiFunction<Integer, String, String> read) {
    JavaText t = new JavaText(read);
    String result = t.value(g.value(), "");
    return new Body(List.copyOf(t.lines), result);
  }

  /** Statements decoding the flat output index {@code index} into the coordinates {@code g}'s value uses. */
  private static List<String> decode(LoopKernel.Gather g, String index) {
    Set<String> used = new LinkedHashSet<>();
    names(g.value(), used);
    List<Integer> space = g.space();
    long stride = 1;
    List<String> decode = new ArrayList<>();
    for (int d = space.size() - 1; d >= 0; d--) {
      String name = LoopKernel.Gather.coordinate(d).java();
      if (used.contains(name)) {
        Ix at = Ix.var(index).div(stride);
        if (d > 0) at = at.mod(space.get(d));
        decode.addFirst("int " + name + " = " + at.java() + ";");
      }
      stride *= space.get(d);
    }
    return decode;
  }

  private String value(Val v, String indent) {
    return switch (v) {
      case Val.Load l -> read.apply(l.operand(), l.at().java());
      case Val.Product p -> value(p.a(), indent) + " * " + value(p.b(), indent);
      case Val.Let l -> {
        lines.add(indent + "int " + l.name() + " = " + l.value().java() + ";");
        yield value(l.body(), indent);
      }
      case Val.Where w -> {
        String local = "v" + locals++;
        lines.add(indent + "float " + local + " = 0f;");
        lines.add(indent + "if (" + conditions(w.conds()) + ") {");
        lines.add(indent + "  " + local + " = " + value(w.then(), indent + "  ") + ";");
        lines.add(indent + "}");
        yield local;
      }
      case Val.Sum s -> {
        String acc = "sum" + locals++;
        boolean dbl = s.precision() == Val.Precision.DOUBLE;
        lines.add(indent + (dbl ? "double " + acc + " = 0;" : "float " + acc + " = 0f;"));
        accumulate(s, acc, indent);
        yield dbl ? "(float) " + acc : acc;
      }
    };
  }

  /** The loops of sum {@code s}, adding its body into {@code acc}. */
  private void accumulate(Val.Sum s, String acc, String indent) {
    String in = indent;
    for (Val.Axis a : s.axes()) {
      lines.add(in + "for (int " + a.name() + " = 0; " + a.name() + " < " + a.extent() + "; " + a.name() + "++) {");
      in += "  ";
    }
    add(s.body(), s.precision(), acc, in);
    for (int i = 0; i < s.axes().size(); i++) {
      in = in.substring(2);
      lines.add(in + "}");
    }
  }

  private void add(Val v, Val.Precision precision, String acc, String indent) {
    switch (v) {
      case Val.Sum s when s.precision() == precision -> accumulate(s, acc, indent);
      case Val.Let l -> {
        lines.add(indent + "int " + l.name() + " = " + l.value().java() + ";");
        add(l.body(), precision, acc, indent);
      }
      case Val.Where w -> {
        lines.add(indent + "if (" + conditions(w.conds()) + ") {");
        add(w.then(), precision, acc, indent + "  ");
        lines.add(indent + "}");
      }
      default -> lines.add(indent + acc + " += " + value(v, indent) + ";");
    }
  }

  private static String conditions(List<Val.Cond> conds) {
    return String.join(" && ", conds.stream().map(Val.Cond::java).toList());
  }

  private static void names(Val v, Set<String> out) {
    switch (v) {
      case Val.Load l -> names(l.at(), out);
      case Val.Product p -> { names(p.a(), out); names(p.b(), out); }
      case Val.Sum s -> names(s.body(), out);
      case Val.Where w -> {
        for (Val.Cond c : w.conds()) {
          switch (c) {
            case Val.Cond.NonNegative n -> names(n.x(), out);
            case Val.Cond.Below b -> names(b.x(), out);
            case Val.Cond.Multiple m -> names(m.x(), out);
          }
        }
        names(w.then(), out);
      }
      case Val.Let l -> { names(l.value(), out); names(l.body(), out); }
    }
  }

  private static void names(Ix x, Set<String> out) {
    switch (x) {
      case Ix.Var v -> out.add(v.name());
      case Ix.Lit l -> {}
      case Ix.Add a -> { names(a.a(), out); names(a.b(), out); }
      case Ix.Mul m -> names(m.a(), out);
      case Ix.Div d -> names(d.a(), out);
      case Ix.Mod m -> names(m.a(), out);
    }
  }
}

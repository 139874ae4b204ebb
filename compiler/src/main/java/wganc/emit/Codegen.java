package wganc.emit;

import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.MethodSpec;
import java.util.ArrayList;
import java.util.List;
import javax.lang.model.element.Modifier;
import wganc.ir.Binding;
import wganc.ir.ElementType;
import wganc.ir.Graph;
import wganc.ir.Node;
import wganc.ir.Value;

/** JavaPoet pieces both emitters write the same way: getters, the name/shape tables of a phase, kernel names. */
public final class Codegen {
  private Codegen() {}

  /**
   * What a phase reads, in {@code Phase.reads()} order (its parameters and inputs in binding order,
   * the step counter that keys draws aside), and what it writes (its outputs).
   */
  public record Io(List<String> reads, List<Value> readValues, List<String> writes, List<Value> writeValues) {
    public static Io of(Graph g) {
      List<String> reads = new ArrayList<>();
      List<Value> readValues = new ArrayList<>();
      for (Binding b : g.bindings()) {
        switch (b.node()) {
          case Node.Parameter p -> { reads.add(p.name()); readValues.add(b.value()); }
          case Node.Input i -> {
            if (b.value().type().dtype() != ElementType.I64) { reads.add(i.name()); readValues.add(b.value()); }
          }
          default -> {}
        }
      }
      return new Io(List.copyOf(reads), List.copyOf(readValues), List.copyOf(g.outputs().keySet()),
          List.copyOf(g.outputs().values()));
    }
  }

  /**
   * A public final phase class implementing {@code phase}, documented by {@code doc}, with its tables
   * of what it reads and writes ({@code READS}, {@code READ_SHAPES}, {@code WRITES},
   * {@code WRITE_SHAPES}) and the getters that return them and its name.
   */
  public static com.palantir.javapoet.TypeSpec.Builder phaseClass(String className, com.palantir.javapoet.ClassName phase,
      CodeBlock doc, String phaseName, Io io) {
    com.palantir.javapoet.TypeSpec.Builder type = com.palantir.javapoet.TypeSpec.classBuilder(className)
        .addModifiers(Modifier.PUBLIC, Modifier.FINAL).addSuperinterface(phase).addJavadoc(doc);
    type.addField(com.palantir.javapoet.FieldSpec.builder(String[].class, "READS", Modifier.PRIVATE, Modifier.STATIC,
        Modifier.FINAL).initializer(strings(io.reads())).build());
    type.addField(com.palantir.javapoet.FieldSpec.builder(int[][].class, "READ_SHAPES", Modifier.PRIVATE, Modifier.STATIC,
        Modifier.FINAL).initializer(shapes(io.readValues())).build());
    type.addField(com.palantir.javapoet.FieldSpec.builder(String[].class, "WRITES", Modifier.PRIVATE, Modifier.STATIC,
        Modifier.FINAL).initializer(strings(io.writes())).build());
    type.addField(com.palantir.javapoet.FieldSpec.builder(int[][].class, "WRITE_SHAPES", Modifier.PRIVATE,
        Modifier.STATIC, Modifier.FINAL).initializer(shapes(io.writeValues())).build());
    type.addMethod(getter("name", String.class, CodeBlock.of("return $S", phaseName)));
    type.addMethod(getter("reads", String[].class, CodeBlock.of("return READS.clone()")));
    type.addMethod(getter("readShapes", int[][].class, CodeBlock.of("return READ_SHAPES.clone()")));
    type.addMethod(getter("writes", String[].class, CodeBlock.of("return WRITES.clone()")));
    type.addMethod(getter("writeShapes", int[][].class, CodeBlock.of("return WRITE_SHAPES.clone()")));
    return type;
  }

  /** The graph's constants by value id, in binding order. */
  public static java.util.Map<Integer, Double> constants(Graph g) {
    java.util.Map<Integer, Double> out = new java.util.LinkedHashMap<>();
    for (Binding b : g.bindings()) {
      if (b.node() instanceof Node.Constant c) out.put(b.value().id(), c.value());
    }
    return out;
  }

  /**
   * A Java expression of type float for {@code v} rounded to float: {@code 0.5f}, {@code 1.0E-4f},
   * {@code Float.NEGATIVE_INFINITY}, {@code Float.NaN}.
   */
  public static String floatLiteral(double v) {
    float f = (float) v;
    if (Float.isNaN(f)) return "Float.NaN";
    if (Float.isInfinite(f)) return f > 0 ? "Float.POSITIVE_INFINITY" : "Float.NEGATIVE_INFINITY";
    return Float.toString(f) + "f";
  }

  /** {@code @Override public T name() { body; }}. */
  public static MethodSpec getter(String name, Class<?> type, CodeBlock body) {
    return MethodSpec.methodBuilder(name).addAnnotation(Override.class).addModifiers(Modifier.PUBLIC).returns(type)
        .addStatement(body).build();
  }

  /** {@code {"a", "b"}}. */
  public static CodeBlock strings(List<String> names) {
    CodeBlock.Builder b = CodeBlock.builder().add("{");
    for (int i = 0; i < names.size(); i++) b.add(i == 0 ? "$S" : ", $S", names.get(i));
    return b.add("}").build();
  }

  /** {@code {{256, 2}, {512}}}: the dimensions of each value. */
  public static CodeBlock shapes(List<Value> values) {
    CodeBlock.Builder b = CodeBlock.builder().add("{");
    for (int i = 0; i < values.size(); i++) {
      b.add(i == 0 ? "" : ", ").add("{$L}", String.join(", ", values.get(i).type().dims().stream()
          .map(String::valueOf).toList()));
    }
    return b.add("}").build();
  }

  /** A kernel's kind for its method name: its op, `_` and its epilogue's op, or its parts' kinds. */
  public static String kernelKind(wganc.plan.Schedule.Kernel k) {
    return switch (k) {
      case wganc.plan.Schedule.Kernel.Fused f ->
          f.expr() instanceof wganc.plan.Schedule.Expr.Apply a ? a.op().opName() : "copy";
      case wganc.plan.Schedule.Kernel.Group g -> String.join("_", g.parts().stream().map(Codegen::kernelKind).toList());
      case wganc.plan.Schedule.Kernel.Primitive o -> o.apply().op().opName()
          + (o.epilogue() instanceof wganc.plan.Schedule.Expr.Apply a ? "_" + a.op().opName() : "");
    };
  }

  /** {@code matmul_add} to {@code MatmulAdd}. */
  public static String camel(String snake) {
    StringBuilder b = new StringBuilder();
    for (String part : snake.split("_")) {
      if (!part.isEmpty()) b.append(Character.toUpperCase(part.charAt(0))).append(part.substring(1));
    }
    return b.toString();
  }
}

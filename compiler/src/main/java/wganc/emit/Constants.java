package wganc.emit;

import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.FieldSpec;
import com.palantir.javapoet.MethodSpec;
import com.palantir.javapoet.TypeName;
import com.palantir.javapoet.TypeSpec;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.lang.model.element.Modifier;
import wganc.ir.Binding;
import wganc.ir.Graph;
import wganc.ir.Node;
import wganc.ir.Value;

/**
 * The constants of a phase as kernels read them: one shared static array per distinct value
 * ({@code CONSTANT_0, ..}, named in the order kernels first ask for them), as long as the largest
 * constant of that value, filled once.
 */
public final class Constants {
  private final Map<Integer, Double> values = new LinkedHashMap<>();
  private final Map<Integer, Integer> sizes = new LinkedHashMap<>();
  private final Map<Double, String> arrays = new LinkedHashMap<>();

  public Constants(Graph g) {
    for (Binding b : g.bindings()) {
      if (b.node() instanceof Node.Constant c) {
        values.put(b.value().id(), c.value());
        sizes.put(b.value().id(), b.value().type().size());
      }
    }
  }

  public boolean has(Value v) {
    return values.containsKey(v.id());
  }

  /** The array holding constant {@code v}, or null when {@code v} is not a constant. */
  public String array(Value v) {
    Double c = values.get(v.id());
    return c == null ? null : arrays.computeIfAbsent(c, x -> "CONSTANT_" + arrays.size());
  }

  /** The array holding {@code v}: its own in {@code named} (by value id), else its constant array. */
  public String arrayOf(Value v, Map<Integer, String> named) {
    String name = named.get(v.id());
    if (name == null) name = array(v);
    if (name == null) throw new IllegalStateException("no array for " + v);
    return name;
  }

  /** The arrays handed out so far, by value. */
  public Map<Double, String> arrays() {
    return arrays;
  }

  /** Elements of the array of {@code value}: the largest constant of that value. */
  public int size(double value) {
    int max = 1;
    for (var e : values.entrySet()) if (Double.compare(e.getValue(), value) == 0) max = Math.max(max, sizes.get(e.getKey()));
    return max;
  }

  /**
   * The arrays' fields and their {@code filled(n, value)} factory; {@code create} and {@code fill}
   * are its two statements (over {@code n} and {@code value} into {@code a}) for the backend's array type.
   */
  public void declare(TypeSpec.Builder type, TypeName arrayType, CodeBlock create, CodeBlock fill) {
    for (var e : arrays.entrySet()) {
      type.addField(FieldSpec.builder(arrayType, e.getValue(), Modifier.PRIVATE, Modifier.STATIC, Modifier.FINAL)
          .initializer("filled($L, $L)", size(e.getKey()), Codegen.floatLiteral(e.getKey())).build());
    }
    if (!arrays.isEmpty()) {
      type.addMethod(MethodSpec.methodBuilder("filled").addModifiers(Modifier.PRIVATE, Modifier.STATIC)
          .returns(arrayType).addParameter(int.class, "n").addParameter(float.class, "value")
          .addStatement(create).addStatement(fill).addStatement("return a").build());
    }
  }
}

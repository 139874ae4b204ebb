package wganc.emit;

import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.MethodSpec;
import java.util.List;
import javax.lang.model.element.Modifier;
import wganc.ir.Value;

/** JavaPoet pieces both emitters write the same way: getters and the name/shape tables of a phase. */
public final class Codegen {
  private Codegen() {}

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
}

package wganc.ir;

/** {@code value = node}: one line of a graph. */
public record Binding(Value value, Node node) {
  public Binding {
    if (!value.type().equals(node.type())) {
      throw new IrException(
          "binding " + value + ": value type " + value.type() + " differs from node type "
              + node.type());
    }
  }
}

package wganc.ir;

import java.util.Objects;

/** An SSA value: the id of the binding that defines it and its type. Printed as {@code %id}. */
public record Value(int id, TensorType type) {
  public Value {
    if (id < 0) {
      throw new IllegalArgumentException("negative value id " + id);
    }
    Objects.requireNonNull(type, "type");
  }

  @Override
  public String toString() {
    return "%" + id;
  }
}

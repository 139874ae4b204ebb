package wganc.ir;

import java.util.List;
import java.util.Objects;
import wganc.ops.Op;

/**
 * What a binding computes. Inputs are per-step data (batches, noise, sampled values, masks, the
 * step counter); parameters are persistent state (weights, optimiser state, running statistics);
 * constants are one number broadcast to their type; an application runs an op from {@code ops}.
 */
public sealed interface Node permits Node.Input, Node.Parameter, Node.Constant, Node.Apply {
  TensorType type();

  /** The values this node reads, in order. */
  List<Value> inputs();

  record Input(String name, TensorType type) implements Node {
    public Input {
      checkName(name);
      Objects.requireNonNull(type, "type");
    }

    @Override
    public List<Value> inputs() {
      return List.of();
    }
  }

  record Parameter(String name, TensorType type) implements Node {
    public Parameter {
      checkName(name);
      Objects.requireNonNull(type, "type");
    }

    @Override
    public List<Value> inputs() {
      return List.of();
    }
  }

  /** Every element equals {@code value}. */
  record Constant(double value, TensorType type) implements Node {
    public Constant {
      Objects.requireNonNull(type, "type");
    }

    @Override
    public List<Value> inputs() {
      return List.of();
    }
  }

  record Apply(Op op, List<Value> inputs, Attrs attrs, TensorType type, Source source)
      implements Node {
    public Apply {
      Objects.requireNonNull(op, "op");
      inputs = List.copyOf(inputs);
      Objects.requireNonNull(attrs, "attrs");
      Objects.requireNonNull(type, "type");
      Objects.requireNonNull(source, "source");
    }
  }

  private static void checkName(String name) {
    if (name == null || name.isEmpty() || name.indexOf('"') >= 0 || name.indexOf('\n') >= 0) {
      throw new IllegalArgumentException("bad input or parameter name: " + name);
    }
  }
}

package wganc.interp;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import wganc.ir.Binding;
import wganc.ir.Graph;
import wganc.ir.IrException;
import wganc.ir.IrPrinter;
import wganc.ir.Node;
import wganc.ir.TensorType;
import wganc.ir.Value;
import wganc.ops.RandomDraw;

/**
 * Reference evaluation in double precision: bindings in order, each op by its {@code evaluate}.
 * Single-threaded with fixed summation orders, so results depend on nothing but the feeds.
 */
public final class Interpreter {
  private Interpreter() {}

  /** Every bound value of an evaluation. */
  public static final class Result {
    private final Graph graph;
    private final Map<Integer, double[]> values;

    private Result(Graph graph, Map<Integer, double[]> values) {
      this.graph = graph;
      this.values = values;
    }

    public Float64Tensor get(Value v) {
      double[] d = values.get(v.id());
      if (d == null) {
        throw new IrException("no value for " + v);
      }
      return new Float64Tensor(v.type().dims(), d);
    }

    public Float64Tensor output(String name) {
      return get(graph.output(name));
    }
  }

  /** Evaluates {@code g}; {@code feeds} holds a tensor for every input and parameter by name. */
  public static Result run(Graph g, Map<String, Float64Tensor> feeds) {
    Map<Integer, double[]> values = new HashMap<>();
    for (Binding b : g.bindings()) {
      TensorType type = b.value().type();
      double[] out = switch (b.node()) {
        case Node.Input in -> feed(feeds, in.name(), type);
        case Node.Parameter p -> feed(feeds, p.name(), type);
        case Node.Constant c -> {
          double[] d = new double[type.size()];
          java.util.Arrays.fill(d, c.value());
          yield d;
        }
        case Node.Apply a -> {
          List<double[]> ins = new ArrayList<>(a.inputs().size());
          List<TensorType> types = new ArrayList<>(a.inputs().size());
          for (Value v : a.inputs()) {
            ins.add(values.get(v.id()));
            types.add(v.type());
          }
          double[] r = a.op() instanceof RandomDraw draw
              ? draw.evaluate(ins.get(0), a.attrs(), type)
              : a.op().evaluate(types, ins, a.attrs(), type);
          if (r.length != type.size()) {
            throw new IrException("`" + a.op().opName() + "` produced " + r.length
                + " elements for " + IrPrinter.line(b));
          }
          yield r;
        }
      };
      values.put(b.value().id(), out);
    }
    return new Result(g, values);
  }

  private static double[] feed(Map<String, Float64Tensor> feeds, String name, TensorType type) {
    Float64Tensor t = feeds.get(name);
    if (t == null) {
      throw new IrException("no value fed for \"" + name + "\" (" + type + ")");
    }
    if (!t.shape().equals(type.dims())) {
      throw new IrException("value fed for \"" + name + "\" has shape " + t.shape()
          + ", expected " + type);
    }
    return t.data();
  }
}

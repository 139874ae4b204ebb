package wganc.ops;

import java.util.List;
import wganc.ir.Attrs;
import wganc.ir.GraphBuilder;
import wganc.ir.TensorType;
import wganc.ir.Value;

/**
 * An IR operation: its name, shape rule, fusion kind, VJP (written in IR ops through the builder,
 * never computing numbers) and double-precision reference evaluation.
 */
public sealed interface Op permits AllSum, Binary, BroadcastTo, Compare, Conv2d, Conv2dBackwardInput, Conv2dBackwardWeight,
    Matmul, Pad, Pow, RandomDraw, ReduceSum, Reshape, Resample, Select, Transpose, Unary {
  /** Lower snake case, as in the text form ({@code name()} is taken by the enums). */
  String opName();

  /** The output type, or an {@link wganc.ir.IrException} naming the op, the expected and the found. */
  TensorType infer(List<TensorType> inputs, Attrs attrs);

  Fusion fusion();

  /**
   * Whether the op only repeats its operand along axes of 1 ({@code broadcast_to}): a fused loop
   * reads the operand through an index map and computes nothing, so fusion treats it as elementwise.
   */
  default boolean broadcasts() {
    return false;
  }

  /**
   * Whether the output is the operand's elements in the same row-major order ({@code reshape}): it
   * shares the operand's buffer and never runs a kernel.
   */
  default boolean aliases() {
    return false;
  }

  /**
   * Whether a loop may recompute the op wherever it reads it instead of reading a stored result, when
   * at most one operand is not a constant: a broadcast (no arithmetic) and a comparison (one
   * instruction; a ReLU mask costs what reading the value it tests costs, and saves a kernel).
   */
  default boolean replicable() {
    return false;
  }

  /**
   * False when the output is constant with respect to input {@code index} (comparison masks,
   * {@code sign}, the condition of {@code select}): autodiff neither reaches through nor builds
   * cotangents for it, so second-order graphs carry no work for masks.
   */
  default boolean differentiable(int index) {
    return true;
  }

  /**
   * Cotangents of the inputs given the cotangent {@code dout} of {@code out}, built as IR in
   * {@code b}. An entry is null for a symbolic zero, and always null where {@code need} is false.
   */
  Value[] vjp(GraphBuilder b, List<Value> inputs, Attrs attrs, Value out, Value dout, boolean[] need);

  /**
   * The lowering hook of elementwise ops: a float32 Java expression of the operand expressions
   * {@code args} (already parenthesised), used by the JVM and TornadoVM emitters when fusing loops.
   */
  default String java(List<String> args, Attrs attrs) {
    throw new UnsupportedOperationException("`" + opName() + "` is not elementwise");
  }

  /**
   * The same as {@link #java} over {@code jdk.incubator.vector.FloatVector} operands (the names in
   * {@code args}); {@code ZERO} and {@code ONE} are broadcast vectors in scope, and the members of
   * {@code VectorOperators} are statically imported ({@code EXP}, {@code GT}, ...). Values must equal the scalar form's up to float rounding of transcendental functions.
   */
  default String javaVector(List<String> args, Attrs attrs) {
    throw new UnsupportedOperationException("`" + opName() + "` is not elementwise");
  }

  /**
   * Whether {@link #javaVector} gives exactly the bits of {@link #java}. Transcendental functions do
   * not: the Vector API computes them with the CPU's SVML stubs once C2 has compiled a loop and with
   * a per-lane Java fallback before, which round differently, so a value would depend on JIT timing,
   * the CPU and the element's place in the loop. Expressions using such an op run scalar, with
   * StrictMath (the same bits on every machine and in every tier).
   */
  default boolean exactInVectors(Attrs attrs) {
    return true;
  }

  /**
   * Floating-point operations of one application, counting a multiply-add as 2 and only the
   * multiply-adds of contractions (as the peers' benchmarks count them); 0 for everything else.
   */
  default long flops(List<TensorType> inputs, Attrs attrs, TensorType out) {
    return 0;
  }

  /** Reference evaluation in double precision, row-major. */
  double[] evaluate(List<TensorType> types, List<double[]> inputs, Attrs attrs, TensorType out);
}

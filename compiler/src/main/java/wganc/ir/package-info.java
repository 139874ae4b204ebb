/**
 * The graph IR: SSA bindings in A-normal form over static {@link wganc.ir.TensorType}s. Node kinds
 * are the sealed {@link wganc.ir.Node} records; {@link wganc.ir.GraphBuilder} appends bindings and
 * runs each op's shape rule as it goes; {@link wganc.ir.IrPrinter}/{@link wganc.ir.IrParser} are
 * the one text form ({@code %7 : f32[64,128] = matmul %5 %6 {ta=false, tb=true}}); and
 * {@link wganc.ir.IrVerifier} re-checks SSA order, types and every shape rule.
 *
 * <p>Conventions: NCHW activations, batch axis first; dense weight {@code [out,in]}; conv weight
 * {@code [out,in,kh,kw]}; conv-transpose weight {@code [in,out,kh,kw]}. Elementwise ops take
 * operands of one type: broadcasting is explicit ({@code reshape} + {@code broadcast_to}), which
 * the builder inserts. Beyond f32/f64, {@code i64} types the step counter that keys random draws.
 */
package wganc.ir;

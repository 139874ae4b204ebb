/**
 * Hand-written float32 compute kernels that generated JVM trainers call: {@link
 * wganc.runtime.kernels.Gemm#sgemm matrix multiply}, {@link wganc.runtime.kernels.Conv 2-D
 * convolution} (forward, gradient w.r.t. input, which is also conv_transpose, and gradient w.r.t.
 * weights), all on {@code float[]} arrays with offsets, row-major / NCHW / OIHW. Batch sums (bias
 * gradients, means, batch statistics) are emitted loops that accumulate in double in a fixed order
 * ({@code emit/java/Loops.reduceSum}).
 *
 * <h2>Threads and determinism</h2>
 * {@link wganc.runtime.kernels.Parallel} owns a fixed pool ({@code wganc.threads}, default the
 * number of processors). Work is split over output elements only; where a reduction is split
 * (convolution weight gradients over chunks of images, the per-image partials of the small-O
 * convolutions) the split depends on the shape alone and the parts are added in a fixed order.
 * Every result is bit-identical for any thread count (tests check 1, 2 and 3 threads).
 * Floating-point reductions never use {@code reduceLanes} (whose order may differ between the
 * interpreter, C1 and C2): lane sums are added in a fixed pairwise tree.
 *
 * <h2>Running</h2>
 * The kernels use the Vector API, incubating in Java 25: {@code --add-modules jdk.incubator.vector}
 * is needed at run time (and at compile time for code that names its types). The Vector API runs
 * boxed, about 100 times slower, until C2 compiles a kernel; with tiered compilation on a busy
 * machine that took several seconds in our measurements (a kernel can sit in a C1 tier-2 compile),
 * while {@code -XX:-TieredCompilation} reached full speed after a fraction of a second: trainers
 * should run with {@code -XX:-TieredCompilation} or time only after a warm-up of several seconds.
 */
package wganc.runtime.kernels;

/**
 * The primitive ops, one file per op or family, each with its shape rule, fusion kind, VJP (IR
 * built through the builder) and double reference evaluation; {@link wganc.ops.Ops} finds them by
 * name. The set is closed under {@code vjp}: conv2d and its two transposes differentiate into each
 * other, as do {@code upsample}/{@code sum_pool}, {@code pad} (negative amounts crop) and itself,
 * {@code broadcast_to}/{@code reduce_sum}. Comparisons, {@code sign} and random draws are not
 * differentiable; {@code select}'s mask is constant. {@link wganc.ops.Norm} builds the penalty's
 * safe {@code norm} from primitives; layers are built from primitives in
 * {@link wganc.check.LayerSpec}.
 */
package wganc.ops;

/**
 * Pure graph passes ({@link wganc.passes.Pass}), one per file, run by a flat
 * {@link wganc.passes.Pipeline} that verifies after each.
 */
package wganc.passes;

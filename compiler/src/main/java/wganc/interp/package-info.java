/**
 * The double-precision reference interpreter, the oracle for every backend, and a package-private
 * Philox4x32-10 until {@code wganc.runtime.rng.Philox} lands.
 */
package wganc.interp;

/**
 * The double-precision reference interpreter, the oracle for every backend, and a package-private
 * the runtime's Philox4x32-10 for random ops.
 */
package wganc.interp;

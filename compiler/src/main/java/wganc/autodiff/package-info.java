/** Reverse-mode differentiation as an IR-to-IR transform ({@link wganc.autodiff.Autodiff}). */
package wganc.autodiff;

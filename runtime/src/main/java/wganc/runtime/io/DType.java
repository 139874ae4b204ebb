package wganc.runtime.io;

/**
 * Element types a {@link Tensor} can hold, with their safetensors names and byte sizes. The
 * declaration order follows the safetensors crate's {@code Dtype} enum (increasing alignment, then
 * its listing order), which decides the order tensors are laid out in a written file.
 */
public enum DType {
    I32("I32", 4, 0),
    F32("F32", 4, 1),
    F64("F64", 8, 2),
    I64("I64", 8, 3),
    /** Unsigned bytes (e.g. recorded dropout keep-masks, 0 or 1). */
    U8("U8", 1, -1);

    private final String safetensorsName;
    private final int byteSize;
    private final int crateRank;

    DType(String safetensorsName, int byteSize, int crateRank) {
        this.safetensorsName = safetensorsName;
        this.byteSize = byteSize;
        this.crateRank = crateRank;
    }

    /** The name used in a safetensors header, e.g. {@code F32}. */
    public String safetensorsName() {
        return safetensorsName;
    }

    /** Bytes per element. */
    public int byteSize() {
        return byteSize;
    }

    /** Position in the safetensors crate's dtype order (I32 &lt; F32 &lt; F64 &lt; I64). */
    int crateRank() {
        return crateRank;
    }

    /** The dtype named {@code name} in a safetensors header, or null when this runtime has none. */
    public static DType fromSafetensorsName(String name) {
        for (DType d : values()) {
            if (d.safetensorsName.equals(name)) {
                return d;
            }
        }
        return null;
    }
}

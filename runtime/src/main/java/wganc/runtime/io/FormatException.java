package wganc.runtime.io;

import java.io.IOException;

/**
 * A file that exists but does not hold what its format requires (bad magic, bad header, truncated
 * data, inconsistent sizes). The message names the file and, where there is one, the tensor.
 */
public class FormatException extends IOException {
    private static final long serialVersionUID = 1L;

    public FormatException(String message) {
        super(message);
    }

    public FormatException(String message, Throwable cause) {
        super(message, cause);
    }
}

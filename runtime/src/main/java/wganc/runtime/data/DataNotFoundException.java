package wganc.runtime.data;

import java.io.IOException;
import java.util.List;

/**
 * A dataset file found in none of the places {@link DataPath} looks; the message lists each place
 * and says how to get the data.
 */
public class DataNotFoundException extends IOException {
    private static final long serialVersionUID = 1L;
    private final transient List<String> searched;

    public DataNotFoundException(String message, List<String> searched) {
        super(message);
        this.searched = List.copyOf(searched);
    }

    /** One line per place looked at, in search order. */
    public List<String> searched() {
        return searched;
    }
}

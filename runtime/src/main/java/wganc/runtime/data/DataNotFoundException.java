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
    private final String name;
    private final transient List<String> tried;
    private final String help;
    private final String noun;

    public DataNotFoundException(String message, String noun, String name, List<String> tried, List<String> searched,
                                 String help) {
        super(message);
        this.noun = noun;
        this.name = name;
        this.tried = List.copyOf(tried);
        this.searched = List.copyOf(searched);
        this.help = help;
    }

    /** What was looked for: {@code file} or {@code folder}. */
    public String noun() {
        return noun;
    }

    /** The file name the model gave. */
    public String name() {
        return name;
    }

    /** The spellings tried in each folder. */
    public List<String> tried() {
        return tried;
    }

    /** What to do about it, one sentence. */
    public String help() {
        return help;
    }

    /** One line per place looked at, in search order. */
    public List<String> searched() {
        return searched;
    }
}

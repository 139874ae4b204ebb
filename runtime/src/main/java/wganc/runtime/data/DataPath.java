package wganc.runtime.data;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * Finds a dataset file such as {@code train-images-idx3-ubyte.gz}, in exactly one place:
 * <ol>
 * <li>the directory given by {@code --data-dir}, when given;</li>
 * <li>else each directory of the environment variable {@code WGANC_DATA} (colon-separated), when set;</li>
 * <li>else {@code /usr/share/datasets/fashion-mnist}, where Debian's {@code dataset-fashion-mnist}
 *     package installs {@code train-images-idx3-ubyte.gz}, {@code train-labels-idx1-ubyte.gz},
 *     {@code t10k-images-idx3-ubyte.gz} and {@code t10k-labels-idx1-ubyte.gz}, gzipped, flat, with
 *     MNIST's file names. A file found there is Fashion-MNIST, not MNIST: {@link Resolved#source()}
 *     says so, and a trainer should record it in its manifest.</li>
 * </ol>
 * A user who names a folder means that folder: a file missing there is an error, never a silent
 * fallback to the Debian folder. In each directory the name is tried as given, then with {@code .gz}
 * added or removed, then with the dotted spelling some mirrors use ({@code train-images.idx3-ubyte});
 * {@link Idx} detects gzip by content, so either form reads. The environment lookup and the system
 * folder are injectable for tests.
 */
public final class DataPath {
    /** Where Debian's {@code dataset-fashion-mnist} package puts its files. */
    public static final Path DEBIAN_FASHION_MNIST = Path.of("/usr/share/datasets/fashion-mnist");
    public static final String ENV = "WGANC_DATA";

    /** Where a resolved file was found. */
    public enum Source { DATA_DIR, ENVIRONMENT, DEBIAN_FASHION_MNIST }

    /** A found file and where it came from. */
    public record Resolved(Path path, Source source) {
        /** True when the file comes from the Debian Fashion-MNIST package. */
        public boolean isFashionMnist() {
            return source == Source.DEBIAN_FASHION_MNIST;
        }
    }

    private final Path dataDir;
    private final Function<String, String> env;
    private final Path systemDir;

    /**
     * @param dataDir   the {@code --data-dir} option, or null when not given
     * @param env       environment lookup, e.g. {@code System::getenv}
     * @param systemDir the Debian Fashion-MNIST folder, or null to skip it
     */
    public DataPath(Path dataDir, Function<String, String> env, Path systemDir) {
        this.dataDir = dataDir;
        this.env = env;
        this.systemDir = systemDir;
    }

    /** The real environment and the Debian folder. */
    public static DataPath standard(Path dataDir) {
        return new DataPath(dataDir, System::getenv, DEBIAN_FASHION_MNIST);
    }

    /** The file names tried in each directory, in order. */
    public static List<String> candidates(String name) {
        Set<String> names = new LinkedHashSet<>();
        String toggled = name.endsWith(".gz") ? name.substring(0, name.length() - 3) : name + ".gz";
        names.add(name);
        names.add(toggled);
        names.add(dotted(name));
        names.add(dotted(toggled));
        return List.copyOf(names);
    }

    private static String dotted(String name) {
        return name.replaceFirst("-(idx[0-9]-ubyte)", ".$1");
    }

    /** What a name stands for, and so which spellings are tried and what must be there. */
    public enum Kind {
        /** An IDX file: the name, then with {@code .gz} toggled and the dotted spellings ({@link #candidates}). */
        IDX("file"),
        /** Any other file, under its name only. */
        FILE("file"),
        /** A folder (of image files, say), under its name only. */
        FOLDER("folder");

        private final String noun;

        Kind(String noun) {
            this.noun = noun;
        }
    }

    /** Finds IDX file {@code name} or throws a {@link DataNotFoundException} listing every place looked at. */
    public Resolved resolve(String name) throws DataNotFoundException {
        return resolve(name, Kind.IDX);
    }

    /** Finds {@code name} as a {@code kind} or throws a {@link DataNotFoundException} listing every place looked at. */
    public Resolved resolve(String name, Kind kind) throws DataNotFoundException {
        List<String> names = kind == Kind.IDX ? candidates(name) : List.of(name);
        return resolve(name, names, kind == Kind.FOLDER ? Files::isDirectory : Files::isRegularFile, kind.noun);
    }

    private Resolved resolve(String name, List<String> names, Predicate<Path> isKind, String noun)
            throws DataNotFoundException {
        List<String> searched = new ArrayList<>();
        Function<Path, Path> find = dir -> {
            for (String n : names) {
                Path p = dir.resolve(n);
                if (isKind.test(p) && Files.isReadable(p)) return p;
            }
            return null;
        };
        Function<Path, String> why = dir -> !Files.exists(dir) ? "folder does not exist"
                : !Files.isDirectory(dir) ? "not a folder" : "no such " + noun;
        if (dataDir != null) {
            Path hit = find.apply(dataDir);
            if (hit != null) return new Resolved(hit, Source.DATA_DIR);
            searched.add("--data-dir " + dataDir + ": " + why.apply(dataDir));
            throw notFound(noun, name, names, searched, "put `" + name + "` into " + dataDir + ", or pass the folder that"
                    + " holds it as `--data-dir`; without `--data-dir` (and `" + ENV + "`) wganc reads the Debian"
                    + " package `dataset-fashion-mnist` from " + systemDir);
        }
        String value = env.apply(ENV);
        if (value != null && !value.isBlank()) {
            for (String part : value.split(":")) {
                if (part.isBlank()) continue;
                Path dir = Path.of(part);
                Path hit = find.apply(dir);
                if (hit != null) return new Resolved(hit, Source.ENVIRONMENT);
                searched.add("$" + ENV + " entry " + dir + ": " + why.apply(dir));
            }
            throw notFound(noun, name, names, searched, "add the folder that holds `" + name + "` to `" + ENV + "`, or pass it"
                    + " as `--data-dir`; unset `" + ENV + "` to read the Debian package `dataset-fashion-mnist`");
        }
        searched.add("--data-dir: not given");
        searched.add("$" + ENV + ": not set");
        if (systemDir != null) {
            Path hit = find.apply(systemDir);
            if (hit != null) return new Resolved(hit, Source.DEBIAN_FASHION_MNIST);
            searched.add(systemDir + " (Debian package `dataset-fashion-mnist`): " + why.apply(systemDir));
        }
        if (!name.contains("idx")) {
            throw notFound(noun, name, names, searched, "pass the folder that holds `" + name + "` as `--data-dir`, or set `"
                    + ENV + "` to it");
        }
        throw notFound(noun, name, names, searched, "for Fashion-MNIST run `apt-get install dataset-fashion-mnist`;"
                + " for MNIST pass `--data-dir` or set `" + ENV + "` to a folder holding MNIST's"
                + " `train-images-idx3-ubyte.gz` (and the other IDX files)");
    }

    private static DataNotFoundException notFound(String noun, String name, List<String> names, List<String> searched,
                                                  String help) {
        StringBuilder m = new StringBuilder("dataset " + noun + " `").append(name).append("` not found; tried ");
        for (int i = 0; i < names.size(); i++) {
            m.append(i == 0 ? "" : ", ").append('`').append(names.get(i)).append('`');
        }
        m.append(" in:");
        for (String s : searched) m.append("\n  ").append(s);
        m.append("\n  = help: ").append(help);
        return new DataNotFoundException(m.toString(), noun, name, names, searched, help);
    }
}

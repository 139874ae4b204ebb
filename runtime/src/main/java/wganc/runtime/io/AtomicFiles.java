package wganc.runtime.io;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Writes files atomically: the content goes to a temporary file in the target's directory, which is
 * flushed to disk ({@code fsync}) and then renamed over the target with {@code ATOMIC_MOVE}. A reader
 * sees either the old file or the complete new one. If writing fails, the target is left untouched
 * and the temporary file is removed. After the rename the directory is synced where the platform
 * allows it, so the rename itself survives a crash.
 *
 * <p>A process killed while writing leaves its temporary file, {@code .<name>.<random>.tmp} with
 * {@code <random>} in base 36; {@link #removeLeftovers} deletes such files.
 */
public final class AtomicFiles {
    private AtomicFiles() {}

    /** The names {@link #createTemp} gives: a dot, the target's name, a dot, base-36 digits, {@code .tmp}. */
    private static final Pattern TEMP = Pattern.compile("\\..+\\.[0-9a-z]{1,13}\\.tmp");

    /** Writes content to an {@link OutputStream}; may throw {@link IOException}. */
    @FunctionalInterface
    public interface Writer {
        void write(OutputStream out) throws IOException;
    }

    /** Atomically replaces {@code target} with {@code bytes}. */
    public static void write(Path target, byte[] bytes) throws IOException {
        write(target, out -> out.write(bytes));
    }

    /** Atomically replaces {@code target} with {@code text} encoded as UTF-8. */
    public static void writeString(Path target, String text) throws IOException {
        write(target, text.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Atomically replaces {@code target} with what {@code writer} writes. The stream is buffered; the
     * writer must not close it. Parent directories are created when missing. An
     * {@link UncheckedIOException} thrown by the writer is unwrapped to its cause.
     */
    public static void write(Path target, Writer writer) throws IOException {
        Path abs = target.toAbsolutePath();
        Path dir = abs.getParent();
        Files.createDirectories(dir);
        Path tmp = createTemp(dir, abs.getFileName().toString());
        boolean moved = false;
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                OutputStream out = new BufferedOutputStream(Channels.newOutputStream(ch), 1 << 16);
                try {
                    writer.write(new NonClosing(out));
                } catch (UncheckedIOException e) {
                    throw e.getCause();
                }
                out.flush();
                ch.force(true);
            }
            try {
                Files.move(tmp, abs, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                throw new IOException("cannot replace `" + abs + "` atomically: " + e.getMessage(), e);
            }
            moved = true;
            syncDirectory(dir);
        } finally {
            if (!moved) {
                Files.deleteIfExists(tmp);
            }
        }
    }

    /**
     * Creates an empty temporary file beside the target. Unlike {@link Files#createTempFile}, which
     * makes files readable by their owner only, this gives the file the default permissions (the
     * process umask), as a plain write would; when the target exists, its POSIX permissions are
     * copied so that a replacement keeps them.
     */
    private static Path createTemp(Path dir, String name) throws IOException {
        Path target = dir.resolve(name);
        for (int attempt = 0; ; attempt++) {
            long r = java.util.concurrent.ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE;
            Path tmp = dir.resolve("." + name + "." + Long.toString(r, 36) + ".tmp");
            try {
                Files.createFile(tmp);
            } catch (java.nio.file.FileAlreadyExistsException e) {
                if (attempt < 100) continue;
                throw e;
            }
            try {
                if (Files.exists(target) && Files.getFileStore(dir).supportsFileAttributeView("posix")) {
                    Files.setPosixFilePermissions(tmp, Files.getPosixFilePermissions(target));
                }
            } catch (IOException | UnsupportedOperationException e) {
                // keep the default permissions
            }
            return tmp;
        }
    }

    /**
     * Deletes the temporary files that writes into {@code dir} left when their process was killed:
     * regular files of {@code dir} itself (not its subfolders) named as this class names them. Returns
     * how many were deleted (0 when there is no such folder). Only for a folder no other process is
     * writing into.
     */
    public static int removeLeftovers(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) return 0;
        List<Path> stale;
        try (Stream<Path> s = Files.list(dir)) {
            stale = s.filter(p -> TEMP.matcher(p.getFileName().toString()).matches() && Files.isRegularFile(p)).toList();
        }
        for (Path p : stale) Files.deleteIfExists(p);
        return stale.size();
    }

    /** Best effort: on Linux a directory can be opened and forced; elsewhere this is skipped. */
    private static void syncDirectory(Path dir) {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException | UnsupportedOperationException e) {
            // not supported on this platform or file system: the rename is still atomic
        }
    }

    /** Keeps a writer from closing the channel before it has been forced to disk. */
    private static final class NonClosing extends OutputStream {
        private final OutputStream out;

        NonClosing(OutputStream out) {
            this.out = out;
        }

        @Override public void write(int b) throws IOException { out.write(b); }
        @Override public void write(byte[] b, int off, int len) throws IOException { out.write(b, off, len); }
        @Override public void flush() throws IOException { out.flush(); }
        @Override public void close() throws IOException { out.flush(); }
    }
}

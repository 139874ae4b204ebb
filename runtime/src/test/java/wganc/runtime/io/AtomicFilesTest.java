package wganc.runtime.io;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AtomicFilesTest {
    @TempDir Path dir;

    private long fileCount() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.count();
        }
    }

    @Test
    void writesBytesStringsAndStreams() throws IOException {
        Path f = dir.resolve("sub/a.bin");
        AtomicFiles.write(f, new byte[] {1, 2, 3});
        assertArrayEquals(new byte[] {1, 2, 3}, Files.readAllBytes(f));
        AtomicFiles.writeString(f, "héllo");
        assertEquals("héllo", Files.readString(f, StandardCharsets.UTF_8));
        AtomicFiles.write(f, out -> {
            for (int i = 0; i < 100_000; i++) out.write(i & 0xff);
        });
        byte[] b = Files.readAllBytes(f);
        assertEquals(100_000, b.length);
        assertEquals((byte) 99_999, b[99_999]);
        try (Stream<Path> s = Files.list(f.getParent())) {
            assertEquals(1, s.count(), "no temporary file is left behind");
        }
    }

    @Test
    void failureLeavesTargetUntouchedAndRemovesTemp() throws IOException {
        Path f = dir.resolve("keep.txt");
        AtomicFiles.writeString(f, "old");
        IOException e = assertThrows(IOException.class, () -> AtomicFiles.write(f, out -> {
            out.write("partial new content".getBytes(StandardCharsets.UTF_8));
            throw new IOException("disk on fire");
        }));
        assertEquals("disk on fire", e.getMessage());
        assertEquals("old", Files.readString(f));
        assertEquals(1, fileCount());
    }

    @Test
    void runtimeFailureAlsoCleansUp() throws IOException {
        Path f = dir.resolve("new.txt");
        assertThrows(IllegalStateException.class, () -> AtomicFiles.write(f, out -> {
            out.write(1);
            throw new IllegalStateException("boom");
        }));
        assertFalse(Files.exists(f));
        assertEquals(0, fileCount());
    }

    @Test
    void permissionsAreTheDefaultOnesOrTheReplacedFilesOnes() throws IOException {
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.getFileStore(dir).supportsFileAttributeView("posix"));
        Path plain = dir.resolve("plain.txt");
        Files.writeString(plain, "x");
        Path atomic = dir.resolve("atomic.txt");
        AtomicFiles.writeString(atomic, "x");
        assertEquals(Files.getPosixFilePermissions(plain), Files.getPosixFilePermissions(atomic));
        var ownerOnly = java.nio.file.attribute.PosixFilePermissions.fromString("rw-------");
        Files.setPosixFilePermissions(atomic, ownerOnly);
        AtomicFiles.writeString(atomic, "y");
        assertEquals(ownerOnly, Files.getPosixFilePermissions(atomic));
    }

    @Test
    void writerClosingTheStreamIsHarmless() throws IOException {
        Path f = dir.resolve("c.txt");
        AtomicFiles.write(f, out -> {
            out.write('x');
            out.close();
        });
        assertEquals("x", Files.readString(f));
    }

    @Test
    void removeLeftoversDeletesOnlyTheTemporaryFilesOfKilledWrites() throws IOException {
        Path target = dir.resolve("samples.gif");
        String[] inFlight = new String[1];
        AtomicFiles.write(target, out -> {
            try (Stream<Path> s = Files.list(dir)) {
                inFlight[0] = s.map(p -> p.getFileName().toString()).filter(n -> !n.equals("samples.gif"))
                        .findFirst().orElseThrow();
            }
        });
        Files.writeString(dir.resolve(inFlight[0]), "what a killed write of samples.gif leaves");
        Files.writeString(dir.resolve(".step-000400.safetensors.3kz9x0q2.tmp"), "another");
        Files.createDirectory(dir.resolve(".folder.abc.tmp"));
        Files.createDirectory(dir.resolve("sub"));
        Files.writeString(dir.resolve("sub/.a.png.12.tmp"), "in a subfolder");
        for (String other : new String[] {"notes.tmp", ".hidden", ".x.tmp", ".a.png.12.tmp.bak", "a.png.12.tmp",
                ".a.png.UPPER.tmp", ".a.png..tmp"}) {
            Files.writeString(dir.resolve(other), "kept");
        }
        assertEquals(2, AtomicFiles.removeLeftovers(dir));
        assertFalse(Files.exists(dir.resolve(inFlight[0])), inFlight[0]);
        assertTrue(Files.exists(target));
        assertTrue(Files.isDirectory(dir.resolve(".folder.abc.tmp")));
        assertTrue(Files.exists(dir.resolve("sub/.a.png.12.tmp")), "subfolders are the caller's to name");
        assertEquals(10, fileCount());
        assertEquals(0, AtomicFiles.removeLeftovers(dir.resolve("no-such-folder")));
    }
}

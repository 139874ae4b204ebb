package wganc.runtime.data;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DataPathTest {
    static final String IMAGES = "train-images-idx3-ubyte.gz";
    @TempDir Path dir;

    Path folder(String name, String... files) throws IOException {
        Path d = Files.createDirectories(dir.resolve(name));
        for (String f : files) Files.write(d.resolve(f), new byte[] {0});
        return d;
    }

    @Test
    void searchOrderIsDataDirThenEnvironmentThenDebian() throws IOException {
        Path explicit = folder("explicit", IMAGES);
        Path e1 = folder("e1");
        Path e2 = folder("e2", IMAGES);
        Path debian = folder("debian", IMAGES);
        Map<String, String> env = Map.of(DataPath.ENV, e1 + ":" + e2);
        assertEquals(new DataPath.Resolved(explicit.resolve(IMAGES), DataPath.Source.DATA_DIR),
                new DataPath(explicit, env::get, debian).resolve(IMAGES));
        assertEquals(new DataPath.Resolved(e2.resolve(IMAGES), DataPath.Source.ENVIRONMENT),
                new DataPath(e1, env::get, debian).resolve(IMAGES));
        DataPath.Resolved deb = new DataPath(null, k -> null, debian).resolve(IMAGES);
        assertEquals(debian.resolve(IMAGES), deb.path());
        assertTrue(deb.isFashionMnist());
    }

    @Test
    void findsTheGzippedOrPlainOrDottedSpelling() throws IOException {
        Path plain = folder("plain", "train-images-idx3-ubyte");
        assertEquals(plain.resolve("train-images-idx3-ubyte"), new DataPath(plain, k -> null, null).resolve(IMAGES).path());
        Path gz = folder("gz", IMAGES);
        assertEquals(gz.resolve(IMAGES), new DataPath(gz, k -> null, null).resolve("train-images-idx3-ubyte").path());
        Path dotted = folder("dotted", "train-images.idx3-ubyte");
        assertEquals(dotted.resolve("train-images.idx3-ubyte"), new DataPath(dotted, k -> null, null).resolve(IMAGES).path());
        assertEquals(List.of(IMAGES, "train-images-idx3-ubyte", "train-images.idx3-ubyte.gz", "train-images.idx3-ubyte"),
                DataPath.candidates(IMAGES));
    }

    @Test
    void aMissListsEveryPlaceAndHowToGetTheData() throws IOException {
        Path empty = folder("empty");
        Path missing = dir.resolve("nope");
        Map<String, String> env = Map.of(DataPath.ENV, empty + ":" + missing);
        DataNotFoundException e = assertThrows(DataNotFoundException.class,
                () -> new DataPath(empty, env::get, missing).resolve(IMAGES));
        String m = e.getMessage();
        assertEquals(4, e.searched().size(), m);
        assertTrue(m.contains("--data-dir " + empty + ": no such file"), m);
        assertTrue(m.contains("$WGANC_DATA entry " + missing + ": folder does not exist"), m);
        assertTrue(m.contains("(Debian package `dataset-fashion-mnist`)"), m);
        assertTrue(m.contains("apt-get install dataset-fashion-mnist"), m);
        assertTrue(m.contains("--data-dir") && m.contains("WGANC_DATA") && m.contains("MNIST's `train-images-idx3-ubyte.gz`"), m);
        String unset = assertThrows(DataNotFoundException.class,
                () -> new DataPath(null, k -> null, null).resolve(IMAGES)).getMessage();
        assertTrue(unset.contains("--data-dir: not given") && unset.contains("$WGANC_DATA: not set"), unset);
    }

    /** Reads the real Debian package's files when this machine has them installed. */
    @Test
    void readsTheInstalledFashionMnistLabels() throws IOException {
        assumeTrue(Files.isDirectory(DataPath.DEBIAN_FASHION_MNIST), "dataset-fashion-mnist is not installed");
        DataPath.Resolved r = new DataPath(null, k -> null, DataPath.DEBIAN_FASHION_MNIST)
                .resolve("t10k-labels-idx1-ubyte");
        int[] labels = Idx.readLabels(r.path());
        assertEquals(10_000, labels.length);
        int[] counts = new int[10];
        for (int l : labels) counts[l]++;
        for (int c : counts) assertEquals(1000, c); // the test set is balanced
    }
}

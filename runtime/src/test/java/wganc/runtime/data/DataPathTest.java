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
    void looksOnlyWhereTheUserSaysAndInTheDebianFolderOnlyWhenNothingIsSaid() throws IOException {
        Path explicit = folder("explicit", IMAGES);
        Path e1 = folder("e1");
        Path e2 = folder("e2", IMAGES);
        Path debian = folder("debian", IMAGES);
        Map<String, String> env = Map.of(DataPath.ENV, e1 + ":" + e2);
        assertEquals(new DataPath.Resolved(explicit.resolve(IMAGES), DataPath.Source.DATA_DIR),
                new DataPath(explicit, env::get, debian).resolve(IMAGES));
        assertEquals(new DataPath.Resolved(e2.resolve(IMAGES), DataPath.Source.ENVIRONMENT),
                new DataPath(null, env::get, debian).resolve(IMAGES));
        DataPath.Resolved deb = new DataPath(null, k -> null, debian).resolve(IMAGES);
        assertEquals(debian.resolve(IMAGES), deb.path());
        assertTrue(deb.isFashionMnist());
        // a --data-dir without the file is an error, though $WGANC_DATA and the Debian folder have it
        String m = assertThrows(DataNotFoundException.class, () -> new DataPath(e1, env::get, debian).resolve(IMAGES))
                .getMessage();
        assertTrue(m.contains("--data-dir " + e1 + ": no such file") && !m.contains(e2.toString()) && !m.contains("debian/"), m);
        // a --data-dir that does not exist likewise
        Path none = dir.resolve("nonexistent");
        m = assertThrows(DataNotFoundException.class, () -> new DataPath(none, k -> null, debian).resolve(IMAGES)).getMessage();
        assertTrue(m.contains("--data-dir " + none + ": folder does not exist"), m);
        // $WGANC_DATA without the file: an error, not the Debian folder
        Map<String, String> only1 = Map.of(DataPath.ENV, e1.toString());
        DataNotFoundException e = assertThrows(DataNotFoundException.class, () -> new DataPath(null, only1::get, debian).resolve(IMAGES));
        assertEquals(List.of("$WGANC_DATA entry " + e1 + ": no such file"), e.searched());
        assertTrue(e.help().contains("unset `WGANC_DATA`"), e.help());
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
    void foldersAndOtherFilesAreFoundUnderTheirNameOnlyAndAbsolutePathsAsGiven() throws IOException {
        Path data = folder("data", "train.npy", "train.npy.gz");
        Files.createDirectories(data.resolve("faces/a"));
        DataPath path = new DataPath(data, k -> null, null);
        assertEquals(data.resolve("faces"), path.resolve("faces", DataPath.Kind.FOLDER).path());
        assertEquals(data.resolve("faces/a"), path.resolve("faces/a", DataPath.Kind.FOLDER).path());
        assertEquals(data.resolve("train.npy"), path.resolve("train.npy", DataPath.Kind.FILE).path());
        assertEquals(data.resolve("faces"), path.resolve(data.resolve("faces").toString(), DataPath.Kind.FOLDER).path());
        DataNotFoundException e = assertThrows(DataNotFoundException.class, () -> path.resolve("train.npy", DataPath.Kind.FOLDER));
        assertEquals("folder", e.noun());
        assertEquals(List.of("--data-dir " + data + ": no such folder"), e.searched());
        assertTrue(e.getMessage().startsWith("dataset folder `train.npy` not found; tried `train.npy` in:"), e.getMessage());
        e = assertThrows(DataNotFoundException.class, () -> path.resolve("train", DataPath.Kind.FILE));
        assertEquals(List.of("train"), e.tried());
        e = assertThrows(DataNotFoundException.class, () -> new DataPath(null, k -> null, null).resolve("faces", DataPath.Kind.FOLDER));
        assertTrue(e.help().startsWith("pass the folder that holds `faces` as `--data-dir`"), e.help());
    }

    @Test
    void aMissWithNothingGivenListsEveryPlaceAndHowToGetTheData() throws IOException {
        Path missing = dir.resolve("nope");
        DataNotFoundException e = assertThrows(DataNotFoundException.class,
                () -> new DataPath(null, k -> null, missing).resolve(IMAGES));
        String m = e.getMessage();
        assertEquals(List.of("--data-dir: not given", "$WGANC_DATA: not set",
                missing + " (Debian package `dataset-fashion-mnist`): folder does not exist"), e.searched());
        assertTrue(m.contains("apt-get install dataset-fashion-mnist"), m);
        assertTrue(m.contains("--data-dir") && m.contains("WGANC_DATA") && m.contains("MNIST's `train-images-idx3-ubyte.gz`"), m);
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

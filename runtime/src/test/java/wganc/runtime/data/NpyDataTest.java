package wganc.runtime.data;

import static org.junit.jupiter.api.Assertions.*;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import wganc.runtime.io.FormatException;

/** Data from `.npy` files, written here byte by byte as NumPy lays them out (no NumPy needed). */
class NpyDataTest {
  @TempDir Path dir;

  /** A `.npy` file of format {@code major}.0 with header dict {@code descr}/{@code fortran}/{@code shape} and {@code data}. */
  static byte[] npy(int major, String descr, boolean fortran, String shape, byte[] data) {
    String dict = "{'descr': '" + descr + "', 'fortran_order': " + (fortran ? "True" : "False") + ", 'shape': " + shape + ", }";
    int prefix = major == 1 ? 10 : 12;
    int total = prefix + dict.length() + 1;
    String header = dict + " ".repeat((64 - total % 64) % 64) + "\n";
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', (byte) major, 0});
    ByteBuffer len = ByteBuffer.allocate(major == 1 ? 2 : 4).order(ByteOrder.LITTLE_ENDIAN);
    if (major == 1) len.putShort((short) header.length()); else len.putInt(header.length());
    out.writeBytes(len.array());
    out.writeBytes(header.getBytes(StandardCharsets.US_ASCII));
    out.writeBytes(data);
    return out.toByteArray();
  }

  static byte[] floats(float... v) {
    ByteBuffer b = ByteBuffer.allocate(4 * v.length).order(ByteOrder.LITTLE_ENDIAN);
    for (float f : v) b.putFloat(f);
    return b.array();
  }

  static byte[] doubles(double... v) {
    ByteBuffer b = ByteBuffer.allocate(8 * v.length).order(ByteOrder.LITTLE_ENDIAN);
    for (double d : v) b.putDouble(d);
    return b.array();
  }

  Path file(String name, byte[] bytes) throws IOException {
    return Files.write(dir.resolve(name), bytes);
  }

  @Test
  void floatsAreUsedAsTheyAreAndScaledFromZeroOneWhenAskedForEveryVersion() throws IOException {
    float[] v = {0f, 0.25f, 1f, -3.5f, 0.1f, 7f};
    for (int major : new int[] {1, 2, 3}) {
      Path f = file("f" + major + ".npy", npy(major, "<f4", false, "(3, 2)", floats(v)));
      assertArrayEquals(v, NpyData.read(f, new int[] {2}, 0, 1), "version " + major);
    }
    Path f = file("f.npy", npy(1, "<f4", false, "(3, 2)", floats(v)));
    assertArrayEquals(new float[] {-1f, -0.5f, 1f, -8f, -0.8f, 13f}, NpyData.read(f, new int[] {2}, -1, 1), 1e-6f);
    Path d = file("d.npy", npy(1, "<f8", false, "(2, 1, 1, 2)", doubles(0.5, 0.125, 1, 0)));
    assertArrayEquals(new float[] {0.5f, 0.125f, 1f, 0f}, NpyData.read(d, new int[] {1, 1, 2}, 0, 1));
  }

  @Test
  void unsignedBytesArePixelsMappedAsIdxMapsThem() throws IOException {
    Path u = file("u.npy", npy(1, "|u1", false, "(2, 1, 1, 2)", new byte[] {0, (byte) 255, (byte) 128, 1}));
    Idx.PixelMap map = Idx.PixelMap.toRange(-1, 1);
    assertArrayEquals(new float[] {-1f, 1f, map.apply(128), map.apply(1)}, NpyData.read(u, new int[] {1, 1, 2}, -1, 1));
  }

  @Test
  void aShapeThatIsNotSamplesOfTheDeclaredShapeIsRefused() throws IOException {
    Path f = file("f.npy", npy(1, "<f4", false, "(2, 3)", floats(1, 2, 3, 4, 5, 6)));
    String m = assertThrows(FormatException.class, () -> NpyData.read(f, new int[] {1, 2, 3}, 0, 1)).getMessage();
    assertEquals(f + ": an array of shape [2, 3] does not hold samples of the declared shape [1, 2, 3]; it must be"
        + " [N, 1, 2, 3]", m);
    Path none = file("none.npy", npy(1, "<f4", false, "(0, 3)", new byte[0]));
    m = assertThrows(FormatException.class, () -> NpyData.read(none, new int[] {3}, 0, 1)).getMessage();
    assertTrue(m.contains("holds no samples"), m);
  }

  @Test
  void otherDtypesBigEndianFortranOrderAndTruncatedFilesAreRefusedNamingTheFile() throws IOException {
    byte[] ints = new byte[24];
    for (String dtype : new String[] {"<i4", ">f4", "<f2", "|b1"}) {
      Path f = file("x.npy", npy(1, dtype, false, "(2, 3)", Arrays.copyOf(ints, 24)));
      String m = assertThrows(FormatException.class, () -> NpyData.read(f, new int[] {3}, 0, 1)).getMessage();
      assertTrue(m.startsWith(f + ": dtype `" + dtype + "` is not supported"), m);
    }
    Path fortran = file("fo.npy", npy(1, "<f4", true, "(2, 3)", floats(1, 2, 3, 4, 5, 6)));
    String m = assertThrows(FormatException.class, () -> NpyData.read(fortran, new int[] {3}, 0, 1)).getMessage();
    assertTrue(m.startsWith(fortran + ": Fortran-order arrays are not supported"), m);
    byte[] whole = npy(1, "<f4", false, "(2, 3)", floats(1, 2, 3, 4, 5, 6));
    Path cut = file("cut.npy", Arrays.copyOf(whole, whole.length - 5));
    m = assertThrows(FormatException.class, () -> NpyData.read(cut, new int[] {3}, 0, 1)).getMessage();
    assertEquals(cut + ": shape [2, 3] of `<f4` needs 24 bytes of data after the " + (whole.length - 24)
        + "-byte header, but the file has 19 (truncated?)", m);
    Path stub = file("stub.npy", Arrays.copyOf(whole, 30));
    m = assertThrows(FormatException.class, () -> NpyData.read(stub, new int[] {3}, 0, 1)).getMessage();
    assertTrue(m.startsWith(stub + ": header length"), m);
  }
}

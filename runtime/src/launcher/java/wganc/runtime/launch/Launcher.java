package wganc.runtime.launch;

import java.io.DataInputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.InvocationTargetException;
import java.util.jar.JarFile;

/**
 * The Main-Class of the jars wganc builds ({@code wganc.jar} and the trainer jars), compiled for
 * Java 8 so that any {@code java} can load it. It finds the real main class in the manifest
 * attribute {@value #MAIN_CLASS}, reads the Java version that class needs from its class file, and
 * on an older JVM prints one line saying so and exits 2 (instead of an
 * {@code UnsupportedClassVersionError}); otherwise it calls that class's {@code main} with the same
 * arguments. Lives in its own source folder, built with {@code --release 8}.
 */
public final class Launcher {
  /** The manifest attribute naming the class whose {@code main} runs. */
  public static final String MAIN_CLASS = "Wganc-Main-Class";

  private Launcher() {}

  public static void main(String[] args) throws Throwable {
    String main = mainClass();
    int needed = classFileMajor(main) - 44;
    int running = (int) Double.parseDouble(System.getProperty("java.class.version")) - 44;
    if (running < needed) {
      System.err.println("error: this jar needs Java " + needed + " or newer, but " + System.getProperty("java.home")
          + " is Java " + System.getProperty("java.version") + "; run it with the `java` of a JDK " + needed
          + " (e.g. Temurin " + needed + " from https://adoptium.net/temurin/releases/?version=" + needed + ")");
      System.exit(2);
    }
    try {
      Class.forName(main).getMethod("main", String[].class).invoke(null, (Object) args);
    } catch (InvocationTargetException e) {
      throw e.getCause();
    }
  }

  private static String mainClass() throws Exception {
    File jar = new File(Launcher.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    try (JarFile f = new JarFile(jar)) {
      String main = f.getManifest() == null ? null : f.getManifest().getMainAttributes().getValue(MAIN_CLASS);
      if (main == null) throw new IllegalStateException(jar + " names no " + MAIN_CLASS + " in its manifest");
      return main;
    }
  }

  private static int classFileMajor(String className) throws IOException {
    String resource = className.replace('.', '/') + ".class";
    try (InputStream in = Launcher.class.getClassLoader().getResourceAsStream(resource)) {
      if (in == null) throw new IllegalStateException("this jar holds no " + resource);
      DataInputStream data = new DataInputStream(in);
      data.readInt(); // magic
      data.readUnsignedShort(); // minor version
      return data.readUnsignedShort();
    }
  }
}

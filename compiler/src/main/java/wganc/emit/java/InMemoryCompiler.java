package wganc.emit.java;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.StringWriter;
import java.net.URI;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.FileObject;
import javax.tools.ForwardingJavaFileManager;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileManager;
import javax.tools.JavaFileObject;
import javax.tools.SimpleJavaFileObject;
import javax.tools.ToolProvider;

/** Compiles generated sources with the JDK's compiler and loads the classes, all in memory. */
public final class InMemoryCompiler {
  private InMemoryCompiler() {}

  /** Compiles {@code sources} (class name to source) and returns their bytecode, by binary name. */
  public static Map<String, byte[]> compile(Map<String, String> sources) {
    return compile(sources, List.of("-classpath", runtimeClasspath(), "-g:none", "-nowarn", "-XDsuppressNotes",
        "-proc:none", "--add-modules", "jdk.incubator.vector"));
  }

  /** The same with the given javac {@code options} (class path, debug information, modules). */
  public static Map<String, byte[]> compile(Map<String, String> sources, List<String> options) {
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    if (javac == null) throw new IllegalStateException("no Java compiler: run wganc on a JDK, not a JRE");
    Map<String, ByteArrayOutputStream> out = new HashMap<>();
    DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
    JavaFileManager files = new ForwardingJavaFileManager<>(javac.getStandardFileManager(diagnostics, null, null)) {
      @Override
      public JavaFileObject getJavaFileForOutput(Location location, String className, JavaFileObject.Kind kind,
                                                 FileObject sibling) {
        return new SimpleJavaFileObject(URI.create("mem:///" + className.replace('.', '/') + kind.extension), kind) {
          @Override public OutputStream openOutputStream() {
            return out.computeIfAbsent(className, k -> new ByteArrayOutputStream());
          }
        };
      }
    };
    List<JavaFileObject> units = new ArrayList<>();
    for (var e : sources.entrySet()) {
      units.add(new SimpleJavaFileObject(URI.create("string:///" + e.getKey().replace('.', '/') + ".java"),
          JavaFileObject.Kind.SOURCE) {
        @Override public CharSequence getCharContent(boolean ignoreEncodingErrors) { return e.getValue(); }
      });
    }
    StringWriter log = new StringWriter();
    boolean ok = javac.getTask(log, files, diagnostics, options, null, units).call();
    if (!ok) {
      StringBuilder b = new StringBuilder("generated code does not compile (a wganc bug):\n");
      for (Diagnostic<? extends JavaFileObject> d : diagnostics.getDiagnostics()) {
        if (d.getKind() == Diagnostic.Kind.ERROR) {
          b.append(d.getSource() == null ? "" : d.getSource().getName()).append(':').append(d.getLineNumber())
              .append(": ").append(d.getMessage(null)).append('\n');
        }
      }
      throw new IllegalStateException(b.toString());
    }
    Map<String, byte[]> classes = new HashMap<>();
    out.forEach((k, v) -> classes.put(k, v.toByteArray()));
    return classes;
  }

  /** Where the runtime's classes are (a folder or wganc's jar): all that generated code links against. */
  public static String runtimeClasspath() {
    try {
      return java.nio.file.Path.of(wganc.runtime.train.Phase.class.getProtectionDomain().getCodeSource().getLocation()
          .toURI()).toString();
    } catch (java.net.URISyntaxException | RuntimeException e) {
      return System.getProperty("java.class.path");
    }
  }

  /** A class loader over compiled bytecode, delegating to wganc's own loader (for the runtime). */
  public static ClassLoader load(Map<String, byte[]> classes) {
    return new ClassLoader(InMemoryCompiler.class.getClassLoader()) {
      @Override protected Class<?> findClass(String name) throws ClassNotFoundException {
        byte[] b = classes.get(name);
        if (b == null) throw new ClassNotFoundException(name);
        return defineClass(name, b, 0, b.length);
      }
    };
  }
}

package wganc.runtime.dist;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The installed Open MPI library ({@code libmpi.so.40}) through the JDK's Foreign Function &amp;
 * Memory API: the seven calls a data-parallel run needs (init, rank, size, all-reduce, broadcast,
 * barrier, abort, finalize) and nothing of our own in C. Open MPI's handles ({@code MPI_COMM_WORLD},
 * {@code MPI_FLOAT}, {@code MPI_SUM}, ...) are the addresses of its global objects
 * ({@code ompi_mpi_comm_world}, {@code ompi_mpi_float}, {@code ompi_mpi_op_sum}); the library is
 * opened with {@code RTLD_GLOBAL} first, as Open MPI's own bindings do, so that its plugins find its
 * symbols. Errors are fatal ({@code MPI_ERRORS_ARE_FATAL} on the world communicator): a failed call
 * aborts every process of the job instead of returning, so nothing waits on a dead peer.
 *
 * <p>The library is {@code WGANC_LIBMPI} when set, else the first of the standard places that exists,
 * else {@code libmpi.so.40} as the dynamic loader finds it ({@code LD_LIBRARY_PATH}, {@code ldconfig}).
 */
final class Mpi {
  /** Where distributions put Open MPI's library (Debian and Ubuntu, Fedora and RHEL, a source build). */
  static final List<String> STANDARD = List.of(
      "/usr/lib/x86_64-linux-gnu/libmpi.so.40", "/usr/lib/aarch64-linux-gnu/libmpi.so.40",
      "/usr/lib64/openmpi/lib/libmpi.so.40", "/usr/lib/openmpi/lib/libmpi.so.40", "/usr/local/lib/libmpi.so.40",
      "/opt/openmpi/lib/libmpi.so.40");

  private static final int RTLD_NOW = 2, RTLD_GLOBAL = 0x100;
  private static final MemorySegment IN_PLACE = MemorySegment.ofAddress(1);

  private final Arena arena = Arena.global();
  private final MemorySegment world, floatType, doubleType, longType, byteType, sum, max;
  private final MethodHandle init, rank, size, allreduce, bcast, barrier, abort, finalize, setErrhandler;
  private final MemorySegment errorsAreFatal;
  final String library;

  private Mpi(String library) {
    this.library = library;
    Linker linker = Linker.nativeLinker();
    dlopenGlobal(linker, library);
    SymbolLookup lib = library.contains("/") ? SymbolLookup.libraryLookup(Path.of(library), arena)
        : SymbolLookup.libraryLookup(library, arena);
    world = object(lib, "ompi_mpi_comm_world");
    floatType = object(lib, "ompi_mpi_float");
    doubleType = object(lib, "ompi_mpi_double");
    longType = object(lib, "ompi_mpi_long");
    byteType = object(lib, "ompi_mpi_byte");
    sum = object(lib, "ompi_mpi_op_sum");
    max = object(lib, "ompi_mpi_op_max");
    errorsAreFatal = object(lib, "ompi_mpi_errors_are_fatal");
    var i = ValueLayout.JAVA_INT;
    var p = ValueLayout.ADDRESS;
    init = call(linker, lib, "MPI_Init", FunctionDescriptor.of(i, p, p));
    rank = call(linker, lib, "MPI_Comm_rank", FunctionDescriptor.of(i, p, p));
    size = call(linker, lib, "MPI_Comm_size", FunctionDescriptor.of(i, p, p));
    allreduce = call(linker, lib, "MPI_Allreduce", FunctionDescriptor.of(i, p, p, i, p, p, p));
    bcast = call(linker, lib, "MPI_Bcast", FunctionDescriptor.of(i, p, i, p, i, p));
    barrier = call(linker, lib, "MPI_Barrier", FunctionDescriptor.of(i, p));
    abort = call(linker, lib, "MPI_Abort", FunctionDescriptor.of(i, p, i));
    finalize = call(linker, lib, "MPI_Finalize", FunctionDescriptor.of(i));
    setErrhandler = call(linker, lib, "MPI_Comm_set_errhandler", FunctionDescriptor.of(i, p, p));
  }

  /** The library at {@code library} (a path, or a name for the dynamic loader), not yet initialised. */
  static Mpi open(String library) {
    return new Mpi(library);
  }

  /** Where the library is: {@code WGANC_LIBMPI}, else a standard place, else the loader's name. */
  static String find(String override) {
    if (override != null && !override.isEmpty()) return override;
    for (String s : STANDARD) {
      if (Files.exists(Path.of(s))) return s;
    }
    return "libmpi.so.40";
  }

  /** {@code MPI_Init}, then errors on the world communicator made fatal; returns {rank, size}. */
  int[] initialise() {
    check("MPI_Init", invoke(init, MemorySegment.NULL, MemorySegment.NULL));
    check("MPI_Comm_set_errhandler", invoke(setErrhandler, world, errorsAreFatal));
    try (Arena a = Arena.ofConfined()) {
      MemorySegment out = a.allocate(ValueLayout.JAVA_INT, 2);
      check("MPI_Comm_rank", invoke(rank, world, out));
      check("MPI_Comm_size", invoke(size, world, out.asSlice(4)));
      return new int[] {out.getAtIndex(ValueLayout.JAVA_INT, 0), out.getAtIndex(ValueLayout.JAVA_INT, 1)};
    }
  }

  /** Sums {@code count} floats of {@code buffer} over every process, in place. */
  void sumFloats(MemorySegment buffer, int count) {
    check("MPI_Allreduce", invoke(allreduce, IN_PLACE, buffer, count, floatType, sum, world));
  }

  /** Sums {@code count} doubles of {@code buffer} over every process, in place. */
  void sumDoubles(MemorySegment buffer, int count) {
    check("MPI_Allreduce", invoke(allreduce, IN_PLACE, buffer, count, doubleType, sum, world));
  }

  /** The largest of {@code count} longs of {@code buffer} over every process, in place. */
  void maxLongs(MemorySegment buffer, int count) {
    check("MPI_Allreduce", invoke(allreduce, IN_PLACE, buffer, count, longType, max, world));
  }

  /** Sends {@code count} bytes of {@code buffer} from {@code root} to every process. */
  void broadcastBytes(MemorySegment buffer, int count, int root) {
    check("MPI_Bcast", invoke(bcast, buffer, count, byteType, root, world));
  }

  void barrier() {
    check("MPI_Barrier", invoke(barrier, world));
  }

  /** {@code MPI_Abort} on the world: mpirun ends every process of the job. Does not return normally. */
  void abort(int code) {
    invoke(abort, world, code);
  }

  void finish() {
    check("MPI_Finalize", invoke(finalize));
  }

  private static void check(String what, int rc) {
    if (rc != 0) throw new IllegalStateException(what + " failed with MPI error " + rc);
  }

  private static int invoke(MethodHandle h, Object... args) {
    try {
      return (int) h.invokeWithArguments(args);
    } catch (RuntimeException | Error e) {
      throw e;
    } catch (Throwable t) {
      throw new IllegalStateException(t);
    }
  }

  private static MemorySegment object(SymbolLookup lib, String name) {
    return lib.find(name).orElseThrow(() -> new IllegalStateException(
        "the MPI library has no `" + name + "`: wganc needs Open MPI (4.x or 5.x)"));
  }

  private static MethodHandle call(Linker linker, SymbolLookup lib, String name, FunctionDescriptor d) {
    return linker.downcallHandle(lib.find(name).orElseThrow(
        () -> new IllegalStateException("the MPI library has no `" + name + "`")), d);
  }

  /** {@code dlopen(library, RTLD_NOW | RTLD_GLOBAL)} through libc; a failure is left to the lookup to report. */
  private static void dlopenGlobal(Linker linker, String library) {
    var dlopen = linker.defaultLookup().find("dlopen");
    if (dlopen.isEmpty()) return;
    MethodHandle h = linker.downcallHandle(dlopen.get(), FunctionDescriptor.of(ValueLayout.ADDRESS, ValueLayout.ADDRESS,
        ValueLayout.JAVA_INT));
    try (Arena a = Arena.ofConfined()) {
      h.invokeWithArguments(a.allocateFrom(library), RTLD_NOW | RTLD_GLOBAL);
    } catch (Throwable t) {
      // the lookup below names the library that could not be opened
    }
  }
}

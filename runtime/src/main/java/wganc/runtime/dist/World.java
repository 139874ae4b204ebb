package wganc.runtime.dist;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Map;

/**
 * The processes of this run, as the MPI launcher started them ({@code mpirun -np K}, {@code srun
 * --mpi=pmix}): this process's rank and their number. A run started any other way, or with one
 * process, is the single world of size 1, which sums nothing and never loads MPI.
 *
 * <p>Generated phases reach the world through {@link #current()}: the kernel of an {@code all_sum}
 * calls {@link #sum} (the ranks' operands concatenated into one flat buffer and summed over the ranks
 * with one {@code MPI_Allreduce}), and a sharded draw offsets its element index by {@link #rank()}.
 * See {@code docs/distributed.md}.
 */
public final class World {
  private static final World SINGLE = new World(null, 0, 1);
  private static volatile World current = SINGLE;

  private final Mpi mpi;
  private final int rank;
  private final int size;
  private MemorySegment buffer = MemorySegment.NULL;
  private long calls;
  private long floats;
  private long nanos;

  private World(Mpi mpi, int rank, int size) {
    this.mpi = mpi;
    this.rank = rank;
    this.size = size;
  }

  /** The world generated phases and the trainer use: {@link #join}'s result, else the single world. */
  public static World current() {
    return current;
  }

  /** The single world: one process, rank 0. */
  public static World single() {
    return SINGLE;
  }

  /** The number of processes the launcher says it started, or 1 when {@code env} shows no MPI launcher. */
  public static int launched(Map<String, String> env) {
    for (String k : new String[] {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "PMIX_SIZE", "SLURM_NTASKS"}) {
      String v = env.get(k);
      if (v != null && !v.isBlank() && (!k.equals("SLURM_NTASKS") || env.containsKey("PMIX_RANK") || env.containsKey("PMI_RANK"))) {
        try {
          return Math.max(1, Integer.parseInt(v.trim()));
        } catch (NumberFormatException e) {
          return 1;
        }
      }
    }
    return 1;
  }

  /** The ranks the launcher started on this machine (Open MPI's {@code OMPI_COMM_WORLD_LOCAL_SIZE}), else 1. */
  public static int localRanks(Map<String, String> env) {
    for (String k : new String[] {"OMPI_COMM_WORLD_LOCAL_SIZE", "MPI_LOCALNRANKS"}) {
      try {
        if (env.get(k) != null) return Math.max(1, Integer.parseInt(env.get(k).trim()));
      } catch (NumberFormatException e) {
        return 1;
      }
    }
    return 1;
  }

  /**
   * Joins the MPI job this process was started in when {@code env} shows a launcher that started
   * more than one process (MPI_Init), and makes it {@link #current()}; else the single world.
   * Throws {@link IllegalStateException} with a one-line reason when the MPI library cannot be used.
   */
  public static synchronized World join(Map<String, String> env) {
    if (current != SINGLE) return current;
    if (launched(env) <= 1) return SINGLE;
    String library = Mpi.find(env.get("WGANC_LIBMPI"));
    Mpi mpi;
    try {
      mpi = Mpi.open(library);
    } catch (IllegalArgumentException | IllegalStateException e) {
      throw new IllegalStateException("started by an MPI launcher with " + launched(env) + " processes, but the MPI library `"
          + library + "` cannot be used (" + e.getMessage() + "); install Open MPI (`apt-get install openmpi-bin`) or set"
          + " WGANC_LIBMPI to its libmpi.so.40");
    }
    int[] rs = mpi.initialise();
    World w = new World(mpi, rs[0], rs[1]);
    current = w;
    return w;
  }

  public int rank() {
    return rank;
  }

  public int size() {
    return size;
  }

  /** Rank 0, which alone writes the run directory. */
  public boolean leader() {
    return rank == 0;
  }

  public boolean distributed() {
    return size > 1;
  }

  /** The MPI library in use, or null for the single world. */
  public String library() {
    return mpi == null ? null : mpi.library;
  }

  /**
   * {@code out} = the concatenation of the first {@code sizes[i]} values of each {@code ins[i]} (the
   * arrays may be longer: reused buffers), summed element by element over every rank (one all-reduce
   * of one flat float32 buffer); in the single world, the concatenation.
   */
  public void sum(float[] out, int[] sizes, float[]... ins) {
    if (sizes.length != ins.length) throw new IllegalArgumentException(sizes.length + " sizes for " + ins.length + " operands");
    int n = 0;
    for (int s : sizes) n += s;
    if (n > out.length) throw new IllegalArgumentException("all_sum of " + n + " values into " + out.length);
    if (mpi == null) {
      int at = 0;
      for (int i = 0; i < ins.length; i++) {
        System.arraycopy(ins[i], 0, out, at, sizes[i]);
        at += sizes[i];
      }
      return;
    }
    long start = System.nanoTime();
    MemorySegment b = buffer(4L * n);
    long at = 0;
    for (int i = 0; i < ins.length; i++) {
      MemorySegment.copy(ins[i], 0, b, ValueLayout.JAVA_FLOAT, at, sizes[i]);
      at += 4L * sizes[i];
    }
    mpi.sumFloats(b, n);
    MemorySegment.copy(b, ValueLayout.JAVA_FLOAT, 0, out, 0, n);
    calls++;
    floats += n;
    nanos += System.nanoTime() - start;
  }

  /** Sums {@code values} over every rank, in place (doubles: step timings, counts). */
  public void sum(double[] values) {
    if (mpi == null) return;
    MemorySegment b = buffer(8L * values.length);
    MemorySegment.copy(values, 0, b, ValueLayout.JAVA_DOUBLE, 0, values.length);
    mpi.sumDoubles(b, values.length);
    MemorySegment.copy(b, ValueLayout.JAVA_DOUBLE, 0, values, 0, values.length);
  }

  /** Whether every rank passed the same {@code value} (one all-reduce of two longs: the largest of v and of ~v). */
  public boolean agree(long value) {
    if (mpi == null) return true;
    MemorySegment b = buffer(16);
    b.setAtIndex(ValueLayout.JAVA_LONG, 0, value);
    b.setAtIndex(ValueLayout.JAVA_LONG, 1, ~value);
    mpi.maxLongs(b, 2);
    return b.getAtIndex(ValueLayout.JAVA_LONG, 0) == ~b.getAtIndex(ValueLayout.JAVA_LONG, 1);
  }

  /** Rank 0's {@code bytes} on every rank (others pass anything, e.g. null). */
  public byte[] broadcast(byte[] bytes) {
    if (mpi == null) return bytes;
    MemorySegment b = buffer(8);
    b.set(ValueLayout.JAVA_LONG, 0, rank == 0 ? bytes.length : 0);
    mpi.broadcastBytes(b, 8, 0);
    long n = b.get(ValueLayout.JAVA_LONG, 0);
    if (n > Integer.MAX_VALUE - 8) throw new IllegalStateException("cannot broadcast " + n + " bytes");
    b = buffer(Math.max(n, 1));
    if (rank == 0) MemorySegment.copy(bytes, 0, b, ValueLayout.JAVA_BYTE, 0, (int) n);
    mpi.broadcastBytes(b, (int) n, 0);
    byte[] out = new byte[(int) n];
    MemorySegment.copy(b, ValueLayout.JAVA_BYTE, 0, out, 0, (int) n);
    return out;
  }

  public void barrier() {
    if (mpi != null) mpi.barrier();
  }

  /** Calls of {@link #sum(float[], int[], float[]...)} that went over the network, and the floats they summed. */
  public long sumCalls() {
    return calls;
  }

  public long sumFloats() {
    return floats;
  }

  /** Time spent in those sums: copying, waiting for the other ranks and summing. */
  public long sumNanos() {
    return nanos;
  }

  /** How a rank's part of a job ended: its exit status, and whether every rank ends so (they all saw it). */
  public record Exit(int code, boolean everyRank) {
    public static final Exit OK = new Exit(0, true);
  }

  /** A rank's part of a job. */
  public interface Job {
    Exit run() throws Exception;
  }

  /**
   * Runs {@code job} on this rank. In the single world, just that. With several ranks, a normal end
   * (or a failure every rank met alike) finalises MPI; an exception, or a failure this rank may have
   * met alone, is reported through {@code err} and ends the whole job with {@code MPI_Abort}, so no
   * other rank waits for it in a sum.
   */
  public int run(Job job, java.util.function.Consumer<String> err) throws Exception {
    if (!distributed()) return job.run().code();
    Exit exit;
    try {
      exit = job.run();
    } catch (Exception | Error e) {
      err.accept("error: rank " + rank + " of " + size + ": " + e);
      abort(1);
      throw e;
    }
    if (exit.code() != 0 && !exit.everyRank()) abort(exit.code());
    finish();
    return exit.code();
  }

  /** Ends every process of the job with {@code code} (MPI_Abort); in the single world, nothing. */
  public void abort(int code) {
    if (mpi != null) mpi.abort(code);
  }

  /** MPI_Finalize (every rank calls it once, at a normal end). */
  public void finish() {
    if (mpi != null) mpi.finish();
  }

  private MemorySegment buffer(long bytes) {
    if (buffer.byteSize() < bytes) buffer = Arena.ofAuto().allocate(Math.max(bytes, 2 * buffer.byteSize()), 16);
    return buffer;
  }
}

package wganc.runtime.kernels;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A fixed pool of worker threads for the kernels. {@link #threads()} workers take part in each
 * parallel loop: the calling thread plus {@code threads() - 1} daemon threads. The count is the
 * number of available processors, or the system property {@code wganc.threads} when set (read once,
 * when this class initialises; {@link #setThreads} changes it later, for tests and benchmarks).
 *
 * <p><b>Determinism.</b> {@link #run} hands out task indices {@code 0 .. n-1} dynamically, so which
 * thread runs a task varies; the kernels therefore make every task write a disjoint part of the
 * output and compute it with an order of operations that depends only on the problem's shape, never
 * on the thread count nor on which thread runs it. Reductions are never split across tasks unless
 * the split is fixed by the shape alone.
 *
 * <p>A parallel loop started from inside a task (nested), or while another thread is using the
 * pool, runs on the calling thread alone; results are the same.
 */
public final class Parallel {
  /** A parallel loop body: runs task {@code i}. */
  @FunctionalInterface
  public interface Task {
    void run(int i);
  }

  private static final ReentrantLock LOCK = new ReentrantLock();
  private static final ThreadLocal<Boolean> IN_TASK = ThreadLocal.withInitial(() -> Boolean.FALSE);
  private static volatile Pool pool = new Pool(initialThreads());

  private Parallel() {}

  private static int initialThreads() {
    String p = System.getProperty("wganc.threads");
    if (p != null && !p.isBlank()) {
      int t = Integer.parseInt(p.trim());
      if (t < 1) throw new IllegalArgumentException("wganc.threads must be >= 1: " + p);
      return t;
    }
    return Math.max(1, Runtime.getRuntime().availableProcessors());
  }

  /** Number of threads taking part in a parallel loop (the caller included). */
  public static int threads() {
    return pool.size;
  }

  /** Replaces the pool by one with {@code n} threads (the caller included). */
  public static void setThreads(int n) {
    if (n < 1) throw new IllegalArgumentException("threads must be >= 1: " + n);
    LOCK.lock();
    try {
      if (pool.size != n) {
        Pool old = pool;
        pool = new Pool(n);
        old.shutdown();
      }
    } finally {
      LOCK.unlock();
    }
  }

  /** Whether the current thread is running a task of a parallel loop. */
  static boolean inTask() {
    return IN_TASK.get();
  }

  /**
   * Runs {@code task.run(i)} for every {@code i} in {@code [0, n)}, spread over the pool, and
   * returns when all have finished. The first exception thrown by a task is rethrown here (the
   * other tasks still run to completion or fail).
   */
  public static void run(int n, Task task) {
    if (n <= 0) return;
    Pool p = pool;
    if (n == 1 || p.size == 1 || IN_TASK.get() || !LOCK.tryLock()) {
      runSerial(n, task);
      return;
    }
    try {
      p = pool;
      p.execute(n, task);
    } finally {
      LOCK.unlock();
    }
  }

  private static void runSerial(int n, Task task) {
    boolean was = IN_TASK.get();
    IN_TASK.set(Boolean.TRUE);
    try {
      for (int i = 0; i < n; i++) task.run(i);
    } finally {
      IN_TASK.set(was);
    }
  }

  /** One job: tasks claimed through {@code next}, completion counted in {@code done}. */
  private static final class Job {
    final int n;
    final Task task;
    final AtomicInteger next = new AtomicInteger();
    final AtomicInteger done = new AtomicInteger();
    volatile Throwable error;
    final Thread owner;

    Job(int n, Task task, Thread owner) {
      this.n = n;
      this.task = task;
      this.owner = owner;
    }

    /** Claims and runs tasks until none are left. */
    void work() {
      int finished = 0;
      int i;
      while ((i = next.getAndIncrement()) < n) {
        try {
          task.run(i);
        } catch (Throwable t) {
          if (error == null) error = t;
        }
        finished++;
      }
      if (finished > 0 && done.addAndGet(finished) == n) LockSupport.unpark(owner);
    }
  }

  private static final class Pool {
    /** Spin iterations a worker waits for new work before parking. */
    private static final int SPIN = 1 << 12;
    final int size;
    final Thread[] workers;
    volatile Job job;
    volatile long generation;
    volatile boolean stopped;

    Pool(int size) {
      this.size = size;
      this.workers = new Thread[size - 1];
      for (int w = 0; w < workers.length; w++) {
        Thread t = new Thread(this::loop, "wganc-kernel-" + (w + 1));
        t.setDaemon(true);
        workers[w] = t;
        t.start();
      }
    }

    void shutdown() {
      stopped = true;
      for (Thread t : workers) LockSupport.unpark(t);
    }

    void execute(int n, Task task) {
      Job j = new Job(n, task, Thread.currentThread());
      job = j;
      generation++;
      for (Thread t : workers) LockSupport.unpark(t);
      boolean was = IN_TASK.get();
      IN_TASK.set(Boolean.TRUE);
      try {
        j.work();
      } finally {
        IN_TASK.set(was);
      }
      int spins = 0;
      while (j.done.get() < n) {
        if (++spins < SPIN) Thread.onSpinWait();
        else LockSupport.parkNanos(j, 50_000L);
      }
      job = null;
      Throwable e = j.error;
      if (e != null) {
        if (e instanceof RuntimeException re) throw re;
        if (e instanceof Error er) throw er;
        throw new RuntimeException(e);
      }
    }

    private void loop() {
      IN_TASK.set(Boolean.TRUE);
      long seen = 0;
      while (!stopped) {
        long g = generation;
        if (g != seen) {
          seen = g;
          Job j = job;
          if (j != null) j.work();
          continue;
        }
        boolean got = false;
        for (int s = 0; s < SPIN; s++) {
          if (generation != seen || stopped) {
            got = true;
            break;
          }
          Thread.onSpinWait();
        }
        if (!got) LockSupport.park(this);
      }
    }
  }
}

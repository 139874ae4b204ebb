package wganc.runtime.train;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A request to end training after the current step, with a checkpoint and the manifest: made by
 * {@link Trainer#requestStop}, or on Ctrl-C or SIGTERM by the JVM shutdown hook that
 * {@link #installHook} adds, which then keeps the JVM up to a minute for the loop to write them. The
 * hook does nothing once training has ended, and training removes it then ({@link #ended}).
 */
final class StopRequest {
  private volatile boolean requested;
  private volatile boolean running;
  private final CountDownLatch finished = new CountDownLatch(1);
  private Thread hook;

  void request() {
    requested = true;
  }

  boolean requested() {
    return requested;
  }

  /** Adds the shutdown hook and returns it. */
  Thread installHook() {
    Thread t = new Thread(() -> {
      if (!running) return;
      request();
      try {
        finished.await(60, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, "wganc-trainer-stop");
    Runtime.getRuntime().addShutdownHook(t);
    hook = t;
    return t;
  }

  /** Training has started: from now on the hook waits for it. */
  void started() {
    running = true;
  }

  /** Training has ended (returned or thrown): releases a waiting hook and removes it. */
  void ended() {
    running = false;
    finished.countDown();
    if (hook != null) {
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException e) {
        // shutting down: the hook is running
      }
    }
  }
}

package io.jkeras.kernels;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.IntConsumer;

/**
 * A small shared pool of daemon threads for splitting independent work (e.g. the rows of a batch)
 * across cores. The number of threads is the system property {@code jkeras.threads}, by default
 * the number of available processors. The calling thread runs the first part itself.
 */
public final class Parallel {
    private Parallel() {}

    private static final int THREADS = Math.max(1, Integer.getInteger("jkeras.threads", Runtime.getRuntime().availableProcessors()));

    private static volatile ExecutorService pool;

    /** The number of threads work may be split over. */
    public static int threads() { return THREADS; }

    private static ExecutorService pool() {
        ExecutorService p = pool;
        if (p == null) {
            synchronized (Parallel.class) {
                p = pool;
                if (p == null) {
                    ThreadPoolExecutor e = new ThreadPoolExecutor(THREADS - 1, THREADS - 1, 30, TimeUnit.SECONDS,
                            new LinkedBlockingQueue<>(), r -> {
                                Thread t = new Thread(r, "jkeras-worker");
                                t.setDaemon(true);
                                return t;
                            });
                    e.allowCoreThreadTimeOut(true);
                    pool = p = e;
                }
            }
        }
        return p;
    }

    /**
     * Runs {@code task.accept(i)} for i in [0, parts), part 0 on the calling thread and the others on
     * the pool, and returns when all are done; the first failure is rethrown.
     */
    public static void run(int parts, IntConsumer task) {
        if (parts <= 1 || THREADS <= 1) {
            for (int i = 0; i < parts; i++) task.accept(i);
            return;
        }
        ExecutorService p = pool();
        @SuppressWarnings("unchecked")
        Future<?>[] f = new Future<?>[parts - 1];
        for (int i = 1; i < parts; i++) {
            final int part = i;
            f[i - 1] = p.submit(() -> task.accept(part));
        }
        Throwable failure = null;
        try {
            task.accept(0);
        } catch (Throwable t) {
            failure = t;
        }
        for (Future<?> x : f) {
            try {
                x.get();
            } catch (java.util.concurrent.ExecutionException e) {
                if (failure == null) failure = e.getCause();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                if (failure == null) failure = e;
            }
        }
        if (failure instanceof RuntimeException re) throw re;
        if (failure instanceof Error er) throw er;
        if (failure != null) throw new IllegalStateException(failure);
    }
}

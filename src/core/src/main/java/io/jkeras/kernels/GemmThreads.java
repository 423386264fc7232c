package io.jkeras.kernels;

import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntConsumer;

/**
 * The small shared pool of daemon threads that {@link Gemm} splits large products across.
 *
 * <p>A split product is a set of chunks claimed from a counter: the calling thread offers helpers
 * to the pool, then claims and runs chunks itself until none is left, and finally waits only for
 * chunks that a helper has already started. So a call never waits for a pool thread to become free
 * (if the pool is busy, or the caller is itself a pool thread, the caller simply runs every chunk),
 * and concurrent or nested calls cannot deadlock.
 */
final class GemmThreads {
    /** Threads per product: system property {@code jkeras.threads}, default the number of processors. */
    static final int THREADS = Math.max(1, Integer.getInteger("jkeras.threads", Runtime.getRuntime().availableProcessors()));

    private static volatile Executor pool;

    private GemmThreads() {}

    /** True on a thread of the shared pool (a product there runs on that thread alone). */
    static boolean inWorker() {
        return Thread.currentThread() instanceof Worker;
    }

    /** Runs {@code body} for chunks {@code 0..chunks-1}, on the calling thread and up to {@code chunks-1} pool threads. */
    static void run(int chunks, IntConsumer body) {
        if (chunks <= 1) {
            if (chunks == 1) body.accept(0);
            return;
        }
        Job job = new Job(chunks, body);
        Executor p = pool();
        for (int i = 1; i < chunks; i++) {
            try {
                p.execute(job);
            } catch (RejectedExecutionException e) {
                break; // the caller runs what is left
            }
        }
        job.work();
        job.await();
    }

    private static Executor pool() {
        Executor p = pool;
        if (p == null) {
            synchronized (GemmThreads.class) {
                p = pool;
                if (p == null) {
                    int size = Math.max(1, THREADS - 1);
                    AtomicInteger id = new AtomicInteger();
                    ThreadPoolExecutor e = new ThreadPoolExecutor(size, size, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(),
                            r -> new Worker(r, "jkeras-gemm-" + id.incrementAndGet()));
                    e.allowCoreThreadTimeOut(true);
                    pool = p = e;
                }
            }
        }
        return p;
    }

    private static final class Worker extends Thread {
        Worker(Runnable r, String name) {
            super(r, name);
            setDaemon(true);
        }
    }

    private static final class Job implements Runnable {
        private final int chunks;
        private final IntConsumer body;
        private final AtomicInteger next = new AtomicInteger();
        private final AtomicInteger remaining;
        private final AtomicReference<Throwable> error = new AtomicReference<>();
        private final Thread waiter = Thread.currentThread();

        Job(int chunks, IntConsumer body) {
            this.chunks = chunks;
            this.body = body;
            this.remaining = new AtomicInteger(chunks);
        }

        @Override
        public void run() {
            work();
        }

        void work() {
            int q;
            while ((q = next.getAndIncrement()) < chunks) {
                try {
                    body.accept(q);
                } catch (Throwable t) {
                    error.compareAndSet(null, t);
                } finally {
                    if (remaining.decrementAndGet() == 0) java.util.concurrent.locks.LockSupport.unpark(waiter);
                }
            }
        }

        void await() {
            boolean interrupted = false;
            for (int spin = 0; remaining.get() != 0; spin++) {
                if (spin < 1000) {
                    Thread.onSpinWait();
                } else {
                    java.util.concurrent.locks.LockSupport.park(this);
                    if (Thread.interrupted()) interrupted = true;
                }
            }
            if (interrupted) Thread.currentThread().interrupt();
            Throwable t = error.get();
            if (t instanceof RuntimeException re) throw re;
            if (t instanceof Error er) throw er;
            if (t != null) throw new IllegalStateException(t);
        }
    }
}

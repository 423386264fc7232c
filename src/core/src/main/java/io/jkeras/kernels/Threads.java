package io.jkeras.kernels;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntConsumer;

/**
 * A bounded pool of daemon threads that the engine splits work across: {@code count()} threads in
 * all, the caller and {@code count() − 1} pool threads, made at first use and ended after 30 s idle.
 * One pool per count, shared by every model and engine with that count ({@link #of}); the default
 * count is the system property {@code jkeras.threads}, else the number of processors.
 *
 * <p>{@link #run} splits independent chunks: the caller offers helpers to the pool, then claims and
 * runs chunks itself until none is left, and waits only for chunks a helper already started; so a
 * call never waits for a pool thread to become free (if the pool is busy, or the caller is itself a
 * pool thread, the caller simply runs every chunk), and concurrent or nested calls cannot deadlock.
 * A chunk run by a pool thread sees the caller's {@link Engine#current()}.
 */
public final class Threads {
    /** The system property of the default thread count. */
    public static final String PROPERTY = "jkeras.threads";

    private static final int DEFAULT =
            Math.max(1, Integer.getInteger(PROPERTY, Runtime.getRuntime().availableProcessors()));
    /** The most threads one pool may have. */
    public static final int MAX = 1024;

    private static final ConcurrentHashMap<Integer, Threads> POOLS = new ConcurrentHashMap<>();

    private final int count;
    private volatile ThreadPoolExecutor pool;

    private Threads(int count) { this.count = count; }

    /** The default thread count: system property {@code jkeras.threads}, else the number of processors. */
    public static int defaultCount() { return DEFAULT; }

    /** The shared pool of {@code count} threads (1: everything runs on the calling thread). */
    public static Threads of(int count) {
        if (count < 1 || count > MAX) {
            throw new IllegalArgumentException("thread count must be in [1, " + MAX + "], got " + count);
        }
        return POOLS.computeIfAbsent(count, Threads::new);
    }

    /** Threads work may be split over, the caller included. */
    public int count() { return count; }

    /** True on a pool thread (work there runs on that thread alone). */
    public static boolean inWorker() { return Thread.currentThread() instanceof Worker; }

    /** Runs {@code body} for chunks {@code 0..chunks-1} on the calling thread and up to {@code chunks-1} others. */
    public void run(int chunks, IntConsumer body) {
        if (chunks <= 1 || count == 1 || inWorker()) {
            for (int i = 0; i < chunks; i++) body.accept(i);
            return;
        }
        Job job = new Job(chunks, body, Engine.current());
        ThreadPoolExecutor p = pool();
        for (int i = 1; i < Math.min(chunks, count); i++) {
            try {
                p.execute(job);
            } catch (RejectedExecutionException e) {
                break; // the caller runs what is left
            }
        }
        job.work();
        job.await();
    }

    /**
     * Lends {@code task} to the helper thread, one daemon thread of the process started at first use, without
     * waiting for it: for work the caller does itself unless the helper gets to it first (the split batch-1
     * recurrent steps). A task lent while the helper is busy replaces the one waiting, if any. Allocates
     * nothing; {@code task} must return once its caller no longer needs it.
     */
    public static void lend(Runnable task) {
        Helper.PENDING.set(task);
        LockSupport.unpark(Helper.thread());
    }

    /** The helper thread of {@link #lend}. */
    private static final class Helper {
        static final AtomicReference<Runnable> PENDING = new AtomicReference<>();
        private static volatile Thread thread;

        static Thread thread() {
            Thread t = thread;
            if (t != null) return t;
            synchronized (Helper.class) {
                if (thread == null) {
                    Thread n = new Thread(Helper::loop, "jkeras-helper");
                    n.setDaemon(true);
                    n.start();
                    thread = n;
                }
                return thread;
            }
        }

        private static void loop() {
            for (;;) {
                Runnable r = PENDING.getAndSet(null);
                if (r == null) {
                    LockSupport.park(Helper.class);
                    continue;
                }
                try {
                    r.run();
                } catch (Throwable t) {
                    // a lent task reports its own failures to its caller; the helper goes on
                }
            }
        }
    }

    private ThreadPoolExecutor pool() {
        ThreadPoolExecutor p = pool;
        if (p == null) {
            synchronized (this) {
                p = pool;
                if (p == null) {
                    AtomicInteger id = new AtomicInteger();
                    String prefix = "jkeras-" + count + "-";
                    p = new ThreadPoolExecutor(count - 1, count - 1, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(),
                            r -> new Worker(r, prefix + id.incrementAndGet()));
                    p.allowCoreThreadTimeOut(true);
                    pool = p;
                }
            }
        }
        return p;
    }

    @Override
    public String toString() { return count + " thread(s)"; }

    private static void rethrow(Throwable t) {
        if (t instanceof RuntimeException re) throw re;
        if (t instanceof Error er) throw er;
        if (t != null) throw new IllegalStateException(t);
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
        private final Engine engine;
        private final AtomicInteger next = new AtomicInteger();
        private final AtomicInteger remaining;
        private final AtomicReference<Throwable> error = new AtomicReference<>();
        private final Thread waiter = Thread.currentThread();

        Job(int chunks, IntConsumer body, Engine engine) {
            this.chunks = chunks;
            this.body = body;
            this.engine = engine;
            this.remaining = new AtomicInteger(chunks);
        }

        @Override
        public void run() {
            engine.bind(this::work);
        }

        void work() {
            int q;
            while ((q = next.getAndIncrement()) < chunks) {
                try {
                    body.accept(q);
                } catch (Throwable t) {
                    error.compareAndSet(null, t);
                } finally {
                    if (remaining.decrementAndGet() == 0) LockSupport.unpark(waiter);
                }
            }
        }

        void await() {
            boolean interrupted = false;
            for (int spin = 0; remaining.get() != 0; spin++) {
                if (spin < 1000) {
                    Thread.onSpinWait();
                } else {
                    LockSupport.park(this);
                    if (Thread.interrupted()) interrupted = true;
                }
            }
            if (interrupted) Thread.currentThread().interrupt();
            rethrow(error.get());
        }
    }
}

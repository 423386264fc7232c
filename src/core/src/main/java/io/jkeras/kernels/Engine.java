package io.jkeras.kernels;

import java.util.Objects;
import java.util.function.Supplier;

/**
 * How the engine computes: its threads ({@link Threads}), its {@link Kernels}, and two tuning knobs
 * of the fused recurrent loop. Immutable; each {@code with…} returns a new engine.
 *
 * <p>{@link #defaults()} reads the system properties once: {@code jkeras.threads} (default: the number
 * of processors), {@code jkeras.scalar} (through {@link Kernels#best()}), {@code jkeras.splitSteps}
 * and {@code jkeras.chunkFloats}. A model carries its own engine ({@code Model.withEngine},
 * {@code Model.withThreads}), so several models in one JVM (e.g. N Spark or Flink task slots) can each
 * use a share of the cores.
 *
 * <p>The layers do not take an engine argument: a model runs its layers inside {@link #bind}, and the
 * kernels read {@link #current()} (the bound engine, else the defaults). Work split across a
 * {@link Threads} pool sees the caller's engine.
 */
public final class Engine {
    private static final ThreadLocal<Engine> CURRENT = new ThreadLocal<>();

    private final Threads threads;
    private final Kernels kernels;
    private final boolean splitSteps;
    private final int chunkFloats;

    private Engine(Threads threads, Kernels kernels, boolean splitSteps, int chunkFloats) {
        this.threads = threads;
        this.kernels = kernels;
        this.splitSteps = splitSteps;
        this.chunkFloats = chunkFloats;
    }

    private static final class Defaults {
        static final Engine ENGINE = new Engine(Threads.of(Threads.defaultCount()), Kernels.best(),
                Boolean.parseBoolean(System.getProperty("jkeras.splitSteps", "true")),
                Math.max(1, Integer.getInteger("jkeras.chunkFloats", 1 << 17)));
    }

    /** The engine the system properties describe (read once). */
    public static Engine defaults() { return Defaults.ENGINE; }

    /** The engine bound to the calling thread by {@link #bind}, else {@link #defaults()}. */
    public static Engine current() {
        Engine e = CURRENT.get();
        return e != null ? e : defaults();
    }

    /** Runs {@code body} with this engine as {@link #current()} on the calling thread, then restores the previous. */
    public <T> T bind(Supplier<T> body) {
        Engine before = CURRENT.get();
        CURRENT.set(this);
        try {
            return body.get();
        } finally {
            CURRENT.set(before); // not remove(): the next bind would allocate the thread's map entry again
        }
    }

    /** {@link #bind(Supplier)} for a body without result. */
    public void bind(Runnable body) {
        bind(() -> {
            body.run();
            return null;
        });
    }

    /** Threads work may be split over, the caller included. */
    public int threads() { return threads.count(); }

    /** The pool of {@link #threads()} threads (shared with every engine of that count). */
    public Threads pool() { return threads; }

    public Kernels kernels() { return kernels; }

    /**
     * Whether a batch-1 recurrent step is split across two threads (system property
     * {@code jkeras.splitSteps}, on by default; with {@link #threads()} ≥ 2): the caller computes half of each
     * step's tiles and the other half unless the helper thread ({@link Threads#lend}) has claimed it, so a
     * busy helper costs nothing but the claim; and a sequence is split only while no other batch-1 sequence
     * runs in the process, as concurrent callers already keep the cores busy.
     */
    public boolean splitSteps() { return splitSteps; }

    /**
     * Floats of projected input a block of the fused recurrent loop projects at a time (system property
     * {@code jkeras.chunkFloats}, 512 KiB by default).
     */
    public int chunkFloats() { return chunkFloats; }

    /** This engine on {@code n} threads (1: everything on the calling thread); the pool is shared per count. */
    public Engine withThreads(int n) {
        return n == threads() ? this : new Engine(Threads.of(n), kernels, splitSteps, chunkFloats);
    }

    /** This engine with other kernels ({@link Kernels#scalar()} or {@link Kernels#best()}). */
    public Engine withKernels(Kernels k) {
        Objects.requireNonNull(k, "kernels");
        return k == kernels ? this : new Engine(threads, k, splitSteps, chunkFloats);
    }

    public Engine withSplitSteps(boolean split) {
        return split == splitSteps ? this : new Engine(threads, kernels, split, chunkFloats);
    }

    public Engine withChunkFloats(int floats) {
        if (floats < 1) throw new IllegalArgumentException("chunkFloats must be positive, got " + floats);
        return floats == chunkFloats ? this : new Engine(threads, kernels, splitSteps, floats);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Engine e && e.threads == threads && e.kernels == kernels && e.splitSteps == splitSteps
                && e.chunkFloats == chunkFloats;
    }

    @Override
    public int hashCode() { return Objects.hash(threads.count(), kernels, splitSteps, chunkFloats); }

    @Override
    public String toString() {
        return "Engine[" + threads + ", kernels " + kernels + (splitSteps ? ", split steps" : "")
                + ", chunk " + chunkFloats + " floats]";
    }
}

package io.jkeras.hostile;

import io.jkeras.JKeras;
import io.jkeras.model.Model;
import io.jkeras.model.Session;
import io.jkeras.tensor.Tensor;
import io.jkeras.npy.Npy;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/**
 * Load under concurrency: one model shared by 8 threads gives, bit for bit, the outputs of a single
 * thread; stateful sessions are per caller; a bounded soak shows no heap growth.
 */
class ConcurrencyTest {
    private static final Path K3 = Path.of("fixtures", "keras3");
    private static final int THREADS = 8;

    /**
     * 8 threads x 10,000 predictions on one {@code stack_lstm_lstm_dense} model. The inputs are a pool
     * of 256 distinct batches (batch 1 to 4, random values); thread t walks the pool from offset
     * 37·t with stride 2t+1, so at any moment the threads run different inputs. Expected values
     * come from single-threaded predictions made before the threads start.
     */
    @Test
    void sharedModelEightThreadsTenThousandPredictionsEach() throws Exception {
        Model m = JKeras.load(K3.resolve("stack_lstm_lstm_dense/model.h5"));
        Tensor[] pool = inputs(m, 256, 7);
        float[][] expected = new float[pool.length][];
        for (int i = 0; i < pool.length; i++) expected[i] = m.predict(pool[i])[0].data().clone();
        int per = 10_000;
        long[] ok = runThreads(t -> {
            long good = 0;
            for (int i = 0; i < per; i++) {
                int k = (37 * t + i * (2 * t + 1)) % pool.length;
                if (Arrays.equals(m.predict(pool[k])[0].data(), expected[k])) good++;
            }
            return good;
        }, Duration.ofSeconds(120));
        for (int t = 0; t < THREADS; t++) assertThat(ok[t]).as("thread %d: exact results", t).isEqualTo(per);
    }

    /**
     * 8 threads, each with its own {@link Session} on the stateful {@code lstm_stateful}: each
     * reproduces Keras' three consecutive batches (y0, y1, y2: state carried between them) within
     * the fixture's tolerance, 200 times with a reset in between, and exactly the outputs of the same
     * session run on one thread.
     */
    @Test
    void statefulSessionsPerCaller() throws Exception {
        Path dir = K3.resolve("lstm_stateful");
        Model m = JKeras.load(dir.resolve("model.h5"));
        assertThat(m.stateful()).isTrue();
        Tensor[] x = new Tensor[3];
        Tensor[] y = new Tensor[3];
        for (int b = 0; b < 3; b++) {
            x[b] = Npy.read(dir.resolve("x" + b + ".npy")).tensor();
            y[b] = Npy.read(dir.resolve("y" + b + ".npy")).tensor();
        }
        Session single = m.newSession();
        float[][] reference = new float[3][];
        for (int b = 0; b < 3; b++) {
            reference[b] = single.predict(x[b])[0].data().clone();
            assertClose(reference[b], y[b].data(), 1e-5, "single-thread batch " + b);
        }
        int rounds = 200;
        long[] ok = runThreads(t -> {
            Session s = m.newSession();
            long good = 0;
            for (int r = 0; r < rounds; r++) {
                boolean all = true;
                for (int b = 0; b < 3; b++) {
                    float[] got = s.predict(x[b])[0].data();
                    all &= Arrays.equals(got, reference[b]) && maxAbs(got, y[b].data()) <= 1e-5;
                }
                if (all) good++;
                s.reset();
            }
            return good;
        }, Duration.ofSeconds(60));
        for (int t = 0; t < THREADS; t++) assertThat(ok[t]).as("thread %d: rounds equal to Keras' y files", t)
                .isEqualTo(rounds);
    }

    /**
     * Soak: for about 15 s, 4 threads load models (from bytes, both formats), open and drop
     * sessions and predict, while the main thread watches. Heap use is measured as the minimum of
     * three readings of {@code MemoryMXBean.getHeapMemoryUsage().getUsed()}, each right after
     * {@code System.gc()} and a 50 ms pause, once after a warm-up round and once at the end: it may
     * grow by at most 32 MiB (a leak of one loaded model or one output per call would exceed it
     * within the first seconds). The duration only bounds the loop; it is never asserted on.
     */
    @Test
    void soakShowsNoHeapGrowth() throws Exception {
        byte[] h5 = Files.readAllBytes(K3.resolve("stack_lstm_lstm_dense/model.h5"));
        byte[] keras = Files.readAllBytes(K3.resolve("gru_default/model.keras"));
        Model shared = JKeras.load(K3.resolve("lstm_stateful/model.h5"));
        Tensor[] stateIn = {Npy.read(K3.resolve("lstm_stateful/x0.npy")).tensor()};
        Runnable round = () -> {
            Model a = JKeras.load(new java.io.ByteArrayInputStream(h5), "soak.h5");
            Model b = JKeras.load(new java.io.ByteArrayInputStream(keras), "soak.keras");
            Tensor[] xa = inputs(a, 8, 1);
            Tensor[] xb = inputs(b, 8, 2);
            for (int i = 0; i < 50; i++) {
                a.predict(xa[i % xa.length]);
                b.checked().predict(xb[i % xb.length]);
                Session s = shared.newSession();
                s.predict(stateIn);
                s.predict(stateIn);
            }
        };
        for (int i = 0; i < 20; i++) round.run(); // warm-up: JIT, class loading, caches
        long before = usedHeapAfterGc();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        long[] rounds = runThreads(t -> {
            if (t >= 4) return 0;
            long n = 0;
            while (System.nanoTime() < deadline) {
                round.run();
                n++;
            }
            return n;
        }, Duration.ofSeconds(90));
        long after = usedHeapAfterGc();
        long total = Arrays.stream(rounds).sum();
        assertThat(total).as("soak rounds").isGreaterThan(4);
        assertThat(after - before).as("heap growth over %d rounds (before %d, after %d bytes)", total, before, after)
                .isLessThan(32L << 20);
    }

    // ---------------------------------------------------------------- helpers

    interface Work {
        long run(int thread) throws Exception;
    }

    /** Runs {@code w} on {@value #THREADS} threads released together; a hang fails after {@code limit}. */
    private static long[] runThreads(Work w, Duration limit) {
        return assertTimeoutPreemptively(limit, () -> {
            ExecutorService ex = Executors.newFixedThreadPool(THREADS);
            try {
                CountDownLatch go = new CountDownLatch(1);
                List<Future<Long>> fs = new ArrayList<>();
                for (int t = 0; t < THREADS; t++) {
                    int tt = t;
                    fs.add(ex.submit(() -> {
                        go.await();
                        return w.run(tt);
                    }));
                }
                go.countDown();
                long[] out = new long[THREADS];
                for (int t = 0; t < THREADS; t++) out[t] = fs.get(t).get(); // rethrows any thread's error
                return out;
            } finally {
                ex.shutdownNow();
            }
        });
    }

    /** {@code n} random batches (batch 1 to 4) for every input of {@code m}; unknown time dimensions are 5. */
    static Tensor[] inputs(Model m, int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        Tensor[] out = new Tensor[n];
        for (int i = 0; i < n; i++) {
            int[] s = m.input(0).shape();
            int[] full = new int[s.length + 1];
            full[0] = m.input(0).batchSize() > 0 ? m.input(0).batchSize() : 1 + i % 4;
            for (int d = 0; d < s.length; d++) full[d + 1] = s[d] < 0 ? 5 : s[d];
            int size = 1;
            for (int d : full) size *= d;
            float[] v = new float[size];
            for (int j = 0; j < size; j++) v[j] = (float) (r.nextDouble() * 4 - 2);
            out[i] = new Tensor(full, v);
        }
        return out;
    }

    private static long usedHeapAfterGc() throws InterruptedException {
        MemoryMXBean mem = ManagementFactory.getMemoryMXBean();
        long min = Long.MAX_VALUE;
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(50);
            min = Math.min(min, mem.getHeapMemoryUsage().getUsed());
        }
        return min;
    }

    private static double maxAbs(float[] a, float[] b) {
        if (a.length != b.length) return Double.POSITIVE_INFINITY;
        double m = 0;
        for (int i = 0; i < a.length; i++) m = Math.max(m, Math.abs((double) a[i] - b[i]));
        return m;
    }

    private static void assertClose(float[] got, float[] want, double tol, String what) {
        assertThat(maxAbs(got, want)).as(what).isLessThanOrEqualTo(tol);
    }
}

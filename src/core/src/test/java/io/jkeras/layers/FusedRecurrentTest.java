package io.jkeras.layers;

import io.jkeras.kernels.Activation;
import io.jkeras.kernels.CellKernels;
import io.jkeras.kernels.Engine;
import io.jkeras.kernels.Kernels;
import io.jkeras.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The fused recurrent paths (the Vector API kernels, {@code Kernels.best().cells()}, and the portable
 * {@link CellKernels#scalar()}) against the reference path of each layer (the per-gate
 * {@code step} with the per-row input projection, {@code kernels == null}), which the fixture and
 * reference tests pin to Keras. Odd unit counts (masked tails), 0 and 1 timesteps, batch 1 (the
 * row-at-a-time fused step), 3 and 257 (the batched product, split across threads when large),
 * every activation the kernels implement plus one they do not, masks with both
 * zero_output_for_mask settings, go_backwards, return_sequences/return_state, initial and carried
 * (stateful) states.
 */
class FusedRecurrentTest {
    private static final Activation[][] PAIRS = {
        {Activation.TANH, Activation.SIGMOID},
        {Activation.TANH, Activation.HARD_SIGMOID_SLOPE_0_2},
        {Activation.RELU, Activation.HARD_SIGMOID_RELU6},
        {Activation.LINEAR, Activation.SIGMOID},
        {Activation.SELU, Activation.SIGMOID},   // not in the kernels: the reference path
    };

    private static float[] uniform(SplittableRandom r, int n, double scale) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) ((r.nextDouble() * 2 - 1) * scale);
        return a;
    }

    /** A layer of the given kind with random weights. kind: lstm, gru (reset_after), gru0 (reset_before), rnn. */
    static Recurrent layer(String kind, SplittableRandom r, int units, int features, Activation act, Activation ract,
                           boolean bias, RecurrentOptions o) {
        double s = 0.6 / Math.sqrt(Math.max(1, units / 8.0));
        switch (kind) {
            case "lstm":
                return new Lstm("l", units, features, act, ract, uniform(r, features * 4 * units, 0.5),
                        uniform(r, units * 4 * units, s), bias ? uniform(r, 4 * units, 0.5) : null, o);
            case "gru":
                return new Gru("g", units, features, act, ract, true, uniform(r, features * 3 * units, 0.5),
                        uniform(r, units * 3 * units, s), bias ? uniform(r, 6 * units, 0.5) : null, o);
            case "gru0":
                return new Gru("g", units, features, act, ract, false, uniform(r, features * 3 * units, 0.5),
                        uniform(r, units * 3 * units, s), bias ? uniform(r, 3 * units, 0.5) : null, o);
            default:
                return new SimpleRnn("s", units, features, act, uniform(r, features * units, 0.5),
                        uniform(r, units * units, s), bias ? uniform(r, units, 0.5) : null, o);
        }
    }

    private static void assertClose(Tensor[] got, Tensor[] want, String what) {
        assertThat(got.length).as(what).isEqualTo(want.length);
        for (int i = 0; i < got.length; i++) {
            assertThat(got[i].shape()).as(what).isEqualTo(want[i].shape());
            float[] g = got[i].data(), w = want[i].data();
            for (int j = 0; j < g.length; j++) {
                double tol = 2e-5 * Math.max(1.0, Math.abs(w[j]));
                assertThat((double) Math.abs(g[j] - w[j]))
                        .as("%s output %d element %d: %s vs %s", what, i, j, g[j], w[j])
                        .isLessThanOrEqualTo(tol);
            }
        }
    }

    /** Runs the layer with each kernel set and with the reference, over two calls when stateful. */
    private static void check(Recurrent l, Tensor[] in, String what) {
        float[][] refState = l.stateful() ? new float[l.stateCount()][] : null;
        float[][] vecState = l.stateful() ? new float[l.stateCount()][] : null;
        float[][] scaState = l.stateful() ? new float[l.stateCount()][] : null;
        int calls = l.stateful() ? 2 : 1;
        for (int call = 0; call < calls; call++) {
            Tensor[] want = l.forward(in, refState, null);
            assertClose(l.forward(in, vecState, Kernels.best().cells()), want, what + " vector call " + call);
            assertClose(l.forward(in, scaState, CellKernels.scalar()), want, what + " scalar call " + call);
            for (float v : want[0].data()) assertThat(Float.isFinite(v)).as(what).isTrue();
        }
    }

    private static Tensor[] inputs(SplittableRandom r, Recurrent l, int batch, int steps, int features, boolean mask,
            boolean init) {
        float[] x = uniform(r, batch * steps * features, 1.5);
        boolean[] m = null;
        if (mask) {
            m = new boolean[batch * steps];
            for (int i = 0; i < m.length; i++) m[i] = r.nextInt(3) != 0;
            if (batch > 1 && steps > 0) java.util.Arrays.fill(m, 0, steps, false);   // a row with every step masked
        }
        List<Tensor> t = new ArrayList<>();
        t.add(new Tensor(new int[]{batch, steps, features}, x, m));
        if (init) {
            for (int i = 0; i < l.stateCount(); i++) t.add(
                    new Tensor(new int[]{batch, l.units()}, uniform(r, batch * l.units(), 1.0)));
        }
        return t.toArray(new Tensor[0]);
    }

    @Test
    void oddShapesEveryKindAndActivation() {
        SplittableRandom r = new SplittableRandom(42);
        int n = 0;
        for (String kind : new String[]{"lstm", "gru", "gru0", "rnn"}) {
            for (Activation[] p : PAIRS) {
                for (int units : new int[]{1, 7, 16, 17, 33}) {
                    for (int batch : new int[]{1, 3}) {
                        for (int steps : new int[]{0, 1, 6}) {
                            boolean gb = (n & 1) != 0, rs = (n & 2) != 0, rst = (n & 4) != 0, bias = (n % 5) != 0;
                            boolean mask = (n % 3) == 0, zero = (n % 7) < 3, init = (n % 4) == 1;
                            RecurrentOptions o = new RecurrentOptions(rs, rst, gb, false, zero);
                            Recurrent l = layer(kind, r, units, 5, p[0], p[1], bias, o);
                            String what = String.format(
                                    "%s %s/%s units=%d batch=%d steps=%d gb=%s seq=%s state=%s bias=%s mask=%s"
                                            + " zero=%s init=%s",
                                    kind, p[0], p[1], units, batch, steps, gb, rs, rst, bias, mask, zero, init);
                            check(l, inputs(r, l, batch, steps, 5, mask, init), what);
                            n++;
                        }
                    }
                }
            }
        }
        assertThat(n).isEqualTo(4 * PAIRS.length * 5 * 2 * 3);
    }

    @Test
    void wideLayersAndLargeBatches() {
        SplittableRandom r = new SplittableRandom(7);
        for (String kind : new String[]{"lstm", "gru", "gru0", "rnn"}) {
            // units 257: several full tiles and a one-unit tail
            Recurrent wide = layer(kind, r, 257, 9, Activation.TANH, Activation.SIGMOID, true,
                    new RecurrentOptions(true, true, false, false));
            check(wide, inputs(r, wide, 1, 4, 9, false, true), kind + " units=257 batch=1");
            check(wide, inputs(r, wide, 3, 3, 9, true, false), kind + " units=257 batch=3 masked");
            // batch 257: the batched product; 64 units × 24 steps is enough work to split across threads
            Recurrent big = layer(kind, r, 17, 3, Activation.TANH, Activation.HARD_SIGMOID_SLOPE_0_2, true,
                    new RecurrentOptions(true, true, true, false, true));
            check(big, inputs(r, big, 257, 5, 3, true, true), kind + " units=17 batch=257");
            Recurrent split = layer(kind, r, 64, 8, Activation.TANH, Activation.SIGMOID, true,
                    new RecurrentOptions(false, true, false, false));
            check(split, inputs(r, split, 257, 24, 8, true, false), kind + " units=64 batch=257 steps=24");
        }
    }

    @Test
    void chunkSizeFollowsTheBudget() {
        Engine.defaults().withChunkFloats(3 * 5 * 64).bind(() -> {
            assertThat(Recurrent.chunkSteps(10, 5, 64)).isEqualTo(3);
            assertThat(Recurrent.chunkSteps(2, 5, 64)).isEqualTo(2);
            assertThat(Recurrent.chunkSteps(10, 6, 64)).isEqualTo(2);
        });
        Engine.defaults().withChunkFloats(1).bind(() -> assertThat(Recurrent.chunkSteps(10, 5, 64)).isEqualTo(1));
    }

    /**
     * The batched path projects the input a chunk of timesteps at a time: chunks of one step, of
     * three steps over 1, 3, 7 and 10 steps (a last partial chunk, masks and go_backwards across
     * chunk boundaries), and one chunk holding the whole sequence.
     */
    @Test
    void batchedPathAcrossChunkBoundaries() {
        {
            SplittableRandom r = new SplittableRandom(13);
            for (String kind : new String[]{"lstm", "gru", "gru0", "rnn"}) {
                for (int steps : new int[]{1, 3, 7, 10}) {
                    for (int chunk : new int[]{1, 3, 64}) {
                        boolean back = steps % 2 == 1;
                        Recurrent l = layer(kind, r, 33, 5, Activation.TANH, Activation.SIGMOID, true,
                                new RecurrentOptions(true, true, back, false, chunk == 3));
                        Engine e = Engine.defaults().withChunkFloats(chunk * 4 * l.projectionWidth());
                        String what = kind + " batch=4 steps=" + steps + " chunk=" + chunk + (back ? " backwards" : "");
                        Tensor[] masked = inputs(r, l, 4, steps, 5, true, steps == 7),
                                plain = inputs(r, l, 4, steps, 5, false, false);
                        e.bind(() -> {
                            check(l, masked, what + " masked");
                            check(l, plain, what);
                        });
                    }
                }
                // several threads and blocks of rows, each chunking its own rows
                Recurrent l = layer(kind, r, 64, 8, Activation.TANH, Activation.SIGMOID, true,
                        new RecurrentOptions(true, true, true, false));
                Tensor[] big = inputs(r, l, 257, 24, 8, true, true);
                Engine.defaults().withThreads(2).withChunkFloats(5 * 128 * l.projectionWidth())
                        .bind(() -> check(l, big, kind + " units=64 batch=257 steps=24 chunked"));
                Recurrent s = layer(kind, r, 17, 4, Activation.TANH, Activation.SIGMOID, true,
                        new RecurrentOptions(false, true, false, true));
                Tensor[] small = inputs(r, s, 5, 7, 4, true, false);
                Engine.defaults().withChunkFloats(2 * 5 * s.projectionWidth())
                        .bind(() -> check(s, small, kind + " stateful batch=5 chunked"));
            }
        }
    }

    @Test
    void batchOneStepsSplitAcrossTwoThreads() {
        Engine.defaults().withThreads(2).withSplitSteps(true).bind(() -> {
            SplittableRandom r = new SplittableRandom(5);
            for (String kind : new String[]{"lstm", "gru", "gru0", "rnn"}) {
                for (int units : new int[]{64, 65, 257}) {
                    Recurrent l = layer(kind, r, units, 7, Activation.TANH, Activation.SIGMOID, true,
                            new RecurrentOptions(units != 65, true, units == 257, false, units == 64));
                    check(l, inputs(r, l, 1, 9, 7, true, units == 65), kind + " split units=" + units + " masked");
                    check(l, inputs(r, l, 1, 9, 7, false, false), kind + " split units=" + units);
                }
            }
        });
    }

    /**
     * With the helper thread held by other work, a split batch-1 step never waits for it: the caller computes both
     * halves, and the result is the one-thread result bit for bit. (A hang guard, not a time measurement.)
     */
    @Test
    void aSplitStepNeverWaitsForABusyHelperThread() throws Exception {
        SplittableRandom r = new SplittableRandom(8);
        Recurrent l = layer("lstm", r, 130, 5, Activation.TANH, Activation.SIGMOID, true,
                new RecurrentOptions(true, true, false, false));
        Tensor[] in = inputs(r, l, 1, 40, 5, false, false);
        Tensor[] alone = Engine.defaults().withThreads(1).bind(() -> l.forward(in, null, Kernels.best().cells()));
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch held = new java.util.concurrent.CountDownLatch(1);
        Engine two = Engine.defaults().withThreads(2).withSplitSteps(true);
        io.jkeras.kernels.Threads.lend(() -> {
            held.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        try {
            assertThat(held.await(30, java.util.concurrent.TimeUnit.SECONDS)).as("the helper is held").isTrue();
            java.time.Duration guard = java.time.Duration.ofSeconds(60);
            Tensor[] split = org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(guard,
                    () -> two.bind(() -> l.forward(in, null, Kernels.best().cells())));
            for (int i = 0; i < alone.length; i++) {
                assertThat(split[i].data()).as("output %d", i).containsExactly(alone[i].data());
            }
        } finally {
            release.countDown();
        }
    }

    @Test
    void statefulLayersCarryTheirStateAcrossCalls() {
        SplittableRandom r = new SplittableRandom(11);
        for (String kind : new String[]{"lstm", "gru", "gru0", "rnn"}) {
            for (int batch : new int[]{1, 3}) {
                Recurrent l = layer(kind, r, 17, 4, Activation.TANH, Activation.SIGMOID, true,
                        new RecurrentOptions(false, true, false, true));
                check(l, inputs(r, l, batch, 5, 4, batch == 3, false), kind + " stateful batch=" + batch);
            }
        }
    }

    @Test
    void aCudnnLayerRunsItsInnerLayersKernels() {
        SplittableRandom r = new SplittableRandom(3);
        Recurrent inner = layer("gru", r, 33, 6, Activation.TANH, Activation.SIGMOID, true,
                new RecurrentOptions(true, false, false, false));
        CudnnRecurrent c = new CudnnRecurrent("CuDNNGRU", inner, List.of());
        Tensor[] in = inputs(r, inner, 2, 5, 6, false, false);
        assertClose(c.forward(in, null), inner.forward(in, null, null), "CuDNNGRU");
    }
}

package io.jkeras.model;

import io.jkeras.tensor.Tensor;
import io.jkeras.exceptions.InputException;
import io.jkeras.JKeras;
import io.jkeras.layers.Layer;
import io.jkeras.layers.Lstm;
import io.jkeras.npy.Npy;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.data.Offset.offset;

/** Model, Session and Tensor behaviour that does not depend on particular output values. */
class ModelTest {
    /** LSTM(5, stateful=True, return_sequences=False), Input(batch_shape=(2, 4, 3)); see its case.json. */
    private static final Path STATEFUL = Path.of("fixtures/keras3/lstm_stateful/model.h5");

    private static Tensor npy(String dir, String f) {
        return Npy.read(Path.of("fixtures/keras3", dir, f)).tensor();
    }

    @Test
    void statefulSessionCarriesStateAcrossCalls() {
        Model m = JKeras.load(STATEFUL);
        assertThat(m.stateful()).isTrue();
        Tensor x0 = npy("lstm_stateful", "x0.npy");
        Tensor x1 = npy("lstm_stateful", "x1.npy");
        assertThat(x0.shape()).containsExactly(2, 4, 3);

        Session s = m.newSession();
        float[] first = s.predict(x0)[0].data().clone();
        float[] second = s.predict(x1)[0].data().clone();

        // the whole sequence x0 ++ x1 (8 steps) through the same LSTM from zero state
        Lstm lstm = onlyLstm(m);
        Tensor whole = concatTime(x0, x1);
        float[] wholeLast = lstm.forward(new Tensor[]{whole}, null)[0].data();
        float[] firstHalfOnly = lstm.forward(new Tensor[]{x0}, null)[0].data();
        assertClose(first, firstHalfOnly, 1e-6, "first call = first half from zero");
        assertClose(second, wholeLast, 1e-6, "two calls on halves = one call on the whole");

        // without carried state the second half gives something else
        float[] secondFromZero = m.predict(x1)[0].data();
        assertThat(maxAbsDiff(second, secondFromZero)).as("state matters").isGreaterThan(1e-4);

        // reset() restores the first-call result exactly
        s.reset();
        assertThat(s.predict(x0)[0].data()).containsExactly(first);
        assertThat(s.model()).isSameAs(m);

        // sessions are independent
        Session other = m.newSession();
        assertThat(other.predict(x0)[0].data()).containsExactly(first);
    }

    @Test
    void predictOnAStatefulModelStartsFromZeroEveryCall() {
        Model m = JKeras.load(STATEFUL);
        Tensor x0 = npy("lstm_stateful", "x0.npy");
        Tensor x1 = npy("lstm_stateful", "x1.npy");
        float[] a = m.predict(x0)[0].data().clone();
        m.predict(x1);
        float[] b = m.predict(x0)[0].data();
        assertThat(b).containsExactly(a);
        assertThat(m.newSession().predict(x0)[0].data()).containsExactly(a);
    }

    @Test
    void statefulModelRejectsAnotherBatchSize() {
        Model m = JKeras.load(STATEFUL);
        assertThatThrownBy(() -> m.newSession().predict(Tensor.zeros(3, 4, 3))).isInstanceOf(InputException.class);
    }

    @Test
    void predictFlatEqualsPredict() {
        for (String c : new String[]{"lstm_default", "stack_lstm_lstm_dense", "graph_variable_time"}) {
            Model m = JKeras.load(Path.of("fixtures/keras3", c, "model.h5"));
            if (m.inputCount() != 1 || m.outputCount() != 1) continue;
            Tensor x = npy(c, "x0.npy");
            float[] viaPredict = m.predict(x)[0].data();
            float[] viaFlat = m.predictFlat(x.data().clone(), x.dim(0));
            assertThat(viaFlat).as(c).containsExactly(viaPredict);
            if (x.rank() == 3) {
                assertThat(m.predict(x.toArray3()).data()).as(c + " float[][][]").containsExactly(viaPredict);
            }
        }
    }

    @Test
    void predictFlatRejectsAWrongLength() {
        Model m = JKeras.load(Path.of("fixtures/keras3/lstm_default/model.h5"));
        Tensor x = npy("lstm_default", "x0.npy");
        int[] s = m.input(0).shape();
        if (s[0] > 0) { // fixed timesteps: one value too many cannot fit
            float[] bad = java.util.Arrays.copyOf(x.data(), x.size() + 1);
            assertThatThrownBy(() -> m.predictFlat(bad, 1)).isInstanceOf(InputException.class);
        }
        assertThatThrownBy(() -> m.predictFlat(x.data(), 0)).isInstanceOf(InputException.class);
    }

    @Test
    void predictIsThreadSafe() throws Exception {
        Model m = JKeras.load(Path.of("fixtures/keras3/stack_lstm_lstm_dense/model.h5"));
        int[] s = m.input(0).shape();
        int steps = s[0] > 0 ? s[0] : 6;
        int features = s[1];
        int threads = 8, per = 200;
        Tensor[][] inputs = new Tensor[threads][per];
        float[][][] expected = new float[threads][per][];
        SplittableRandom r = new SplittableRandom(2024);
        for (int t = 0; t < threads; t++) {
            for (int i = 0; i < per; i++) {
                int batch = 1 + (t + i) % 3;
                float[] d = new float[batch * steps * features];
                for (int j = 0; j < d.length; j++) d[j] = (float) (r.nextDouble() * 3 - 1.5);
                inputs[t][i] = new Tensor(new int[]{batch, steps, features}, d);
                expected[t][i] = m.predict(inputs[t][i])[0].data().clone();
            }
        }
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<Integer>> fs = new ArrayList<>();
            java.util.concurrent.CountDownLatch start = new java.util.concurrent.CountDownLatch(1);
            for (int t = 0; t < threads; t++) {
                final int tt = t;
                fs.add(pool.submit(() -> {
                    start.await();
                    int ok = 0;
                    for (int i = 0; i < per; i++) {
                        float[] got = m.predict(inputs[tt][i])[0].data();
                        if (java.util.Arrays.equals(got, expected[tt][i])) ok++;
                    }
                    return ok;
                }));
            }
            start.countDown();
            for (int t = 0; t < threads; t++) assertThat(fs.get(t).get(60, TimeUnit.SECONDS))
                    .as("thread %d exact results", t).isEqualTo(per);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void tensorOfAndToArrayRoundTrip() {
        float[][][] x = new float[3][4][5];
        SplittableRandom r = new SplittableRandom(1);
        for (float[][] a : x) for (float[] b : a) for (int i = 0; i < b.length; i++) b[i] = (float) r.nextDouble();
        Tensor t = Tensor.of(x);
        assertThat(t.shape()).containsExactly(3, 4, 5);
        assertThat(t.rank()).isEqualTo(3);
        assertThat(t.dim(-1)).isEqualTo(5);
        assertThat(t.size()).isEqualTo(60);
        assertThat(t.data()[(1 * 4 + 2) * 5 + 3]).isEqualTo(x[1][2][3]);
        assertThat(t.toArray3()).isDeepEqualTo(x);
        x[0][0][0] = 42f; // of() copies
        assertThat(t.data()[0]).isNotEqualTo(42f);

        float[][] y = {{1, 2, 3}, {4, 5, 6}};
        Tensor u = Tensor.of(y);
        assertThat(u.shape()).containsExactly(2, 3);
        assertThat(u.toArray2()).isDeepEqualTo(y);
        assertThat(u.data()).containsExactly(1, 2, 3, 4, 5, 6);
        assertThatThrownBy(u::toArray3).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(t::toArray2).isInstanceOf(IllegalStateException.class);

        assertThat(Tensor.of(new float[0][][]).shape()).containsExactly(0, 0, 0);
        assertThat(Tensor.shapeString(new int[]{-1, 5})).isEqualTo("(None, 5)");
        assertThat(Tensor.shapeString(new int[]{3})).isEqualTo("(3,)");
        assertThat(t.reshape(12, 5).shape()).containsExactly(12, 5);
        assertThatThrownBy(() -> new Tensor(new int[]{2, 3}, new float[5]))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void raggedArraysAreInputErrors() {
        float[][][] raggedSteps = {new float[3][2], new float[2][2]};
        float[][][] raggedFeatures = {{{1, 2}, {3, 4}}, {{1, 2}, {3}}};
        float[][] ragged2 = {{1, 2}, {3}};
        assertThatThrownBy(() -> Tensor.of(raggedSteps)).isInstanceOf(InputException.class)
                .hasMessageContaining("ragged");
        assertThatThrownBy(() -> Tensor.of(raggedFeatures)).isInstanceOf(InputException.class)
                .hasMessageContaining("ragged");
        assertThatThrownBy(() -> Tensor.of(ragged2)).isInstanceOf(InputException.class).hasMessageContaining("ragged");
        Model m = JKeras.load(Path.of("fixtures/keras3/lstm_default/model.h5"));
        assertThatThrownBy(() -> m.predict(raggedFeatures)).isInstanceOf(InputException.class);
    }

    @Test
    void predictRejectsNonFiniteInputsAndWrongShapes() {
        Model m = JKeras.load(Path.of("fixtures/keras3/lstm_default/model.h5"));
        Tensor x = npy("lstm_default", "x0.npy");
        float[] d = x.data().clone();
        d[1] = Float.NaN;
        assertThatThrownBy(() -> m.predict(new Tensor(x.shape(), d))).isInstanceOf(InputException.class);
        int[] s = x.shape();
        s[2] += 1;
        assertThatThrownBy(() -> m.predict(Tensor.zeros(s))).isInstanceOf(InputException.class);
        assertThatThrownBy(() -> m.predict(x, x)).isInstanceOf(InputException.class);
    }

    // ---------------------------------------------------------------- helpers

    private static Lstm onlyLstm(Model m) {
        Lstm found = null;
        for (Layer l : m.layers()) if (l instanceof Lstm lstm) found = lstm;
        assertThat(found).isNotNull();
        return found;
    }

    private static Tensor concatTime(Tensor a, Tensor b) {
        int batch = a.dim(0), ta = a.dim(1), tb = b.dim(1), f = a.dim(2);
        float[] d = new float[batch * (ta + tb) * f];
        for (int i = 0; i < batch; i++) {
            System.arraycopy(a.data(), i * ta * f, d, i * (ta + tb) * f, ta * f);
            System.arraycopy(b.data(), i * tb * f, d, (i * (ta + tb) + ta) * f, tb * f);
        }
        return new Tensor(new int[]{batch, ta + tb, f}, d);
    }

    private static double maxAbsDiff(float[] a, float[] b) {
        double m = 0;
        for (int i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
        return m;
    }

    private static void assertClose(float[] got, float[] want, double tol, String what) {
        assertThat(got).as(what).hasSize(want.length);
        for (int i = 0; i < want.length; i++) assertThat((double) got[i]).as(what + " [" + i + "]")
                .isCloseTo(want[i], offset(tol));
    }
}

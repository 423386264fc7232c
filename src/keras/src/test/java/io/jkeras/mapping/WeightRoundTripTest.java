package io.jkeras.mapping;

import io.jhdf.HdfFile;
import io.jhdf.api.Attribute;
import io.jhdf.api.Dataset;
import io.jkeras.JKeras;
import io.jkeras.kernels.Activation;
import io.jkeras.layers.Dense;
import io.jkeras.layers.Layer;
import io.jkeras.layers.Lstm;
import io.jkeras.layers.RecurrentOptions;
import io.jkeras.layers.SimpleRnn;
import io.jkeras.layers.Weight;
import io.jkeras.model.Model;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Weights map back exactly: what a layer is built from is what {@code weights()} returns, bit for
 * bit, with Keras names and shapes; and a loaded file's weights equal its datasets.
 */
class WeightRoundTripTest {

    /** Random bit patterns, finite, with signed zeros and subnormals mixed in. */
    static float[] keras(SplittableRandom r, int n) {
        int[] special = {0x80000000, 0x00000000, 0x00000001, 0x807fffff, 0x3f800000, 0xbf7fffff};
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            if (i < special.length) { a[i] = Float.intBitsToFloat(special[i]); continue; }
            float f;
            do { f = Float.intBitsToFloat(r.nextInt()); } while (!Float.isFinite(f));
            a[i] = f;
        }
        return a;
    }

    @ParameterizedTest(name = "units={0}")
    @ValueSource(ints = {1, 15, 16, 17, 33, 128})
    void lstmWeightsRoundTrip(int units) {
        SplittableRandom r = new SplittableRandom(units);
        for (int features : new int[]{1, 7}) {
            for (boolean useBias : new boolean[]{true, false}) {
                float[] k = keras(r, features * 4 * units);
                float[] u = keras(r, units * 4 * units);
                float[] b = useBias ? keras(r, 4 * units) : null;
                Lstm l = new Lstm("lstm", units, features, Activation.TANH, Activation.SIGMOID, k, u, b,
                        RecurrentOptions.DEFAULT);
                List<Weight> w = l.weights();
                assertThat(w).extracting(Weight::name).containsExactlyElementsOf(
                        useBias ? List.of("kernel", "recurrent_kernel", "bias")
                                : List.of("kernel", "recurrent_kernel"));
                assertBits(w.get(0), new int[]{features, 4 * units}, k);
                assertBits(w.get(1), new int[]{units, 4 * units}, u);
                if (useBias) assertBits(w.get(2), new int[]{4 * units}, b);
                assertThat(l.paramCount()).isEqualTo((long) k.length + u.length + (useBias ? b.length : 0));
            }
        }
    }

    @ParameterizedTest(name = "units={0}")
    @ValueSource(ints = {1, 15, 16, 17, 33, 128})
    void simpleRnnWeightsRoundTrip(int units) {
        SplittableRandom r = new SplittableRandom(100 + units);
        for (boolean useBias : new boolean[]{true, false}) {
            float[] k = keras(r, 5 * units);
            float[] u = keras(r, units * units);
            float[] b = useBias ? keras(r, units) : null;
            SimpleRnn l = new SimpleRnn("rnn", units, 5, Activation.TANH, k, u, b, RecurrentOptions.DEFAULT);
            List<Weight> w = l.weights();
            assertThat(w).extracting(Weight::name).containsExactlyElementsOf(
                    useBias ? List.of("kernel", "recurrent_kernel", "bias") : List.of("kernel", "recurrent_kernel"));
            assertBits(w.get(0), new int[]{5, units}, k);
            assertBits(w.get(1), new int[]{units, units}, u);
            if (useBias) assertBits(w.get(2), new int[]{units}, b);
        }
    }

    @Test
    void denseWeightsRoundTrip() {
        SplittableRandom r = new SplittableRandom(5);
        for (int units : new int[]{1, 17, 64}) {
            for (boolean useBias : new boolean[]{true, false}) {
                float[] k = keras(r, 9 * units);
                float[] b = useBias ? keras(r, units) : null;
                Dense d = new Dense("dense", 9, units, Activation.LINEAR, k, b);
                List<Weight> w = d.weights();
                assertThat(w).extracting(Weight::name)
                        .containsExactlyElementsOf(useBias ? List.of("kernel", "bias") : List.of("kernel"));
                assertBits(w.get(0), new int[]{9, units}, k);
                if (useBias) assertBits(w.get(1), new int[]{units}, b);
            }
        }
    }

    @Test
    void weightsAreCopiesTheCallerCannotCorrupt() {
        float[] k = new float[3 * 8];
        float[] u = new float[2 * 8];
        float[] b = new float[8];
        java.util.Arrays.fill(k, 0.5f);
        Lstm l = new Lstm("lstm", 2, 3, Activation.TANH, Activation.SIGMOID, k, u, b, RecurrentOptions.DEFAULT);
        k[0] = 99f; // the layer copied its input
        float[] got = l.weights().get(0).values();
        assertThat(got[0]).isEqualTo(0.5f);
        got[1] = 42f; // and hands out copies
        assertThat(l.weights().get(0).values()[1]).isEqualTo(0.5f);
    }

    /** Keras 1 stores W_i, U_i, b_i, W_c, U_c, b_c, W_f, ...: the engine's kernel is i|f|c|o. */
    @Test
    void keras1LstmKernelIsTheFilesGatesFusedInOrderIFCO() throws Exception {
        Path file = Path.of("fixtures/zoo/dl4j_simple_lstm_th_keras1/model.h5");
        Model m = JKeras.load(file);
        Map<String, Weight> got = byName(m);
        String[] order = {"i", "f", "c", "o"};
        try (HdfFile h = new HdfFile(file)) {
            String g = "model_weights/lstm_1/lstm_1_";
            float[][] w = new float[4][], u = new float[4][], b = new float[4][];
            int[] wDims = dims(h, g + "W_i"), uDims = dims(h, g + "U_i");
            int features = wDims[0], units = wDims[1];
            assertThat(uDims).containsExactly(units, units);
            for (int i = 0; i < 4; i++) {
                w[i] = flat(h, g + "W_" + order[i]);
                u[i] = flat(h, g + "U_" + order[i]);
                b[i] = flat(h, g + "b_" + order[i]);
            }
            assertBits(got.get("lstm_1/kernel"), new int[]{features, 4 * units}, fuse(w, features, units));
            assertBits(got.get("lstm_1/recurrent_kernel"), new int[]{units, 4 * units}, fuse(u, units, units));
            assertBits(got.get("lstm_1/bias"), new int[]{4 * units}, fuse(b, 1, units));
            // the file's storage order (i, c, f, o) must not leak through: the f and c blocks differ
            assertThat(w[1]).isNotEqualTo(w[2]);
            assertBits(got.get("dense_1/kernel"), dims(h, "model_weights/dense_1/dense_1_W"),
                    flat(h, "model_weights/dense_1/dense_1_W"));
            assertBits(got.get("dense_1/bias"), dims(h, "model_weights/dense_1/dense_1_b"),
                    flat(h, "model_weights/dense_1/dense_1_b"));
        }
        assertThat(got).containsOnlyKeys("lstm_1/kernel", "lstm_1/recurrent_kernel", "lstm_1/bias", "dense_1/kernel",
                "dense_1/bias");
    }

    /** Keras 3: model.weights() are the file's datasets, in the order of the layer's weight_names. */
    @Test
    void keras3WeightsEqualTheFilesDatasets() throws Exception {
        for (String c : new String[]{"lstm_default", "simple_rnn_default", "stack_lstm_lstm_dense", "lstm_no_bias"}) {
            Path file = Path.of("fixtures/keras3", c, "model.h5");
            Model m = JKeras.load(file);
            List<String> expectedNames = new ArrayList<>();
            try (HdfFile h = new HdfFile(file)) {
                List<Model.NamedWeight> weights = m.weights();
                int i = 0;
                for (Layer layer : m.layers()) {
                    io.jhdf.api.Group mw = (io.jhdf.api.Group) h.getByPath("model_weights");
                    if (!mw.getChildren().containsKey(layer.name())) {
                        assertThat(layer.weights()).as(c + " " + layer.name()).isEmpty();
                        continue;
                    }
                    Attribute a = mw.getChild(layer.name()).getAttribute("weight_names");
                    for (String path : (String[]) a.getData()) {
                        String ds = "model_weights/" + layer.name() + "/" + path;
                        String shortName = path.substring(path.lastIndexOf('/') + 1);
                        expectedNames.add(layer.name() + "/" + shortName);
                        Model.NamedWeight nw = weights.get(i++);
                        assertThat(nw.fullName()).as(c).isEqualTo(layer.name() + "/" + shortName);
                        assertBits(nw.weight(), dims(h, ds), flat(h, ds));
                    }
                }
                assertThat(weights).extracting(Model.NamedWeight::fullName).as(c)
                        .containsExactlyElementsOf(expectedNames);
            }
            assertThat(expectedNames).as(c).isNotEmpty();
        }
    }

    // ---------------------------------------------------------------- helpers

    private static Map<String, Weight> byName(Model m) {
        Map<String, Weight> out = new LinkedHashMap<>();
        for (Model.NamedWeight w : m.weights()) out.put(w.fullName(), w.weight());
        return out;
    }

    private static int[] dims(HdfFile h, String path) {
        return h.getDatasetByPath(path).getDimensions();
    }

    private static float[] flat(HdfFile h, String path) {
        Dataset d = h.getDatasetByPath(path);
        assertThat(d.getJavaType()).as(path).isEqualTo(float.class);
        return (float[]) d.getDataFlat();
    }

    /** Concatenates per-gate (rows × units) blocks column-wise into (rows × 4·units). */
    private static float[] fuse(float[][] gates, int rows, int units) {
        int g = gates.length;
        float[] out = new float[rows * g * units];
        for (int r = 0; r < rows; r++)
            for (int i = 0; i < g; i++)
                System.arraycopy(gates[i], r * units, out, r * g * units + i * units, units);
        return out;
    }

    private static void assertBits(Weight w, int[] shape, float[] want) {
        assertThat(w).isNotNull();
        assertThat(w.shape()).as(w.name() + " shape").containsExactly(shape);
        float[] got = w.values();
        assertThat(got).as(w.name() + " length").hasSize(want.length);
        for (int i = 0; i < want.length; i++) {
            if (Float.floatToRawIntBits(got[i]) != Float.floatToRawIntBits(want[i])) {
                throw new AssertionError(w.name() + "[" + i + "]: " + got[i] + " != " + want[i]);
            }
        }
    }
}

package io.jkeras.gru;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jkeras.exceptions.UnsupportedModelException;
import io.jkeras.exceptions.WeightException;
import io.jkeras.keras.KerasVersion;
import io.jkeras.keras.LayerSpec;
import io.jkeras.keras.MapContext;
import io.jkeras.keras.ModelAssembler;
import io.jkeras.keras.ModelSpec;
import io.jkeras.keras.WeightArray;
import io.jkeras.kernels.Activation;
import io.jkeras.layers.CudnnRecurrent;
import io.jkeras.layers.Gru;
import io.jkeras.layers.Layer;
import io.jkeras.layers.Lstm;
import io.jkeras.layers.RecurrentOptions;
import io.jkeras.layers.Weight;
import io.jkeras.model.Model;
import io.jkeras.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static io.jkeras.gru.GruReferenceTest.assertBits;
import static io.jkeras.gru.GruReferenceTest.assertClose;
import static io.jkeras.gru.GruReferenceTest.uniform;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The GRU, CuDNNGRU and CuDNNLSTM mappers, driven through {@link ModelAssembler} with hand-built
 * (normalised) configs and weight arrays: Keras 1 per-gate arrays fused in gate order z|r|h, the
 * reset_after and recurrent_activation defaults per writer, and the CuDNN weight conversion of
 * Keras 2's {@code _convert_rnn_weights}.
 */
class GruMappingTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    // ---------------------------------------------------------------- Keras 1

    @Test
    void keras1PerGateArraysAreFusedInGateOrderZrh() {
        int F = 3, u = 5, T = 6, B = 2;
        SplittableRandom r = new SplittableRandom(11);
        String[] gates = {"z", "r", "h"};
        float[][] W = new float[3][], U = new float[3][], b = new float[3][];
        for (int g = 0; g < 3; g++) {
            W[g] = uniform(r, F * u, 0.6);
            U[g] = uniform(r, u * u, 0.6);
            b[g] = uniform(r, u, 0.6);
        }
        List<WeightArray> w = new ArrayList<>();
        // stored order is the file's; the mapper must go by name
        for (int g : new int[]{2, 0, 1}) {
            w.add(new WeightArray("U_" + gates[g], "gru/gru_U_" + gates[g], new int[]{u, u}, U[g]));
            w.add(new WeightArray("b_" + gates[g], "gru/gru_b_" + gates[g], new int[]{u}, b[g]));
            w.add(new WeightArray("W_" + gates[g], "gru/gru_W_" + gates[g], new int[]{F, u}, W[g]));
        }
        ObjectNode cfg = cfg("units", u).put("activation", "tanh").put("recurrent_activation", "hard_sigmoid")
                .put("return_sequences", true);
        Model m = model("GRU", cfg, w, T, F, "1.2.2");

        // fused as Keras 2's preprocess_weights_for_loading: concatenate([W_z, W_r, W_h], axis=-1), ...
        float[] kernel = new float[F * 3 * u], rec = new float[u * 3 * u], bias = new float[3 * u];
        for (int g = 0; g < 3; g++) {
            for (int i = 0; i < F; i++) for (int j = 0; j < u; j++) kernel[i * 3 * u + g * u + j] = W[g][i * u + j];
            for (int i = 0; i < u; i++) for (int j = 0; j < u; j++) rec[i * 3 * u + g * u + j] = U[g][i * u + j];
            for (int j = 0; j < u; j++) bias[g * u + j] = b[g][j];
        }
        List<Model.NamedWeight> ws = m.weights();
        assertThat(ws).extracting(nw -> nw.fullName() + " " + nw.weight().shapeString())
                .containsExactly("gru/kernel (3, 15)", "gru/recurrent_kernel (5, 15)", "gru/bias "
                + Tensor.shapeString(new int[]{15}));
        assertBits(ws.get(0).weight(), new int[]{F, 3 * u}, kernel);
        assertBits(ws.get(1).weight(), new int[]{u, 3 * u}, rec);
        assertBits(ws.get(2).weight(), new int[]{3 * u}, bias);
        Gru g = (Gru) m.layers().get(m.layers().size() - 1);
        assertThat(g.resetAfter()).as("Keras 1 GRUs apply the reset gate before the product").isFalse();
        assertThat(g.recurrentActivation()).isEqualTo(Activation.HARD_SIGMOID_SLOPE_0_2);

        GruReferenceTest.Case c = new GruReferenceTest.Case(u, F, B, T, false, kernel, rec, bias,
                uniform(r, B * T * F, 1.5), null, null);
        Tensor y = m.predict(GruReferenceTest.inputs(c))[0];
        assertClose(y.data(),
                GruReferenceTest.oracle(c, GruReferenceTest.TANH, GruReferenceTest.HARD_SIGMOID_0_2, false, true)[0],
                        "Keras 1 GRU");
    }

    @Test
    void keras1MissingGateArrayIsNamed() {
        List<WeightArray> w = new ArrayList<>();
        for (String g : new String[]{"z", "r"}) {
            w.add(new WeightArray("W_" + g, "", new int[]{2, 3}, new float[6]));
            w.add(new WeightArray("U_" + g, "", new int[]{3, 3}, new float[9]));
            w.add(new WeightArray("b_" + g, "", new int[]{3}, new float[3]));
        }
        assertThatThrownBy(() -> model("GRU", cfg("units", 3), w, 4, 2, "1.2.2"))
                .isInstanceOf(WeightException.class).hasMessageContaining("W_h").hasMessageContaining("gru");
    }

    // ---------------------------------------------------------------- Keras 2 / 3 defaults

    @Test
    void resetAfterDefaultsToFalseBeforeKeras3AndTrueInKeras3() {
        int F = 2, u = 4;
        SplittableRandom r = new SplittableRandom(5);
        float[] k = uniform(r, F * 3 * u, 0.5), rk = uniform(r, u * 3 * u, 0.5);
        // Keras 2.1.2: no reset_after key, no recurrent_activation key → reset_after=False, hard_sigmoid 0.2·x + 0.5
        Model m2 = model("GRU", cfg("units", u), fused(k, rk, uniform(r, 3 * u, 0.5), F, u, new int[]{3 * u}), 5, F,
                "2.1.2");
        Gru g2 = (Gru) last(m2);
        assertThat(g2.resetAfter()).isFalse();
        assertThat(g2.recurrentActivation()).isEqualTo(Activation.HARD_SIGMOID_SLOPE_0_2);
        // Keras 3: reset_after=True, sigmoid; bias (2, 3u)
        Model m3 = model("GRU", cfg("units", u), fused(k, rk, uniform(r, 6 * u, 0.5), F, u, new int[]{2, 3 * u}), 5, F,
                "3.15.1");
        Gru g3 = (Gru) last(m3);
        assertThat(g3.resetAfter()).isTrue();
        assertThat(g3.recurrentActivation()).isEqualTo(Activation.SIGMOID);
        assertThat(m3.weights().get(2).weight().shapeString()).isEqualTo("(2, 12)");
        // hard_sigmoid by the writer's version
        ObjectNode hs = cfg("units", u).put("recurrent_activation", "hard_sigmoid").put("reset_after", true);
        assertThat(((Gru) last(
                model("GRU", hs, fused(k, rk, new float[6 * u], F, u, new int[]{2, 3 * u}), 5, F, "2.2.4-tf")))
                .recurrentActivation()).isEqualTo(Activation.HARD_SIGMOID_SLOPE_0_2);
        assertThat(((Gru) last(
                model("GRU", hs, fused(k, rk, new float[6 * u], F, u, new int[]{2, 3 * u}), 5, F, "3.15.1")))
                .recurrentActivation()).isEqualTo(Activation.HARD_SIGMOID_RELU6);
        // use_bias=False: two arrays
        Model nb = model("GRU", cfg("units", u).put("use_bias", false), fused(k, rk, null, F, u, null), 5, F, "3.15.1");
        assertThat(nb.weights()).extracting(nw -> nw.weight().name()).containsExactly("kernel", "recurrent_kernel");
    }

    @Test
    void biasShapeThatContradictsResetAfterIsRefused() {
        int F = 2, u = 4;
        float[] k = new float[F * 3 * u], rk = new float[u * 3 * u];
        assertThatThrownBy(()
                -> model("GRU", cfg("units", u).put("reset_after", true),
                        fused(k, rk, new float[3 * u], F, u, new int[]{3 * u}), 5, F, "2.2.4"))
                .isInstanceOf(WeightException.class).hasMessageContaining("bias").hasMessageContaining("(2, 12)")
                .hasMessageContaining("reset_after");
        assertThatThrownBy(()
                -> model("GRU", cfg("units", u).put("reset_after", false),
                        fused(k, rk, new float[6 * u], F, u, new int[]{2, 3 * u}), 5, F, "2.2.4"))
                .isInstanceOf(WeightException.class).hasMessageContaining("bias").hasMessageContaining("reset_after");
    }

    @Test
    void timeMajorIsUnsupported() {
        int F = 2, u = 3;
        for (String cls : new String[]{"GRU", "CuDNNGRU", "CuDNNLSTM"}) {
            int g = cls.equals("CuDNNLSTM") ? 4 : 3;
            List<WeightArray> w = List.of(
                    new WeightArray("kernel", "", new int[]{F, g * u}, new float[F * g * u]),
                    new WeightArray("recurrent_kernel", "", new int[]{u, g * u}, new float[u * g * u]),
                    new WeightArray("bias", "", new int[]{2 * g * u}, new float[2 * g * u]));
            assertThatThrownBy(() -> model(cls, cfg("units", u).put("time_major", true), w, 4, F, "2.4.0"))
                    .as(cls).isInstanceOf(UnsupportedModelException.class).hasMessageContaining("time_major");
        }
    }

    // ---------------------------------------------------------------- CuDNN

    /**
     * Index permutations produced by Keras 2's own expressions, run with numpy on arange inputs:
     * {@code np.hstack([k.T.reshape(k.shape, order='F') for k in np.hsplit(kernel, gates)])} and
     * {@code np.hstack([k.T for k in np.hsplit(recurrent_kernel, gates)])}.
     */
    private static final int[] GRU_KERNEL_F2_U3 = {0, 2, 10, 3, 5, 13, 6, 8, 16, 1, 9, 11, 4, 12, 14, 7, 15, 17};
    private static final int[] GRU_RECURRENT_U3 = {0, 9, 18, 3, 12, 21, 6, 15, 24, 1, 10, 19, 4, 13, 22, 7, 16, 25, 2,
            11, 20, 5, 14, 23, 8, 17, 26};
    private static final int[] LSTM_KERNEL_F3_U2 = {0, 9, 2, 11, 4, 13, 6, 15, 1, 16, 3, 18, 5, 20, 7, 22, 8, 17, 10,
            19, 12, 21, 14, 23};
    private static final int[] LSTM_RECURRENT_U2 = {0, 8, 2, 10, 4, 12, 6, 14, 1, 9, 3, 11, 5, 13, 7, 15};

    @Test
    void cudnnGruRunsAsGruResetAfterWithKeras2Conversion() {
        int F = 2, u = 3, T = 7, B = 3;
        SplittableRandom r = new SplittableRandom(21);
        float[] k = uniform(r, F * 3 * u, 0.7), rk = uniform(r, u * 3 * u, 0.7), b = uniform(r, 6 * u, 0.7);
        ObjectNode cfg = cfg("units", u).put("return_sequences", true);
        Model m = model("CuDNNGRU", cfg, fused(k, rk, b, F, u, new int[]{6 * u}), T, F, "2.2.4");
        Layer l = last(m);
        assertThat(l.typeName()).isEqualTo("CuDNNGRU");
        // Keras' listing and count: the stored CuDNN layout
        assertThat(l.paramCount()).isEqualTo((long) F * 3 * u + u * 3 * u + 6 * u);
        List<Weight> w = l.weights();
        assertBits(w.get(0), new int[]{F, 3 * u}, k);
        assertBits(w.get(1), new int[]{u, 3 * u}, rk);
        assertBits(w.get(2), new int[]{6 * u}, b);
        // the computing layer: converted weights
        Gru g = (Gru) ((CudnnRecurrent) l).inner();
        assertThat(g.resetAfter()).isTrue();
        assertThat(g.activation()).isEqualTo(Activation.TANH);
        assertThat(g.recurrentActivation()).isEqualTo(Activation.SIGMOID);
        float[] kc = permute(k, GRU_KERNEL_F2_U3), rc = permute(rk, GRU_RECURRENT_U3);
        assertBits(g.weights().get(0), new int[]{F, 3 * u}, kc);
        assertBits(g.weights().get(1), new int[]{u, 3 * u}, rc);
        assertBits(g.weights().get(2), new int[]{2, 3 * u}, b);
        GruReferenceTest.Case c = new GruReferenceTest.Case(u, F, B, T, true, kc, rc, b, uniform(r, B * T * F, 1.5),
                null, null);
        assertClose(m.predict(GruReferenceTest.inputs(c))[0].data(),
                GruReferenceTest.oracle(c, GruReferenceTest.TANH, GruReferenceTest.SIGMOID, false, true)[0],
                        "CuDNNGRU");
    }

    @Test
    void cudnnLstmRunsAsLstmWithSummedBiases() {
        int F = 3, u = 2, T = 5, B = 2;
        SplittableRandom r = new SplittableRandom(22);
        float[] k = uniform(r, F * 4 * u, 0.7), rk = uniform(r, u * 4 * u, 0.7), b = uniform(r, 8 * u, 0.7);
        Model m = model("CuDNNLSTM", cfg("units", u).put("return_sequences", true).put("return_state", true),
                fused(k, rk, b, F, u, new int[]{8 * u}), T, F, "2.2.4", 3);
        Layer l = last(m);
        assertThat(l.typeName()).isEqualTo("CuDNNLSTM");
        assertThat(l.stateCount()).isEqualTo(2);
        assertThat(l.paramCount()).isEqualTo((long) F * 4 * u + u * 4 * u + 8 * u);
        assertBits(l.weights().get(2), new int[]{8 * u}, b);
        Lstm inner = (Lstm) ((CudnnRecurrent) l).inner();
        float[] kc = permute(k, LSTM_KERNEL_F3_U2), rc = permute(rk, LSTM_RECURRENT_U2);
        float[] bc = new float[4 * u];
        for (int i = 0; i < 4 * u; i++) bc[i] = b[i] + b[4 * u + i];
        assertBits(inner.weights().get(0), new int[]{F, 4 * u}, kc);
        assertBits(inner.weights().get(1), new int[]{u, 4 * u}, rc);
        assertBits(inner.weights().get(2), new int[]{4 * u}, bc);
        assertThat(inner.activation()).isEqualTo(Activation.TANH);
        assertThat(inner.recurrentActivation()).isEqualTo(Activation.SIGMOID);
        // same outputs as an LSTM built from the converted arrays
        Lstm ref = new Lstm("x", u, F, Activation.TANH, Activation.SIGMOID, kc, rc, bc,
                new RecurrentOptions(true, true, false, false));
        Tensor x = new Tensor(new int[]{B, T, F}, uniform(r, B * T * F, 1.5));
        Tensor[] got = m.predict(x);
        Tensor[] want = ref.forward(new Tensor[]{x}, null);
        assertThat(got).hasSize(3);
        for (int i = 0; i < 3; i++) assertThat(got[i].data()).as("output " + i).containsExactly(want[i].data());
    }

    @Test
    void cudnnBiasOfTheWrongSizeIsRefused() {
        int F = 2, u = 3;
        List<WeightArray> w = fused(new float[F * 4 * u], new float[u * 4 * u], new float[4 * u], F, u,
                new int[]{4 * u});
        assertThatThrownBy(() -> model("CuDNNLSTM", cfg("units", u), w, 4, F, "2.2.4"))
                .isInstanceOf(WeightException.class).hasMessageContaining("bias").hasMessageContaining("24");
    }

    // ---------------------------------------------------------------- helpers

    private static float[] permute(float[] raw, int[] perm) {
        float[] out = new float[perm.length];
        for (int i = 0; i < perm.length; i++) out[i] = raw[perm[i]];
        return out;
    }

    private static ObjectNode cfg(String key, int v) {
        ObjectNode n = JSON.createObjectNode();
        n.put("name", "gru");
        n.put(key, v);
        return n;
    }

    private static List<WeightArray> fused(float[] k, float[] rk, float[] b, int F, int u, int[] biasShape) {
        List<WeightArray> w = new ArrayList<>();
        w.add(new WeightArray("kernel", "gru/kernel:0", new int[]{F, k.length / F}, k));
        w.add(new WeightArray("recurrent_kernel", "gru/recurrent_kernel:0", new int[]{u, rk.length / u}, rk));
        if (b != null) w.add(new WeightArray("bias", "gru/bias:0", biasShape, b));
        return w;
    }

    private static Layer last(Model m) { return m.layers().get(m.layers().size() - 1); }

    /** Input (None, steps, features) → the layer under test, named "gru". */
    private static Model model(String cls, ObjectNode cfg, List<WeightArray> w, int steps, int features,
            String version) {
        return model(cls, cfg, w, steps, features, version, 1);
    }

    private static Model model(String cls, ObjectNode cfg, List<WeightArray> w, int steps, int features, String version,
            int outputs) {
        ObjectNode in = JSON.createObjectNode();
        in.putArray("batch_shape").addNull().add(steps).add(features);
        in.put("name", "in");
        LayerSpec input = new LayerSpec("InputLayer", "in", in, List.of());
        LayerSpec layer = new LayerSpec(cls, "gru", cfg, List.of(List.of(new LayerSpec.TensorRef("in", 0, 0))));
        ModelSpec spec = new ModelSpec("m", false, List.of(input, layer),
                List.of(new LayerSpec.TensorRef("in", 0, 0)),
                java.util.stream.IntStream.range(0, outputs).mapToObj(i -> new LayerSpec.TensorRef("gru", 0, i))
                        .toList());
        MapContext ctx = new MapContext("test.h5", KerasVersion.parse(version), "tensorflow");
        return ModelAssembler.assemble(spec, Map.of("gru", w), ctx, Map.of());
    }
}

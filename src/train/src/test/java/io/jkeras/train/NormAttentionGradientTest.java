package io.jkeras.train;

import io.jkeras.layers.Attention;
import io.jkeras.layers.Dot;
import io.jkeras.layers.GroupNormalization;
import io.jkeras.layers.Layer;
import io.jkeras.layers.MultiHeadAttention;
import io.jkeras.layers.Weight;
import io.jkeras.layers.LayerNormalization;
import io.jkeras.layers.TrainingConfig;
import io.jkeras.layers.UnitNormalization;
import io.jkeras.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static io.jkeras.train.RecurrentGradientTest.rnd;
import static io.jkeras.train.RecurrentGradientTest.rndD;
import static io.jkeras.train.RecurrentGradientTest.weightedSum;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Training forms of the normalisation and attention layers: gradients of inputs and weights against central
 * differences ({@link GradCheck}), and the form's forward pass equal to the engine layer's at inference.
 */
class NormAttentionGradientTest {

    /** Checks the gradients of {@code form} on input x and that its forward pass equals the layer's. */
    private static void check(Layer layer, Var... xs) {
        TrainableLayer form = TrainableLayers.of(layer, TrainingConfig.DEFAULT);
        List<Var> leaves = new ArrayList<>(List.of(xs));
        form.params().forEach(p -> leaves.add(p.var()));
        Random r = new Random(5);
        GradCheck.check(leaves, t -> weightedSum(t, form.forward(t, xs, new TrainContext(false, null), null), r), 1e-5);
        Var[] got = form.forward(new Tape(), xs, new TrainContext(false, null), null);
        Tensor[] in = new Tensor[xs.length];
        for (int i = 0; i < xs.length; i++) {
            float[] f = new float[xs[i].size()];
            for (int k = 0; k < f.length; k++) f[k] = (float) xs[i].value()[k];
            in[i] = new Tensor(xs[i].shape(), f, xs[i].mask());
        }
        Tensor[] want = layer.forward(in, null);
        assertThat(got).hasSameSizeAs(want);
        for (int o = 0; o < want.length; o++) {
            for (int k = 0; k < want[o].size(); k++) {
                assertThat(got[o].value()[k]).as("output %d element %d", o, k)
                        .isCloseTo(want[o].data()[k], org.assertj.core.data.Offset.offset(2e-5));
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(LayerNormalization.Kind.class)
    void layerNormalizationGradientsOverTheLastAxisAndOverTwoAxes(LayerNormalization.Kind kind) {
        Random r = new Random(1);
        boolean beta = kind == LayerNormalization.Kind.LAYER;
        check(new LayerNormalization("ln", kind, 3, new int[]{-1}, new int[]{4}, 1e-3f, rnd(r, 4, 1),
                beta ? rnd(r, 4, 1) : null), Var.leaf(new int[]{2, 3, 4}, rndD(r, 24)));
        check(new LayerNormalization("ln", kind, 4, new int[]{1, 2}, new int[]{3, 2}, 1e-2f, rnd(r, 6, 1), null),
                Var.leaf(new int[]{2, 3, 2, 2}, rndD(r, 24)));
    }

    /** Axes that are not one run (1 and 3 of a rank-4 input): normalised as a set, the engine agreeing. */
    @ParameterizedTest(name = "{0}")
    @EnumSource(LayerNormalization.Kind.class)
    void layerNormalizationAndUnitNormalizationOverNonAdjacentAxes(LayerNormalization.Kind kind) {
        Random r = new Random(21);
        boolean beta = kind == LayerNormalization.Kind.LAYER;
        Var x = new Var(new int[]{2, 3, 4, 2}, rndD(r, 48), true, new boolean[]{true, false, true, true, true, true});
        check(new LayerNormalization("ln", kind, 4, new int[]{3, 1}, new int[]{3, 2}, 1e-3f, rnd(r, 6, 1),
                beta ? rnd(r, 6, 1) : null), x);
        check(new UnitNormalization("un", 4, new int[]{1, -1}), x);
    }

    @ParameterizedTest(name = "axes {0}")
    @ValueSource(ints = {1, 2, -1})
    void layerNormalizationWithoutWeightsOverOneMiddleAxis(int axis) {
        Random r = new Random(2);
        check(new LayerNormalization("ln", LayerNormalization.Kind.LAYER, 3, new int[]{axis}, new int[0], 1e-3f,
                null, null), Var.leaf(new int[]{2, 3, 4}, rndD(r, 24)));
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Attention.Kind.class)
    void attentionGradientsWithKeyScoresAndMasks(Attention.Kind kind) {
        Random r = new Random(4);
        boolean concat = kind == Attention.Kind.CONCAT;
        float[] scale = rnd(r, kind == Attention.Kind.ADDITIVE ? 3 : 1, 1);
        float[] cw = concat ? rnd(r, 1, 1) : null;
        // query, value and key; the weights returned as a second output
        check(new Attention("att", kind, scale, cw, false, true, 0),
                Var.leaf(new int[]{2, 4, 3}, rndD(r, 24)), Var.leaf(new int[]{2, 5, 2}, rndD(r, 20)),
                Var.leaf(new int[]{2, 5, 3}, rndD(r, 30)));
        // self-attention on one tensor, causal, with a query/value mask (one step of each sample masked)
        boolean[] m = {true, true, false, true, true, true, true, false};
        Var x = new Var(new int[]{2, 4, 3}, rndD(r, 24), true, m);
        check(new Attention("att", kind, kind == Attention.Kind.DOT ? null : scale, cw, true, false, 0), x, x);
    }

    /** The forward pass of {@code layer}'s form while training, with masks drawn from a fixed seed. */
    private static Var[] training(TrainableLayer form, Tape t, Var... xs) {
        return form.forward(t, xs, new TrainContext(true, new java.util.SplittableRandom(7)), null);
    }

    /** Gradients of the training-mode forward under the same (seeded) dropout masks on every call. */
    private static void checkTraining(Layer layer, Var... xs) {
        TrainableLayer form = TrainableLayers.of(layer, TrainingConfig.DEFAULT);
        List<Var> leaves = new ArrayList<>(List.of(xs));
        form.params().forEach(p -> leaves.add(p.var()));
        GradCheck.check(leaves, t -> weightedSum(t, training(form, t, xs), new Random(5)), 1e-5);
    }

    /**
     * Attention's dropout while training (attention.py _apply_scores): the values are summed with the dropped
     * weights, which are also the scores returned; gradients under fixed masks match finite differences.
     */
    @ParameterizedTest(name = "{0}")
    @EnumSource(Attention.Kind.class)
    void attentionDropoutWhileTrainingSumsTheValuesWithTheDroppedWeightsItReturns(Attention.Kind kind) {
        Random r = new Random(14);
        float[] scale = kind == Attention.Kind.DOT ? null : rnd(r, kind == Attention.Kind.ADDITIVE ? 3 : 1, 1);
        float[] cw = kind == Attention.Kind.CONCAT ? rnd(r, 1, 1) : null;
        Attention att = new Attention("att", kind, scale, cw, false, true, 0.4);
        Var q = Var.leaf(new int[]{2, 4, 3}, rndD(r, 24)), v = Var.leaf(new int[]{2, 5, 2}, rndD(r, 20));
        Var k = Var.leaf(new int[]{2, 5, 3}, rndD(r, 30));
        checkTraining(att, q, v, k);
        Var[] y = training(TrainableLayers.of(att, TrainingConfig.DEFAULT), new Tape(), q, v, k);
        double[] w = y[1].value(), out = y[0].value();
        int zeros = 0;
        for (int row = 0; row < 8; row++) {
            for (int e = 0; e < 2; e++) {
                double sum = 0;
                for (int j = 0; j < 5; j++) sum += w[row * 5 + j] * v.value()[((row / 4) * 5 + j) * 2 + e];
                assertThat(out[row * 2 + e]).isCloseTo(sum, org.assertj.core.data.Offset.offset(1e-12));
            }
            for (int j = 0; j < 5; j++) if (w[row * 5 + j] == 0) zeros++;
        }
        assertThat(zeros).as("some weights dropped").isBetween(1, 39);
    }

    /**
     * MultiHeadAttention's dropout while training (multi_head_attention.py _compute_attention): the output changes,
     * the returned scores are the undropped ones (the inference scores), and the gradients match finite differences.
     */
    @Test
    void multiHeadAttentionDropoutWhileTrainingReturnsTheUndroppedScores() {
        Random r = new Random(15);
        int h = 2, kd = 2, vd = 3, d = 3;
        MultiHeadAttention mha = new MultiHeadAttention("mha", h, kd, vd, 3, new int[]{1}, new int[]{4}, true, false,
                false, true, 0.5, mhaWeights(r, d, h, kd, vd, false, true));
        Var q = Var.leaf(new int[]{2, 4, d}, rndD(r, 24)), v = Var.leaf(new int[]{2, 5, d}, rndD(r, 30));
        checkTraining(mha, q, v, v);
        TrainableLayer form = TrainableLayers.of(mha, TrainingConfig.DEFAULT);
        Var[] train = training(form, new Tape(), q, v, v);
        Var[] infer = form.forward(new Tape(), new Var[]{q, v, v}, new TrainContext(false, null), null);
        assertThat(train[1].value()).containsExactly(infer[1].value());
        assertThat(train[0].value()).isNotEqualTo(infer[0].value());
    }

    @ParameterizedTest(name = "normalize {0}")
    @ValueSource(booleans = {false, true})
    void dotGradientsOverMiddleAndLastAxes(boolean normalize) {
        Random r = new Random(6);
        check(new Dot("dot", new int[]{1, 2}, normalize), Var.leaf(new int[]{2, 3, 4}, rndD(r, 24)),
                Var.leaf(new int[]{2, 5, 3}, rndD(r, 30)));
        check(new Dot("dot", new int[]{-1, -1}, normalize), Var.leaf(new int[]{2, 4}, rndD(r, 8)),
                Var.leaf(new int[]{2, 4}, rndD(r, 8)));
    }

    @ParameterizedTest(name = "axis {0}")
    @ValueSource(ints = {1, 2, -1})
    void groupNormalizationGradientsForChannelsFirstAndLast(int axis) {
        Random r = new Random(8);
        int channels = axis == 1 ? 4 : axis == 2 ? 3 : 2;
        check(new GroupNormalization("gn", 4, axis, channels == 3 ? 3 : 2, channels, 1e-3f,
                rnd(r, channels, 1), rnd(r, channels, 1)), Var.leaf(new int[]{2, 4, 3, 2}, rndD(r, 48)));
        check(new GroupNormalization("gn", 4, axis, 1, channels, 1e-3f, null, null),
                Var.leaf(new int[]{2, 4, 3, 2}, rndD(r, 48)));
    }

    @ParameterizedTest(name = "return scores {0}")
    @ValueSource(booleans = {false, true})
    void multiHeadAttentionGradientsWithKeyMasksAndCausalMask(boolean scores) {
        Random r = new Random(9);
        int h = 2, kd = 2, vd = 3, d = 3;
        List<Weight> w = mhaWeights(r, d, h, kd, vd, false, true);
        boolean[] qm = {true, true, true, false, true, true, true, true};
        boolean[] vm = {true, false, true, true, true, true, true, true, true, false};
        MultiHeadAttention mha = new MultiHeadAttention("mha", h, kd, vd, 3, new int[]{1}, new int[]{4}, true, false,
                true, scores, 0, w);
        check(mha, new Var(new int[]{2, 4, d}, rndD(r, 24), true, qm), new Var(new int[]{2, 5, d}, rndD(r, 30), true,
                vm), Var.leaf(new int[]{2, 5, d}, rndD(r, 30)));
    }

    @ParameterizedTest(name = "use_bias {0}")
    @ValueSource(booleans = {true, false})
    void multiHeadAttentionGradientsWithGateAndSlidingWindow(boolean bias) {
        Random r = new Random(11);
        int h = 2, kd = 2, vd = 3, d = 3;
        List<Weight> w = mhaWeights(r, d, h, kd, vd, true, bias);
        MultiHeadAttention mha = new MultiHeadAttention("mha", h, kd, vd, 3, new int[]{1}, new int[]{4}, false,
                false, true, false, 0, true, 2, w);
        check(mha, Var.leaf(new int[]{2, 5, d}, rndD(r, 30)), Var.leaf(new int[]{2, 5, d}, rndD(r, 30)));
    }

    /** Random MultiHeadAttention weights in Keras' order (query, key, [gate], value, attention_output of width 4). */
    private static List<Weight> mhaWeights(Random r, int d, int h, int kd, int vd, boolean gate, boolean bias) {
        List<Weight> w = new ArrayList<>();
        String[] parts = gate ? new String[]{"query", "key", "gate", "value"} : new String[]{"query", "key", "value"};
        int[] dims = gate ? new int[]{kd, kd, vd, vd} : new int[]{kd, kd, vd};
        for (int p = 0; p < parts.length; p++) {
            w.add(new Weight(parts[p] + "/kernel", new int[]{d, h, dims[p]}, rnd(r, d * h * dims[p], 0.8)));
            if (bias) w.add(new Weight(parts[p] + "/bias", new int[]{h, dims[p]}, rnd(r, h * dims[p], 0.3)));
        }
        w.add(new Weight("attention_output/kernel", new int[]{h, vd, 4}, rnd(r, h * vd * 4, 0.8)));
        if (bias) w.add(new Weight("attention_output/bias", new int[]{4}, rnd(r, 4, 0.3)));
        return w;
    }

    @org.junit.jupiter.api.Test
    void multiHeadAttentionGradientsOverTwoAttentionAxesWithoutBias() {
        Random r = new Random(10);
        List<Weight> w = new ArrayList<>();
        for (String p : new String[]{"query", "key", "value"}) {
            w.add(new Weight(p + "/kernel", new int[]{2, 2, 2}, rnd(r, 8, 0.8)));
        }
        w.add(new Weight("attention_output/kernel", new int[]{2, 2, 3}, rnd(r, 12, 0.8)));
        MultiHeadAttention mha = new MultiHeadAttention("mha", 2, 2, 2, 4, new int[]{1, 2}, new int[]{3}, false,
                false, false, false, 0, w);
        check(mha, Var.leaf(new int[]{2, 2, 3, 2}, rndD(r, 24)), Var.leaf(new int[]{2, 3, 2, 2}, rndD(r, 24)));
    }

    @ParameterizedTest(name = "axis {0}")
    @ValueSource(ints = {1, -1})
    void unitNormalizationGradients(int axis) {
        Random r = new Random(3);
        check(new UnitNormalization("un", 3, new int[]{axis}), Var.leaf(new int[]{2, 3, 4}, rndD(r, 24)));
    }
}

package io.jkeras.train.fit;

import io.jkeras.exceptions.InputException;
import io.jkeras.exceptions.UnsupportedModelException;
import io.jkeras.kernels.Activation;
import io.jkeras.train.GradCheck;
import io.jkeras.train.Loss;
import io.jkeras.train.LossConfig;
import io.jkeras.train.Losses;
import io.jkeras.train.Ops;
import io.jkeras.train.Tape;
import io.jkeras.train.Var;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/** Keras 3 losses: values against closed forms and Keras' documented examples; gradients against finite differences. */
class LossesTest {
    static double value(Loss l, int[] shape, double[] yTrue, double[] yPred) {
        int[] ts = shape;
        return l.compute(new Tape(), Var.constant(ts, yTrue), Var.constant(shape, yPred)).value()[0];
    }

    static double[] rnd(Random r, int n, double lo, double hi) {
        double[] d = new double[n];
        for (int i = 0; i < n; i++) d[i] = lo + r.nextDouble() * (hi - lo);
        return d;
    }

    // Examples from Keras 3.15 docstrings (keras/src/losses/losses.py), i.e. values real Keras printed.
    @Test
    void kerasDocExamples() {
        int[] s = {2, 2};
        assertThat(value(Losses.huber(1.0), s, new double[]{0, 1, 0, 0}, new double[]{0.6, 0.4, 0.4, 0.6}))
                .isCloseTo(0.155, within(5e-4));
        // binary_crossentropy per sample [0.916, 0.714]; the loss is their mean
        assertThat(value(Losses.binaryCrossentropy(false, 0), s, new double[]{0, 1, 0, 0},
                new double[]{0.6, 0.4, 0.4, 0.6}))
                .isCloseTo((0.916 + 0.714) / 2, within(1e-3));
        // categorical_crossentropy per sample [0.0513, 2.303]
        int[] s3 = {2, 3};
        double[] p = {0.05, 0.95, 0, 0.1, 0.8, 0.1};
        assertThat(value(Losses.categoricalCrossentropy(false, 0), s3, new double[]{0, 1, 0, 0, 0, 1}, p))
                .isCloseTo((0.0513 + 2.303) / 2, within(1e-3));
        assertThat(Losses.sparseCategoricalCrossentropy(false)
                .compute(new Tape(), Var.constant(new int[]{2}, new double[]{1, 2}),
                Var.constant(s3, p)).value()[0]).isCloseTo((0.0513 + 2.303) / 2, within(1e-3));
    }

    @Test
    void closedForms() {
        int[] s = {2, 3};
        double[] y = {0.5, -1, 2, 0, 1, -0.25}, x = {1, -1.5, 2.5, -0.5, 1, 3};
        double mse = 0, mae = 0, hub = 0;
        for (int i = 0; i < 6; i++) {
            double e = x[i] - y[i];
            mse += e * e;
            mae += Math.abs(e);
            hub += Math.abs(e) <= 1 ? 0.5 * e * e : Math.abs(e) - 0.5;
        }
        assertThat(value(Losses.meanSquaredError(), s, y, x)).isCloseTo(mse / 6, within(1e-12));
        assertThat(value(Losses.meanAbsoluteError(), s, y, x)).isCloseTo(mae / 6, within(1e-12));
        assertThat(value(Losses.huber(1.0), s, y, x)).isCloseTo(hub / 6, within(1e-12));
        // BCE from logits = BCE of sigmoid(logits) (away from the clip)
        double[] t = {0, 1, 1, 0, 1, 0}, z = {-1, 2, 0.5, 0.3, -0.7, 1.2};
        double[] sig = new double[6];
        double bce = 0;
        for (int i = 0; i < 6; i++) {
            sig[i] = 1 / (1 + Math.exp(-z[i]));
            bce -= t[i] * Math.log(sig[i]) + (1 - t[i]) * Math.log(1 - sig[i]);
        }
        assertThat(value(Losses.binaryCrossentropy(true, 0), s, t, z)).isCloseTo(bce / 6, within(1e-12));
        assertThat(value(Losses.binaryCrossentropy(false, 0), s, t, sig)).isCloseTo(bce / 6, within(1e-9));
        // clipping: a probability of exactly 0 for a positive target costs -log(1e-7 as float32)
        assertThat(value(Losses.binaryCrossentropy(false, 0), new int[]{1, 1}, new double[]{1}, new double[]{0}))
                .isCloseTo(-Math.log((float) 1e-7), within(1e-9));
        // label smoothing 0.2 moves targets to 0.1/0.9 (binary) and 0.2/3 + 0.8·y (categorical)
        double sm = 0;
        for (int i = 0; i < 6; i++) {
            double ts = t[i] * 0.8 + 0.1;
            sm -= ts * Math.log(sig[i]) + (1 - ts) * Math.log(1 - sig[i]);
        }
        assertThat(value(Losses.binaryCrossentropy(true, 0.2), s, t, z)).isCloseTo(sm / 6, within(1e-12));
        double[] oh = {0, 0, 1, 1, 0, 0};
        double cce = 0;
        for (int r = 0; r < 2; r++) {
            double lse = Math.log(Math.exp(z[3 * r]) + Math.exp(z[3 * r + 1]) + Math.exp(z[3 * r + 2]));
            for (int j = 0; j < 3; j++) cce -= (oh[3 * r + j] * 0.8 + 0.2 / 3) * (z[3 * r + j] - lse);
        }
        assertThat(value(Losses.categoricalCrossentropy(true, 0.2), s, oh, z)).isCloseTo(cce / 2, within(1e-12));
    }

    @Test
    void maskAveragesOverValidTimesteps() {
        // (batch 1, 3 steps, 1 unit), the middle step masked: the mean over the two valid steps
        Var pred = Var.constant(new int[]{1, 3, 1}, new double[]{1, 5, 3}, new boolean[]{true, false, true});
        Var tru = Var.constant(new int[]{1, 3, 1}, new double[]{0, 0, 0});
        assertThat(Losses.meanSquaredError().compute(new Tape(), tru, pred).value()[0])
                .isCloseTo((1 + 9) / 2.0, within(1e-12));
    }

    @Test
    void byNameAndConfig() {
        assertThat(Losses.byName("mse").name()).isEqualTo("mean_squared_error");
        assertThat(Losses.byName("MeanAbsoluteError").name()).isEqualTo("mean_absolute_error");
        Loss l = Losses.fromConfig(
                ConfigJson.parse("{\"class_name\": \"BinaryCrossentropy\", \"config\": {\"from_logits\": true,"
                        + " \"label_smoothing\": 0.2, \"reduction\": \"sum_over_batch_size\"}}"));
        assertThat(value(l, new int[]{1, 1}, new double[]{1}, new double[]{0})).isCloseTo(Math.log(2), within(1e-12));
        Loss h = Losses.fromConfig(ConfigJson.parse("{\"class_name\": \"Huber\", \"config\": {\"delta\": 0.5}}"));
        assertThat(value(h, new int[]{1, 1}, new double[]{0}, new double[]{2}))
                .isCloseTo(0.5 * 2 - 0.125, within(1e-12));
        Loss sum = Losses.fromConfig(
                ConfigJson.parse("{\"class_name\": \"MeanSquaredError\", \"config\": {\"reduction\": \"sum\"}}"));
        assertThat(value(sum, new int[]{2, 1}, new double[]{0, 0}, new double[]{1, 2})).isCloseTo(5, within(1e-12));
    }

    @Test
    @SuppressWarnings("unchecked")
    void lossConfigGivesOneLossPerNameSerializedLossOrListEntry() {
        LossConfig logits = LossConfig.serialized("BinaryCrossentropy", Map.of("from_logits", true));
        assertThat((Map<Object, Object>) logits.value()).containsEntry("module", "keras.losses")
                .containsEntry("registered_name", null)
                .containsEntry("class_name", "BinaryCrossentropy");
        assertThat(logits.losses()).hasSize(1);
        assertThat(value(logits.losses().get(0), new int[]{1, 1}, new double[]{0}, new double[]{0}))
                .isCloseTo(Math.log(2), within(1e-12));
        List<Loss> two = new LossConfig(List.of("mse", Map.of("class_name", "Huber", "config", Map.of("delta", 0.5))))
                .losses();
        assertThat(two).extracting(Loss::name).containsExactly("mean_squared_error", "huber_loss");
        assertThat(value(two.get(1), new int[]{1, 1}, new double[]{0}, new double[]{2}))
                .isCloseTo(0.5 * 2 - 0.125, within(1e-12));
        assertThatThrownBy(() -> new LossConfig(Map.of("out", "mse")).losses())
                .isInstanceOf(UnsupportedModelException.class)
                .hasMessageContaining("keyed by output name");
        assertThatThrownBy(() -> new LossConfig(5)).isInstanceOf(InputException.class).hasMessageContaining("got 5");
    }

    static List<Object[]> gradCases() {
        return List.of(
                new Object[]{Losses.meanSquaredError(), "real"},
                new Object[]{Losses.meanAbsoluteError(), "real"},
                new Object[]{Losses.huber(0.7), "real"},
                new Object[]{Losses.binaryCrossentropy(false, 0), "prob"},
                new Object[]{Losses.binaryCrossentropy(false, 0.1), "prob"},
                new Object[]{Losses.binaryCrossentropy(true, 0.1), "logit"},
                new Object[]{Losses.categoricalCrossentropy(false, 0), "positive"},
                new Object[]{Losses.categoricalCrossentropy(false, 0.1), "positive"},
                new Object[]{Losses.categoricalCrossentropy(true, 0.1), "logit"},
                new Object[]{Losses.sparseCategoricalCrossentropy(false), "prob"},
                new Object[]{Losses.sparseCategoricalCrossentropy(true), "logit"});
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10})
    void gradients(int k) {
        Object[] c = gradCases().get(k);
        Loss loss = (Loss) c[0];
        String kind = (String) c[1];
        Random r = new Random(11 + k);
        int batch = 3, steps = 2, n = 4;
        int[] shape = {batch, steps, n};
        double[] x = switch (kind) {
            case "prob" -> rnd(r, batch * steps * n, 0.05, 0.95);
            case "positive" -> rnd(r, batch * steps * n, 0.1, 2.0);
            default -> rnd(r, batch * steps * n, -2, 2);
        };
        boolean sparse = loss.name().startsWith("sparse");
        boolean categorical = loss.name().startsWith("categorical");
        double[] y;
        if (sparse) {
            y = new double[batch * steps];
            for (int i = 0; i < y.length; i++) y[i] = r.nextInt(n);
        } else if (categorical) {
            y = new double[batch * steps * n];
            // labels summing to 1, as TF's gradient assumes
            for (int i = 0; i < batch * steps; i++) y[i * n + r.nextInt(n)] = 1;
        } else {
            y = rnd(r, batch * steps * n, 0, 1);
        }
        boolean[] mask = {true, false, true, true, false, true};
        for (boolean masked : new boolean[]{false, true}) {
            Var leaf = Var.leaf(shape, x.clone());
            Var yt = Var.constant(sparse ? new int[]{batch, steps} : shape, y);
            GradCheck.check(List.of(leaf), t -> loss.compute(t, yt, masked ? leaf.withMask(t, mask) : leaf), 1e-6);
        }
    }

    /** A sigmoid/softmax output is scored from its logits, as Keras' TF backend does; the gradient reaches them. */
    @Test
    void logitsOfActivationOutputsAreUsed() {
        Random r = new Random(3);
        double[] z = rnd(r, 8, -3, 3);
        double[] t = {0, 1, 1, 0, 1, 0, 0, 1};
        Var leaf = Var.leaf(new int[]{4, 2}, z.clone());
        Loss bce = Losses.binaryCrossentropy(false, 0);
        GradCheck.check(List.of(leaf), tp
                -> bce.compute(tp, Var.constant(new int[]{4, 2}, t), Ops.activation(tp, leaf, Activation.SIGMOID)),
                        1e-6);
        // far in saturation the logits path differs from clipped probabilities: 40 logits cost 40, not -log(1e-7)
        Tape tp = new Tape();
        Var big = Var.constant(new int[]{1, 1}, new double[]{-40});
        double v = bce.compute(tp, Var.constant(new int[]{1, 1}, new double[]{1}),
                Ops.activation(tp, big, Activation.SIGMOID)).value()[0];
        assertThat(v).isCloseTo(40, within(1e-9));
        Var soft = Var.leaf(new int[]{2, 4}, z.clone());
        double[] oh = {0, 0, 1, 0, 1, 0, 0, 0};
        Loss cce = Losses.categoricalCrossentropy(false, 0);
        GradCheck.check(List.of(soft), tq
                -> cce.compute(tq, Var.constant(new int[]{2, 4}, oh), Ops.activation(tq, soft, Activation.SOFTMAX)),
                        1e-6);
    }
}

package io.jkeras.train.forms;

import io.jkeras.exceptions.UnsupportedModelException;
import io.jkeras.layers.BatchNormalization;
import io.jkeras.layers.TrainingConfig;
import io.jkeras.layers.Weight;
import io.jkeras.train.Param;
import io.jkeras.train.Tape;
import io.jkeras.train.TrainContext;
import io.jkeras.train.TrainableLayer;
import io.jkeras.train.TrainableLayers;
import io.jkeras.train.Var;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

import static io.jkeras.train.forms.FormChecks.In;
import static org.assertj.core.api.Assertions.assertThat;

class BatchNormalizationTrainerTest {
    /** Input shape, axes, statistic shape. */
    static final Object[][] LAYOUTS = {
            {new int[]{2, 4, 3}, new int[]{2}, new int[]{3}},
            {new int[]{2, 4, 3}, new int[]{1}, new int[]{4}},
            {new int[]{6, 4, 3}, new int[]{1, 2}, new int[]{4, 3}},
            {new int[]{6, 3}, new int[]{1}, new int[]{3}},
    };

    static Stream<Arguments> cases() {
        List<Arguments> a = new ArrayList<>();
        for (int l = 0; l < LAYOUTS.length; l++)
            for (boolean scale : new boolean[]{true, false})
                for (boolean center : new boolean[]{true, false})
                    for (String mode : new String[]{"inference", "training", "training_masked", "frozen"}) {
                        if (mode.equals("training_masked") && ((int[]) LAYOUTS[l][0]).length != 3) continue;
                        a.add(Arguments.of(l, scale, center, mode));
                    }
        return a.stream();
    }

    static BatchNormalization bn(Random r, int layout, boolean scale, boolean center, double momentum) {
        int[] in = (int[]) LAYOUTS[layout][0], axes = (int[]) LAYOUTS[layout][1], ps = (int[]) LAYOUTS[layout][2];
        int n = FormChecks.size(ps);
        float[] var = FormChecks.rnd(r, n, 0.5);
        for (int i = 0; i < n; i++) var[i] += 1f;
        return new BatchNormalization("batch_normalization", in.length, axes, ps, 1e-3, momentum, scale
                ? FormChecks.rnd(r, n, 1.5) : null,
                center ? FormChecks.rnd(r, n, 1) : null, FormChecks.rnd(r, n, 0.5), var, List.of());
    }

    @ParameterizedTest(name = "layout {0} scale={1} center={2} {3}")
    @MethodSource("cases")
    void gradientsAndEngine(int layout, boolean scale, boolean center, String mode) {
        Random r = new Random(51);
        BatchNormalization l = bn(r, layout, scale, center, 0.99);
        TrainableLayer form = TrainableLayers.of(l, TrainingConfig.DEFAULT.withTrainable(!mode.equals("frozen")));
        int[] shape = (int[]) LAYOUTS[layout][0];
        boolean[] mask = mode.equals("training_masked") ? FormChecks.mask(shape[0], shape[1], 1, 6) : null;
        List<In> in = List.of(FormChecks.leaf(r, mask, shape));
        FormChecks.matchesEngine(form, in);
        FormChecks.grad(form, in, mode.equals("inference") ? FormChecks::inference : FormChecks.training(3));
        // training moved the moving statistics: the rebuilt layer carries them
        FormChecks.matches(form.rebuild(), form, in);
        if (mode.equals("frozen")) {
            // a non-trainable BatchNormalization runs in inference mode even while training (and its stats stay)
            float[] before = form.params().get(form.params().size() - 2).toFloats();
            Var t = FormChecks.run(form, new Tape(), in, FormChecks.training(3).get())[0];
            Var i = FormChecks.run(form, new Tape(), in, FormChecks.inference())[0];
            assertThat(t.value()).containsExactly(i.value());
            assertThat(form.params().get(form.params().size() - 2).toFloats()).containsExactly(before);
        }
        FormChecks.rebuildExact(form);
    }

    /** Training: batch mean and biased variance normalise; moving = moving·momentum + batch·(1 − momentum). */
    @Test
    void trainingStatisticsAndMovingAverages() {
        Random r = new Random(52);
        BatchNormalization l = bn(r, 0, true, true, 0.9);
        TrainableLayer form = TrainableLayers.of(l, TrainingConfig.DEFAULT);
        In x = FormChecks.leaf(r, null, 2, 4, 3);
        List<Weight> w0 = l.weights();
        Var y = FormChecks.run(form, new Tape(), List.of(x), new TrainContext(true, null))[0];
        double[] xv = x.var.value();
        for (int c = 0; c < 3; c++) {
            double m = 0, v = 0;
            for (int i = 0; i < 8; i++) m += xv[i * 3 + c];
            m /= 8;
            for (int i = 0; i < 8; i++) v += (xv[i * 3 + c] - m) * (xv[i * 3 + c] - m);
            v /= 8;
            for (int i = 0; i < 8; i++) {
                double want = (xv[i * 3 + c] - m) / Math.sqrt(v + (float) 1e-3) * w0.get(0).values()[c] + w0.get(1)
                        .values()[c];
                assertThat(y.value()[i * 3 + c]).isCloseTo(want, org.assertj.core.data.Offset.offset(1e-12));
            }
            assertThat(param(form, "moving_mean").toFloats()[c])
                    .isEqualTo((float) (w0.get(2).values()[c] * 0.9 + m * 0.1));
            assertThat(param(form, "moving_variance").toFloats()[c])
                    .isEqualTo((float) (w0.get(3).values()[c] * 0.9 + v * 0.1));
        }
        assertThat(param(form, "moving_mean").trainable()).isFalse();
        // the updated statistics are part of the rebuilt layer, which the inference forward then uses
        BatchNormalization rebuilt = (BatchNormalization) form.rebuild();
        assertThat(rebuilt.weights().get(2).values()).containsExactly(param(form, "moving_mean").toFloats());
        assertThat(rebuilt.weights().get(3).values()).containsExactly(param(form, "moving_variance").toFloats());
        assertThat(rebuilt.momentum()).isEqualTo(0.9);
        FormChecks.matches(rebuilt, form, List.of(x));
    }

    /** Keras' masked moments: Σ w·x / (Σ w + 1e-7); masked positions are normalised too. */
    @Test
    void maskedMoments() {
        Random r = new Random(53);
        BatchNormalization l = bn(r, 0, false, false, 0.5);
        TrainableLayer form = TrainableLayers.of(l, TrainingConfig.DEFAULT);
        boolean[] mask = FormChecks.mask(2, 4, 0, 7);
        In x = FormChecks.leaf(r, mask, 2, 4, 3);
        Var y = FormChecks.run(form, new Tape(), List.of(x), new TrainContext(true, null))[0];
        double[] xv = x.var.value();
        double eps = (float) 1e-7;
        for (int c = 0; c < 3; c++) {
            double m = 0, v = 0;
            for (int i = 0; i < 8; i++) if (mask[i]) m += xv[i * 3 + c];
            m /= 6 + eps;
            for (int i = 0; i < 8; i++) if (mask[i]) v += (xv[i * 3 + c] - m) * (xv[i * 3 + c] - m);
            v /= 6 + eps;
            for (int i = 0; i < 8; i++) {
                assertThat(y.value()[i * 3 + c])
                        .isCloseTo((xv[i * 3 + c] - m) / Math.sqrt(v + (float) 1e-3),
                        org.assertj.core.data.Offset.offset(1e-12));
            }
        }
        assertThat(y.mask()).isEqualTo(mask);
    }

    @Test
    void renormIsRefusedOnlyWhenItWouldTrain() {
        Random r = new Random(54);
        float[] ones = {1, 1, 1};
        BatchNormalization l = new BatchNormalization("bn", 3, new int[]{2}, new int[]{3}, 1e-3, ones, null,
                new float[3], ones,
                List.of(new Weight("moving_stddev", new int[]{3}, ones)));
        TrainableLayer form = TrainableLayers.of(l, TrainingConfig.DEFAULT);
        In x = FormChecks.leaf(r, null, 2, 4, 3);
        FormChecks.matchesEngine(form, List.of(x));
        FormChecks.rebuildExact(form);
        org.assertj.core.api.Assertions.assertThatThrownBy(()
                -> FormChecks.run(form, new Tape(), List.of(x), new TrainContext(true, null)))
                .isInstanceOf(UnsupportedModelException.class).hasMessageContaining("renorm");
    }

    private static Param param(TrainableLayer f, String name) {
        return f.params().stream().filter(p -> p.name().equals(name)).findFirst().orElseThrow();
    }
}

package io.jkeras.train.forms;

import io.jkeras.layers.Identity;
import io.jkeras.layers.TrainingConfig;
import io.jkeras.train.Ops;
import io.jkeras.train.Tape;
import io.jkeras.train.TrainContext;
import io.jkeras.train.TrainableLayer;
import io.jkeras.train.TrainableLayers;
import io.jkeras.train.Var;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.Random;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.offset;

/**
 * Dropout and its variants while training: which elements share a draw (Keras' noise_shape, SpatialDropout by data
 * format), the scale of kept values, AlphaDropout's affine map, GaussianNoise's additive noise, and that the
 * gradient is the same map's derivative. Keras' random draws cannot be reproduced, so the tests check the structure
 * and (for the noise layers) the statistics of one seeded draw.
 */
class DropoutFormsTest {
    private static TrainingConfig rate(double r) {
        return new TrainingConfig(true, r, 0, Map.of(), null, Map.of());
    }

    /** The output and the gradient of sum(y·w) with respect to x, for a random x of {@code shape}. */
    private static double[][] run(Identity layer, double r, int[] shape, long seed) {
        TrainableLayer form = TrainableLayers.of(layer, rate(r));
        int n = 1;
        for (int d : shape) n *= d;
        Random rnd = new Random(seed);
        double[] xv = new double[n], w = new double[n];
        for (int i = 0; i < n; i++) {
            xv[i] = rnd.nextGaussian();
            w[i] = 1;
        }
        Var x = Var.leaf(shape, xv);
        Tape t = new Tape();
        Var y = form.forward(t, new Var[]{x}, new TrainContext(true, new SplittableRandom(seed)), null)[0];
        t.backward(Ops.sum(t, y));
        return new double[][]{xv, y.value(), x.grad()};
    }

    @Test
    void spatialDropout2dDropsWholeChannelsInEitherDataFormat() {
        int b = 3, h = 4, wd = 5, c = 6;
        double r = 0.5, keep = 1 / (1 - r);
        double[][] last = run(new Identity("sd", "SpatialDropout2D", new int[]{-1, 1, 1, -1}), r,
                new int[]{b, h, wd, c}, 7);
        double[][] first = run(new Identity("sd", "SpatialDropout2D", new int[]{-1, -1, 1, 1}), r,
                new int[]{b, c, h, wd}, 7);
        int dropped = 0;
        for (int s = 0; s < b; s++) {
            for (int ch = 0; ch < c; ch++) {
                double fl = last[2][((s * h) * wd) * c + ch], ff = first[2][(s * c + ch) * h * wd];
                assertThat(fl).isIn(0.0, keep);
                assertThat(ff).isIn(0.0, keep);
                if (fl == 0) dropped++;
                for (int p = 0; p < h * wd; p++) {
                    int il = (s * h * wd + p) * c + ch, iff = (s * c + ch) * h * wd + p;
                    assertThat(last[2][il]).as("one draw per sample and channel (channels_last)").isEqualTo(fl);
                    assertThat(last[1][il]).isEqualTo(last[0][il] * fl);
                    assertThat(first[2][iff]).as("one draw per sample and channel (channels_first)").isEqualTo(ff);
                    assertThat(first[1][iff]).isEqualTo(first[0][iff] * ff);
                }
            }
        }
        assertThat(dropped).as("some channels dropped, some kept").isBetween(1, b * c - 1);
    }

    @Test
    void dropoutWithANoiseShapeSharesItsDrawAlongTheAxesOfSizeOne() {
        int b = 2, steps = 7, f = 5;
        double[][] o = run(new Identity("d", "Dropout", new int[]{-1, 1, f}), 0.4, new int[]{b, steps, f}, 11);
        for (int s = 0; s < b; s++) {
            for (int k = 0; k < f; k++) {
                for (int st = 1; st < steps; st++) {
                    assertThat(o[2][(s * steps + st) * f + k]).isEqualTo(o[2][(s * steps) * f + k]);
                }
            }
        }
        double[][] plain = run(new Identity("d", "Dropout"), 0.4, new int[]{b, steps, f}, 11);
        boolean varies = false;
        for (int st = 1; st < steps; st++) varies |= plain[2][st * f] != plain[2][0];
        assertThat(varies).as("without a noise shape every element draws").isTrue();
    }

    @Test
    void alphaDropoutKeepsMeanAndVarianceOfAStandardInput() {
        // keras/src/layers/regularization/alpha_dropout.py: a·(x·kept + α'·(1 - kept)) + b, α' = -αλ of SELU
        double r = 0.2, alphaP = -1.6732632423543772848170429916717 * 1.0507009873554804934193349852946;
        double a = Math.pow((1 - r) * (1 + r * alphaP * alphaP), -0.5), bb = -a * alphaP * r;
        double[][] o = run(new Identity("ad", "AlphaDropout"), r, new int[]{200, 500}, 3);
        double sum = 0, sq = 0;
        int dropped = 0;
        for (int i = 0; i < o[1].length; i++) {
            boolean kept = o[2][i] != 0;
            if (kept) {
                assertThat(o[2][i]).isEqualTo(a);
                assertThat(o[1][i]).isCloseTo(a * o[0][i] + bb, offset(1e-12));
            } else {
                dropped++;
                assertThat(o[1][i]).isCloseTo(a * alphaP + bb, offset(1e-12));
            }
            sum += o[1][i];
            sq += o[1][i] * o[1][i];
        }
        double n = o[1].length, mean = sum / n;
        assertThat(dropped / n).isCloseTo(r, offset(0.01));
        assertThat(mean).isCloseTo(0, offset(0.01));
        assertThat(sq / n - mean * mean).isCloseTo(1, offset(0.02));
    }

    @Test
    void gaussianNoiseAddsNoiseOfTheLayersStddevAndPassesTheGradientThrough() {
        double sd = 0.3;
        double[][] o = run(new Identity("gn", "GaussianNoise"), sd, new int[]{100, 1000}, 5);
        double sum = 0, sq = 0;
        for (int i = 0; i < o[1].length; i++) {
            double e = o[1][i] - o[0][i];
            sum += e;
            sq += e * e;
            assertThat(o[2][i]).isEqualTo(1.0);
        }
        double n = o[1].length;
        assertThat(sum / n).isCloseTo(0, offset(0.003));
        assertThat(Math.sqrt(sq / n)).isCloseTo(sd, offset(0.003));
    }

    @Test
    void notTrainingOrARateOfZeroPassesTheInputThrough() {
        Identity l = new Identity("sd", "SpatialDropout3D", new int[]{-1, 1, 1, 1, -1});
        Var x = Var.leaf(new int[]{1, 2, 2, 2, 3}, new double[24]);
        TrainableLayer form = TrainableLayers.of(l, rate(0.5));
        assertThat(form.forward(new Tape(), new Var[]{x}, new TrainContext(false, null), null)[0]).isSameAs(x);
        TrainableLayer none = TrainableLayers.of(l, rate(0));
        assertThat(none.forward(new Tape(), new Var[]{x}, new TrainContext(true, new SplittableRandom(1)), null)[0])
                .isSameAs(x);
    }
}

package io.jkeras.train.forms;

import io.jkeras.kernels.Activation;
import io.jkeras.layers.Gru;
import io.jkeras.layers.RecurrentOptions;
import io.jkeras.layers.TrainingConfig;
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
import java.util.Map;
import java.util.Random;
import java.util.SplittableRandom;
import java.util.stream.Stream;

import static io.jkeras.train.forms.FormChecks.In;
import static org.assertj.core.api.Assertions.assertThat;

class GruTrainerTest {
    static final int UNITS = 3, F = 2, B = 2, T = 4;

    static Stream<Arguments> options() {
        List<Arguments> a = new ArrayList<>();
        for (boolean resetAfter : new boolean[]{true, false})
            for (boolean bias : new boolean[]{true, false})
                for (boolean seq : new boolean[]{false, true})
                    for (boolean back : new boolean[]{false, true})
                        for (boolean state : new boolean[]{false, true})
                            for (boolean masked : new boolean[]{false, true})
                                a.add(Arguments.of(resetAfter, bias, seq, back, state, masked));
        return a.stream();
    }

    static Gru gru(Random r, boolean resetAfter, boolean bias, RecurrentOptions o, Activation act, Activation rec) {
        int gu = 3 * UNITS;
        return new Gru("gru", UNITS, F, act, rec, resetAfter, FormChecks.rnd(r, F * gu, 0.6),
                FormChecks.rnd(r, UNITS * gu, 0.6),
                bias ? FormChecks.rnd(r, (resetAfter ? 2 : 1) * gu, 0.6) : null, o);
    }

    static TrainingConfig dropout(double d, double rd) {
        return new TrainingConfig(true, d, rd, Map.of(), null, Map.of());
    }

    @ParameterizedTest(name = "reset_after={0} bias={1} seq={2} backwards={3} returnState={4} masked={5}")
    @MethodSource("options")
    void gradientsAndEngine(boolean resetAfter, boolean bias, boolean seq, boolean back, boolean state,
            boolean masked) {
        Random r = new Random(11);
        Gru g = gru(r, resetAfter, bias, new RecurrentOptions(seq, state, back, false), Activation.TANH,
                Activation.SIGMOID);
        TrainableLayer form = TrainableLayers.of(g, TrainingConfig.DEFAULT);
        List<In> in = List.of(FormChecks.leaf(r, masked ? FormChecks.mask(B, T, 1, B * T - 1) : null, B, T, F));
        FormChecks.grad(form, in);
        FormChecks.matchesEngine(form, in);
        FormChecks.rebuildExact(form);
    }

    @Test
    void otherActivationsAndInitialState() {
        Random r = new Random(12);
        for (boolean resetAfter : new boolean[]{true, false}) {
            Gru g = gru(r, resetAfter, true, new RecurrentOptions(true, true, false, false), Activation.RELU,
                    Activation.HARD_SIGMOID_RELU6);
            TrainableLayer form = TrainableLayers.of(g, TrainingConfig.DEFAULT);
            List<In> in = List.of(FormChecks.leaf(r, null, B, T, F), FormChecks.leaf(r, null, B, UNITS));
            FormChecks.grad(form, in);
            FormChecks.matchesEngine(form, in);
        }
    }

    @ParameterizedTest(name = "reset_after={0} dropout={1} recurrent_dropout={2}")
    @MethodSource("dropouts")
    void dropoutGradients(boolean resetAfter, double d, double rd) {
        Random r = new Random(13);
        Gru g = gru(r, resetAfter, true, new RecurrentOptions(true, false, false, false), Activation.TANH,
                Activation.SIGMOID);
        TrainableLayer form = TrainableLayers.of(g, dropout(d, rd));
        List<In> in = List.of(FormChecks.leaf(r, FormChecks.mask(B, T, 2), B, T, F));
        FormChecks.grad(form, in, FormChecks.training(77));
        // with training off the rates do nothing
        FormChecks.matchesEngine(form, in);
    }

    static Stream<Arguments> dropouts() {
        List<Arguments> a = new ArrayList<>();
        for (boolean ra : new boolean[]{true, false}) {
            a.add(Arguments.of(ra, 0.4, 0.0));
            a.add(Arguments.of(ra, 0.0, 0.4));
            a.add(Arguments.of(ra, 0.4, 0.3));
        }
        return a.stream();
    }

    /**
     * The masks are those of Keras 3's GRUCell: with recurrent_dropout one independent input mask
     * and one recurrent mask per gate (implementation 1), else one input mask for all gates; the
     * state mixed by z is undropped. Checked against a direct double implementation of
     * keras/src/layers/rnn/gru.py:182-298 fed with the same masks.
     */
    @ParameterizedTest(name = "reset_after={0} dropout={1} recurrent_dropout={2}")
    @MethodSource("dropouts")
    void dropoutMasksAsKeras(boolean resetAfter, double d, double rd) {
        Random r = new Random(14);
        Gru g = gru(r, resetAfter, true, new RecurrentOptions(true, false, false, false), Activation.TANH,
                Activation.SIGMOID);
        TrainableLayer form = TrainableLayers.of(g, dropout(d, rd));
        In x = FormChecks.leaf(r, null, B, T, F);
        Var y = FormChecks.run(form, new Tape(), List.of(x), new TrainContext(true, new SplittableRandom(5)))[0];
        // the same draws, in the form's order: input masks, then recurrent masks
        TrainContext ctx = new TrainContext(true, new SplittableRandom(5));
        double[][] mi = new double[3][], mr = new double[3][];
        if (d > 0) {
            if (rd > 0) for (int k = 0; k < 3; k++) mi[k] = ctx.dropoutMask(B * F, d);
            else { mi[0] = ctx.dropoutMask(B * F, d); mi[1] = mi[0]; mi[2] = mi[0]; }
        }
        if (rd > 0) for (int k = 0; k < 3; k++) mr[k] = ctx.dropoutMask(B * UNITS, rd);
        double[] want = reference(g, x.var.value(), mi, mr);
        assertThat(y.value()).containsExactly(want, org.assertj.core.data.Offset.offset(1e-12));
    }

    /**
     * Keras' GRUCell.call (implementation 1 form, which equals implementation 2 with shared masks), return_sequences.
     */
    static double[] reference(Gru g, double[] x, double[][] mi, double[][] mr) {
        int u = UNITS, gu = 3 * u;
        var w = g.weights();
        float[] k = w.get(0).values(), rk = w.get(1).values(), bias = w.get(2).values();
        boolean ra = g.resetAfter();
        double[] out = new double[B * T * u];
        for (int b = 0; b < B; b++) {
            double[] h = new double[u];
            for (int s = 0; s < T; s++) {
                double[][] xg = new double[3][u], hg = new double[3][u];
                for (int gate = 0; gate < 3; gate++) {
                    for (int j = 0; j < u; j++) {
                        double acc = bias[gate * u + j];
                        for (int f = 0; f < F; f++) {
                            double xv = x[(b * T + s) * F + f] * (mi[gate] == null ? 1 : mi[gate][b * F + f]);
                            acc += xv * k[f * gu + gate * u + j];
                        }
                        xg[gate][j] = acc;
                        if (ra) {
                            double m = bias[gu + gate * u + j];
                            for (int i = 0; i < u; i++) m += h[i] * (mr[gate] == null ? 1
                                    : mr[gate][b * u + i]) * rk[i * gu + gate * u + j];
                            hg[gate][j] = m;
                        } else if (gate < 2) {
                            double m = 0;
                            for (int i = 0; i < u; i++) m += h[i] * (mr[gate] == null ? 1
                                    : mr[gate][b * u + i]) * rk[i * gu + gate * u + j];
                            hg[gate][j] = m;
                        }
                    }
                }
                double[] z = new double[u], rr = new double[u];
                for (int j = 0; j < u; j++) {
                    z[j] = 1 / (1 + Math.exp(-(xg[0][j] + hg[0][j])));
                    rr[j] = 1 / (1 + Math.exp(-(xg[1][j] + hg[1][j])));
                }
                double[] hn = new double[u];
                for (int j = 0; j < u; j++) {
                    double rh;
                    if (ra) rh = rr[j] * hg[2][j];
                    else {
                        rh = 0;
                        for (int i = 0; i < u; i++) rh += rr[i] * h[i] * (mr[2] == null ? 1
                                : mr[2][b * u + i]) * rk[i * gu + 2 * u + j];
                    }
                    double hh = Math.tanh(xg[2][j] + rh);
                    hn[j] = z[j] * h[j] + (1 - z[j]) * hh;
                }
                h = hn;
                System.arraycopy(h, 0, out, (b * T + s) * u, u);
            }
        }
        return out;
    }
}

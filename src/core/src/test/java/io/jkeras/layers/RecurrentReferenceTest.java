package io.jkeras.layers;

import io.jkeras.kernels.Activation;
import io.jkeras.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.SplittableRandom;
import java.util.function.DoubleUnaryOperator;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The engine's LSTM and SimpleRNN against a naive scalar recurrence written here in double
 * precision straight from the Keras formulas (the oracle):
 * <pre>
 *   z = x_t·W + h·U + b      (LSTM gate columns i | f | c | o)
 *   i = ra(z_i)  f = ra(z_f)  g = act(z_c)  o = ra(z_o)
 *   c = f·c + i·g            h = o·act(c)
 *   SimpleRNN: h = act(x_t·W + h·U + b)
 * </pre>
 * With go_backwards the steps run from the last to the first and the returned sequence is in
 * processing order. Outputs: sequence or last h, then the final states when return_state.
 */
class RecurrentReferenceTest {
    private static final double TOL = 1e-5;

    private static final DoubleUnaryOperator TANH = Math::tanh;
    private static final DoubleUnaryOperator SIGMOID = x -> 1.0 / (1.0 + Math.exp(-x));
    private static final DoubleUnaryOperator HARD_SIGMOID_0_2 = x -> Math.max(0, Math.min(1, 0.2 * x + 0.5));
    private static final DoubleUnaryOperator HARD_SIGMOID_RELU6 = x -> Math.max(0, Math.min(6, x + 3)) / 6;
    private static final DoubleUnaryOperator RELU = x -> Math.max(0, x);

    /** Random Keras-layout weights and inputs for one configuration. */
    record Case(int units, int features, int batch, int steps, float[] kernel, float[] recurrent, float[] bias,
                float[] x, float[][] init) {}

    static Case randomCase(long seed, int gates, int units, int features, int batch, int steps, boolean bias,
                           boolean init, int states, double wScale) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] k = uniform(r, features * gates * units, wScale);
        float[] u = uniform(r, units * gates * units, wScale);
        float[] b = bias ? uniform(r, gates * units, wScale) : null;
        float[] x = uniform(r, batch * steps * features, 1.5);
        float[][] s = null;
        if (init) {
            s = new float[states][];
            for (int i = 0; i < states; i++) s[i] = uniform(r, batch * units, 1.0);
        }
        return new Case(units, features, batch, steps, k, u, b, x, s);
    }

    // ---------------------------------------------------------------- oracle

    /** Returns {output, h, c}: output is (B,T,H) or (B,H) flattened; h and c are (B,H). */
    static double[][] lstmOracle(Case c, DoubleUnaryOperator act, DoubleUnaryOperator ra, boolean goBackwards,
            boolean returnSequences) {
        int H = c.units, F = c.features, B = c.batch, T = c.steps, G = 4 * H;
        double[] seq = new double[B * T * H];
        double[] hOut = new double[B * H];
        double[] cOut = new double[B * H];
        for (int b = 0; b < B; b++) {
            double[] h = new double[H];
            double[] cs = new double[H];
            if (c.init != null) {
                for (int u = 0; u < H; u++) { h[u] = c.init[0][b * H + u]; cs[u] = c.init[1][b * H + u]; }
            }
            for (int s = 0; s < T; s++) {
                int t = goBackwards ? T - 1 - s : s;
                double[] z = new double[G];
                for (int j = 0; j < G; j++) {
                    double acc = c.bias == null ? 0 : c.bias[j];
                    for (int f = 0; f < F; f++) acc += (double) c.x[(b * T + t) * F + f] * c.kernel[f * G + j];
                    for (int k = 0; k < H; k++) acc += h[k] * c.recurrent[k * G + j];
                    z[j] = acc;
                }
                double[] hNew = new double[H];
                for (int u = 0; u < H; u++) {
                    double i = ra.applyAsDouble(z[u]);
                    double f = ra.applyAsDouble(z[H + u]);
                    double g = act.applyAsDouble(z[2 * H + u]);
                    double o = ra.applyAsDouble(z[3 * H + u]);
                    cs[u] = f * cs[u] + i * g;
                    hNew[u] = o * act.applyAsDouble(cs[u]);
                }
                h = hNew;
                System.arraycopy(h, 0, seq, (b * T + s) * H, H);
            }
            System.arraycopy(h, 0, hOut, b * H, H);
            System.arraycopy(cs, 0, cOut, b * H, H);
        }
        return new double[][]{returnSequences ? seq : hOut, hOut, cOut};
    }

    /** Returns {output, h}. */
    static double[][] simpleRnnOracle(Case c, DoubleUnaryOperator act, boolean goBackwards, boolean returnSequences) {
        int H = c.units, F = c.features, B = c.batch, T = c.steps;
        double[] seq = new double[B * T * H];
        double[] hOut = new double[B * H];
        for (int b = 0; b < B; b++) {
            double[] h = new double[H];
            if (c.init != null) for (int u = 0; u < H; u++) h[u] = c.init[0][b * H + u];
            for (int s = 0; s < T; s++) {
                int t = goBackwards ? T - 1 - s : s;
                double[] hNew = new double[H];
                for (int j = 0; j < H; j++) {
                    double acc = c.bias == null ? 0 : c.bias[j];
                    for (int f = 0; f < F; f++) acc += (double) c.x[(b * T + t) * F + f] * c.kernel[f * H + j];
                    for (int k = 0; k < H; k++) acc += h[k] * c.recurrent[k * H + j];
                    hNew[j] = act.applyAsDouble(acc);
                }
                h = hNew;
                System.arraycopy(h, 0, seq, (b * T + s) * H, H);
            }
            System.arraycopy(h, 0, hOut, b * H, H);
        }
        return new double[][]{returnSequences ? seq : hOut, hOut};
    }

    // ---------------------------------------------------------------- tests

    @ParameterizedTest(name = "LSTM units={0}")
    @ValueSource(ints = {1, 5, 16, 17, 40})
    void lstmMatchesScalarReference(int units) {
        int features = 3;
        int n = 0;
        for (int batch : new int[]{1, 3})
            for (int steps : new int[]{1, 7})
                for (boolean gb : new boolean[]{false, true})
                    for (boolean rs : new boolean[]{false, true})
                        for (boolean rst : new boolean[]{false, true})
                            for (boolean init : new boolean[]{false, true})
                                for (boolean bias : new boolean[]{true, false}) {
                                    Case c = randomCase(1000L * units + n++, 4, units, features, batch, steps, bias,
                                            init, 2, 0.5);
                                    String what = String.format(
                                            "LSTM units=%d batch=%d steps=%d go_backwards=%s return_sequences=%s"
                                                    + " return_state=%s init=%s bias=%s",
                                            units, batch, steps, gb, rs, rst, init, bias);
                                    Lstm l = new Lstm("lstm", units, features, Activation.TANH, Activation.SIGMOID,
                                            c.kernel, c.recurrent, c.bias, new RecurrentOptions(rs, rst, gb, false));
                                    checkLstm(l, c, TANH, SIGMOID, gb, rs, rst, TOL, what);
                                }
        assertThat(n).isEqualTo(128);
    }

    @ParameterizedTest(name = "SimpleRNN units={0}")
    @ValueSource(ints = {1, 5, 16, 17, 40})
    void simpleRnnMatchesScalarReference(int units) {
        int features = 4;
        int n = 0;
        for (int batch : new int[]{1, 3})
            for (int steps : new int[]{1, 7})
                for (boolean gb : new boolean[]{false, true})
                    for (boolean rs : new boolean[]{false, true})
                        for (boolean rst : new boolean[]{false, true})
                            for (boolean init : new boolean[]{false, true})
                                for (boolean bias : new boolean[]{true, false}) {
                                    Case c = randomCase(7000L * units + n++, 1, units, features, batch, steps, bias,
                                            init, 1, 0.5);
                                    String what = String.format(
                                            "SimpleRNN units=%d batch=%d steps=%d go_backwards=%s"
                                                    + " return_sequences=%s return_state=%s init=%s bias=%s",
                                            units, batch, steps, gb, rs, rst, init, bias);
                                    SimpleRnn l = new SimpleRnn("rnn", units, features, Activation.TANH,
                                            c.kernel, c.recurrent, c.bias, new RecurrentOptions(rs, rst, gb, false));
                                    checkSimpleRnn(l, c, TANH, gb, rs, rst, TOL, what);
                                }
        assertThat(n).isEqualTo(128);
    }

    @Test
    void lstmWithOtherActivations() {
        Object[][] pairs = {
            {Activation.TANH, TANH, Activation.HARD_SIGMOID_SLOPE_0_2, HARD_SIGMOID_0_2},
            {Activation.TANH, TANH, Activation.HARD_SIGMOID_RELU6, HARD_SIGMOID_RELU6},
            {Activation.RELU, RELU, Activation.SIGMOID, SIGMOID},
        };
        int n = 0;
        for (Object[] p : pairs) {
            for (int units : new int[]{1, 17, 40}) {
                for (boolean gb : new boolean[]{false, true}) {
                    Case c = randomCase(555L + n++, 4, units, 5, 3, 7, true, true, 2, 0.3);
                    Lstm l = new Lstm("lstm", units, 5, (Activation) p[0], (Activation) p[2],
                            c.kernel, c.recurrent, c.bias, new RecurrentOptions(true, true, gb, false));
                    checkLstm(l, c, (DoubleUnaryOperator) p[1], (DoubleUnaryOperator) p[3], gb, true, true, TOL,
                            "LSTM act=" + p[0] + " rec=" + p[2] + " units=" + units + " gb=" + gb);
                }
            }
        }
    }

    @Test
    void simpleRnnWithRelu() {
        int n = 0;
        for (int units : new int[]{1, 16, 17, 40}) {
            for (boolean gb : new boolean[]{false, true}) {
                Case c = randomCase(99L + n++, 1, units, 6, 3, 7, false, false, 1, 0.25);
                SimpleRnn l = new SimpleRnn("rnn", units, 6, Activation.RELU, c.kernel, c.recurrent, null,
                        new RecurrentOptions(true, true, gb, false));
                checkSimpleRnn(l, c, RELU, gb, true, true, TOL, "SimpleRNN relu units=" + units + " gb=" + gb);
            }
        }
    }

    @Test
    void goBackwardsOnAReversedInputEqualsForwardOnTheOriginalInLastOutput() {
        Case c = randomCase(4242, 4, 9, 3, 2, 6, true, false, 2, 0.5);
        Lstm fwd = new Lstm("f", 9, 3, Activation.TANH, Activation.SIGMOID, c.kernel, c.recurrent, c.bias,
                new RecurrentOptions(true, false, false, false));
        Lstm bwd = new Lstm("b", 9, 3, Activation.TANH, Activation.SIGMOID, c.kernel, c.recurrent, c.bias,
                new RecurrentOptions(true, false, true, false));
        float[] rev = new float[c.x.length];
        for (int b = 0; b < 2; b++)
            for (int t = 0; t < 6; t++)
                System.arraycopy(c.x, (b * 6 + t) * 3, rev, (b * 6 + (5 - t)) * 3, 3);
        float[] a = fwd.forward(new Tensor[]{new Tensor(new int[]{2, 6, 3}, c.x)}, null)[0].data();
        float[] r = bwd.forward(new Tensor[]{new Tensor(new int[]{2, 6, 3}, rev)}, null)[0].data();
        // processing order: step s of the backwards layer on the reversed input is step s of the forward layer
        assertThat(r).containsExactly(a);
    }

    @Test
    void inputIsNotModified() {
        Case c = randomCase(77, 4, 5, 3, 2, 4, true, true, 2, 0.5);
        float[] x = c.x.clone();
        float[] h0 = c.init[0].clone();
        float[] c0 = c.init[1].clone();
        Lstm l = new Lstm("lstm", 5, 3, Activation.TANH, Activation.SIGMOID, c.kernel, c.recurrent, c.bias,
                new RecurrentOptions(true, true, false, false));
        l.forward(new Tensor[]{new Tensor(new int[]{2, 4, 3}, x), new Tensor(new int[]{2, 5}, h0),
                new Tensor(new int[]{2, 5}, c0)}, null);
        assertThat(x).containsExactly(c.x);
        assertThat(h0).containsExactly(c.init[0]);
        assertThat(c0).containsExactly(c.init[1]);
    }

    // ---------------------------------------------------------------- helpers

    private static void checkLstm(Lstm l, Case c, DoubleUnaryOperator act, DoubleUnaryOperator ra, boolean gb,
            boolean rs, boolean rst,
                                  double tol, String what) {
        Tensor[] out = l.forward(inputs(c, 2), null);
        double[][] want = lstmOracle(c, act, ra, gb, rs);
        assertThat(out).as(what + ": output count").hasSize(rst ? 3 : 1);
        assertShape(out[0], rs ? new int[]{c.batch, c.steps, c.units} : new int[]{c.batch, c.units}, what);
        assertClose(out[0].data(), want[0], tol, what + ": output");
        if (rst) {
            assertShape(out[1], new int[]{c.batch, c.units}, what);
            assertShape(out[2], new int[]{c.batch, c.units}, what);
            assertClose(out[1].data(), want[1], tol, what + ": state h");
            assertClose(out[2].data(), want[2], tol, what + ": state c");
        }
    }

    private static void checkSimpleRnn(SimpleRnn l, Case c, DoubleUnaryOperator act, boolean gb, boolean rs,
            boolean rst, double tol, String what) {
        Tensor[] out = l.forward(inputs(c, 1), null);
        double[][] want = simpleRnnOracle(c, act, gb, rs);
        assertThat(out).as(what + ": output count").hasSize(rst ? 2 : 1);
        assertShape(out[0], rs ? new int[]{c.batch, c.steps, c.units} : new int[]{c.batch, c.units}, what);
        assertClose(out[0].data(), want[0], tol, what + ": output");
        if (rst) {
            assertShape(out[1], new int[]{c.batch, c.units}, what);
            assertClose(out[1].data(), want[1], tol, what + ": state h");
        }
    }

    private static Tensor[] inputs(Case c, int states) {
        Tensor x = new Tensor(new int[]{c.batch, c.steps, c.features}, c.x.clone());
        if (c.init == null) return new Tensor[]{x};
        Tensor[] in = new Tensor[1 + states];
        in[0] = x;
        for (int i = 0; i < states; i++) in[1 + i] = new Tensor(new int[]{c.batch, c.units}, c.init[i].clone());
        return in;
    }

    private static void assertShape(Tensor t, int[] shape, String what) {
        assertThat(t.shape()).as(what + ": shape").containsExactly(shape);
    }

    private static void assertClose(float[] got, double[] want, double tol, String what) {
        assertThat(got).as(what + ": length").hasSize(want.length);
        for (int i = 0; i < want.length; i++) {
            double t = tol * Math.max(1.0, Math.abs(want[i]));
            if (!(Math.abs(got[i] - want[i]) <= t)) {
                throw new AssertionError(what + ": element " + i + " is " + got[i] + ", reference " + want[i]
                        + " (tolerance " + t + ")");
            }
        }
    }

    private static float[] uniform(SplittableRandom r, int n, double scale) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) ((r.nextDouble() * 2 - 1) * scale);
        return a;
    }
}

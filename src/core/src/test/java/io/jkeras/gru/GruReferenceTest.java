package io.jkeras.gru;

import io.jkeras.kernels.Activation;
import io.jkeras.layers.Gru;
import io.jkeras.layers.RecurrentOptions;
import io.jkeras.layers.Weight;
import io.jkeras.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;
import java.util.SplittableRandom;
import java.util.function.DoubleUnaryOperator;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The engine's GRU against a naive scalar recurrence written here in double precision straight
 * from Keras' GRUCell.call (keras/src/layers/rnn/gru.py), gates z | r | h:
 * <pre>
 *   reset_after=True,  bias (2, 3u) = [b_in; b_rec]:
 *     m = h·U + b_rec;  z = ra(x·W_z + b_in_z + m_z);  r = ra(x·W_r + b_in_r + m_r)
 *     hh = act(x·W_h + b_in_h + r ⊙ m_h)
 *   reset_after=False, bias (3u):
 *     z = ra(x·W_z + b_z + h·U_z);  r = ra(x·W_r + b_r + h·U_r)
 *     hh = act(x·W_h + b_h + (r ⊙ h)·U_h)
 *   h = z ⊙ h + (1 − z) ⊙ hh
 * </pre>
 * Masks as Keras' rnn loop: a masked step keeps the state and outputs the previous output (zeros
 * before the first unmasked step). With go_backwards the steps run from last to first, the mask
 * with them, and the returned sequence is in processing order.
 */
class GruReferenceTest {
    private static final double TOL = 1e-5;

    static final DoubleUnaryOperator TANH = Math::tanh;
    static final DoubleUnaryOperator SIGMOID = x -> 1.0 / (1.0 + Math.exp(-x));
    static final DoubleUnaryOperator HARD_SIGMOID_0_2 = x -> Math.max(0, Math.min(1, 0.2 * x + 0.5));
    static final DoubleUnaryOperator HARD_SIGMOID_RELU6 = x -> Math.max(0, Math.min(6, x + 3)) / 6;
    static final DoubleUnaryOperator RELU = x -> Math.max(0, x);
    static final DoubleUnaryOperator LINEAR = x -> x;

    /** Random Keras-layout weights and inputs. {@code bias} is (2,3u) or (3u) or null; mask may be null. */
    record Case(int units, int features, int batch, int steps, boolean resetAfter, float[] kernel, float[] recurrent,
                float[] bias, float[] x, float[] h0, boolean[] mask) {}

    static Case randomCase(long seed, int units, int features, int batch, int steps, boolean resetAfter, boolean bias,
                           boolean init, boolean masked, double wScale) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] k = uniform(r, features * 3 * units, wScale);
        float[] u = uniform(r, units * 3 * units, wScale);
        float[] b = bias ? uniform(r, (resetAfter ? 2 : 1) * 3 * units, wScale) : null;
        float[] x = uniform(r, batch * steps * features, 1.5);
        float[] h0 = init ? uniform(r, batch * units, 1.0) : null;
        boolean[] mask = null;
        if (masked) {
            mask = new boolean[batch * steps];
            for (int i = 0; i < mask.length; i++) mask[i] = r.nextInt(3) != 0;
            mask[0] = false;                                     // a leading masked step
            if (batch > 1) for (int t = 0; t < steps; t++) mask[steps + t] = false;   // a fully masked sample
        }
        return new Case(units, features, batch, steps, resetAfter, k, u, b, x, h0, mask);
    }

    // ---------------------------------------------------------------- oracle

    /** Returns {output, final h}: output is (B,T,H) or (B,H) flattened. */
    static double[][] oracle(Case c, DoubleUnaryOperator act, DoubleUnaryOperator ra, boolean goBackwards,
            boolean returnSequences) {
        int H = c.units, F = c.features, B = c.batch, T = c.steps, G = 3 * H;
        double[] seq = new double[B * T * H];
        double[] last = new double[B * H];
        double[] hOut = new double[B * H];
        for (int b = 0; b < B; b++) {
            double[] h = new double[H];
            if (c.h0 != null) for (int u = 0; u < H; u++) h[u] = c.h0[b * H + u];
            double[] prev = new double[H];
            for (int s = 0; s < T; s++) {
                int t = goBackwards ? T - 1 - s : s;
                if (c.mask == null || c.mask[b * T + t]) {
                    double[] xw = new double[G];
                    for (int j = 0; j < G; j++) {
                        double acc = 0;
                        for (int f = 0; f < F; f++) acc += (double) c.x[(b * T + t) * F + f] * c.kernel[f * G + j];
                        if (c.bias != null) acc += c.bias[j];
                        xw[j] = acc;
                    }
                    double[] hNew = new double[H];
                    if (c.resetAfter) {
                        double[] m = new double[G];
                        for (int j = 0; j < G; j++) {
                            double acc = 0;
                            for (int k = 0; k < H; k++) acc += h[k] * c.recurrent[k * G + j];
                            if (c.bias != null) acc += c.bias[G + j];
                            m[j] = acc;
                        }
                        for (int u = 0; u < H; u++) {
                            double z = ra.applyAsDouble(xw[u] + m[u]);
                            double r = ra.applyAsDouble(xw[H + u] + m[H + u]);
                            double hh = act.applyAsDouble(xw[2 * H + u] + r * m[2 * H + u]);
                            hNew[u] = z * h[u] + (1 - z) * hh;
                        }
                    } else {
                        double[] z = new double[H];
                        double[] rh = new double[H];
                        for (int u = 0; u < H; u++) {
                            double az = xw[u], ar = xw[H + u];
                            for (int k = 0; k < H; k++) {
                                az += h[k] * c.recurrent[k * G + u];
                                ar += h[k] * c.recurrent[k * G + H + u];
                            }
                            z[u] = ra.applyAsDouble(az);
                            rh[u] = ra.applyAsDouble(ar) * h[u];
                        }
                        for (int u = 0; u < H; u++) {
                            double ah = xw[2 * H + u];
                            for (int k = 0; k < H; k++) ah += rh[k] * c.recurrent[k * G + 2 * H + u];
                            hNew[u] = z[u] * h[u] + (1 - z[u]) * act.applyAsDouble(ah);
                        }
                    }
                    h = hNew;
                    prev = hNew.clone();
                }
                System.arraycopy(prev, 0, seq, (b * T + s) * H, H);
            }
            System.arraycopy(prev, 0, last, b * H, H);
            System.arraycopy(h, 0, hOut, b * H, H);
        }
        return new double[][]{returnSequences ? seq : last, hOut};
    }

    // ---------------------------------------------------------------- tests

    @ParameterizedTest(name = "GRU units={0}")
    @ValueSource(ints = {1, 5, 16, 17, 40})
    void matchesScalarReference(int units) {
        int features = 3;
        int n = 0;
        for (boolean resetAfter : new boolean[]{true, false})
            for (int batch : new int[]{1, 3})
                for (int steps : new int[]{1, 7})
                    for (boolean gb : new boolean[]{false, true})
                        for (boolean rs : new boolean[]{false, true})
                            for (boolean rst : new boolean[]{false, true})
                                for (boolean init : new boolean[]{false, true})
                                    for (boolean bias : new boolean[]{true, false}) {
                                        Case c = randomCase(3000L * units + n++, units, features, batch, steps,
                                                resetAfter, bias, init, false, 0.5);
                                        String what = String.format(
                                                "GRU units=%d reset_after=%s batch=%d steps=%d go_backwards=%s "
                                                        + "return_sequences=%s return_state=%s init=%s bias=%s",
                                                units, resetAfter, batch, steps, gb, rs, rst, init, bias);
                                        check(gru(c, Activation.TANH, Activation.SIGMOID,
                                                new RecurrentOptions(rs, rst, gb, false)),
                                                c, TANH, SIGMOID, gb, rs, rst, what);
                                    }
        assertThat(n).isEqualTo(256);
    }

    @ParameterizedTest(name = "GRU masked units={0}")
    @ValueSource(ints = {1, 5, 16, 17, 40})
    void maskedStepsKeepStateAndRepeatTheOutput(int units) {
        int n = 0;
        for (boolean resetAfter : new boolean[]{true, false})
            for (int batch : new int[]{1, 3})
                for (boolean gb : new boolean[]{false, true})
                    for (boolean rs : new boolean[]{false, true})
                        for (boolean init : new boolean[]{false, true}) {
                            Case c = randomCase(9000L * units + n++, units, 4, batch, 9, resetAfter, true, init, true,
                                    0.5);
                            String what = String.format(
                                    "masked GRU units=%d reset_after=%s batch=%d go_backwards=%s return_sequences=%s"
                                            + " init=%s",
                                    units, resetAfter, batch, gb, rs, init);
                            Tensor[] out = check(
                                    gru(c, Activation.TANH, Activation.SIGMOID,
                                            new RecurrentOptions(rs, true, gb, false)),
                                    c, TANH, SIGMOID, gb, rs, true, what);
                            if (rs) {
                                assertThat(out[0].mask()).as(what + ": the sequence carries the mask on")
                                        .isEqualTo(c.mask());
                                if (batch > 1) {
                                    // sample 1 is fully masked: zeros throughout, and its state stays the initial one
                                    for (int i = 0; i < 9 * units; i++) assertThat(out[0].data()[9 * units + i])
                                            .as(what + ": fully masked sample").isZero();
                                }
                            }
                            if (batch > 1) {
                                for (int u = 0; u < units; u++) {
                                    assertThat(out[1].data()[units + u]).as(what + ": state of the fully masked sample")
                                            .isEqualTo(init ? c.h0[units + u] : 0f);
                                }
                            }
                        }
        assertThat(n).isEqualTo(32);
    }

    @Test
    void otherActivations() {
        Object[][] pairs = {
            {Activation.TANH, TANH, Activation.HARD_SIGMOID_SLOPE_0_2, HARD_SIGMOID_0_2},
            {Activation.TANH, TANH, Activation.HARD_SIGMOID_RELU6, HARD_SIGMOID_RELU6},
            {Activation.RELU, RELU, Activation.SIGMOID, SIGMOID},
            {Activation.LINEAR, LINEAR, Activation.SIGMOID, SIGMOID},
        };
        int n = 0;
        for (Object[] p : pairs)
            for (boolean resetAfter : new boolean[]{true, false})
                for (int units : new int[]{1, 17, 40})
                    for (boolean gb : new boolean[]{false, true}) {
                        Case c = randomCase(555L + n++, units, 5, 3, 7, resetAfter, true, true, false, 0.3);
                        check(gru(c, (Activation) p[0], (Activation) p[2], new RecurrentOptions(true, true, gb, false)),
                                c, (DoubleUnaryOperator) p[1], (DoubleUnaryOperator) p[3], gb, true, true,
                                "GRU act=" + p[0] + " rec=" + p[2] + " reset_after=" + resetAfter + " units=" + units
                                        + " gb=" + gb);
                    }
        assertThat(n).isEqualTo(48);
    }

    @Test
    void theTwoVariantsDiffer() {
        // the same numbers read as reset_after True and False give different outputs: the variant matters
        Case a = randomCase(31, 6, 3, 2, 5, false, false, true, false, 0.8);
        Case b = new Case(a.units(), a.features(), a.batch(), a.steps(), true, a.kernel(), a.recurrent(), null, a.x(),
                a.h0(), null);
        RecurrentOptions o = new RecurrentOptions(true, false, false, false);
        float[] ya = gru(a, Activation.TANH, Activation.SIGMOID, o).forward(inputs(a), null)[0].data();
        float[] yb = gru(b, Activation.TANH, Activation.SIGMOID, o).forward(inputs(b), null)[0].data();
        double max = 0;
        for (int i = 0; i < ya.length; i++) max = Math.max(max, Math.abs(ya[i] - yb[i]));
        assertThat(max).isGreaterThan(1e-3);
    }

    @Test
    void statefulCallsContinueFromTheCarriedState() {
        Case c = randomCase(77, 17, 3, 2, 8, true, true, false, false, 0.5);
        Gru whole = gru(c, Activation.TANH, Activation.SIGMOID, new RecurrentOptions(true, false, false, false));
        Gru split = gru(c, Activation.TANH, Activation.SIGMOID, new RecurrentOptions(true, false, false, true));
        float[] all = whole.forward(inputs(c), null)[0].data();
        float[][] state = new float[1][];
        float[] first = split.forward(new Tensor[]{slice(c, 0, 5)}, state)[0].data();
        float[] second = split.forward(new Tensor[]{slice(c, 5, 8)}, state)[0].data();
        for (int b = 0; b < 2; b++) {
            for (int t = 0; t < 8; t++) {
                for (int u = 0; u < 17; u++) {
                    float got = t < 5 ? first[(b * 5 + t) * 17 + u] : second[(b * 3 + t - 5) * 17 + u];
                    assertThat(got).as("b=%d t=%d u=%d", b, t, u).isEqualTo(all[(b * 8 + t) * 17 + u]);
                }
            }
        }
    }

    @ParameterizedTest(name = "units={0}")
    @ValueSource(ints = {1, 15, 16, 17, 33, 128})
    void weightsRoundTripBitForBit(int units) {
        SplittableRandom r = new SplittableRandom(units);
        for (int features : new int[]{1, 7}) {
            for (boolean resetAfter : new boolean[]{true, false}) {
                for (boolean useBias : new boolean[]{true, false}) {
                    float[] k = bits(r, features * 3 * units);
                    float[] u = bits(r, units * 3 * units);
                    float[] b = useBias ? bits(r, (resetAfter ? 2 : 1) * 3 * units) : null;
                    float[] k0 = k.clone(), u0 = u.clone(), b0 = b == null ? null : b.clone();
                    Gru l = new Gru("gru", units, features, Activation.TANH, Activation.SIGMOID, resetAfter, k, u, b,
                            RecurrentOptions.DEFAULT);
                    List<Weight> w = l.weights();
                    assertThat(w).extracting(Weight::name).containsExactlyElementsOf(
                            useBias ? List.of("kernel", "recurrent_kernel", "bias")
                                    : List.of("kernel", "recurrent_kernel"));
                    assertBits(w.get(0), new int[]{features, 3 * units}, k0);
                    assertBits(w.get(1), new int[]{units, 3 * units}, u0);
                    if (useBias) assertBits(w.get(2), resetAfter ? new int[]{2, 3 * units} : new int[]{3 * units}, b0);
                    assertThat(l.paramCount()).isEqualTo((long) k.length + u.length + (useBias ? b.length : 0));
                    // the returned arrays are copies
                    w.get(0).values()[0] = 42f;
                    assertBits(l.weights().get(0), new int[]{features, 3 * units}, k0);
                }
            }
        }
    }

    @Test
    void wrongShapesAreRefusedWithTheWeightName() {
        float[] k = new float[2 * 3 * 4];
        float[] u = new float[4 * 3 * 4];
        org.assertj.core.api.Assertions.assertThatThrownBy(()
                -> new Gru("g", 4, 2, Activation.TANH, Activation.SIGMOID, true,
                k, u, new float[12], RecurrentOptions.DEFAULT)).hasMessageContaining("bias")
                        .hasMessageContaining("(2, 12)");
        org.assertj.core.api.Assertions.assertThatThrownBy(()
                -> new Gru("g", 4, 2, Activation.TANH, Activation.SIGMOID, false,
                k, u, new float[24], RecurrentOptions.DEFAULT)).hasMessageContaining("bias").hasMessageContaining("12");
        org.assertj.core.api.Assertions.assertThatThrownBy(()
                -> new Gru("g", 4, 2, Activation.TANH, Activation.SIGMOID, false,
                k, new float[4 * 4], null, RecurrentOptions.DEFAULT)).hasMessageContaining("recurrent_kernel");
    }

    // ---------------------------------------------------------------- helpers

    static Gru gru(Case c, Activation act, Activation ra, RecurrentOptions o) {
        return new Gru("gru", c.units(), c.features(), act, ra, c.resetAfter(), c.kernel().clone(), c.recurrent()
                .clone(),
                c.bias() == null ? null : c.bias().clone(), o);
    }

    private static Tensor[] check(Gru l, Case c, DoubleUnaryOperator act, DoubleUnaryOperator ra, boolean gb,
            boolean rs, boolean rst,
                                  String what) {
        Tensor[] out = l.forward(inputs(c), null);
        double[][] want = oracle(c, act, ra, gb, rs);
        assertThat(out).as(what + ": output count").hasSize(rst ? 2 : 1);
        assertThat(out[0].shape()).as(what + ": shape")
                .containsExactly(rs ? new int[]{c.batch(), c.steps(), c.units()} : new int[]{c.batch(), c.units()});
        assertClose(out[0].data(), want[0], what + ": output");
        if (rst) {
            assertThat(out[1].shape()).as(what + ": state shape").containsExactly(c.batch(), c.units());
            assertClose(out[1].data(), want[1], what + ": state h");
        }
        return out;
    }

    static Tensor[] inputs(Case c) {
        Tensor x = new Tensor(new int[]{c.batch(), c.steps(), c.features()}, c.x().clone(), c.mask());
        if (c.h0() == null) return new Tensor[]{x};
        return new Tensor[]{x, new Tensor(new int[]{c.batch(), c.units()}, c.h0().clone())};
    }

    private static Tensor slice(Case c, int from, int to) {
        int F = c.features(), T = c.steps(), n = to - from;
        float[] d = new float[c.batch() * n * F];
        for (int b = 0; b < c.batch(); b++) System.arraycopy(c.x(), (b * T + from) * F, d, b * n * F, n * F);
        return new Tensor(new int[]{c.batch(), n, F}, d);
    }

    static void assertClose(float[] got, double[] want, String what) {
        assertThat(got).as(what + ": length").hasSize(want.length);
        for (int i = 0; i < want.length; i++) {
            double t = TOL * Math.max(1.0, Math.abs(want[i]));
            if (!(Math.abs(got[i] - want[i]) <= t)) {
                throw new AssertionError(what + ": element " + i + " is " + got[i] + ", reference " + want[i]
                        + " (tolerance " + t + ")");
            }
        }
    }

    static void assertBits(Weight w, int[] shape, float[] want) {
        assertThat(w.shape()).as(w.name() + " shape").containsExactly(shape);
        assertThat(w.values()).as(w.name() + " length").hasSize(want.length);
        for (int i = 0; i < want.length; i++) {
            if (Float.floatToRawIntBits(w.values()[i]) != Float.floatToRawIntBits(want[i])) {
                throw new AssertionError(w.name() + "[" + i + "] bits differ: " + w.values()[i] + " vs " + want[i]);
            }
        }
    }

    /** Random finite bit patterns with signed zeros and subnormals mixed in. */
    static float[] bits(SplittableRandom r, int n) {
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

    static float[] uniform(SplittableRandom r, int n, double scale) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) ((r.nextDouble() * 2 - 1) * scale);
        return a;
    }
}

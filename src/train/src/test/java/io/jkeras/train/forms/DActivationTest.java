package io.jkeras.train.forms;

import io.jkeras.kernels.Activation;
import io.jkeras.train.DActivation;
import io.jkeras.train.GradCheck;
import io.jkeras.train.Ops;
import io.jkeras.train.Tape;
import io.jkeras.train.Var;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/** Every engine activation in double: derivative vs finite differences, value vs the float engine, TF's kinks. */
class DActivationTest {
    private static final double[] KINKS = {-6, -3, -2.5, -1, -0.5, 0, 0.5, 1, 2.5, 3, 6};

    /** Rows of 6 values in (-4, 4), exact floats, at least 1e-3 away from every kink. */
    private static double[] inputs(Random r, int n) {
        double[] x = new double[n];
        for (int i = 0; i < n; i++) {
            double v;
            boolean near;
            do {
                v = (float) ((r.nextDouble() * 2 - 1) * 4);
                near = false;
                for (double k : KINKS) near |= Math.abs(v - k) < 1e-3;
            } while (near);
            x[i] = v;
        }
        return x;
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Activation.class)
    void derivativeMatchesFiniteDifferences(Activation a) {
        Random r = new Random(a.ordinal() * 17L + 1);
        Var x = Var.leaf(new int[]{5, 6}, inputs(r, 30));
        double worst = GradCheck.check(List.of(x), t -> FormChecks.weightedSum(t, new Var[]{Ops.activation(t, x, a)}),
                1e-6);
        assertThat(worst).isLessThanOrEqualTo(1e-6);
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Activation.class)
    void valueMatchesTheFloatEngine(Activation a) {
        Random r = new Random(a.ordinal() * 13L + 5);
        int len = 6, rows = 8;
        double[] x = inputs(r, len * rows);
        int w = DActivation.outputWidth(a, len);
        double[] y = new double[rows * w];
        float[] f = FormChecks.toFloat(x);
        for (int i = 0; i < rows; i++) {
            DActivation.forward(a, x, i * len, y, i * w, len);
            a.apply(f, i * len, len);
            for (int j = 0; j < w; j++) {
                double e = f[i * len + j];
                assertThat(Math.abs(y[i * w + j] - e)).as("%s row %d col %d: %s vs %s", a, i, j, y[i * w + j], e)
                        .isLessThanOrEqualTo(1e-6 * Math.max(1, Math.abs(e)));
            }
        }
    }

    /** Gradients TensorFlow 2.21 computes for Keras 3.15.1's activations at these points (float64). */
    @Test
    void kinksFollowTensorFlow() {
        double[] pts = {-3, -2.5, -1, -0.5, 0, 0.5, 1, 2.5, 3, 6};
        Map<Activation, double[]> tf = Map.ofEntries(
                Map.entry(Activation.RELU, new double[]{0, 0, 0, 0, 0, 1, 1, 1, 1, 1}),
                Map.entry(Activation.RELU6, new double[]{0, 0, 0, 0, 0, 1, 1, 1, 1, 0}),
                Map.entry(Activation.LEAKY_RELU, new double[]{0.2, 0.2, 0.2, 0.2, 0.2, 1, 1, 1, 1, 1}),
                Map.entry(Activation.ELU, new double[]{0.049787, 0.082085, 0.367879, 0.606531, 1, 1, 1, 1, 1, 1}),
                Map.entry(Activation.SELU,
                        new double[]{0.087531, 0.144314, 0.646769, 1.066341, 1.050701, 1.050701, 1.050701, 1.050701,
                                1.050701, 1.050701}),
                Map.entry(Activation.CELU, new double[]{0.049787, 0.082085, 0.367879, 0.606531, 2, 1, 1, 1, 1, 1}),
                Map.entry(Activation.HARD_SIGMOID_RELU6,
                        new double[]{0, 1 / 6.0, 1 / 6.0, 1 / 6.0, 1 / 6.0, 1 / 6.0, 1 / 6.0, 1 / 6.0, 0, 0}),
                Map.entry(Activation.HARD_SILU,
                        new double[]{0, -1 / 3.0, 1 / 6.0, 1 / 3.0, 0.5, 2 / 3.0, 5 / 6.0, 4 / 3.0, 1, 1}),
                Map.entry(Activation.HARD_TANH, new double[]{0, 0, 1, 1, 1, 1, 1, 0, 0, 0}),
                Map.entry(Activation.HARD_SHRINK, new double[]{1, 1, 1, 0, 0, 0, 1, 1, 1, 1}),
                Map.entry(Activation.SOFT_SHRINK, new double[]{1, 1, 1, 0, 0, 0, 1, 1, 1, 1}),
                Map.entry(Activation.SPARSE_PLUS, new double[]{0, 0, 0, 0.25, 0.5, 0.75, 1, 1, 1, 1}),
                Map.entry(Activation.SPARSE_SIGMOID, new double[]{0, 0, 0, 0.5, 0.5, 0.5, 0, 0, 0, 0}),
                Map.entry(Activation.SOFTSIGN,
                        new double[]{0.0625, 0.081633, 0.25, 0.444444, 1, 0.444444, 0.25, 0.081633, 0.0625, 0.020408}),
                Map.entry(Activation.GELU,
                        new double[]{-0.011946, -0.037611, -0.083315, 0.132505, 0.5, 0.867495, 1.083315, 1.037611,
                                1.011946, 1.0}),
                Map.entry(Activation.MISH,
                        new double[]{-0.093393, -0.109744, 0.059217, 0.289511, 0.6, 0.886424, 1.049036, 1.04113,
                                1.021107, 1.000134}),
                Map.entry(Activation.SILU,
                        new double[]{-0.088104, -0.099401, 0.072329, 0.260039, 0.5, 0.739961, 0.927671, 1.099401,
                                1.088104, 1.012326}),
                Map.entry(Activation.LOG_SIGMOID,
                        new double[]{0.952574, 0.924142, 0.731059, 0.622459, 0.5, 0.377541, 0.268941, 0.075858,
                                0.047426, 0.002473}),
                Map.entry(Activation.SQUAREPLUS,
                        new double[]{0.083975, 0.109566, 0.276393, 0.378732, 0.5, 0.621268, 0.723607, 0.890434,
                                0.916025, 0.974342}),
                Map.entry(Activation.TANH_SHRINK,
                        new double[]{0.990134, 0.973408, 0.580026, 0.213552, 0, 0.213552, 0.580026, 0.973408, 0.990134,
                                0.999975}),
                // tf.clip_by_value passes the gradient at its bounds (u = 0.2x + 0.5 = 0 at x = -2.5)
                Map.entry(Activation.HARD_SIGMOID_SLOPE_0_2, new double[]{0, 0.2, 0.2, 0.2, 0.2, 0.2, 0.2, 0.2, 0, 0}));
        for (Map.Entry<Activation, double[]> e : tf.entrySet()) {
            double[] g = grad(e.getKey(), pts, null);
            for (int i = 0; i < pts.length; i++) {
                assertThat(g[i]).as("%s'(%s)", e.getKey(), pts[i])
                        .isCloseTo(e.getValue()[i], org.assertj.core.data.Offset.offset(1e-6));
            }
        }
    }

    /** Keras' sparsemax (tau from the sum of the cumulative sums over the support), gradients from TF 2.21. */
    @Test
    void sparsemaxFollowsKerasFormula() {
        check(new double[]{0.25, -0.25, 0.875, 0.125}, new double[]{1, 2, 3, 4}, new double[]{0, 0, 0.125, 0},
                new double[]{-2, 0, 0, -1});
        check(new double[]{2, 0, 1}, new double[]{1, 2, 3}, new double[]{1, 0, 0}, new double[]{-3, 0, 3});
        check(new double[]{0.5, 0.5, 0.25, -1, 0.375}, new double[]{1, -2, 3, 0.5, 2}, new double[]{0, 0, 0, 0, 0},
                new double[]{0, 0, 0, 0, 0});
    }

    private static void check(double[] x, double[] w, double[] y, double[] g) {
        Var v = Var.leaf(new int[]{1, x.length}, x.clone());
        Tape t = new Tape();
        Var out = Ops.activation(t, v, Activation.SPARSEMAX);
        assertThat(out.value()).containsExactly(y, org.assertj.core.data.Offset.offset(1e-12));
        assertThat(grad(Activation.SPARSEMAX, x, w)).containsExactly(g, org.assertj.core.data.Offset.offset(1e-12));
    }

    /** d(Σ w·f(x))/dx for one row (w = 1 when null). */
    private static double[] grad(Activation a, double[] x, double[] w) {
        int n = x.length;
        double[] y = new double[n];
        double[] dy = new double[n];
        java.util.Arrays.fill(dy, 1.0);
        if (w != null) dy = w.clone();
        double[] dx = new double[n];
        if (a.elementwise()) {
            for (int i = 0; i < n; i++) {
                DActivation.forward(a, x, i, y, i, 1);
                DActivation.backward(a, x, i, y, i, dy, i, dx, i, 1);
            }
        } else {
            DActivation.forward(a, x, 0, y, 0, n);
            DActivation.backward(a, x, 0, y, 0, dy, 0, dx, 0, n);
        }
        return dx;
    }
}

package io.jkeras.kernels;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.math.BigDecimal;
import java.math.MathContext;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.function.DoubleUnaryOperator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.data.Offset.offset;

/**
 * Every {@link Activation} against an independent double-precision formula written here from the
 * Keras 3 definitions (keras/src/activations/activations.py, keras/src/backend/tensorflow/nn.py),
 * with Keras' default parameters.
 */
class ActivationTest {
    private static final Map<Activation, DoubleUnaryOperator> ORACLE = new EnumMap<>(Activation.class);

    static {
        ORACLE.put(Activation.LINEAR, x -> x);
        ORACLE.put(Activation.TANH, Math::tanh);
        ORACLE.put(Activation.SIGMOID, x -> 1.0 / (1.0 + Math.exp(-x)));
        ORACLE.put(Activation.HARD_SIGMOID_SLOPE_0_2, x -> clip(0.2 * x + 0.5, 0, 1));
        ORACLE.put(Activation.HARD_SIGMOID_RELU6, x -> relu6(x + 3) / 6);
        ORACLE.put(Activation.HARD_SILU, x -> x * relu6(x + 3) / 6);
        ORACLE.put(Activation.RELU, x -> Math.max(x, 0));
        ORACLE.put(Activation.RELU6, ActivationTest::relu6);
        ORACLE.put(Activation.LEAKY_RELU, x -> x < 0 ? 0.2 * x : x);
        ORACLE.put(Activation.ELU, x -> x > 0 ? x : Math.expm1(x));
        ORACLE.put(Activation.SELU, x -> 1.0507009873554805 * (x > 0 ? x : 1.6732632423543772 * Math.expm1(x)));
        ORACLE.put(Activation.CELU, x -> Math.max(x, 0) + 1.0 * Math.expm1(Math.min(x, 0) / 1.0));
        ORACLE.put(Activation.SOFTPLUS, x -> Math.log(1 + Math.exp(x)));
        ORACLE.put(Activation.SOFTSIGN, x -> x / (Math.abs(x) + 1));
        ORACLE.put(Activation.EXPONENTIAL, Math::exp);
        ORACLE.put(Activation.SILU, x -> x / (1.0 + Math.exp(-x)));
        ORACLE.put(Activation.GELU, x -> 0.5 * x * BigDecimal.ONE.add(erfSeries(x / Math.sqrt(2))).doubleValue());
        ORACLE.put(Activation.MISH, x -> x * Math.tanh(Math.log(1 + Math.exp(x))));
        ORACLE.put(Activation.LOG_SIGMOID, x -> Math.log(1.0 / (1.0 + Math.exp(-x))));
        ORACLE.put(Activation.TANH_SHRINK, x -> x - Math.tanh(x));
        ORACLE.put(Activation.HARD_TANH, x -> clip(x, -1, 1));
        ORACLE.put(Activation.HARD_SHRINK, x -> Math.abs(x) > 0.5 ? x : 0);
        ORACLE.put(Activation.SOFT_SHRINK, x -> x > 0.5 ? x - 0.5 : (x < -0.5 ? x + 0.5 : 0));
        ORACLE.put(Activation.SPARSE_PLUS, x -> x <= -1 ? 0 : (x < 1 ? 0.25 * (x + 1) * (x + 1) : x));
        ORACLE.put(Activation.SPARSE_SIGMOID, x -> x <= -1 ? 0 : (x >= 1 ? 1 : 0.5 * (x + 1)));
        ORACLE.put(Activation.SQUAREPLUS, x -> (x + Math.sqrt(x * x + 4)) / 2);
    }

    private static double clip(double x, double lo, double hi) { return Math.max(lo, Math.min(hi, x)); }

    private static double relu6(double x) { return clip(x, 0, 6); }

    /** -10 .. 10 in steps of 1/8, plus the breakpoints of the piecewise functions and their neighbours. */
    static float[] grid() {
        TreeSet<Float> s = new TreeSet<>();
        for (int i = -80; i <= 80; i++) s.add(i / 8f);
        for (float b : new float[]{0f, 0.5f, 1f, 2.5f, 3f, 6f, 9f}) {
            for (float v : new float[]{b, -b}) {
                s.add(v);
                s.add(Math.nextUp(v));
                s.add(Math.nextDown(v));
            }
        }
        for (float v : new float[]{0.1f, -0.1f, 1e-3f, -1e-3f, 1e-6f, -1e-6f, 0.7f, -2.9f}) s.add(v);
        float[] g = new float[s.size()];
        int i = 0;
        for (float v : s) g[i++] = v;
        return g;
    }

    @ParameterizedTest
    @EnumSource(value = Activation.class, names = {"SOFTMAX", "LOG_SOFTMAX", "SPARSEMAX", "GLU"},
            mode = EnumSource.Mode.EXCLUDE)
    void elementwiseMatchesKerasFormula(Activation a) {
        DoubleUnaryOperator oracle = ORACLE.get(a);
        assertThat(oracle).as("oracle for %s", a).isNotNull();
        assertThat(a.elementwise()).isTrue();
        assertThat(a.outputWidth(6)).isEqualTo(6);
        float[] g = grid();
        float[] row = g.clone();
        a.apply(row, 0, row.length);
        for (int i = 0; i < g.length; i++) {
            float x = g[i];
            double want = oracle.applyAsDouble(x);
            float got = a.f(x);
            // computed in double and rounded once: within one float ulp (GELU: erfc fit, 2.5e-7 relative)
            double tol = a == Activation.GELU ? 2.5e-7 * Math.abs(want) + 1e-30 : Math.ulp((float) want);
            assertThat((double) got).as("%s(%s)", a, x).isCloseTo(want, offset(tol));
            assertThat(Float.floatToIntBits(row[i])).as("%s apply == f at %s", a, x)
                    .isEqualTo(Float.floatToIntBits(got));
        }
    }

    @Test
    void everyConstantIsCovered() {
        List<Activation> missing = new ArrayList<>();
        for (Activation a : Activation.values()) {
            if (a.elementwise() && !ORACLE.containsKey(a)) missing.add(a);
        }
        assertThat(missing).isEmpty();
    }

    @Test
    void applyTouchesOnlyTheGivenRange() {
        float[] v = {-2f, -1f, 0.5f, 2f, -3f};
        Activation.RELU.apply(v, 1, 3);
        assertThat(v).containsExactly(-2f, 0f, 0.5f, 2f, -3f);
    }

    @Test
    void theTwoHardSigmoidsAreDifferentFunctions() {
        assertThat(Activation.HARD_SIGMOID_SLOPE_0_2.f(1f)).isCloseTo(0.7f, offset(1e-7f));
        assertThat(Activation.HARD_SIGMOID_RELU6.f(1f)).isCloseTo(4f / 6f, offset(1e-7f));
        // slope 0.2 saturates at ±2.5, relu6 at ±3
        assertThat(Activation.HARD_SIGMOID_SLOPE_0_2.f(2.5f)).isEqualTo(1f);
        assertThat(Activation.HARD_SIGMOID_RELU6.f(2.5f)).isLessThan(1f);
        assertThat(Activation.HARD_SIGMOID_SLOPE_0_2.f(-2.5f)).isEqualTo(0f);
        assertThat(Activation.HARD_SIGMOID_RELU6.f(-2.5f)).isGreaterThan(0f);
        assertThat(Activation.HARD_SIGMOID_RELU6.f(3f)).isEqualTo(1f);
        assertThat(Activation.HARD_SIGMOID_RELU6.f(-3f)).isEqualTo(0f);
        // both agree at 0
        assertThat(Activation.HARD_SIGMOID_SLOPE_0_2.f(0f)).isEqualTo(0.5f);
        assertThat(Activation.HARD_SIGMOID_RELU6.f(0f)).isEqualTo(0.5f);
    }

    @Test
    void rowWiseFunctionsMatchFormulas() {
        SplittableRandom rnd = new SplittableRandom(42);
        for (int len : new int[]{1, 2, 3, 7, 16, 33}) {
            for (int trial = 0; trial < 20; trial++) {
                double scale = trial < 10 ? 3 : 30;
                float[] x = new float[len];
                for (int i = 0; i < len; i++) x[i] = (float) ((rnd.nextDouble() * 2 - 1) * scale);
                if (trial == 0 && len > 2) x[1] = x[0]; // ties

                // softmax: exp(x_i) / Σ exp(x_j)
                double max = Double.NEGATIVE_INFINITY;
                for (float v : x) max = Math.max(max, v);
                double sum = 0;
                for (float v : x) sum += Math.exp(v - max);
                float[] sm = padded(x);
                Activation.SOFTMAX.apply(sm, 2, len);
                float[] lsm = padded(x);
                Activation.LOG_SOFTMAX.apply(lsm, 2, len);
                for (int i = 0; i < len; i++) {
                    double p = Math.exp(x[i] - max) / sum;
                    assertThat((double) sm[2 + i]).as("softmax len %d", len).isCloseTo(p, offset(2e-7 * p + 1e-30));
                    double lp = x[i] - max - Math.log(sum);
                    assertThat((double) lsm[2 + i]).as("log_softmax len %d", len)
                            .isCloseTo(lp, offset(2e-7 * Math.abs(lp) + 1e-6));
                }
                assertUntouchedPadding(sm, len);
                assertUntouchedPadding(lsm, len);

                // sparsemax exactly as Keras computes it (see sparsemax() below)
                double[] want = sparsemax(x);
                float[] sp = padded(x);
                Activation.SPARSEMAX.apply(sp, 2, len);
                for (int i = 0; i < len; i++) {
                    assertThat((double) sp[2 + i]).as("sparsemax len %d", len)
                            .isCloseTo(want[i], offset(1e-5 * (1 + scale / 10)));
                    assertThat(sp[2 + i]).isGreaterThanOrEqualTo(0f);
                }
                assertUntouchedPadding(sp, len);
            }
        }
    }

    /** Values printed by keras.activations.sparsemax 3.15.1 (tensorflow backend) for these rows. */
    @Test
    void sparsemaxFollowsKerasNotTheTextbookProjection() {
        float[] v = {0.5f, 0.4f};
        Activation.SPARSEMAX.apply(v, 0, 2);
        // textbook sparsemax would give [0.55, 0.45]; Keras sums the cumsums over the support
        assertThat(v[0]).isCloseTo(0.3f, offset(1e-6f));
        assertThat(v[1]).isCloseTo(0.2f, offset(1e-6f));
        float[] w = {0.5f, 0.4f, 0.45f, 0.44f};
        Activation.SPARSEMAX.apply(w, 0, 4);
        assertThat(w).containsExactly(0f, 0f, 0f, 0f);
        float[] one = {1f, 0f};
        Activation.SPARSEMAX.apply(one, 0, 2);
        assertThat(one).containsExactly(1f, 0f);
    }

    @Test
    void gluHalvesTheRow() {
        SplittableRandom rnd = new SplittableRandom(3);
        for (int half : new int[]{1, 2, 5, 16}) {
            float[] x = new float[2 * half];
            for (int i = 0; i < x.length; i++) x[i] = (float) (rnd.nextDouble() * 10 - 5);
            float[] v = padded(x);
            Activation.GLU.apply(v, 2, 2 * half);
            assertThat(Activation.GLU.outputWidth(2 * half)).isEqualTo(half);
            assertThat(Activation.GLU.elementwise()).isFalse();
            for (int i = 0; i < half; i++) {
                double want = x[i] / (1.0 + Math.exp(-x[half + i]));
                assertThat((double) v[2 + i]).isCloseTo(want, offset((double) Math.ulp((float) want)));
            }
            assertThat(v[0]).isEqualTo(-99f);
        }
    }

    @Test
    void rowWiseFunctionsRefuseSingleValues() {
        for (Activation a : new Activation[]{Activation.SOFTMAX, Activation.LOG_SOFTMAX, Activation.SPARSEMAX,
                Activation.GLU}) {
            assertThat(a.elementwise()).as("%s", a).isFalse();
            assertThatThrownBy(() -> a.f(1f)).isInstanceOf(UnsupportedOperationException.class);
        }
    }

    /** erf and erfc against a Taylor series summed in 80-digit decimal arithmetic. */
    @Test
    void erfcMatchesHighPrecisionSeries() {
        for (int i = -800; i <= 800; i++) {
            double z = i / 100.0; // -8 .. 8 (GELU on [-10, 10] evaluates erfc on ±7.08)
            BigDecimal erf = erfSeries(z);
            double erfcWant = BigDecimal.ONE.subtract(erf).doubleValue();
            double erfcGot = Special.erfc(z);
            assertThat(1 - erfcGot).as("erf(%s)", z).isCloseTo(erf.doubleValue(), offset(1e-7));
            assertThat(erfcGot).as("erfc(%s) relative", z).isCloseTo(erfcWant, offset(1.2e-7 * erfcWant));
        }
        assertThat(Special.erfc(0)).isCloseTo(1.0, offset(1e-15));
    }

    private static final MathContext MC = new MathContext(80);
    private static final BigDecimal PI = new BigDecimal(
            "3.1415926535897932384626433832795028841971693993751058209749445923078164062862089986280348253421170679");

    /** erf(z) = 2/√π Σ (-1)^n z^(2n+1) / (n! (2n+1)), in 80 significant digits. */
    static BigDecimal erfSeries(double zd) {
        BigDecimal z = new BigDecimal(zd);
        BigDecimal z2 = z.multiply(z, MC);
        BigDecimal term = z; // (-1)^n z^(2n+1) / n!
        BigDecimal sum = BigDecimal.ZERO;
        BigDecimal eps = new BigDecimal("1e-60");
        for (int n = 0; n < 2000; n++) {
            BigDecimal t = term.divide(BigDecimal.valueOf(2L * n + 1), MC);
            sum = sum.add(t, MC);
            if (n > 2 * zd * zd && t.abs().compareTo(eps) < 0) break;
            term = term.multiply(z2, MC).divide(BigDecimal.valueOf(n + 1), MC).negate();
        }
        return sum.multiply(BigDecimal.valueOf(2), MC).divide(PI.sqrt(MC), MC);
    }

    /**
     * Keras' sparsemax (identical on the numpy, jax and tensorflow backends): z sorted descending,
     * cumsum S_j, support {j : z_j - (S_j - 1)/j > 0} of size k, tau = (Σ_{j in support} S_j - 1)/k,
     * y = max(x - tau, 0). Note Keras sums the cumulative sums over the support, so for k > 1 the
     * result differs from the textbook projection onto the simplex; the engine follows Keras.
     */
    private static double[] sparsemax(float[] x) {
        int n = x.length;
        double[] s = new double[n];
        for (int i = 0; i < n; i++) s[i] = x[i];
        java.util.Arrays.sort(s);
        double cum = 0, tauNum = 0;
        int k = 0;
        for (int j = 1; j <= n; j++) {
            double zj = s[n - j];
            cum += zj;
            if (zj - (cum - 1) / j > 0) { k++; tauNum += cum; }
        }
        double tau = (tauNum - 1) / k;
        double[] y = new double[n];
        for (int i = 0; i < n; i++) y[i] = Math.max(x[i] - tau, 0);
        return y;
    }

    private static float[] padded(float[] x) {
        float[] v = new float[x.length + 4];
        java.util.Arrays.fill(v, -99f);
        System.arraycopy(x, 0, v, 2, x.length);
        return v;
    }

    private static void assertUntouchedPadding(float[] v, int len) {
        assertThat(v[0]).isEqualTo(-99f);
        assertThat(v[1]).isEqualTo(-99f);
        assertThat(v[2 + len]).isEqualTo(-99f);
        assertThat(v[3 + len]).isEqualTo(-99f);
    }
}

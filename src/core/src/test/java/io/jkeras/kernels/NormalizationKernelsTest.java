package io.jkeras.kernels;

import io.jkeras.kernels.KerasKernelCases.Case;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.SplittableRandom;
import java.util.stream.Stream;

import static io.jkeras.kernels.KerasKernelCases.assertClose;
import static io.jkeras.kernels.KerasKernelCases.assertMatchesKeras;
import static io.jkeras.kernels.KerasKernelCases.random;
import static org.assertj.core.api.Assertions.assertThat;

/** {@link NormalizationKernels} against real Keras 3 normalization layers and against their references. */
class NormalizationKernelsTest {

    static Stream<Case> layerNormCases() { return KerasKernelCases.of("LayerNormalization"); }

    static Stream<Case> groupNormCases() { return KerasKernelCases.of("GroupNormalization"); }

    static Stream<Case> unitNormCases() { return KerasKernelCases.of("UnitNormalization"); }

    /** (outer, n, inner) of the case's normalized axes, which are adjacent. */
    static int[] view(int[] shape, int[] axes) {
        int lo = Integer.MAX_VALUE, hi = -1;
        for (int a : axes) {
            int ax = a < 0 ? a + shape.length : a;
            lo = Math.min(lo, ax);
            hi = Math.max(hi, ax);
        }
        assertThat(hi - lo + 1).as("adjacent axes").isEqualTo(axes.length);
        int[] v = {1, 1, 1};
        for (int i = 0; i < shape.length; i++) v[i < lo ? 0 : i <= hi ? 1 : 2] *= shape[i];
        return v;
    }

    private static int[] axes(Case c) {
        return c.config().get("axis").isArray() ? c.ints("axis", c.config().get("axis").size())
                : new int[]{c.config().get("axis").intValue()};
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("layerNormCases")
    void layerNormMatchesKeras(Case c) {
        int[] v = view(c.xShape(), axes(c));
        float[] fast = new float[c.x().length], ref = new float[c.x().length];
        boolean rms = c.flag("rms_scaling");
        float[] gamma = c.weight("gamma"), beta = c.weight("beta");
        NormalizationKernels.layerNorm(v[0], v[1], v[2], c.x(), 0, gamma, beta, c.number("epsilon"), rms, fast, 0);
        NormalizationKernels.layerNormReference(v[0], v[1], v[2], c.x(), 0, gamma, beta, c.number("epsilon"), rms,
                ref, 0);
        assertMatchesKeras(c, c.xShape(), fast);
        assertMatchesKeras(c, c.xShape(), ref);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("groupNormCases")
    void groupNormMatchesKeras(Case c) {
        int positions = c.x().length / c.batch() / c.channels();
        int groups = c.config().get("groups").intValue();
        float[] fast = new float[c.x().length], ref = new float[c.x().length];
        NormalizationKernels.groupNorm(c.batch(), positions, c.channels(), groups, c.x(), 0, c.weight("gamma"),
                c.weight("beta"), c.number("epsilon"), fast, 0);
        NormalizationKernels.groupNormReference(c.batch(), positions, c.channels(), groups, c.x(), 0,
                c.weight("gamma"), c.weight("beta"), c.number("epsilon"), ref, 0);
        assertMatchesKeras(c, c.xShape(), fast);
        assertMatchesKeras(c, c.xShape(), ref);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("unitNormCases")
    void unitNormMatchesKeras(Case c) {
        int[] v = view(c.xShape(), axes(c));
        float[] fast = new float[c.x().length], ref = new float[c.x().length];
        NormalizationKernels.unitNorm(v[0], v[1], v[2], c.x(), 0, fast, 0);
        NormalizationKernels.unitNormReference(v[0], v[1], v[2], c.x(), 0, ref, 0);
        assertMatchesKeras(c, c.xShape(), fast);
        assertMatchesKeras(c, c.xShape(), ref);
    }

    static Stream<Arguments> shapes() {
        return Stream.of(Arguments.of(1, 1, 1), Arguments.of(3, 7, 1), Arguments.of(2, 17, 3), Arguments.of(7, 3, 17),
                Arguments.of(1, 1000, 1));
    }

    @ParameterizedTest(name = "outer={0} n={1} inner={2}")
    @MethodSource("shapes")
    void fastPathsMatchReferencesAndMayWorkInPlace(int outer, int n, int inner) {
        SplittableRandom rnd = new SplittableRandom(31L * n + inner);
        float[] x = random(rnd, outer * n * inner);
        for (int i = 0; i < x.length; i++) x[i] = x[i] * 3 + 5; // a mean far from 0
        float[] gamma = random(rnd, n), beta = random(rnd, n);
        for (boolean rms : new boolean[]{false, true}) {
            float[] fast = new float[x.length], ref = new float[x.length];
            NormalizationKernels.layerNorm(outer, n, inner, x, 0, gamma, beta, 1e-3f, rms, fast, 0);
            NormalizationKernels.layerNormReference(outer, n, inner, x, 0, gamma, beta, 1e-3f, rms, ref, 0);
            assertClose("layer norm", fast, ref, 2e-5);
            float[] inPlace = x.clone();
            NormalizationKernels.layerNorm(outer, n, inner, inPlace, 0, gamma, beta, 1e-3f, rms, inPlace, 0);
            assertThat(inPlace).containsExactly(fast);
        }
        float[] fast = new float[x.length], ref = new float[x.length];
        NormalizationKernels.unitNorm(outer, n, inner, x, 0, fast, 0);
        NormalizationKernels.unitNormReference(outer, n, inner, x, 0, ref, 0);
        assertClose("unit norm", fast, ref, 2e-6);
        // group norm: (batch = outer, positions = n, channels = inner · groups)
        for (int groups : new int[]{1, 3}) {
            int channels = inner * groups;
            float[] gx = random(rnd, outer * n * channels), g = random(rnd, channels), b = random(rnd, channels);
            float[] gf = new float[gx.length], gr = new float[gx.length];
            NormalizationKernels.groupNorm(outer, n, channels, groups, gx, 0, g, b, 1e-3f, gf, 0);
            NormalizationKernels.groupNormReference(outer, n, channels, groups, gx, 0, g, b, 1e-3f, gr, 0);
            assertClose("group norm", gf, gr, 2e-5);
        }
    }

    @ParameterizedTest(name = "outer={0} n={1} inner={2}")
    @MethodSource("shapes")
    void layerNormBackwardMatchesReferenceAndFiniteDifferences(int outer, int n, int inner) {
        SplittableRandom rnd = new SplittableRandom(17L * n + inner);
        int len = outer * n * inner;
        float[] x = random(rnd, len), gamma = random(rnd, n), dy = random(rnd, len), v = random(rnd, len);
        for (boolean rms : new boolean[]{false, true}) {
            float[] dx = random(rnd, len), dg = random(rnd, n), db = random(rnd, n);
            float[] rx = dx.clone(), rg = dg.clone(), rb = db.clone(), fresh = new float[len];
            float[] freshG = new float[n], freshB = new float[n];
            NormalizationKernels.layerNormBackward(outer, n, inner, x, 0, gamma, 1e-3f, rms, dy, 0, dx, 0, dg, db);
            NormalizationKernels.layerNormBackwardReference(outer, n, inner, x, 0, gamma, 1e-3f, rms, dy, 0, rx, 0,
                    rg, rb);
            assertClose("dx", dx, rx, 2e-5);
            assertClose("dGamma", dg, rg, 2e-5 * Math.sqrt(1 + outer * inner / 100.0));
            assertClose("dBeta", db, rb, 2e-5);
            NormalizationKernels.layerNormBackward(outer, n, inner, x, 0, gamma, 1e-3f, rms, dy, 0, fresh, 0,
                    freshG, freshB);
            // central differences of Σ dy·layerNorm(x + t·v) in double, from the forward's definition alone
            boolean r = rms;
            assertDerivative("layer norm, rms_scaling=" + rms, fresh, v, t -> loss(outer, n, inner, x, v, t, gamma, r,
                    dy));
        }
    }

    @ParameterizedTest(name = "outer={0} n={1} inner={2}")
    @MethodSource("shapes")
    void groupAndUnitNormBackwardMatchReferencesAndFiniteDifferences(int outer, int n, int inner) {
        SplittableRandom rnd = new SplittableRandom(13L * n + inner);
        // group norm: (batch = outer, positions = n, channels = 2·inner) in 2 groups
        int channels = 2 * inner, len = outer * n * channels;
        float[] x = random(rnd, len), gamma = random(rnd, channels), dy = random(rnd, len), v = random(rnd, len);
        float[] dx = random(rnd, len), dg = random(rnd, channels), db = random(rnd, channels);
        float[] rx = dx.clone(), rg = dg.clone(), rb = db.clone(), fresh = new float[len];
        NormalizationKernels.groupNormBackward(outer, n, channels, 2, x, 0, gamma, 1e-3f, dy, 0, dx, 0, dg, db);
        NormalizationKernels.groupNormBackwardReference(outer, n, channels, 2, x, 0, gamma, 1e-3f, dy, 0, rx, 0, rg,
                rb);
        assertClose("group norm dx", dx, rx, 2e-5);
        assertClose("group norm dGamma", dg, rg, 2e-5 * Math.sqrt(1 + outer * n / 100.0));
        assertClose("group norm dBeta", db, rb, 2e-5 * Math.sqrt(1 + outer * n / 100.0));
        NormalizationKernels.groupNormBackward(outer, n, channels, 2, x, 0, gamma, 1e-3f, dy, 0, fresh, 0, null,
                null);
        float[] xg = x;
        assertDerivative("group norm", fresh, v, t -> {
            double total = 0;
            int cg = inner;
            for (int s = 0; s < outer; s++) {
                for (int g = 0; g < 2; g++) {
                    double mean = 0, var = 0;
                    int[] at = new int[n * cg];
                    for (int i = 0; i < at.length; i++) at[i] = (s * n + i / cg) * channels + g * cg + i % cg;
                    for (int a : at) mean += (xg[a] + t * v[a]) / at.length;
                    for (int a : at) var += Math.pow(xg[a] + t * v[a] - mean, 2) / at.length;
                    for (int a : at) {
                        total += dy[a] * (xg[a] + t * v[a] - mean) / Math.sqrt(var + 1e-3) * gamma[a % channels];
                    }
                }
            }
            return total;
        });
        // unit norm over (outer, n, inner), one group all zeros (the clipped branch)
        int un = outer * n * inner;
        float[] ux = random(rnd, un), udy = random(rnd, un), uv = random(rnd, un);
        for (int i = 0; i < n; i++) ux[i * inner] = 0f;
        float[] ud = random(rnd, un), ur = ud.clone(), ufresh = new float[un];
        NormalizationKernels.unitNormBackward(outer, n, inner, ux, 0, udy, 0, ud, 0);
        NormalizationKernels.unitNormBackwardReference(outer, n, inner, ux, 0, udy, 0, ur, 0);
        assertClose("unit norm dx", ud, ur, 1e-4);
        NormalizationKernels.unitNormBackward(outer, n, inner, ux, 0, udy, 0, ufresh, 0);
        for (int i = 0; i < n; i++) {
            assertThat(ufresh[i * inner]).as("clipped group: 1e12·dy").isEqualTo(1e12f * udy[i * inner]);
            uv[i * inner] = 0f; // the clipped branch is not differentiable at 0: keep the step off it
        }
        assertDerivative("unit norm", ufresh, uv, t -> {
            double total = 0;
            for (int a = 0; a < outer; a++) {
                for (int b = 0; b < inner; b++) {
                    double sq = 0;
                    for (int i = 0; i < n; i++) {
                        int at = (a * n + i) * inner + b;
                        sq += Math.pow(ux[at] + t * uv[at], 2);
                    }
                    double norm = Math.max(Math.sqrt(sq), 1e-12);
                    for (int i = 0; i < n; i++) {
                        int at = (a * n + i) * inner + b;
                        total += udy[at] * (ux[at] + t * uv[at]) / norm;
                    }
                }
            }
            return total;
        });
    }

    /** {@code <grad, v>} equals the central difference of {@code loss(t)} at 0, computed in double. */
    private static void assertDerivative(String what, float[] grad, float[] v,
                                         java.util.function.DoubleUnaryOperator loss) {
        double h = 1e-5, slope = (loss.applyAsDouble(h) - loss.applyAsDouble(-h)) / (2 * h);
        double got = 0;
        for (int i = 0; i < grad.length; i++) got += (double) grad[i] * v[i];
        assertThat(got).as("%s: <dx, v>", what).isCloseTo(slope,
                org.assertj.core.data.Offset.offset(1e-3 * (1 + Math.abs(slope))));
    }

    /** {@code Σ dy · y} for y the layer normalization (γ, no β, ε = 1e-3) of {@code x + t·v}, in double. */
    private static double loss(int outer, int n, int inner, float[] x, float[] v, double t, float[] gamma, boolean rms,
                               float[] dy) {
        double total = 0;
        for (int a = 0; a < outer; a++) {
            for (int b = 0; b < inner; b++) {
                double[] e = new double[n];
                double mean = 0, var = 0;
                for (int i = 0; i < n; i++) {
                    int at = (a * n + i) * inner + b;
                    e[i] = x[at] + t * v[at];
                    mean += e[i] / n;
                }
                for (int i = 0; i < n; i++) var += (e[i] - mean) * (e[i] - mean) / n;
                for (int i = 0; i < n; i++) {
                    double y = (rms ? e[i] : e[i] - mean) / Math.sqrt(var + 1e-3) * gamma[i];
                    total += dy[(a * n + i) * inner + b] * y;
                }
            }
        }
        return total;
    }

    @Test
    void unitNormLeavesZerosZeroAndRmsScalingUsesTheVariance() {
        float[] y = new float[3];
        NormalizationKernels.unitNorm(1, 3, 1, new float[3], 0, y, 0);
        assertThat(y).containsExactly(0f, 0f, 0f);
        // x = (1, 3): variance 1, so rms_scaling gives x / sqrt(1 + eps), not x / sqrt(mean square = 5)
        float[] r = new float[2];
        NormalizationKernels.layerNorm(1, 2, 1, new float[]{1, 3}, 0, null, null, 0f, true, r, 0);
        assertThat(r).containsExactly(1f, 3f);
    }
}

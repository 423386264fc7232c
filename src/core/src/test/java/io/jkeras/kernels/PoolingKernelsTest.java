package io.jkeras.kernels;

import io.jkeras.kernels.KerasKernelCases.Case;
import io.jkeras.kernels.WindowGeometry.Padding;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.stream.Stream;

import static io.jkeras.kernels.KerasKernelCases.assertClose;
import static io.jkeras.kernels.KerasKernelCases.assertMatchesKeras;
import static io.jkeras.kernels.KerasKernelCases.random;
import static org.assertj.core.api.Assertions.assertThat;

/** {@link PoolingKernels} against real Keras pooling layers and fast paths against their references. */
class PoolingKernelsTest {

    static Stream<Case> poolCases() {
        return KerasKernelCases.of("MaxPooling1D", "MaxPooling2D", "MaxPooling3D", "AveragePooling1D",
                "AveragePooling2D", "AveragePooling3D");
    }

    static Stream<Case> globalCases() {
        return KerasKernelCases.of("GlobalMaxPooling1D", "GlobalMaxPooling2D", "GlobalMaxPooling3D",
                "GlobalAveragePooling1D", "GlobalAveragePooling2D", "GlobalAveragePooling3D");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("poolCases")
    void poolingMatchesKeras(Case c) {
        int r = c.spatialRank();
        int[] ones = new int[r];
        Arrays.fill(ones, 1);
        WindowGeometry g = WindowGeometry.of(c.spatialShape(), c.ints("pool_size", r), c.ints("strides", r), ones,
                Padding.valueOf(c.text("padding").toUpperCase()));
        boolean max = c.layer().startsWith("Max");
        int n = c.batch() * g.outputPositions() * c.channels();
        float[] fast = new float[n], ref = new float[n];
        if (max) {
            PoolingKernels.max(g, c.batch(), c.channels(), c.x(), 0, fast, 0);
            PoolingKernels.maxReference(g, c.batch(), c.channels(), c.x(), 0, ref, 0);
        } else {
            PoolingKernels.average(g, c.batch(), c.channels(), c.x(), 0, fast, 0);
            PoolingKernels.averageReference(g, c.batch(), c.channels(), c.x(), 0, ref, 0);
        }
        int[] shape = ConvolutionKernelsTest.shape(c.batch(), g.outputShape(), c.channels());
        assertMatchesKeras(c, shape, fast);
        assertMatchesKeras(c, shape, ref);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("globalCases")
    void globalPoolingMatchesKeras(Case c) {
        int positions = Arrays.stream(c.spatialShape()).reduce(1, (a, b) -> a * b);
        int n = c.batch() * c.channels();
        float[] fast = new float[n], ref = new float[n];
        if (c.layer().startsWith("GlobalMax")) {
            // Keras' GlobalMaxPooling1D takes no mask: the case's mask (if any) is not passed
            PoolingKernels.globalMax(c.batch(), positions, c.channels(), c.x(), 0, fast, 0);
            PoolingKernels.globalMaxReference(c.batch(), positions, c.channels(), c.x(), 0, ref, 0);
        } else {
            PoolingKernels.globalAverage(c.batch(), positions, c.channels(), c.x(), 0, c.mask(), 0, fast, 0);
            PoolingKernels.globalAverageReference(c.batch(), positions, c.channels(), c.x(), 0, c.mask(), 0, ref, 0);
        }
        assertMatchesKeras(c, new int[]{c.batch(), c.channels()}, fast);
        assertMatchesKeras(c, new int[]{c.batch(), c.channels()}, ref);
    }

    @Test
    void globalAverageWithMaskSkipsMaskedStepsEvenWhenTheyHoldNaN() {
        // (1, 3, 2): the masked middle step holds NaN and must not count
        float[] x = {1, 2, Float.NaN, Float.NaN, 3, 6};
        float[] y = new float[2];
        PoolingKernels.globalAverage(1, 3, 2, x, 0, new boolean[]{true, false, true}, 0, y, 0);
        assertThat(y).containsExactly(2f, 4f);
    }

    /** batch, in, pool, strides, padding, channels. */
    static Stream<Arguments> shapes() {
        return Stream.of(
                Arguments.of(1, new int[]{1}, new int[]{1}, new int[]{1}, Padding.VALID, 1),
                Arguments.of(3, new int[]{7}, new int[]{3}, new int[]{2}, Padding.SAME, 17),
                Arguments.of(2, new int[]{17}, new int[]{2}, new int[]{2}, Padding.VALID, 3),
                Arguments.of(1, new int[]{17}, new int[]{5}, new int[]{1}, Padding.SAME, 7),
                Arguments.of(2, new int[]{7, 3}, new int[]{3, 2}, new int[]{2, 1}, Padding.SAME, 3),
                Arguments.of(1, new int[]{17, 7}, new int[]{2, 2}, new int[]{3, 3}, Padding.VALID, 1),
                Arguments.of(2, new int[]{3, 7, 5}, new int[]{2, 3, 2}, new int[]{1, 2, 3}, Padding.SAME, 3),
                Arguments.of(1, new int[]{4, 3, 7}, new int[]{3, 1, 2}, new int[]{2, 1, 2}, Padding.VALID, 2));
    }

    @ParameterizedTest(name = "batch={0} in={1} pool={2} strides={3} {4} c={5}")
    @MethodSource("shapes")
    void poolingMatchesReference(int batch, int[] in, int[] pool, int[] strides, Padding padding, int channels) {
        int[] ones = new int[in.length];
        Arrays.fill(ones, 1);
        WindowGeometry g = WindowGeometry.of(in, pool, strides, ones, padding);
        SplittableRandom rnd = new SplittableRandom(Arrays.hashCode(in) + 31L * channels);
        ConvolutionKernelsTest.Operands o = new ConvolutionKernelsTest.Operands(rnd,
                batch * g.inputPositions() * channels, 0, 0, batch * g.outputPositions() * channels);
        int off = ConvolutionKernelsTest.Operands.OFF;
        float[] fast = o.output(), ref = o.output();
        PoolingKernels.max(g, batch, channels, o.x, off, fast, off);
        PoolingKernels.maxReference(g, batch, channels, o.x, off, ref, off);
        o.check("max " + g, fast, ref);
        fast = o.output();
        ref = o.output();
        PoolingKernels.average(g, batch, channels, o.x, off, fast, off);
        PoolingKernels.averageReference(g, batch, channels, o.x, off, ref, off);
        o.check("average " + g, fast, ref);
    }

    @ParameterizedTest(name = "batch={0} in={1} pool={2} strides={3} {4} c={5}")
    @MethodSource("shapes")
    void backwardMatchesReferenceAndIsTheForwardsDerivative(int batch, int[] in, int[] pool, int[] strides,
                                                            Padding padding, int channels) {
        int[] ones = new int[in.length];
        Arrays.fill(ones, 1);
        WindowGeometry g = WindowGeometry.of(in, pool, strides, ones, padding);
        SplittableRandom rnd = new SplittableRandom(Arrays.hashCode(pool) + 17L * channels);
        int xn = batch * g.inputPositions() * channels, yn = batch * g.outputPositions() * channels;
        float[] x = random(rnd, xn), dy = random(rnd, yn), v = random(rnd, xn), dx0 = random(rnd, xn);
        for (boolean max : new boolean[]{true, false}) {
            float[] fast = dx0.clone(), ref = dx0.clone(), fresh = new float[xn];
            if (max) {
                PoolingKernels.maxBackward(g, batch, channels, x, 0, dy, 0, fast, 0);
                PoolingKernels.maxBackwardReference(g, batch, channels, x, 0, dy, 0, ref, 0);
                PoolingKernels.maxBackward(g, batch, channels, x, 0, dy, 0, fresh, 0);
            } else {
                PoolingKernels.averageBackward(g, batch, channels, dy, 0, fast, 0);
                PoolingKernels.averageBackwardReference(g, batch, channels, dy, 0, ref, 0);
                PoolingKernels.averageBackward(g, batch, channels, dy, 0, fresh, 0);
            }
            assertClose(max ? "max backward" : "average backward", fast, ref, 1e-6);
            // directional derivative of Σ dy·pool(x) along v, in double: pooling is piecewise linear, and a step
            // of 1e-9 keeps every window's maximum where it is (distinct floats differ by far more)
            double eps = 1e-9;
            double[] xd = new double[xn], xs = new double[xn];
            for (int i = 0; i < xn; i++) {
                xd[i] = x[i];
                xs[i] = x[i] + eps * v[i];
            }
            double slope = (dot(dy, pool(g, batch, channels, xs, max)) - dot(dy, pool(g, batch, channels, xd, max)))
                    / eps;
            double got = 0;
            for (int i = 0; i < xn; i++) got += (double) fresh[i] * v[i];
            assertThat(got).as("<dx, v>").isCloseTo(slope, org.assertj.core.data.Offset.offset(1e-4 * (1
                    + Math.abs(slope))));
        }
    }

    /** Max or average pooling in double, straight from the window geometry. */
    private static double[] pool(WindowGeometry g, int batch, int channels, double[] x, boolean max) {
        double[] y = new double[batch * g.outputPositions() * channels];
        for (int s = 0; s < batch; s++) {
            for (int o = 0; o < g.outputPositions(); o++) {
                for (int c = 0; c < channels; c++) {
                    double acc = max ? Double.NEGATIVE_INFINITY : 0;
                    int n = 0;
                    for (int k = 0; k < g.windowPositions(); k++) {
                        int p = g.inputAt(o, k);
                        if (p < 0) continue;
                        double e = x[(s * g.inputPositions() + p) * channels + c];
                        acc = max ? Math.max(acc, e) : acc + e;
                        n++;
                    }
                    y[(s * g.outputPositions() + o) * channels + c] = max ? acc : acc / n;
                }
            }
        }
        return y;
    }

    private static double dot(float[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) s += a[i] * b[i];
        return s;
    }

    @ParameterizedTest(name = "batch={0} positions={1} channels={2}")
    @MethodSource("globalShapes")
    void globalPoolingMatchesReference(int batch, int positions, int channels) {
        SplittableRandom rnd = new SplittableRandom(31L * positions + channels);
        float[] x = random(rnd, batch * positions * channels);
        boolean[] mask = new boolean[batch * positions];
        for (int i = 0; i < mask.length; i++) mask[i] = rnd.nextInt(3) > 0;
        float[] fast = new float[batch * channels], ref = new float[batch * channels];
        PoolingKernels.globalMax(batch, positions, channels, x, 0, fast, 0);
        PoolingKernels.globalMaxReference(batch, positions, channels, x, 0, ref, 0);
        assertClose("global max", fast, ref, 0);
        for (boolean[] m : new boolean[][]{null, mask}) {
            PoolingKernels.globalAverage(batch, positions, channels, x, 0, m, 0, fast, 0);
            PoolingKernels.globalAverageReference(batch, positions, channels, x, 0, m, 0, ref, 0);
            assertClose("global average", fast, ref, 1e-5);
        }
        // backward: the adjoint of the (linear) average, <dx, v> = <dy, avg(v)> over samples with a kept position;
        // the derivative of the max along v (a step of 1e-9 in double moves no maximum)
        float[] dy = random(rnd, batch * channels), v = random(rnd, x.length);
        for (boolean[] m : new boolean[][]{null, mask}) {
            float[] dx = new float[x.length], av = new float[batch * channels];
            PoolingKernels.globalAverageBackward(batch, positions, channels, m, 0, dy, 0, dx, 0);
            PoolingKernels.globalAverageReference(batch, positions, channels, v, 0, m, 0, av, 0);
            double lhs = 0, rhs = 0;
            for (int i = 0; i < x.length; i++) lhs += (double) dx[i] * v[i];
            for (int i = 0; i < av.length; i++) if (!Float.isNaN(av[i])) rhs += (double) dy[i] * av[i];
            assertThat(lhs).as("global average backward").isCloseTo(rhs,
                    org.assertj.core.data.Offset.offset(1e-4 * (1 + Math.abs(rhs))));
        }
        float[] dx = new float[x.length];
        PoolingKernels.globalMaxBackward(batch, positions, channels, x, 0, dy, 0, dx, 0);
        double lhs = 0, slope = 0;
        for (int i = 0; i < x.length; i++) lhs += (double) dx[i] * v[i];
        for (int s = 0; s < batch; s++) {
            for (int c = 0; c < channels; c++) {
                double m0 = Double.NEGATIVE_INFINITY, m1 = Double.NEGATIVE_INFINITY;
                for (int p = 0; p < positions; p++) {
                    int at = (s * positions + p) * channels + c;
                    m0 = Math.max(m0, x[at]);
                    m1 = Math.max(m1, x[at] + 1e-9 * v[at]);
                }
                slope += dy[s * channels + c] * (m1 - m0) / 1e-9;
            }
        }
        assertThat(lhs).as("global max backward").isCloseTo(slope,
                org.assertj.core.data.Offset.offset(1e-4 * (1 + Math.abs(slope))));
    }

    static Stream<Arguments> globalShapes() {
        return Stream.of(Arguments.of(1, 1, 1), Arguments.of(3, 7, 17), Arguments.of(2, 17, 3),
                Arguments.of(1, 100, 64));
    }
}

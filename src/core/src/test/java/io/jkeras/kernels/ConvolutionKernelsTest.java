package io.jkeras.kernels;

import io.jkeras.kernels.KerasKernelCases.Case;
import io.jkeras.kernels.WindowGeometry.Padding;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import static io.jkeras.kernels.KerasKernelCases.assertClose;
import static io.jkeras.kernels.KerasKernelCases.assertMatchesKeras;
import static io.jkeras.kernels.KerasKernelCases.random;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@link ConvolutionKernels}: fast paths and references against real Keras layers (fixtures/kernels), and the
 * fast paths against the references on odd shapes, at offsets, with the arrays' surroundings never read or written.
 */
class ConvolutionKernelsTest {
    private static final float SENTINEL = -12345.5f;
    /** The portable kernels on one thread, beside the default engine's (vector kernels when the module is there). */
    private static final Engine SCALAR = Engine.defaults().withKernels(Kernels.scalar()).withThreads(1);

    static Stream<Case> convCases() { return KerasKernelCases.of("Conv1D", "Conv2D", "Conv3D"); }

    static Stream<Case> depthwiseCases() { return KerasKernelCases.of("DepthwiseConv1D", "DepthwiseConv2D"); }

    static Stream<Case> separableCases() { return KerasKernelCases.of("SeparableConv1D", "SeparableConv2D"); }

    static Stream<Case> transposedCases() {
        return KerasKernelCases.of("Conv1DTranspose", "Conv2DTranspose", "Conv3DTranspose");
    }

    static WindowGeometry geometry(Case c) {
        int r = c.spatialRank();
        return WindowGeometry.of(c.spatialShape(), c.ints("kernel_size", r), c.ints("strides", r),
                c.ints("dilation_rate", r), Padding.valueOf(c.text("padding").toUpperCase()));
    }

    static int[] shape(int batch, int[] spatial, int channels) {
        return IntStream.concat(IntStream.concat(IntStream.of(batch), Arrays.stream(spatial)), IntStream.of(channels))
                .toArray();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("convCases")
    void convMatchesKeras(Case c) {
        WindowGeometry g = geometry(c);
        int filters = c.config().get("filters").intValue(), groups = c.config().get("groups").intValue();
        int n = c.batch() * g.outputPositions() * filters;
        float[] fast = new float[n], ref = new float[n];
        float[] work = new float[ConvolutionKernels.workSize(g, c.batch(), c.channels(), groups)];
        ConvolutionKernels.conv(g, c.batch(), c.channels(), filters, groups, c.x(), 0, c.weight("kernel"), 0,
                c.weight("bias"), 0, fast, 0, work);
        ConvolutionKernels.convReference(g, c.batch(), c.channels(), filters, groups, c.x(), 0, c.weight("kernel"), 0,
                c.weight("bias"), 0, ref, 0);
        int[] shape = shape(c.batch(), g.outputShape(), filters);
        assertMatchesKeras(c, shape, fast);
        assertMatchesKeras(c, shape, ref);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("depthwiseCases")
    void depthwiseMatchesKeras(Case c) {
        WindowGeometry g = geometry(c);
        int m = c.config().get("depth_multiplier").intValue();
        int n = c.batch() * g.outputPositions() * c.channels() * m;
        float[] fast = new float[n], ref = new float[n], viaConv = new float[n];
        ConvolutionKernels.depthwise(g, c.batch(), c.channels(), m, c.x(), 0, c.weight("kernel"), 0,
                c.weight("bias"), 0, fast, 0);
        ConvolutionKernels.depthwiseReference(g, c.batch(), c.channels(), m, c.x(), 0, c.weight("kernel"), 0,
                c.weight("bias"), 0, ref, 0);
        // the same kernel read as a grouped convolution's (K, 1, C·M)
        ConvolutionKernels.convReference(g, c.batch(), c.channels(), c.channels() * m, c.channels(), c.x(), 0,
                c.weight("kernel"), 0, c.weight("bias"), 0, viaConv, 0);
        int[] shape = shape(c.batch(), g.outputShape(), c.channels() * m);
        assertMatchesKeras(c, shape, fast);
        assertMatchesKeras(c, shape, ref);
        assertMatchesKeras(c, shape, viaConv);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("separableCases")
    void separableMatchesKeras(Case c) {
        WindowGeometry g = geometry(c);
        int m = c.config().get("depth_multiplier").intValue(), filters = c.config().get("filters").intValue();
        int n = c.batch() * g.outputPositions() * filters;
        float[] fast = new float[n], ref = new float[n];
        float[] work = new float[ConvolutionKernels.separableWorkSize(g, c.batch(), c.channels(), m)];
        ConvolutionKernels.separable(g, c.batch(), c.channels(), m, filters, c.x(), 0, c.weight("depthwise_kernel"), 0,
                c.weight("pointwise_kernel"), 0, c.weight("bias"), 0, fast, 0, work);
        ConvolutionKernels.separableReference(g, c.batch(), c.channels(), m, filters, c.x(), 0,
                c.weight("depthwise_kernel"), 0, c.weight("pointwise_kernel"), 0, c.weight("bias"), 0, ref, 0);
        int[] shape = shape(c.batch(), g.outputShape(), filters);
        assertMatchesKeras(c, shape, fast);
        assertMatchesKeras(c, shape, ref);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("transposedCases")
    void transposedMatchesKeras(Case c) {
        int r = c.spatialRank();
        int[] outputPadding = c.config().get("output_padding").isNull() ? null : c.ints("output_padding", r);
        WindowGeometry g = WindowGeometry.transposed(c.spatialShape(), c.ints("kernel_size", r), c.ints("strides", r),
                c.ints("dilation_rate", r), Padding.valueOf(c.text("padding").toUpperCase()), outputPadding);
        int filters = c.config().get("filters").intValue();
        assertThat(g.outputShape()).containsExactly(c.spatialShape());
        int n = c.batch() * g.inputPositions() * filters;
        float[] fast = new float[n], ref = new float[n];
        float[] work = new float[ConvolutionKernels.transposedWorkSize(g, c.batch(), filters)];
        ConvolutionKernels.transposed(g, c.batch(), c.channels(), filters, c.x(), 0, c.weight("kernel"), 0,
                c.weight("bias"), 0, fast, 0, work);
        ConvolutionKernels.transposedReference(g, c.batch(), c.channels(), filters, c.x(), 0, c.weight("kernel"), 0,
                c.weight("bias"), 0, ref, 0);
        int[] shape = shape(c.batch(), g.inputShape(), filters);
        assertMatchesKeras(c, shape, fast);
        assertMatchesKeras(c, shape, ref);
    }

    // ---------------------------------------------------------------- fast vs reference

    /** batch, in, window, strides, dilations, padding, channels, filters, groups (or depth multiplier). */
    static Stream<Arguments> shapes() {
        return Stream.of(
                Arguments.of(1, new int[]{1}, new int[]{1}, new int[]{1}, new int[]{1}, Padding.VALID, 1, 1, 1),
                Arguments.of(3, new int[]{7}, new int[]{3}, new int[]{2}, new int[]{1}, Padding.SAME, 3, 7, 1),
                Arguments.of(2, new int[]{17}, new int[]{3}, new int[]{1}, new int[]{3}, Padding.CAUSAL, 6, 9, 3),
                Arguments.of(1, new int[]{17}, new int[]{5}, new int[]{3}, new int[]{1}, Padding.VALID, 17, 3, 1),
                Arguments.of(2, new int[]{7, 3}, new int[]{3, 2}, new int[]{2, 1}, new int[]{1, 1}, Padding.SAME,
                        3, 5, 1),
                Arguments.of(1, new int[]{17, 7}, new int[]{1, 3}, new int[]{1, 1}, new int[]{1, 2}, Padding.VALID,
                        4, 6, 2),
                Arguments.of(3, new int[]{3, 7}, new int[]{1, 1}, new int[]{1, 1}, new int[]{1, 1}, Padding.VALID,
                        6, 4, 2),
                Arguments.of(2, new int[]{3, 7, 5}, new int[]{2, 3, 2}, new int[]{1, 2, 3}, new int[]{1, 1, 1},
                        Padding.SAME, 3, 2, 1),
                Arguments.of(1, new int[]{4, 3, 7}, new int[]{3, 1, 2}, new int[]{1, 1, 1}, new int[]{1, 2, 3},
                        Padding.SAME, 2, 4, 2),
                // many rows: several im2col blocks, blocks spanning two samples
                Arguments.of(3, new int[]{2000}, new int[]{3}, new int[]{1}, new int[]{1}, Padding.SAME, 64, 5, 1));
    }

    @ParameterizedTest(name = "batch={0} in={1} window={2} strides={3} dilations={4} {5} c={6} f={7} groups={8}")
    @MethodSource("shapes")
    void convMatchesReference(int batch, int[] in, int[] window, int[] strides, int[] dilations, Padding padding,
                              int channels, int filters, int groups) {
        WindowGeometry g = WindowGeometry.of(in, window, strides, dilations, padding);
        SplittableRandom rnd = new SplittableRandom(Arrays.hashCode(in) * 31L + channels * 7L + filters);
        Operands o = new Operands(rnd, batch * g.inputPositions() * channels,
                g.windowPositions() * channels / groups * filters, filters, batch * g.outputPositions() * filters);
        float[] work = new float[ConvolutionKernels.workSize(g, batch, channels, groups)];
        for (boolean bias : new boolean[]{true, false}) {
            float[] fast = o.output(), ref = o.output(), scalar = o.output();
            float[] b = bias ? o.b : null;
            ConvolutionKernels.conv(g, batch, channels, filters, groups, o.x, Operands.OFF, o.w, Operands.OFF,
                    b, Operands.OFF, fast, Operands.OFF, work);
            SCALAR.bind(() -> ConvolutionKernels.conv(g, batch, channels, filters, groups, o.x, Operands.OFF, o.w,
                    Operands.OFF, b, Operands.OFF, scalar, Operands.OFF, work));
            ConvolutionKernels.convReference(g, batch, channels, filters, groups, o.x, Operands.OFF, o.w, Operands.OFF,
                    b, Operands.OFF, ref, Operands.OFF);
            o.check("conv " + g, fast, ref);
            o.check("conv on the scalar kernels " + g, scalar, ref);
            if (groups < channels || groups == 1) {
                float[] packed = o.output();
                Gemm.PackedB[] kernel = ConvolutionKernels.pack(g.windowPositions(), channels, filters, groups, o.w,
                        Operands.OFF);
                ConvolutionKernels.conv(g, batch, channels, filters, groups, o.x, Operands.OFF, kernel, b,
                        Operands.OFF, packed, Operands.OFF, work);
                o.check("conv with a packed kernel " + g, packed, ref);
            }
        }
    }

    @ParameterizedTest(name = "batch={0} in={1} window={2} strides={3} dilations={4} {5} c={6} f={7} groups={8}")
    @MethodSource("shapes")
    void convBackwardMatchesReferenceAndAccumulates(int batch, int[] in, int[] window, int[] strides, int[] dilations,
                                                    Padding padding, int channels, int filters, int groups) {
        WindowGeometry g = WindowGeometry.of(in, window, strides, dilations, padding);
        SplittableRandom rnd = new SplittableRandom(Arrays.hashCode(dilations) * 31L + channels * 7L + filters);
        int xn = batch * g.inputPositions() * channels, kn = g.windowPositions() * channels / groups * filters;
        Operands o = new Operands(rnd, xn, kn, filters, 0);
        float[] dy = random(rnd, batch * g.outputPositions() * filters);
        float[] dx0 = random(rnd, xn), dk0 = random(rnd, kn), db0 = random(rnd, filters);
        float[] dx = dx0.clone(), dk = dk0.clone(), db = db0.clone();
        float[] rx = dx0.clone(), rk = dk0.clone(), rb = db0.clone();
        float[] work = new float[ConvolutionKernels.backwardWorkSize(g, batch, channels, groups)];
        ConvolutionKernels.convBackward(g, batch, channels, filters, groups, o.x, Operands.OFF, o.w, Operands.OFF,
                dy, 0, dx, 0, dk, 0, db, 0, work);
        ConvolutionKernels.convBackwardReference(g, batch, channels, filters, groups, o.x, Operands.OFF, o.w,
                Operands.OFF, dy, 0, rx, 0, rk, 0, rb, 0);
        assertClose("dx", dx, rx, 2e-5);
        // each kernel gradient sums B·S_out products in float: its rounding grows like the square root of that count
        assertClose("dKernel", dk, rk, 2e-5 * Math.sqrt(1 + batch * g.outputPositions() / 100.0));
        assertClose("dBias", db, rb, 2e-5);
    }

    /**
     * The gradients are the adjoints of the forward convolution, checked against it alone: for any v,
     * {@code <dx, v> = <dy, conv(v)>} and {@code <dKernel, V> = <dy, conv(x; kernel V)>} (no bias), and
     * {@code dBias = Σ dy}.
     */
    @ParameterizedTest(name = "batch={0} in={1} window={2} strides={3} dilations={4} {5} c={6} f={7} groups={8}")
    @MethodSource("shapes")
    void convBackwardIsTheAdjointOfConv(int batch, int[] in, int[] window, int[] strides, int[] dilations,
                                        Padding padding, int channels, int filters, int groups) {
        WindowGeometry g = WindowGeometry.of(in, window, strides, dilations, padding);
        SplittableRandom rnd = new SplittableRandom(Arrays.hashCode(strides) * 17L + channels + filters);
        int xn = batch * g.inputPositions() * channels, kn = g.windowPositions() * channels / groups * filters;
        int yn = batch * g.outputPositions() * filters;
        float[] x = random(rnd, xn), w = random(rnd, kn), dy = random(rnd, yn), v = random(rnd, xn);
        float[] vk = random(rnd, kn);
        float[] dx = new float[xn], dk = new float[kn], db = new float[filters];
        ConvolutionKernels.convBackward(g, batch, channels, filters, groups, x, 0, w, 0, dy, 0, dx, 0, dk, 0, db, 0,
                new float[ConvolutionKernels.backwardWorkSize(g, batch, channels, groups)]);
        float[] yv = new float[yn], yk = new float[yn];
        ConvolutionKernels.convReference(g, batch, channels, filters, groups, v, 0, w, 0, null, 0, yv, 0);
        ConvolutionKernels.convReference(g, batch, channels, filters, groups, x, 0, vk, 0, null, 0, yk, 0);
        assertThat(dot(dx, v)).as("<dx, v>").isCloseTo(dot(dy, yv), org.assertj.core.data.Offset.offset(
                1e-4 * (1 + Math.abs(dot(dy, yv)))));
        assertThat(dot(dk, vk)).as("<dKernel, V>").isCloseTo(dot(dy, yk), org.assertj.core.data.Offset.offset(
                1e-4 * (1 + Math.abs(dot(dy, yk)))));
        for (int f = 0; f < filters; f++) {
            double sum = 0;
            for (int r = 0; r < yn / filters; r++) sum += dy[r * filters + f];
            assertThat((double) db[f]).as("dBias[%d]", f).isCloseTo(sum, org.assertj.core.data.Offset.offset(1e-4));
        }
    }

    private static double dot(float[] a, float[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) s += (double) a[i] * b[i];
        return s;
    }

    @ParameterizedTest(name = "batch={0} in={1} window={2} strides={3} dilations={4} {5} c={6} m={8}")
    @MethodSource("shapes")
    void depthwiseAndSeparableMatchReference(int batch, int[] in, int[] window, int[] strides, int[] dilations,
                                             Padding padding, int channels, int filters, int multiplier) {
        WindowGeometry g = WindowGeometry.of(in, window, strides, dilations, padding);
        SplittableRandom rnd = new SplittableRandom(Arrays.hashCode(window) * 31L + channels);
        int width = channels * multiplier;
        Operands o = new Operands(rnd, batch * g.inputPositions() * channels, g.windowPositions() * width, width,
                batch * g.outputPositions() * width);
        float[] fast = o.output(), ref = o.output(), grouped = o.output();
        ConvolutionKernels.depthwise(g, batch, channels, multiplier, o.x, Operands.OFF, o.w, Operands.OFF, o.b,
                Operands.OFF, fast, Operands.OFF);
        ConvolutionKernels.depthwiseReference(g, batch, channels, multiplier, o.x, Operands.OFF, o.w, Operands.OFF,
                o.b, Operands.OFF, ref, Operands.OFF);
        ConvolutionKernels.conv(g, batch, channels, width, channels, o.x, Operands.OFF, o.w, Operands.OFF, o.b,
                Operands.OFF, grouped, Operands.OFF, new float[0]);
        o.check("depthwise " + g, fast, ref);
        o.check("conv with groups = channels " + g, grouped, ref);

        Operands p = new Operands(rnd, 0, width * filters, filters, batch * g.outputPositions() * filters);
        float[] sepFast = p.output(), sepRef = p.output();
        float[] work = new float[ConvolutionKernels.separableWorkSize(g, batch, channels, multiplier)];
        ConvolutionKernels.separable(g, batch, channels, multiplier, filters, o.x, Operands.OFF, o.w, Operands.OFF,
                p.w, Operands.OFF, p.b, Operands.OFF, sepFast, Operands.OFF, work);
        ConvolutionKernels.separableReference(g, batch, channels, multiplier, filters, o.x, Operands.OFF, o.w,
                Operands.OFF, p.w, Operands.OFF, p.b, Operands.OFF, sepRef, Operands.OFF);
        p.check("separable " + g, sepFast, sepRef);
    }

    @ParameterizedTest(name = "batch={0} in={1} window={2} strides={3} dilations={4} {5} c={6} f={7}")
    @MethodSource("shapes")
    void transposedMatchesReference(int batch, int[] in, int[] window, int[] strides, int[] dilations,
                                    Padding padding, int channels, int filters, int unused) {
        if (padding == Padding.CAUSAL) padding = Padding.VALID;
        int[] outputPadding = padding == Padding.VALID ? null : Arrays.stream(strides).map(s -> s - 1).toArray();
        WindowGeometry g = WindowGeometry.transposed(in, window, strides, dilations, padding, outputPadding);
        SplittableRandom rnd = new SplittableRandom(Arrays.hashCode(strides) * 31L + filters);
        Operands o = new Operands(rnd, batch * g.outputPositions() * channels,
                g.windowPositions() * filters * channels, filters, batch * g.inputPositions() * filters);
        float[] work = new float[ConvolutionKernels.transposedWorkSize(g, batch, filters)];
        for (boolean bias : new boolean[]{true, false}) {
            float[] fast = o.output(), ref = o.output(), scalar = o.output();
            float[] b = bias ? o.b : null;
            ConvolutionKernels.transposed(g, batch, channels, filters, o.x, Operands.OFF, o.w, Operands.OFF, b,
                    Operands.OFF, fast, Operands.OFF, work);
            SCALAR.bind(() -> ConvolutionKernels.transposed(g, batch, channels, filters, o.x, Operands.OFF, o.w,
                    Operands.OFF, b, Operands.OFF, scalar, Operands.OFF, work));
            ConvolutionKernels.transposedReference(g, batch, channels, filters, o.x, Operands.OFF, o.w, Operands.OFF,
                    b, Operands.OFF, ref, Operands.OFF);
            o.check("transposed " + g, fast, ref);
            o.check("transposed on the scalar kernels " + g, scalar, ref);
        }
    }

    @ParameterizedTest(name = "batch={0} in={1} window={2} strides={3} dilations={4} {5} c={6} f={7}")
    @MethodSource("shapes")
    void transposedBackwardMatchesReferenceAndIsTheAdjoint(int batch, int[] in, int[] window, int[] strides,
                                                           int[] dilations, Padding padding, int channels,
                                                           int filters, int unused) {
        if (padding == Padding.CAUSAL) padding = Padding.SAME;
        WindowGeometry g = WindowGeometry.transposed(in, window, strides, dilations, padding, null);
        SplittableRandom rnd = new SplittableRandom(Arrays.hashCode(in) * 7L + filters);
        int xn = batch * g.outputPositions() * channels, yn = batch * g.inputPositions() * filters;
        int kn = g.windowPositions() * filters * channels;
        float[] x = random(rnd, xn), w = random(rnd, kn), dy = random(rnd, yn);
        float[] dx = random(rnd, xn), dk = random(rnd, kn), db = random(rnd, filters);
        float[] rx = dx.clone(), rk = dk.clone(), rb = db.clone();
        float[] work = new float[ConvolutionKernels.transposedBackwardWorkSize(g, batch, filters)];
        ConvolutionKernels.transposedBackward(g, batch, channels, filters, x, 0, w, 0, dy, 0, dx, 0, dk, 0, db, 0,
                work);
        ConvolutionKernels.transposedBackwardReference(g, batch, channels, filters, x, 0, w, 0, dy, 0, rx, 0, rk, 0,
                rb, 0);
        assertClose("dx", dx, rx, 2e-5);
        assertClose("dKernel", dk, rk, 2e-5 * Math.sqrt(1 + batch * g.outputPositions() / 100.0));
        assertClose("dBias", db, rb, 2e-5 * Math.sqrt(1 + batch * g.inputPositions() / 100.0));
        // adjoint of the forward alone: <dx, v> = <dy, transposed(v)>, <dKernel, V> = <dy, transposed(x; V)>
        float[] gx = new float[xn], gk = new float[kn], v = random(rnd, xn), vk = random(rnd, kn);
        ConvolutionKernels.transposedBackward(g, batch, channels, filters, x, 0, w, 0, dy, 0, gx, 0, gk, 0, null, 0,
                work);
        float[] yv = new float[yn], yk = new float[yn];
        ConvolutionKernels.transposedReference(g, batch, channels, filters, v, 0, w, 0, null, 0, yv, 0);
        ConvolutionKernels.transposedReference(g, batch, channels, filters, x, 0, vk, 0, null, 0, yk, 0);
        assertThat(dot(gx, v)).as("<dx, v>").isCloseTo(dot(dy, yv), org.assertj.core.data.Offset.offset(
                1e-4 * (1 + Math.abs(dot(dy, yv)))));
        assertThat(dot(gk, vk)).as("<dKernel, V>").isCloseTo(dot(dy, yk), org.assertj.core.data.Offset.offset(
                1e-4 * (1 + Math.abs(dot(dy, yk)))));
    }

    /** Inputs at offset {@link #OFF} inside NaN (never read), outputs inside a sentinel (never written). */
    static final class Operands {
        static final int OFF = 3;
        final float[] x, w, b;
        final int outLength;

        Operands(SplittableRandom rnd, int xLength, int wLength, int bLength, int outLength) {
            x = embed(random(rnd, xLength));
            w = embed(random(rnd, wLength));
            b = embed(random(rnd, bLength));
            this.outLength = outLength;
        }

        private static float[] embed(float[] a) {
            float[] r = new float[a.length + OFF + 2];
            Arrays.fill(r, Float.NaN);
            System.arraycopy(a, 0, r, OFF, a.length);
            return r;
        }

        float[] output() {
            float[] y = new float[outLength + OFF + 2];
            Arrays.fill(y, SENTINEL);
            return y;
        }

        void check(String what, float[] fast, float[] ref) {
            assertClose(what, Arrays.copyOfRange(fast, OFF, OFF + outLength),
                    Arrays.copyOfRange(ref, OFF, OFF + outLength), 2e-5);
            for (float[] y : new float[][]{fast, ref}) {
                for (int i = 0; i < OFF; i++) assertThat(y[i]).as("%s wrote before y", what).isEqualTo(SENTINEL);
                for (int i = OFF + outLength; i < y.length; i++) {
                    assertThat(y[i]).as("%s wrote after y", what).isEqualTo(SENTINEL);
                }
            }
        }
    }

    // ---------------------------------------------------------------- geometry

    @Test
    void sameAndCausalPaddingFollowTensorFlowAndKeras() {
        // in 7, window 3, stride 2: ceil(7/2) = 4 outputs; total pad max((4-1)·2 + 3 - 7, 0) = 2, 1 before
        WindowGeometry same = WindowGeometry.of(new int[]{7}, new int[]{3}, new int[]{2}, new int[]{1}, Padding.SAME);
        assertThat(same.outputShape()).containsExactly(4);
        assertThat(same.padBefore()).containsExactly(1);
        // in 6, window 4, stride 1: total pad 3, floor half (1) before
        WindowGeometry odd = WindowGeometry.of(new int[]{6}, new int[]{4}, new int[]{1}, new int[]{1}, Padding.SAME);
        assertThat(odd.padBefore()).containsExactly(1);
        WindowGeometry causal = WindowGeometry.of(new int[]{9}, new int[]{4}, new int[]{1}, new int[]{2},
                Padding.CAUSAL);
        assertThat(causal.outputShape()).containsExactly(9);
        assertThat(causal.padBefore()).containsExactly(6);
        WindowGeometry tooShort = WindowGeometry.of(new int[]{2}, new int[]{3}, new int[]{1}, new int[]{1},
                Padding.VALID);
        assertThat(tooShort.outputPositions()).isZero();
    }

    @Test
    void transposedOutputSizesFollowKeras() {
        // keras/src/backend/common/backend_utils.py:272-297
        int[] k3 = {3}, s2 = {2}, d1 = {1};
        assertThat(WindowGeometry.transposed(new int[]{5}, k3, s2, d1, Padding.VALID, null).inputShape())
                .containsExactly(11);
        assertThat(WindowGeometry.transposed(new int[]{5}, new int[]{1}, new int[]{3}, d1, Padding.VALID, null)
                .inputShape()).containsExactly(15);
        assertThat(WindowGeometry.transposed(new int[]{5}, k3, s2, d1, Padding.SAME, null).inputShape())
                .containsExactly(10);
        assertThat(WindowGeometry.transposed(new int[]{5}, k3, s2, d1, Padding.SAME, new int[]{0}).inputShape())
                .containsExactly(9);
        assertThat(WindowGeometry.transposed(new int[]{5}, k3, s2, d1, Padding.VALID, new int[]{1}).inputShape())
                .containsExactly(12);
    }

    @Test
    void convRefusesGroupsThatDoNotDivideAndShortWorkArrays() {
        WindowGeometry g = WindowGeometry.of(new int[]{5}, new int[]{3}, new int[]{1}, new int[]{1}, Padding.VALID);
        float[] x = new float[15], w = new float[3 * 3 * 4], y = new float[12];
        assertThatThrownBy(() -> ConvolutionKernels.conv(g, 1, 3, 4, 2, x, 0, w, 0, null, 0, y, 0, new float[100]))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("groups 2");
        assertThatThrownBy(() -> ConvolutionKernels.conv(g, 1, 3, 4, 1, x, 0, w, 0, null, 0, y, 0, new float[8]))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("work array of 8 floats");
        assertThatThrownBy(() -> WindowGeometry.of(new int[]{5}, new int[]{0}, new int[]{1}, new int[]{1},
                Padding.VALID)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("window size 0");
    }

    @Test
    void emptyBatchesAndEmptyOutputsWriteNothing() {
        WindowGeometry g = WindowGeometry.of(new int[]{5}, new int[]{3}, new int[]{1}, new int[]{1}, Padding.VALID);
        float[] y = {SENTINEL};
        float[] w = new float[3 * 2 * 4], b = new float[4];
        ConvolutionKernels.conv(g, 0, 2, 4, 1, new float[0], 0, w, 0, b, 0, y, 0, new float[0]);
        ConvolutionKernels.transposed(g, 0, 2, 4, new float[0], 0, new float[3 * 4 * 2], 0, b, 0, y, 0, new float[0]);
        PoolingKernels.max(g, 0, 2, new float[0], 0, y, 0);
        WindowGeometry empty = WindowGeometry.of(new int[]{2}, new int[]{3}, new int[]{1}, new int[]{1},
                Padding.VALID);
        ConvolutionKernels.conv(empty, 2, 2, 4, 1, new float[8], 0, w, 0, b, 0, y, 0, new float[0]);
        assertThat(y).containsExactly(SENTINEL);
    }

    @Test
    void operandsThatDoNotFitTheirArraysAreRefusedBeforeAnyWrite() {
        WindowGeometry g = WindowGeometry.of(new int[]{5}, new int[]{3}, new int[]{1}, new int[]{1}, Padding.VALID);
        float[] y = new float[3 * 4];
        Arrays.fill(y, SENTINEL);
        float[] w = new float[3 * 2 * 4], work = new float[ConvolutionKernels.workSize(g, 1, 2, 1)];
        assertThatThrownBy(() -> ConvolutionKernels.conv(g, 1, 2, 4, 1, new float[9], 0, w, 0, null, 0, y, 0, work))
                .isInstanceOf(IndexOutOfBoundsException.class).hasMessage("x: 10 floats at offset 0 do not fit an "
                        + "array of 9");
        assertThatThrownBy(() -> ConvolutionKernels.conv(g, 1, 2, 4, 1, new float[10], 0, w, 0, null, 0, y, 1, work))
                .isInstanceOf(IndexOutOfBoundsException.class).hasMessageStartingWith("y: 12 floats at offset 1");
        assertThat(y).containsOnly(SENTINEL);
    }

    @Test
    void pointwiseAndDepthwiseConvolutionsNeedNoWorkArray() {
        WindowGeometry one = WindowGeometry.of(new int[]{4, 5}, new int[]{1, 1}, new int[]{1, 1}, new int[]{1, 1},
                Padding.SAME);
        assertThat(ConvolutionKernels.workSize(one, 8, 16, 1)).isZero();
        WindowGeometry three = WindowGeometry.of(new int[]{4, 5}, new int[]{3, 3}, new int[]{1, 1}, new int[]{1, 1},
                Padding.SAME);
        assertThat(ConvolutionKernels.workSize(three, 8, 16, 16)).isZero();
        assertThat(ConvolutionKernels.workSize(three, 1, 16, 1)).isEqualTo(20 * 9 * 16);
    }
}

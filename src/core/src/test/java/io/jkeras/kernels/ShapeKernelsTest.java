package io.jkeras.kernels;

import io.jkeras.kernels.KerasKernelCases.Case;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.stream.Stream;

import static io.jkeras.kernels.KerasKernelCases.assertClose;
import static io.jkeras.kernels.KerasKernelCases.assertMatchesKeras;
import static io.jkeras.kernels.KerasKernelCases.random;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@link ShapeKernels} against real Keras padding, cropping and upsampling layers, and against their references. */
class ShapeKernelsTest {

    static Stream<Case> cases() {
        return KerasKernelCases.of("ZeroPadding1D", "ZeroPadding2D", "ZeroPadding3D", "Cropping1D", "Cropping2D",
                "Cropping3D", "UpSampling1D", "UpSampling2D", "UpSampling3D");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void matchesKeras(Case c) {
        int r = c.spatialRank();
        int[] in = c.spatialShape();
        int[] out = c.yShape();
        float[] fast = new float[c.y().length], ref = new float[c.y().length];
        String kind = c.layer().substring(0, c.layer().length() - 2);
        switch (kind) {
            case "ZeroPadding": {
                int[] b = c.pairsBefore("padding", r), a = c.pairsAfter("padding", r);
                ShapeKernels.zeroPad(c.batch(), in, c.channels(), b, a, c.x(), 0, fast, 0);
                ShapeKernels.zeroPadReference(c.batch(), in, c.channels(), b, a, c.x(), 0, ref, 0);
                break;
            }
            case "Cropping": {
                int[] b = c.pairsBefore("cropping", r), a = c.pairsAfter("cropping", r);
                ShapeKernels.crop(c.batch(), in, c.channels(), b, a, c.x(), 0, fast, 0);
                ShapeKernels.cropReference(c.batch(), in, c.channels(), b, a, c.x(), 0, ref, 0);
                break;
            }
            default: {
                int[] f = c.ints("size", r);
                if (c.config().get("interpolation") != null && c.text("interpolation").equals("bilinear")) {
                    ShapeKernels.upsampleBilinear(c.batch(), in[0], in[1], c.channels(), f[0], f[1], c.x(), 0,
                            fast, 0);
                    ref = fast;
                } else {
                    ShapeKernels.upsampleNearest(c.batch(), in, c.channels(), f, c.x(), 0, fast, 0);
                    ShapeKernels.upsampleNearestReference(c.batch(), in, c.channels(), f, c.x(), 0, ref, 0);
                }
            }
        }
        assertMatchesKeras(c, out, fast);
        assertMatchesKeras(c, out, ref);
    }

    static Stream<int[][]> shapes() {
        // batch+channels, in, before, after (cropping uses before/after as crops; upsampling before+1 as factors)
        return Stream.of(
                new int[][]{{1, 1}, {1}, {0}, {0}},
                new int[][]{{3, 17}, {7}, {2}, {3}},
                new int[][]{{2, 3}, {7, 5}, {1, 0}, {2, 3}},
                new int[][]{{1, 7}, {17, 3}, {0, 1}, {3, 1}},
                new int[][]{{2, 2}, {3, 7, 4}, {1, 2, 0}, {1, 0, 2}});
    }

    @ParameterizedTest
    @MethodSource("shapes")
    void fastPathsMatchReferences(int[][] s) {
        int batch = s[0][0], channels = s[0][1];
        int[] in = s[1], before = s[2], after = s[3];
        int inSize = Arrays.stream(in).reduce(1, (a, b) -> a * b);
        float[] x = random(new SplittableRandom(Arrays.hashCode(in)), batch * inSize * channels);
        int padded = 1, cropped = 1, upsampled = 1;
        int[] factors = new int[in.length];
        for (int i = 0; i < in.length; i++) {
            padded *= in[i] + before[i] + after[i];
            cropped *= Math.max(in[i] - before[i] - after[i], 0);
            factors[i] = before[i] + 1;
            upsampled *= in[i] * factors[i];
        }
        float[] fast = new float[batch * padded * channels], ref = new float[fast.length];
        ShapeKernels.zeroPad(batch, in, channels, before, after, x, 0, fast, 0);
        ShapeKernels.zeroPadReference(batch, in, channels, before, after, x, 0, ref, 0);
        assertClose("pad", fast, ref, 0);
        if (Arrays.stream(in).allMatch(v -> v > 0) && cropped >= 0) {
            boolean fits = true;
            for (int i = 0; i < in.length; i++) fits &= before[i] + after[i] <= in[i];
            if (fits) {
                fast = new float[batch * cropped * channels];
                ref = new float[fast.length];
                ShapeKernels.crop(batch, in, channels, before, after, x, 0, fast, 0);
                ShapeKernels.cropReference(batch, in, channels, before, after, x, 0, ref, 0);
                assertClose("crop", fast, ref, 0);
            }
        }
        fast = new float[batch * upsampled * channels];
        ref = new float[fast.length];
        ShapeKernels.upsampleNearest(batch, in, channels, factors, x, 0, fast, 0);
        ShapeKernels.upsampleNearestReference(batch, in, channels, factors, x, 0, ref, 0);
        assertClose("upsample", fast, ref, 0);
    }

    /** Backward kernels are the adjoints of the forward references: {@code <dx, v> = <dy, forward(v)>}, accumulated. */
    @ParameterizedTest
    @MethodSource("shapes")
    void backwardKernelsAreTheAdjointsOfTheirForwards(int[][] s) {
        int batch = s[0][0], channels = s[0][1];
        int[] in = s[1], before = s[2], after = s[3];
        int inSize = Arrays.stream(in).reduce(1, (a, b) -> a * b);
        SplittableRandom rnd = new SplittableRandom(Arrays.hashCode(before) + 3L * channels);
        int xn = batch * inSize * channels;
        float[] v = random(rnd, xn), start = random(rnd, xn);
        int[] factors = new int[in.length];
        boolean fits = true;
        int padded = 1, cropped = 1, upsampled = 1;
        for (int i = 0; i < in.length; i++) {
            factors[i] = before[i] + 1;
            fits &= before[i] + after[i] <= in[i];
            padded *= in[i] + before[i] + after[i];
            cropped *= Math.max(in[i] - before[i] - after[i], 0);
            upsampled *= in[i] * factors[i];
        }
        for (String op : new String[]{"pad", "crop", "upsample"}) {
            if (op.equals("crop") && !fits) continue;
            int yn = batch * channels * (op.equals("pad") ? padded : op.equals("crop") ? cropped : upsampled);
            float[] dy = random(rnd, yn), fv = new float[yn], dx = start.clone();
            switch (op) {
                case "pad":
                    ShapeKernels.zeroPadReference(batch, in, channels, before, after, v, 0, fv, 0);
                    ShapeKernels.zeroPadBackward(batch, in, channels, before, after, dy, 0, dx, 0);
                    break;
                case "crop":
                    ShapeKernels.cropReference(batch, in, channels, before, after, v, 0, fv, 0);
                    ShapeKernels.cropBackward(batch, in, channels, before, after, dy, 0, dx, 0);
                    break;
                default:
                    ShapeKernels.upsampleNearestReference(batch, in, channels, factors, v, 0, fv, 0);
                    ShapeKernels.upsampleNearestBackward(batch, in, channels, factors, dy, 0, dx, 0);
            }
            double lhs = 0, rhs = 0;
            for (int i = 0; i < xn; i++) lhs += (double) (dx[i] - start[i]) * v[i];
            for (int i = 0; i < yn; i++) rhs += (double) dy[i] * fv[i];
            assertThat(lhs).as("%s: <dx, v> = <dy, %s(v)>", op, op).isCloseTo(rhs,
                    org.assertj.core.data.Offset.offset(1e-4 * (1 + Math.abs(rhs))));
        }
    }

    @Test
    void bilinearUpsamplingKeepsConstantsAndRefusesNothingItCanCompute() {
        float[] x = new float[2 * 3 * 2];
        Arrays.fill(x, 0.75f);
        float[] y = new float[2 * 3 * 4 * 3 * 2];
        ShapeKernels.upsampleBilinear(1, 2, 3, 2, 4, 3, x, 0, y, 0);
        for (float v : y) assertThat(v).isEqualTo(0.75f);
    }

    @Test
    void transposeSwapsTheLastTwoAxesAndBackAgain() {
        int batch = 2, rows = 3, cols = 7;
        float[] x = random(new SplittableRandom(5), batch * rows * cols);
        float[] t = new float[x.length], back = new float[x.length];
        ShapeKernels.transpose(batch, rows, cols, x, 0, t, 0);
        for (int s = 0; s < batch; s++) {
            for (int i = 0; i < rows; i++) {
                for (int j = 0; j < cols; j++) {
                    assertThat(t[(s * cols + j) * rows + i]).isEqualTo(x[(s * rows + i) * cols + j]);
                }
            }
        }
        ShapeKernels.transpose(batch, cols, rows, t, 0, back, 0);
        assertThat(back).containsExactly(x);
    }

    @Test
    void croppingMoreThanTheInputIsRefused() {
        assertThatThrownBy(() -> ShapeKernels.crop(1, new int[]{3}, 1, new int[]{2}, new int[]{2}, new float[3], 0,
                new float[0], 0)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("does not fit");
    }
}

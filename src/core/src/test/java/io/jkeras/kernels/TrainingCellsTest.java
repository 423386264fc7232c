package io.jkeras.kernels;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Vector API step kernels against the scalar ones on odd sizes (so that full vectors and the
 * scalar tails both run). Their exp, sigmoid and tanh are {@link VectorMath}'s, which
 * {@code CellKernelsTest} checks against double precision.
 */
class TrainingCellsTest {
    /**
     * Step kernels: the vector and scalar activations differ by at most one ulp of values below 1 in
     * magnitude, which the cell's few products and sums carry to a few ulps of 1.
     */
    static final double STEP_ATOL = 2e-6;

    static void assumeVector() {
        Assumptions.assumeTrue(Kernels.best().training() != TrainingCells.SCALAR, "no Vector API in this JVM");
    }

    static float[] rnd(Random r, int n, double scale) {
        float[] f = new float[n];
        for (int i = 0; i < n; i++) f[i] = (float) ((r.nextDouble() * 2 - 1) * scale);
        return f;
    }

    static Stream<Arguments> sizes() {
        List<Arguments> a = new ArrayList<>();
        for (int u : new int[]{1, 7, 16, 17, 33, 64})
            for (int b : new int[]{1, 3})
                for (boolean std : new boolean[]{true, false})
                    a.add(Arguments.of(u, b, std));
        return a.stream();
    }

    static void close(float[] want, float[] got, String what) {
        for (int i = 0; i < want.length; i++) {
            assertThat((double) Math.abs(got[i] - want[i])).as("%s[%d]: vector %s, scalar %s", what, i, got[i], want[i])
                    .isLessThanOrEqualTo(STEP_ATOL);
        }
    }

    @ParameterizedTest(name = "units={0} batch={1} standard={2}")
    @MethodSource("sizes")
    void lstmStepsMatchScalar(int u, int b, boolean std) {
        assumeVector();
        Activation act = std ? Activation.TANH : Activation.RELU, ract = std ? Activation.SIGMOID : Activation.SIGMOID;
        Random r = new Random(u * 10 + b);
        int off = 3;  // nonzero offsets
        float[] z0 = rnd(r, off + b * 4 * u, 3), c0 = rnd(r, off + 2 * b * u, 1);
        float[][] s = {z0.clone(), c0.clone(), new float[off + b * u], new float[off + b * u]};
        float[][] v = {z0.clone(), c0.clone(), new float[off + b * u], new float[off + b * u]};
        TrainingCells.SCALAR.lstmForward(b, u, act, ract, s[0], off, s[1], off, off + b * u, s[2], off, s[3], off);
        Kernels.best().training().lstmForward(b, u, act, ract, v[0], off, v[1], off, off + b * u, v[2], off, v[3], off);
        for (int k = 0; k < 4; k++) close(s[k], v[k], "lstm forward " + k);
        float[] dh = rnd(r, off + b * u, 1), dc = rnd(r, b * u, 1);
        float[] dcS = dc.clone(), dcV = dc.clone(), dzS = new float[off + 4 * b * u], dzV = new float[off + 4 * b * u];
        TrainingCells.SCALAR.lstmBackward(b, u, act, ract, s[0], off, s[1], off, s[2], off, dh, off, dcS, dzS, off);
        Kernels.best().training()
                .lstmBackward(b, u, act, ract, s[0], off, s[1], off, s[2], off, dh, off, dcV, dzV, off);
        close(dzS, dzV, "lstm dz");
        close(dcS, dcV, "lstm dc");
    }

    @ParameterizedTest(name = "units={0} batch={1} standard={2}")
    @MethodSource("sizes")
    void gruAndSimpleStepsMatchScalar(int u, int b, boolean std) {
        assumeVector();
        Activation act = std ? Activation.TANH : Activation.LINEAR, ract = Activation.SIGMOID;
        Random r = new Random(u * 10 + b + 5);
        int off = 2, bu = b * u;
        float[] z0 = rnd(r, off + 3 * bu, 3), rec = rnd(r, off + 3 * bu, 2), h0 = rnd(r, off + 2 * bu, 1);
        float[] zS = z0.clone(), zV = z0.clone(), hS = h0.clone(), hV = h0.clone();
        TrainingCells.SCALAR.gruForward(b, u, act, ract, zS, off, rec, off, hS, off, off + bu);
        Kernels.best().training().gruForward(b, u, act, ract, zV, off, rec, off, hV, off, off + bu);
        close(zS, zV, "gru activations");
        close(hS, hV, "gru h");
        float[] dh = rnd(r, bu, 1);
        float[] dzS = new float[off + 3 * bu], dzV = new float[off + 3 * bu], drS = new float[off + 3 * bu],
                drV = new float[off + 3 * bu];
        float[] dpS = new float[bu], dpV = new float[bu];
        TrainingCells.SCALAR.gruBackward(b, u, act, ract, zS, off, rec, off, hS, off, dh, dzS, off, drS, off, dpS);
        Kernels.best().training().gruBackward(b, u, act, ract, zS, off, rec, off, hS, off, dh, dzV, off, drV, off, dpV);
        close(dzS, dzV, "gru dz");
        close(drS, drV, "gru drec");
        close(dpS, dpV, "gru dh_prev");

        float[] yS = new float[off + bu], yV = new float[off + bu];
        TrainingCells.SCALAR.simpleForward(bu, act, z0, off, yS, off);
        Kernels.best().training().simpleForward(bu, act, z0, off, yV, off);
        close(yS, yV, "simple h");
        float[] gS = new float[off + bu], gV = new float[off + bu];
        TrainingCells.SCALAR.simpleBackward(bu, act, yS, off, dh, gS, off);
        Kernels.best().training().simpleBackward(bu, act, yS, off, dh, gV, off);
        close(gS, gV, "simple dz");
    }

    @Test
    void trainingAndInferenceCellsComputeOneTanhAndOneSigmoid() {
        // one exp/sigmoid/tanh for both paths: the training kernels' activations equal the inference
        // kernels' bit for bit, on the vector kernels and on the scalar ones alike
        float[] g = CellKernelsTest.grid();
        Activation[] acts = {Activation.TANH, Activation.SIGMOID};
        for (Kernels k : new Kernels[]{Kernels.best(), Kernels.scalar()}) {
            for (Activation a : acts) {
                for (int n : new int[]{1, 7, 16, 17, 33, g.length}) {
                    float[] train = new float[n + 3], infer = new float[n + 3];
                    k.training().simpleForward(n, a, g, g.length - n, train, 3);
                    k.cells().simpleCell(g.clone(), g.length - n, infer, 3, n, a.cellCode(), null);
                    for (int i = 3; i < n + 3; i++) {
                        assertThat(Float.floatToRawIntBits(train[i])).as("%s %s(%s)", k, a, g[g.length - n + i - 3])
                                .isEqualTo(Float.floatToRawIntBits(infer[i]));
                    }
                }
            }
        }
    }

    @Test
    void transposeAndColumnSums() {
        Random r = new Random(9);
        for (int rows : new int[]{0, 1, 7, 33, 65})
            for (int cols : new int[]{1, 5, 40}) {
                float[] m = rnd(r, 2 + rows * cols, 1), t = new float[1 + rows * cols];
                TrainingCells.transpose(rows, cols, m, 2, t, 1);
                for (int i = 0; i < rows; i++)
                    for (int j = 0; j < cols; j++) assertThat(t[1 + j * rows + i]).isEqualTo(m[2 + i * cols + j]);
                double[] sums = new double[cols + 1];
                sums[1] = 0.5;
                float[] packed = java.util.Arrays.copyOfRange(m, 2, 2 + rows * cols);
                TrainingCells.addColumnSums(rows, cols, packed, sums, 1);
                for (int j = 0; j < cols; j++) {
                    double want = j == 0 ? 0.5 : 0;
                    for (int i = 0; i < rows; i++) want += packed[i * cols + j];
                    assertThat(sums[1 + j]).isCloseTo(want, org.assertj.core.api.Assertions.within(1e-12));
                }
            }
    }
}

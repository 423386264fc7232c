package io.jkeras.kernels;

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
 * The backward methods of the cell kernels: the Vector API ones against the scalar ones on odd sizes
 * (whole tiles and a last tile with padding), both against central differences of the forward cell
 * they sit beside, and the padding columns of every gradient row zero. The gradients of whole
 * training steps are checked against the double-precision tape in {@code FusedRecurrentFitTest}.
 */
class CellBackwardTest {
    static final int[][] CODES = {{CellKernels.TANH, CellKernels.SIGMOID}, {CellKernels.RELU, CellKernels.SIGMOID},
        {CellKernels.LINEAR, CellKernels.SIGMOID}};

    static Stream<Arguments> shapes() {
        List<Arguments> a = new ArrayList<>();
        for (int units : new int[]{1, 7, 16, 17, 33})
            for (int[] codes : CODES) a.add(Arguments.of(units, codes[0], codes[1]));
        return a.stream();
    }

    static float[] rnd(Random r, int n, double scale) {
        float[] f = new float[n];
        for (int i = 0; i < n; i++) f[i] = (float) ((r.nextDouble() * 2 - 1) * scale);
        return f;
    }

    static int width(int units, int gates) { return CellKernels.tiles(units) * gates * CellKernels.BLOCK; }

    /** The unit of panel column {@code c} of a layer with {@code gates} gates (past the last unit: padding). */
    static int unitOf(int c, int gates) {
        return c / CellKernels.BLOCK / gates * CellKernels.BLOCK + c % CellKernels.BLOCK;
    }

    /** Whether relu's kink at 0 is within reach of the central differences' steps. */
    static boolean nearKink(float c) { return Math.abs(c) < 0.05f; }

    /** Σ w·h of one LSTM cell run on a copy of the preactivation row {@code z}, in double. */
    static double lstmLoss(CellKernels k, float[] z, float[] c0, float[] wh, float[] wc, int units, int act, int ract) {
        float[] zz = z.clone(), c = c0.clone(), h = new float[units];
        k.lstmCell(zz, 0, c, 0, h, 0, units, act, ract, new float[CellKernels.workSize(units, 4)]);
        double s = 0;
        for (int u = 0; u < units; u++) s += (double) wh[u] * h[u] + (double) wc[u] * c[u];
        return s;
    }

    @ParameterizedTest(name = "units={0} act={1} ract={2}")
    @MethodSource("shapes")
    void lstmBackwardIsTheDerivativeOfLstmCell(int units, int act, int ract) {
        Random r = new Random(units * 7L + act);
        int w = width(units, 4);
        float[] z = rnd(r, w, 2), c0 = rnd(r, units, 1), dh = rnd(r, units, 1), dc1 = rnd(r, units, 1);
        for (int c = 0; c < w; c++) if (unitOf(c, 4) >= units) z[c] = 0f;
        for (CellKernels k : new CellKernels[]{Kernels.best().cells(), CellKernels.scalar()}) {
            float[] a = z.clone(), c1 = c0.clone(), h = new float[units];
            float[] cellWork = new float[CellKernels.workSize(units, 4)];
            k.lstmCell(a, 0, c1, 0, h, 0, units, act, ract, cellWork);
            float[] t1 = java.util.Arrays.copyOf(cellWork, units); // act(c1), as lstmCell leaves it
            float[] dz = new float[w + 3], dc = dc1.clone();
            java.util.Arrays.fill(dz, 9f);
            k.lstmBackward(a, 0, c0, 0, t1, 0, dh, 0, dc, 0, dz, 1, units, act, ract,
                    new float[CellKernels.workSize(units, 4)]);
            assertThat(dz[0]).as("before the row").isEqualTo(9f);
            assertThat(dz[w + 1]).as("after the row").isEqualTo(9f);
            for (int c = 0; c < w; c++) {
                if (unitOf(c, 4) >= units) {
                    assertThat(dz[1 + c]).as("%s padding column %d", k, c).isEqualTo(0f);
                    continue;
                }
                // d(Σ dh·h + dc1·c1)/dz[c] by central differences in float: coarse, but catches a wrong term
                double eps = 1e-2;
                float[] zp = z.clone(), zm = z.clone();
                zp[c] += (float) eps;
                zm[c] -= (float) eps;
                double num = (lstmLoss(k, zp, c0, dh, dc1, units, act, ract)
                        - lstmLoss(k, zm, c0, dh, dc1, units, act, ract)) / (zp[c] - zm[c]);
                if (act == CellKernels.RELU && (Math.abs(z[c]) < 2 * eps || nearKink(c1[unitOf(c, 4)]))) continue;
                assertThat((double) dz[1 + c]).as("%s dz[%d]", k, c).isCloseTo(num,
                        org.assertj.core.api.Assertions.within(2e-3 * Math.max(1, Math.abs(num))));
            }
            for (int u = 0; u < units; u++) {
                if (act == CellKernels.RELU && nearKink(c1[u])) continue;
                float[] cp = c0.clone(), cm = c0.clone();
                cp[u] += 1e-2f;
                cm[u] -= 1e-2f;
                double num = (lstmLoss(k, z, cp, dh, dc1, units, act, ract)
                        - lstmLoss(k, z, cm, dh, dc1, units, act, ract)) / (cp[u] - cm[u]);
                assertThat((double) dc[u]).as("%s dc0[%d]", k, u).isCloseTo(num,
                        org.assertj.core.api.Assertions.within(2e-3 * Math.max(1, Math.abs(num))));
            }
        }
    }

    @ParameterizedTest(name = "units={0} act={1} ract={2}")
    @MethodSource("shapes")
    void vectorBackwardsMatchScalar(int units, int act, int ract) {
        Random r = new Random(units * 11L + act);
        CellKernels v = Kernels.best().cells(), s = CellKernels.scalar();
        int w4 = width(units, 4), w3 = width(units, 3), w1 = width(units, 1);
        float[] a4 = rnd(r, w4, 1), c0 = rnd(r, units, 1), t1 = rnd(r, units, 1), dh = rnd(r, units, 1),
                dc = rnd(r, units, 1);
        float[] dzV = new float[w4], dzS = new float[w4], dcV = dc.clone(), dcS = dc.clone();
        float[] work = new float[CellKernels.workSize(units, 4)];
        v.lstmBackward(a4, 0, c0, 0, t1, 0, dh, 0, dcV, 0, dzV, 0, units, act, ract, work);
        s.lstmBackward(a4, 0, c0, 0, t1, 0, dh, 0, dcS, 0, dzS, 0, units, act, ract, work);
        close(dzS, dzV, "lstm dz");
        close(dcS, dcV, "lstm dc");
        float[] a3 = rnd(r, w3, 1), m = rnd(r, w3, 1), h0 = rnd(r, units, 1);
        float[][] gv = {new float[w3], new float[w3], new float[units]};
        float[][] gs = {new float[w3], new float[w3], new float[units]};
        v.gruBackward(a3, 0, m, 0, h0, 0, dh, 0, gv[0], 0, gv[1], 0, gv[2], 0, units, act, ract);
        s.gruBackward(a3, 0, m, 0, h0, 0, dh, 0, gs[0], 0, gs[1], 0, gs[2], 0, units, act, ract);
        for (int i = 0; i < 3; i++) close(gs[i], gv[i], "gru " + i);
        float[] y = rnd(r, units, 1), sv = new float[w1], ss = new float[w1];
        v.simpleBackward(y, 0, dh, 0, sv, 0, units, act);
        s.simpleBackward(y, 0, dh, 0, ss, 0, units, act);
        close(ss, sv, "simple dz");
    }

    static void close(float[] want, float[] got, String what) {
        for (int i = 0; i < want.length; i++) {
            assertThat((double) Math.abs(got[i] - want[i])).as("%s[%d]: vector %s, scalar %s", what, i, got[i], want[i])
                    .isLessThanOrEqualTo(2e-6);
        }
    }

    @Test
    void transposeAndColumnSums() {
        Random r = new Random(9);
        for (int rows : new int[]{0, 1, 7, 33, 65})
            for (int cols : new int[]{1, 5, 40}) {
                float[] m = rnd(r, 2 + rows * cols, 1), t = new float[1 + rows * cols];
                Gemm.transpose(rows, cols, m, 2, t, 1);
                for (int i = 0; i < rows; i++)
                    for (int j = 0; j < cols; j++) assertThat(t[1 + j * rows + i]).isEqualTo(m[2 + i * cols + j]);
                double[] sums = new double[cols + 1];
                sums[1] = 0.5;
                float[] packed = java.util.Arrays.copyOfRange(m, 2, 2 + rows * cols);
                Gemm.addColumnSums(rows, cols, packed, sums, 1);
                for (int j = 0; j < cols; j++) {
                    double want = j == 0 ? 0.5 : 0;
                    for (int i = 0; i < rows; i++) want += packed[i * cols + j];
                    assertThat(sums[1 + j]).isCloseTo(want, org.assertj.core.api.Assertions.within(1e-12));
                }
            }
    }
}

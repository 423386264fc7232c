package io.jkeras.kernels;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The activations of the fused cell kernels: tanh and sigmoid of the vector kernels ({@link VectorMath}) against
 * {@link Math} in double on a dense grid and at the edges (within one float ulp), the piecewise
 * ones bit for bit against {@link FastMath#activate}, over lengths that exercise the masked tail.
 * The recurrent steps themselves are tested against the reference layers in
 * {@code io.jkeras.layers.FusedRecurrentTest}.
 */
class CellKernelsTest {
    private static final int[] CODES = {CellKernels.LINEAR, CellKernels.TANH, CellKernels.SIGMOID,
            CellKernels.HARD_SIGMOID_0_2, CellKernels.HARD_SIGMOID_RELU6, CellKernels.RELU};

    private static final Activation[] OF = {Activation.LINEAR, Activation.TANH, Activation.SIGMOID,
            Activation.HARD_SIGMOID_SLOPE_0_2, Activation.HARD_SIGMOID_RELU6, Activation.RELU};

    /** The grid of FastMathTest, then edges: infinities, NaN, huge, tiny and signed zeros. */
    static float[] grid() {
        float[] g = FastMathTest.grid();
        float[] edges = {Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.NaN, Float.MAX_VALUE, -Float.MAX_VALUE,
                1e30f, -1e30f, 700f, -700f, 800f, -800f, 88.8f, -88.8f, 104f, -104f, 40f, -40f, 41f, -41f,
                0.03125f, -0.03125f, Math.nextDown(0.03125f), -Math.nextDown(0.03125f), Float.MIN_NORMAL,
                        -Float.MIN_NORMAL, 0f, -0f};
        float[] out = java.util.Arrays.copyOf(g, g.length + edges.length);
        System.arraycopy(edges, 0, out, g.length, edges.length);
        return out;
    }

    @Test
    void theTestJvmUsesTheVectorKernels() {
        assertThat(Kernels.best().cells().toString()).startsWith("vector");
        assertThat(Kernels.best().cells()).isInstanceOf(VectorCells.class);
    }

    @Test
    void vectorTanhAndSigmoidWithinOneUlpOfMath() {
        float[] g = grid();
        float[] t = g.clone(), s = g.clone();
        VectorMath.activate(CellKernels.TANH, t, 0, t.length);
        VectorMath.activate(CellKernels.SIGMOID, s, 0, s.length);
        double wt = 0, ws = 0;
        for (int i = 0; i < g.length; i++) {
            double x = g[i];
            double et = Math.tanh(x), es = 1 / (1 + Math.exp(-x));
            if (Double.isNaN(x)) {
                assertThat(t[i]).isNaN();
                assertThat(s[i]).isNaN();
                continue;
            }
            wt = Math.max(wt, Math.abs(t[i] - et) / Math.max(Math.ulp((float) et), Float.MIN_NORMAL));
            ws = Math.max(ws, Math.abs(s[i] - es) / Math.max(Math.ulp((float) es), Float.MIN_VALUE));
            assertThat(Math.copySign(1f, t[i])).as("sign of tanh(%s)", g[i]).isEqualTo(Math.copySign(1f, g[i]));
        }
        assertThat(wt).as("tanh error in ulps").isLessThanOrEqualTo(1.0);
        assertThat(ws).as("sigmoid error in ulps").isLessThanOrEqualTo(1.0);
    }

    @Test
    void bothWaysOfLoadingFloatsGiveTheSameTanhAndSigmoid() {
        // VectorMath takes one of them by JDK version: this JVM runs both
        float[] g = grid();
        for (int len : new int[]{0, 1, 3, 7, 8, 9, 15, 16, 17, 33, g.length - 5}) {
            int off = 3;
            float[] v = new float[off + len + 5];
            System.arraycopy(g, 0, v, off, len);
            float[] th = v.clone(), tw = v.clone(), sh = v.clone(), sw = v.clone();
            VectorMath.tanhHalf(th, off, len);
            VectorMath.tanhWhole(tw, off, len);
            VectorMath.sigmoidHalf(sh, off, len);
            VectorMath.sigmoidWhole(sw, off, len);
            for (int i = 0; i < v.length; i++) {
                assertThat(Float.floatToRawIntBits(tw[i])).as("tanh of %s", v[i])
                        .isEqualTo(Float.floatToRawIntBits(th[i]));
                assertThat(Float.floatToRawIntBits(sw[i])).as("sigmoid of %s", v[i])
                        .isEqualTo(Float.floatToRawIntBits(sh[i]));
            }
        }
    }

    @Test
    void vectorActivationsAgreeWithFastMathOnEveryLength() {
        float[] g = grid();
        for (int c = 0; c < CODES.length; c++) {
            for (int len : new int[]{0, 1, 3, 7, 8, 15, 16, 17, 33, 257, g.length - 5}) {
                int off = 5;
                float[] v = new float[off + len + 9];
                java.util.Arrays.fill(v, 123f);
                System.arraycopy(g, g.length - len - 3 >= 0 ? g.length - len - 3 : 0, v, off, len);
                float[] want = v.clone();
                FastMath.activate(OF[c], want, off, len);
                float[] got = v.clone();
                VectorMath.activate(CODES[c], got, off, len);
                float[] scalar = v.clone();
                CellKernels.activate(CODES[c], scalar, off, len);
                for (int i = 0; i < v.length; i++) {
                    assertThat(Float.floatToRawIntBits(scalar[i])).isEqualTo(Float.floatToRawIntBits(want[i]));
                    if (i < off || i >= off + len) {
                        assertThat(got[i]).as("outside the row").isEqualTo(123f);
                    } else if (Float.isNaN(want[i])) {
                        assertThat(got[i]).isNaN();
                    } else if (CODES[c] == CellKernels.TANH || CODES[c] == CellKernels.SIGMOID) {
                        assertThat((double) Math.abs(got[i] - want[i])).as("%s at %s", OF[c], v[i])
                                .isLessThanOrEqualTo(Math.max(Math.ulp(want[i]), Float.MIN_NORMAL));
                    } else {
                        assertThat(Float.floatToRawIntBits(got[i])).as("%s of %s", OF[c], v[i])
                                .isEqualTo(Float.floatToRawIntBits(want[i]));
                    }
                }
            }
        }
    }

    @Test
    void onlyTheImplementedActivationsHaveCodes() {
        for (Activation a : Activation.values()) {
            int code = a.cellCode();
            boolean listed = java.util.Arrays.asList(OF).contains(a);
            assertThat(code >= 0).as(a.name()).isEqualTo(listed);
        }
    }

    @Test
    void tileMajorIsACopyOfThePanel() {
        for (int units : new int[]{1, 7, 16, 17, 33}) {
            for (int gates : new int[]{1, 3, 4}) {
                int tiles = (units + 15) / 16, w = tiles * gates * 16;
                float[] u = new float[units * w];
                for (int i = 0; i < u.length; i++) u[i] = i;
                float[] t = CellKernels.tileMajor(u, units, gates);
                for (int j = 0; j < tiles; j++) {
                    for (int k = 0; k < units; k++) {
                        for (int c = 0; c < gates * 16; c++) {
                            assertThat(t[(j * units + k) * gates * 16 + c]).isEqualTo(u[k * w + j * gates * 16 + c]);
                        }
                    }
                }
            }
        }
    }
}

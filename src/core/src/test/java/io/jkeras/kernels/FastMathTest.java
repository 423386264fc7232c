package io.jkeras.kernels;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The fast exp/sigmoid/tanh against Math on a dense grid and at the edges: within one float ulp. */
class FastMathTest {
    /** Every float step of 1/4096 over [-30, 30], plus edge values. */
    static float[] grid() {
        int n = 60 * 4096 + 1;
        float[] g = new float[n + 8];
        for (int i = 0; i < n; i++) g[i] = -30f + i / 4096f;
        float[] edges = {0f, -0f, Float.MIN_VALUE, -Float.MIN_VALUE, 1e-20f, -1e-20f, 0.0625f, -0.0625f};
        System.arraycopy(edges, 0, g, n, edges.length);
        return g;
    }

    @Test
    void expRelativeErrorWithinFloatRounding() {
        double worst = 0;
        for (float x = -87f; x <= 88f; x += 1f / 1024) {
            double want = Math.exp(x);
            worst = Math.max(worst, Math.abs(FastMath.exp(x) - want) / want);
        }
        assertThat(worst).isLessThan(1.2e-7);
        assertThat(FastMath.exp(100f)).isEqualTo(Float.POSITIVE_INFINITY);
        assertThat(FastMath.exp(-110f)).isZero();
        assertThat(FastMath.exp(-100f)).isEqualTo((float) Math.exp(-100));
        assertThat(FastMath.exp(Float.NaN)).isNaN();
        assertThat(FastMath.exp(0f)).isEqualTo(1f);
    }

    @Test
    void sigmoidAndTanhWithinOneUlp() {
        double ws = 0, wt = 0;
        for (float x : grid()) {
            double s = 1 / (1 + Math.exp(-(double) x)), t = Math.tanh(x);
            ws = Math.max(ws, Math.abs(FastMath.sigmoid(x) - s) / Math.ulp((float) s));
            wt = Math.max(wt, Math.abs(FastMath.tanh(x) - t) / Math.max(Math.ulp((float) t), Float.MIN_NORMAL));
        }
        assertThat(ws).as("sigmoid error in ulps").isLessThanOrEqualTo(1.0);
        assertThat(wt).as("tanh error in ulps").isLessThanOrEqualTo(1.0);
        assertThat(FastMath.tanh(1000f)).isEqualTo(1f);
        assertThat(FastMath.tanh(-1000f)).isEqualTo(-1f);
        assertThat(FastMath.sigmoid(-1000f)).isZero();
        assertThat(FastMath.sigmoid(1000f)).isEqualTo(1f);
        assertThat(FastMath.tanh(Float.NaN)).isNaN();
    }

    @Test
    void activateMatchesTheExactRowFunctions() {
        float[] g = grid();
        for (Activation a : Activation.values()) {
            if (!a.elementwise()) continue;
            float[] fast = g.clone(), exact = g.clone();
            FastMath.activate(a, fast, 0, fast.length);
            a.apply(exact, 0, exact.length);
            double worst = 0;
            for (int i = 0; i < g.length; i++) {
                if (Float.isInfinite(exact[i]) && fast[i] == exact[i]) continue;
                worst = Math.max(worst, Math.abs(fast[i] - exact[i]) / Math.max(1.0, Math.abs(exact[i])));
            }
            assertThat(worst).as(a.name()).isLessThan(1.2e-7);
        }
    }
}

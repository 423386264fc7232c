package io.jkeras.kernels;

/**
 * Exp, sigmoid and tanh for the recurrent inner loops: evaluated in double with a polynomial exp
 * and rounded once to float, so they are as accurate as the exact activations (within one float
 * ulp, tested against {@link Math} on dense grids) while avoiding Math.tanh and per-element
 * virtual calls. Branch-light so that loops over rows can be vectorized.
 *
 * <p>exp: x = k·ln2 + r with |r| ≤ ln2/2, e^r by a degree-9 Taylor polynomial (truncation below
 * 2e-12 relative), scaled by 2^k through the exponent bits.
 */
public final class FastMath {
    private FastMath() {}

    private static final double LOG2E = 1.4426950408889634;
    private static final double LN2 = 0.6931471805599453;

    /** e^x in double for |x| ≤ 700. */
    static double expd(double x) {
        double kf = Math.rint(x * LOG2E);
        double r = x - kf * LN2;
        double p = 1 + r * (1 + r * (1.0 / 2 + r * (1.0 / 6 + r * (1.0 / 24 + r * (1.0 / 120 + r * (1.0 / 720
                + r * (1.0 / 5040 + r * (1.0 / 40320 + r * (1.0 / 362880)))))))));
        return p * Double.longBitsToDouble(((long) kf + 1023) << 52);
    }

    public static float exp(float x) {
        if (x > 88.72284f) return Float.POSITIVE_INFINITY;
        if (x < -103.97208f) return x != x ? x : 0f;
        return (float) expd(x);
    }

    public static float sigmoid(float x) {
        if (x != x) return x;
        double c = Math.max(-700.0, Math.min(700.0, x));
        return (float) (1.0 / (1.0 + expd(-c)));
    }

    public static float tanh(float x) {
        if (x != x) return x;
        double ax = Math.min(Math.abs((double) x), 40.0);
        double t;
        if (ax < 0.03125) {
            double x2 = ax * ax;
            t = ax * (1 + x2 * (-1.0 / 3 + x2 * (2.0 / 15 + x2 * (-17.0 / 315 + x2 * (62.0 / 2835)))));
        } else {
            double e = expd(-2 * ax);
            t = (1 - e) / (1 + e);
        }
        return (float) Math.copySign(t, x);
    }

    /**
     * Applies {@code a} in place to {@code v[off, off+len)}: tanh, sigmoid and the two hard sigmoids
     * by the fast float paths, every other activation by its exact row function.
     */
    public static void activate(Activation a, float[] v, int off, int len) {
        switch (a) {
            case TANH -> { for (int i = off; i < off + len; i++) v[i] = tanh(v[i]); }
            case SIGMOID -> { for (int i = off; i < off + len; i++) v[i] = sigmoid(v[i]); }
            case HARD_SIGMOID_SLOPE_0_2
                    -> { for (int i = off; i < off + len; i++) v[i] = Math.max(0f, Math.min(1f, 0.2f * v[i] + 0.5f)); }
            case HARD_SIGMOID_RELU6
                    -> { for (int i = off; i < off + len; i++) v[i] = Math.max(0f, Math.min(6f, v[i] + 3f)) / 6f; }
            case RELU -> { for (int i = off; i < off + len; i++) v[i] = Math.max(0f, v[i]); }
            case LINEAR -> { }
            default -> a.apply(v, off, len);
        }
    }
}

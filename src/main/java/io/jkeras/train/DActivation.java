package io.jkeras.train;

import io.jkeras.kernels.Activation;

/**
 * The engine's activations in double precision with their derivatives, for training. Each works
 * on one row {@code [off, off+len)} (the last axis), like {@link Activation#apply}: {@link #forward}
 * writes {@code y = f(x)}; {@link #backward} adds {@code dL/dx} to {@code dx} given {@code x},
 * {@code y} and {@code dL/dy}. Where a function has a kink, the derivative is the one TensorFlow's
 * gradient uses.
 */
public final class DActivation {
    private DActivation() {}

    /** Width of the output row for an input row of {@code len} (GLU halves it). */
    public static int outputWidth(Activation a, int len) { return a.outputWidth(len); }

    public static void forward(Activation a, double[] x, int xo, double[] y, int yo, int len) {
        switch (a) {
            case LINEAR -> System.arraycopy(x, xo, y, yo, len);
            case TANH -> { for (int i = 0; i < len; i++) y[yo + i] = Math.tanh(x[xo + i]); }
            case SIGMOID -> { for (int i = 0; i < len; i++) y[yo + i] = sigmoid(x[xo + i]); }
            case HARD_SIGMOID_SLOPE_0_2 -> { for (int i = 0; i < len; i++) y[yo + i] = Math.max(0, Math.min(1, 0.2 * x[xo + i] + 0.5)); }
            case HARD_SIGMOID_RELU6 -> { for (int i = 0; i < len; i++) y[yo + i] = Math.max(0, Math.min(6, x[xo + i] + 3)) / 6; }
            case RELU -> { for (int i = 0; i < len; i++) y[yo + i] = Math.max(0, x[xo + i]); }
            case SOFTMAX -> {
                double max = Double.NEGATIVE_INFINITY;
                for (int i = 0; i < len; i++) max = Math.max(max, x[xo + i]);
                double s = 0;
                for (int i = 0; i < len; i++) { y[yo + i] = Math.exp(x[xo + i] - max); s += y[yo + i]; }
                for (int i = 0; i < len; i++) y[yo + i] /= s;
            }
            default -> throw new UnsupportedOperationException("training with activation " + a + " is not supported yet");
        }
    }

    public static void backward(Activation a, double[] x, int xo, double[] y, int yo, double[] dy, int dyo,
                                double[] dx, int dxo, int len) {
        switch (a) {
            case LINEAR -> { for (int i = 0; i < len; i++) dx[dxo + i] += dy[dyo + i]; }
            case TANH -> { for (int i = 0; i < len; i++) { double v = y[yo + i]; dx[dxo + i] += dy[dyo + i] * (1 - v * v); } }
            case SIGMOID -> { for (int i = 0; i < len; i++) { double v = y[yo + i]; dx[dxo + i] += dy[dyo + i] * v * (1 - v); } }
            case HARD_SIGMOID_SLOPE_0_2 -> {
                for (int i = 0; i < len; i++) { double u = 0.2 * x[xo + i] + 0.5; if (u > 0 && u < 1) dx[dxo + i] += 0.2 * dy[dyo + i]; }
            }
            case HARD_SIGMOID_RELU6 -> {
                for (int i = 0; i < len; i++) { double u = x[xo + i] + 3; if (u > 0 && u < 6) dx[dxo + i] += dy[dyo + i] / 6; }
            }
            case RELU -> { for (int i = 0; i < len; i++) if (x[xo + i] > 0) dx[dxo + i] += dy[dyo + i]; }
            case SOFTMAX -> {
                double dot = 0;
                for (int i = 0; i < len; i++) dot += dy[dyo + i] * y[yo + i];
                for (int i = 0; i < len; i++) dx[dxo + i] += y[yo + i] * (dy[dyo + i] - dot);
            }
            default -> throw new UnsupportedOperationException("training with activation " + a + " is not supported yet");
        }
    }

    static double sigmoid(double x) {
        if (x >= 0) return 1.0 / (1.0 + Math.exp(-x));
        double e = Math.exp(x);
        return e / (1.0 + e);
    }
}

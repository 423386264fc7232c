package io.jkeras.train;

import io.jkeras.kernels.Activation;

import java.util.Arrays;

/**
 * The engine's activations in double precision with their derivatives, for training. Each works
 * on one row {@code [off, off+len)} (the last axis), like {@link Activation#apply}: {@link #forward}
 * writes {@code y = f(x)}; {@link #backward} adds {@code dL/dx} to {@code dx} given {@code x},
 * {@code y} and {@code dL/dy}. GLU reads a row of {@code len} and writes one of {@code len/2}.
 *
 * <p>Derivatives follow the gradients TensorFlow computes for Keras 3's definitions
 * ({@code keras/src/backend/tensorflow/nn.py}), including at kinks:
 * <ul>
 * <li>{@code tf.nn.relu}/{@code relu6} pass the gradient only strictly inside (relu'(0) = 0,
 * relu6'(6) = 0; so hard_sigmoid = relu6(x+3)/6 has derivative 0 at x = ±3);
 * <li>{@code tf.nn.leaky_relu}: slope at x ≤ 0 (leaky_relu'(0) = 0.2); elu and selu use their
 * output ({@code y < 0}), so the derivative at 0 is the right-hand one;
 * <li>{@code tf.clip_by_value} (hard_tanh, and the Keras 1/2 hard_sigmoid clip(0.2x+0.5, 0, 1))
 * passes the gradient at the bounds; celu = max(x,0) + expm1(min(x,0)) gets both branches at
 * 0 (celu'(0) = 2, as TF's Maximum/Minimum gradients give it);
 * <li>{@code tf.where} branches (hard_shrink, soft_shrink, sparse_plus, sparse_sigmoid) take the
 * derivative of the branch selected at the point;
 * <li>sparsemax: Keras' own formula, tau = (Σ_{j∈S} S_j − 1)/k over the support S (S_j the
 * cumulative sums of the descending sort), differentiated as written (support fixed), with
 * y = max(x − tau, 0) passing the gradient where x − tau ≥ 0.
 * </ul>
 */
public final class DActivation {
    private DActivation() {}

    private static final double SELU_SCALE = 1.0507009873554804934193349852946;
    private static final double SELU_ALPHA = 1.6732632423543772848170429916717;
    private static final double INV_SQRT2 = 0.7071067811865476;
    private static final double INV_SQRT_2PI = 0.3989422804014327;

    /** Width of the output row for an input row of {@code len} (GLU halves it). */
    public static int outputWidth(Activation a, int len) { return a.outputWidth(len); }

    public static void forward(Activation a, double[] x, int xo, double[] y, int yo, int len) {
        switch (a) {
            case SOFTMAX -> softmax(x, xo, y, yo, len);
            case LOG_SOFTMAX -> {
                if (len == 0) return;
                double max = Double.NEGATIVE_INFINITY;
                for (int i = 0; i < len; i++) max = Math.max(max, x[xo + i]);
                double s = 0;
                for (int i = 0; i < len; i++) s += Math.exp(x[xo + i] - max);
                double lse = max + Math.log(s);
                for (int i = 0; i < len; i++) y[yo + i] = x[xo + i] - lse;
            }
            case SPARSEMAX -> {
                if (len == 0) return;
                Sparse s = sparse(x, xo, len);
                for (int i = 0; i < len; i++) y[yo + i] = Math.max(x[xo + i] - s.tau, 0.0);
            }
            case GLU -> {
                int h = len / 2;
                for (int i = 0; i < h; i++) y[yo + i] = x[xo + i] * sigmoid(x[xo + h + i]);
            }
            default -> { for (int i = 0; i < len; i++) y[yo + i] = f(a, x[xo + i]); }
        }
    }

    public static void backward(Activation a, double[] x, int xo, double[] y, int yo, double[] dy, int dyo,
                                double[] dx, int dxo, int len) {
        switch (a) {
            case SOFTMAX -> {
                double dot = 0;
                for (int i = 0; i < len; i++) dot += dy[dyo + i] * y[yo + i];
                for (int i = 0; i < len; i++) dx[dxo + i] += y[yo + i] * (dy[dyo + i] - dot);
            }
            case LOG_SOFTMAX -> {
                double s = 0;
                for (int i = 0; i < len; i++) s += dy[dyo + i];
                for (int i = 0; i < len; i++) dx[dxo + i] += dy[dyo + i] - Math.exp(y[yo + i]) * s;
            }
            case SPARSEMAX -> {
                if (len == 0) return;
                Sparse s = sparse(x, xo, len);
                double g = 0;
                boolean[] active = new boolean[len];
                for (int i = 0; i < len; i++) {
                    active[i] = x[xo + i] - s.tau >= 0;
                    if (active[i]) { g += dy[dyo + i]; dx[dxo + i] += dy[dyo + i]; }
                }
                // dtau/dz_(i) = |{j in S : j >= i}| / k for the i-th largest (1-based, ties by index)
                int later = 0;
                for (int j = len; j >= 1; j--) {
                    if (s.support[j - 1]) later++;
                    dx[dxo + s.order[j - 1]] -= g * later / s.k;
                }
            }
            case GLU -> {
                int h = len / 2;
                for (int i = 0; i < h; i++) {
                    double sg = sigmoid(x[xo + h + i]);
                    double d = dy[dyo + i];
                    dx[dxo + i] += d * sg;
                    dx[dxo + h + i] += d * x[xo + i] * sg * (1 - sg);
                }
            }
            default -> { for (int i = 0; i < len; i++) dx[dxo + i] += dy[dyo + i] * df(a, x[xo + i], y[yo + i]); }
        }
    }

    /** The element-wise activations. */
    static double f(Activation a, double x) {
        return switch (a) {
            case LINEAR -> x;
            case TANH -> Math.tanh(x);
            case SIGMOID -> sigmoid(x);
            case HARD_SIGMOID_SLOPE_0_2 -> Math.max(0, Math.min(1, 0.2 * x + 0.5));
            case HARD_SIGMOID_RELU6 -> hardSigmoid6(x);
            case HARD_SILU -> x * hardSigmoid6(x);
            case RELU -> x > 0 ? x : 0.0;
            case RELU6 -> x > 0 ? Math.min(x, 6.0) : 0.0;
            case LEAKY_RELU -> x >= 0 ? x : 0.2 * x;
            case ELU -> x > 0 ? x : Math.expm1(x);
            case SELU -> x > 0 ? SELU_SCALE * x : SELU_SCALE * SELU_ALPHA * Math.expm1(x);
            case CELU -> Math.max(0.0, x) + Math.min(0.0, Math.expm1(x));
            case SOFTPLUS -> softplus(x);
            case SOFTSIGN -> x / (1.0 + Math.abs(x));
            case EXPONENTIAL -> Math.exp(x);
            case SILU -> x * sigmoid(x);
            case GELU -> 0.5 * x * erfc(-x * INV_SQRT2);
            case MISH -> x * Math.tanh(softplus(x));
            case LOG_SIGMOID -> -softplus(-x);
            case TANH_SHRINK -> x - Math.tanh(x);
            case HARD_TANH -> Math.max(-1.0, Math.min(1.0, x));
            case HARD_SHRINK -> Math.abs(x) > 0.5 ? x : 0.0;
            case SOFT_SHRINK -> x > 0.5 ? x - 0.5 : (x < -0.5 ? x + 0.5 : 0.0);
            case SPARSE_PLUS -> x <= -1 ? 0.0 : (x >= 1 ? x : (x + 1) * (x + 1) / 4.0);
            case SPARSE_SIGMOID -> x <= -1 ? 0.0 : (x >= 1 ? 1.0 : 0.5 * (x + 1));
            case SQUAREPLUS -> (x + Math.sqrt(x * x + 4.0)) / 2.0;
            default -> throw new IllegalArgumentException(a + " is row-wise");
        };
    }

    /** The derivative of an element-wise activation at x (y = f(x)), with TensorFlow's choice at kinks. */
    static double df(Activation a, double x, double y) {
        return switch (a) {
            case LINEAR -> 1.0;
            case TANH -> 1 - y * y;
            case SIGMOID -> y * (1 - y);
            case HARD_SIGMOID_SLOPE_0_2 -> { double u = 0.2 * x + 0.5; yield u >= 0 && u <= 1 ? 0.2 : 0.0; }
            case HARD_SIGMOID_RELU6 -> { double u = x + 3; yield u > 0 && u < 6 ? 1.0 / 6 : 0.0; }
            case HARD_SILU -> { double u = x + 3; yield hardSigmoid6(x) + (u > 0 && u < 6 ? x / 6 : 0.0); }
            case RELU -> x > 0 ? 1.0 : 0.0;
            case RELU6 -> x > 0 && x < 6 ? 1.0 : 0.0;
            case LEAKY_RELU -> x > 0 ? 1.0 : 0.2;
            case ELU -> x < 0 ? Math.exp(x) : 1.0;
            case SELU -> x < 0 ? SELU_SCALE * SELU_ALPHA * Math.exp(x) : SELU_SCALE;
            case CELU -> (x >= 0 ? 1.0 : 0.0) + (x <= 0 ? Math.exp(x) : 0.0);
            case SOFTPLUS -> sigmoid(x);
            case SOFTSIGN -> { double d = 1 + Math.abs(x); yield 1 / (d * d); }
            case EXPONENTIAL -> y;
            case SILU -> { double s = sigmoid(x); yield s * (1 + x * (1 - s)); }
            case GELU -> 0.5 * erfc(-x * INV_SQRT2) + x * INV_SQRT_2PI * Math.exp(-0.5 * x * x);
            case MISH -> { double th = Math.tanh(softplus(x)); yield th + x * (1 - th * th) * sigmoid(x); }
            case LOG_SIGMOID -> sigmoid(-x);
            case TANH_SHRINK -> { double th = Math.tanh(x); yield th * th; }
            case HARD_TANH -> x >= -1 && x <= 1 ? 1.0 : 0.0;
            case HARD_SHRINK, SOFT_SHRINK -> Math.abs(x) > 0.5 ? 1.0 : 0.0;
            case SPARSE_PLUS -> x <= -1 ? 0.0 : (x >= 1 ? 1.0 : (x + 1) / 2.0);
            case SPARSE_SIGMOID -> x <= -1 || x >= 1 ? 0.0 : 0.5;
            case SQUAREPLUS -> (1 + x / Math.sqrt(x * x + 4.0)) / 2.0;
            default -> throw new IllegalArgumentException(a + " is row-wise");
        };
    }

    private static void softmax(double[] x, int xo, double[] y, int yo, int len) {
        if (len == 0) return;
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < len; i++) max = Math.max(max, x[xo + i]);
        double s = 0;
        for (int i = 0; i < len; i++) { y[yo + i] = Math.exp(x[xo + i] - max); s += y[yo + i]; }
        for (int i = 0; i < len; i++) y[yo + i] /= s;
    }

    /** Keras' sparsemax threshold: order (descending, ties by index), support flags by rank, k, tau. */
    private record Sparse(int[] order, boolean[] support, int k, double tau) {}

    private static Sparse sparse(double[] x, int xo, int len) {
        Integer[] idx = new Integer[len];
        for (int i = 0; i < len; i++) idx[i] = i;
        Arrays.sort(idx, (p, q) -> {
            int c = Double.compare(x[xo + q], x[xo + p]);
            return c != 0 ? c : Integer.compare(p, q);
        });
        int[] order = new int[len];
        boolean[] support = new boolean[len];
        double cum = 0, cumSum = 0;
        int k = 0;
        for (int j = 1; j <= len; j++) {
            order[j - 1] = idx[j - 1];
            double zj = x[xo + order[j - 1]];
            cum += zj;
            if (zj - (cum - 1) / j > 0) {
                support[j - 1] = true;
                k++;
                cumSum += cum;
            }
        }
        return new Sparse(order, support, k, (cumSum - 1) / k);
    }

    static double sigmoid(double x) { return Activation.sigmoid(x); }

    static double softplus(double x) { return Activation.softplus(x); }

    static double hardSigmoid6(double x) { return Activation.hardSigmoid6(x); }

    /** Complementary error function in double (shared with the engine's GELU, {@link io.jkeras.kernels.Special}). */
    static double erfc(double x) { return io.jkeras.kernels.Special.erfc(x); }
}

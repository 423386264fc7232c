package io.jkeras.kernels;

import java.util.Arrays;

/**
 * The engine's activation functions. Each one applies in place to one row (the last axis) of a
 * tensor; the element-wise ones define {@link #f(float)}, the row-wise ones (softmax, log_softmax,
 * sparsemax, glu) only {@link #apply(float[], int, int)}. Arithmetic is done in double and rounded
 * once to float, so every function is within one float ulp of its exact value.
 *
 * <p>The two hard sigmoids are different functions, not versions of one: which one a Keras file
 * means is decided where the file is read, never here.
 */
public enum Activation {
    LINEAR,
    TANH,
    SIGMOID,
    /** clip(0.2·x + 0.5, 0, 1): Keras 1, Keras 2 and tf.keras 2.x. */
    HARD_SIGMOID_SLOPE_0_2,
    /** relu6(x + 3) / 6 = clip(x/6 + 0.5, 0, 1): Keras 3. */
    HARD_SIGMOID_RELU6,
    /** x · relu6(x + 3) / 6 (Keras 3 hard_silu / hard_swish). */
    HARD_SILU,
    RELU,
    RELU6,
    /** Keras 3 leaky_relu with its default negative_slope 0.2. */
    LEAKY_RELU,
    ELU,
    SELU,
    CELU,
    SOFTPLUS,
    SOFTSIGN,
    EXPONENTIAL,
    SILU,
    /** Exact GELU, x · Φ(x) (Keras' default approximate=False). */
    GELU,
    MISH,
    LOG_SIGMOID,
    TANH_SHRINK,
    HARD_TANH,
    /** Keras 3 hard_shrink with its default threshold 0.5. */
    HARD_SHRINK,
    /** Keras 3 soft_shrink with its default threshold 0.5. */
    SOFT_SHRINK,
    SPARSE_PLUS,
    SPARSE_SIGMOID,
    /** Keras 3 squareplus with its default b = 4. */
    SQUAREPLUS,
    /** Row-wise: exp(x - max) / sum. */
    SOFTMAX,
    /** Row-wise: x - logsumexp(x). */
    LOG_SOFTMAX,
    /**
     * Sparsemax over the row, as Keras computes it on every backend: with z sorted descending,
     * cumulative sums S_j and support {j : z_j > (S_j - 1)/j} of size k,
     * tau = (sum of S_j over the support - 1) / k and y = max(x - tau, 0).
     */
    SPARSEMAX,
    /**
     * Gated linear unit over the row: the first half times the sigmoid of the second half. The
     * row shrinks to half its width: the result is written to the first half.
     */
    GLU;

    // One class with switches rather than a body per constant: each constant body is a class of
    // its own, and loading thirty of them is a measurable part of a model's first load.

    /** The function of one value (element-wise activations only). */
    public float f(float x) {
        switch (this) {
        case LINEAR: return x;
        case TANH: return (float) Math.tanh(x);
        case SIGMOID: return (float) sigmoid(x);
        case HARD_SIGMOID_SLOPE_0_2: return (float) Math.max(0.0, Math.min(1.0, 0.2 * x + 0.5));
        case HARD_SIGMOID_RELU6: return (float) hardSigmoid6(x);
        case HARD_SILU: return (float) (x * hardSigmoid6(x));
        case RELU: return x > 0f ? x : 0f;
        case RELU6: return x > 0f ? Math.min(x, 6f) : 0f;
        case LEAKY_RELU: return x >= 0f ? x : (float) (0.2 * x);
        case ELU: return x > 0f ? x : (float) Math.expm1(x);
        case SELU: {
            double scale = 1.0507009873554804934193349852946;
            double alpha = 1.6732632423543772848170429916717;
            return (float) (x > 0f ? scale * x : scale * alpha * Math.expm1(x));
        }
        case CELU: return (float) (Math.max(0.0, x) + Math.min(0.0, Math.expm1(x)));
        case SOFTPLUS: return (float) softplus(x);
        case SOFTSIGN: return (float) (x / (1.0 + Math.abs(x)));
        case EXPONENTIAL: return (float) Math.exp(x);
        case SILU: return (float) (x * sigmoid(x));
        case GELU: return (float) (0.5 * x * Special.erfc(-x / Math.sqrt(2.0)));
        case MISH: return (float) (x * Math.tanh(softplus(x)));
        case LOG_SIGMOID: return (float) -softplus(-(double) x);
        case TANH_SHRINK: return (float) (x - Math.tanh(x));
        case HARD_TANH: return Math.max(-1f, Math.min(1f, x));
        case HARD_SHRINK: return Math.abs(x) > 0.5f ? x : 0f;
        case SOFT_SHRINK: return x > 0.5f ? x - 0.5f : (x < -0.5f ? x + 0.5f : 0f);
        case SPARSE_PLUS: {
            if (x <= -1f) return 0f;
            if (x >= 1f) return x;
            double y = x + 1.0;
            return (float) (y * y / 4.0);
        }
        case SPARSE_SIGMOID: {
            if (x <= -1f) return 0f;
            if (x >= 1f) return 1f;
            return (float) (0.5 * (x + 1.0));
        }
        case SQUAREPLUS: return (float) ((x + Math.sqrt((double) x * x + 4.0)) / 2.0);
        default: throw RowWise.error(this);
        }
    }

    /** Applies the activation in place to {@code v[off .. off+len)}, one row of the last axis. */
    public void apply(float[] v, int off, int len) {
        switch (this) {
        case SOFTMAX: softmax(v, off, len); return;
        case LOG_SOFTMAX: logSoftmax(v, off, len); return;
        case SPARSEMAX: sparsemax(v, off, len); return;
        case GLU: glu(v, off, len); return;
        default: for (int i = off; i < off + len; i++) v[i] = f(v[i]);
        }
    }

    /**
     * This activation's code in the fused cell kernels ({@link CellKernels#TANH} …), or -1 when they
     * do not implement it. Here rather than in {@code CellKernels}, so that building a layer does not
     * load the kernels (the codes are compile-time constants).
     */
    public int cellCode() {
        if (this == LINEAR) return CellKernels.LINEAR;
        if (this == TANH) return CellKernels.TANH;
        if (this == SIGMOID) return CellKernels.SIGMOID;
        if (this == HARD_SIGMOID_SLOPE_0_2) return CellKernels.HARD_SIGMOID_0_2;
        if (this == HARD_SIGMOID_RELU6) return CellKernels.HARD_SIGMOID_RELU6;
        if (this == RELU) return CellKernels.RELU;
        return -1;
    }

    /** Width of a row after the activation: the input width except for GLU, which halves it. */
    public int outputWidth(int width) { return this == GLU ? width / 2 : width; }

    /** True when the result for an element depends on that element alone. */
    public boolean elementwise() { return !(this == SOFTMAX || this == LOG_SOFTMAX || this == SPARSEMAX || this == GLU);
            }

    /**
     * The error of {@link #f} on a row-wise activation; a class of its own, so that loading this enum does not load the
     * exception's class.
     */
    private static final class RowWise {
        static RuntimeException error(Activation a) {
            return new UnsupportedOperationException(a.name().toLowerCase(java.util.Locale.ROOT) + " is row-wise");
        }
    }

    private static void softmax(float[] v, int off, int len) {
        if (len == 0) return;
        double max = Double.NEGATIVE_INFINITY;
        for (int i = off; i < off + len; i++) max = Math.max(max, v[i]);
        double sum = 0;
        double[] e = new double[len];
        for (int i = 0; i < len; i++) { e[i] = Math.exp(v[off + i] - max); sum += e[i]; }
        for (int i = 0; i < len; i++) v[off + i] = (float) (e[i] / sum);
    }

    private static void logSoftmax(float[] v, int off, int len) {
        if (len == 0) return;
        double max = Double.NEGATIVE_INFINITY;
        for (int i = off; i < off + len; i++) max = Math.max(max, v[i]);
        double sum = 0;
        for (int i = off; i < off + len; i++) sum += Math.exp(v[i] - max);
        double lse = max + Math.log(sum);
        for (int i = off; i < off + len; i++) v[i] = (float) (v[i] - lse);
    }

    private static void sparsemax(float[] v, int off, int len) {
        if (len == 0) return;
        float[] s = new float[len];
        System.arraycopy(v, off, s, 0, len);
        Arrays.sort(s);
        float cum = 0f, cumSum = 0f;
        int k = 0;
        for (int j = 1; j <= len; j++) {
            float zj = s[len - j];
            cum += zj;
            if (zj - (cum - 1f) / j > 0f) { k++; cumSum += cum; }
        }
        float tau = (cumSum - 1f) / k;
        for (int i = off; i < off + len; i++) v[i] = Math.max(v[i] - tau, 0f);
    }

    private static void glu(float[] v, int off, int len) {
        int h = len / 2;
        for (int i = 0; i < h; i++) v[off + i] = (float) (v[off + i] * sigmoid(v[off + h + i]));
    }

    /** 1/(1+e^-x) in double, without overflow for large |x| (shared with the training forms). */
    public static double sigmoid(double x) {
        if (x >= 0) return 1.0 / (1.0 + Math.exp(-x));
        double e = Math.exp(x);
        return e / (1.0 + e);
    }

    /** log(1+e^x) in double, stable for large |x|. */
    public static double softplus(double x) {
        return Math.max(x, 0.0) + Math.log1p(Math.exp(-Math.abs(x)));
    }

    /** Keras 3's hard sigmoid relu6(x+3)/6 in double. */
    public static double hardSigmoid6(double x) {
        return Math.max(0.0, Math.min(6.0, x + 3.0)) / 6.0;
    }
}

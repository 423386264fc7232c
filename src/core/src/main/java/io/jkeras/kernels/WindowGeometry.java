package io.jkeras.kernels;

import java.util.Arrays;

/**
 * Where a window slides over 1, 2 or 3 spatial dimensions: per dimension the input size, the
 * window size, stride, dilation, the zeros padded before position 0, and the output size. Output
 * position {@code o}, window position {@code k} read input position {@code o·stride − padBefore +
 * k·dilation} (outside {@code [0, in)}: padding). Convolutions, pooling and transposed convolutions
 * ({@link #transposed}) all take one. Immutable.
 *
 * <p>Internally every geometry has three dimensions (d, h, w); a 1-D or 2-D geometry is the 3-D one
 * with leading dimensions of size 1, so the kernels run one loop nest for every rank.
 */
public final class WindowGeometry {
    /** How the input is padded: as TensorFlow's {@code VALID} and {@code SAME}, or Keras' {@code causal} (1-D). */
    public enum Padding { VALID, SAME, CAUSAL }

    /** Inner arrays are (d, h, w); a rank-r geometry uses the last r. */
    final int rank;
    final int[] in, window, stride, dilation, pad, out;
    final int inSize, outSize, windowSize;

    private WindowGeometry(int rank, int[] in, int[] window, int[] stride, int[] dilation, int[] pad, int[] out) {
        this.rank = rank;
        this.in = in;
        this.window = window;
        this.stride = stride;
        this.dilation = dilation;
        this.pad = pad;
        this.out = out;
        this.inSize = product(in, "input");
        this.outSize = product(out, "output");
        this.windowSize = product(window, "window");
    }

    /**
     * The geometry of a convolution or pooling over input sizes {@code in}. {@code SAME} pads as TensorFlow
     * does ({@code tensorflow/core/framework/kernel_shape_util.cc}, GetWindowedOutputSizeVerbose): the output has
     * {@code ceil(in / stride)} positions and the total padding {@code max((out − 1)·stride + span − in, 0)}
     * (span = {@code (window − 1)·dilation + 1}) puts its floor half before; {@code VALID} pads nothing and has
     * {@code floor((in − span) / stride) + 1} positions (0 when the input is shorter than the span);
     * {@code CAUSAL} pads {@code span − 1} before (Keras' Conv1D, keras/src/layers/convolutional/base_conv.py).
     */
    public static WindowGeometry of(int[] in, int[] window, int[] strides, int[] dilations, Padding padding) {
        int r = checkRank(in, window, strides, dilations);
        int[] pad = new int[r], out = new int[r];
        for (int i = 0; i < r; i++) {
            positive("input size", in[i], true);
            long span = span(window[i], dilations[i]);
            long o;
            long total;
            if (padding == Padding.VALID) {
                o = in[i] < span ? 0 : (in[i] - span) / strides[i] + 1;
                total = 0;
            } else if (padding == Padding.SAME) {
                o = ((long) in[i] + strides[i] - 1) / strides[i];
                total = Math.max((o - 1) * strides[i] + span - in[i], 0);
            } else {
                o = ((long) in[i] + strides[i] - 1) / strides[i];
                total = 2 * (span - 1);
            }
            out[i] = (int) o;
            pad[i] = (int) (total / 2);
        }
        return explicit(in, window, strides, dilations, pad, out);
    }

    /**
     * The forward convolution whose adjoint is Keras' transposed convolution of input sizes {@code in}:
     * its {@link #in} sizes are the transposed convolution's output sizes and its {@link #out} sizes are
     * {@code in}. Output sizes as Keras 3 computes them (keras/src/backend/common/backend_utils.py:272-297,
     * {@code _get_output_shape_given_tf_padding}; Keras 2's {@code deconv_output_length} gives the same):
     * with span = {@code (window − 1)·dilation + 1}, {@code VALID} gives {@code (in − 1)·stride + span +
     * outputPadding} with outputPadding defaulting to {@code max(span, stride) − span}; {@code SAME} gives
     * {@code in·stride} without outputPadding and {@code (in − 1)·stride + span % 2 + outputPadding} with it.
     * The zeros before position 0 are the forward convolution's TensorFlow padding for those sizes
     * ({@code tf.nn.conv_transpose}, which the TensorFlow backend calls: keras/src/backend/tensorflow/nn.py:1181):
     * floor half of {@code max((in − 1)·stride + span − outSize, 0)} for {@code SAME}, none for {@code VALID}.
     *
     * @param outputPadding per dimension, or null for Keras' {@code output_padding=None}
     */
    public static WindowGeometry transposed(int[] in, int[] window, int[] strides, int[] dilations, Padding padding,
                                            int[] outputPadding) {
        int r = checkRank(in, window, strides, dilations);
        if (padding == Padding.CAUSAL) throw new IllegalArgumentException("transposed convolutions have no causal "
                + "padding; allowed: VALID, SAME");
        if (outputPadding != null && outputPadding.length != r) {
            throw new IllegalArgumentException("output padding " + Arrays.toString(outputPadding) + " for rank " + r);
        }
        int[] fwdIn = new int[r], pad = new int[r];
        for (int i = 0; i < r; i++) {
            positive("input size", in[i], true);
            long span = span(window[i], dilations[i]);
            long s = strides[i];
            long o;
            if (outputPadding != null && outputPadding[i] < 0) {
                throw new IllegalArgumentException("negative output padding " + Arrays.toString(outputPadding));
            }
            if (padding == Padding.VALID) {
                long op = outputPadding == null ? Math.max(span, s) - span : outputPadding[i];
                o = (in[i] - 1L) * s + span + op;
            } else {
                o = outputPadding == null ? in[i] * s : (in[i] - 1L) * s + span % 2 + outputPadding[i];
            }
            if (in[i] == 0) o = 0;
            if (o > Integer.MAX_VALUE) throw new IllegalArgumentException("transposed output size " + o
                    + " exceeds " + Integer.MAX_VALUE);
            fwdIn[i] = (int) Math.max(o, 0);
            pad[i] = padding == Padding.SAME ? (int) (Math.max((in[i] - 1L) * s + span - o, 0) / 2) : 0;
        }
        return explicit(fwdIn, window, strides, dilations, pad, in);
    }

    /** A geometry with explicit padding before and output sizes. */
    public static WindowGeometry explicit(int[] in, int[] window, int[] strides, int[] dilations, int[] padBefore,
                                          int[] out) {
        int r = checkRank(in, window, strides, dilations);
        if (padBefore.length != r || out.length != r) throw new IllegalArgumentException("rank " + r
                + " geometry with padding " + Arrays.toString(padBefore) + " and output " + Arrays.toString(out));
        for (int i = 0; i < r; i++) {
            positive("input size", in[i], true);
            positive("output size", out[i], true);
            if (padBefore[i] < 0) throw new IllegalArgumentException("negative padding " + Arrays.toString(padBefore));
        }
        return new WindowGeometry(r, lift(in), lift(window), lift(strides), lift(dilations), lift0(padBefore),
                lift(out));
    }

    private static int checkRank(int[] in, int[] window, int[] strides, int[] dilations) {
        int r = in.length;
        if (r < 1 || r > 3 || window.length != r || strides.length != r || dilations.length != r) {
            throw new IllegalArgumentException("window geometry needs 1 to 3 dimensions, the same for input "
                    + Arrays.toString(in) + ", window " + Arrays.toString(window) + ", strides "
                    + Arrays.toString(strides) + " and dilations " + Arrays.toString(dilations));
        }
        for (int i = 0; i < r; i++) {
            positive("window size", window[i], false);
            positive("stride", strides[i], false);
            positive("dilation", dilations[i], false);
            span(window[i], dilations[i]);
        }
        return r;
    }

    private static long span(int window, int dilation) {
        long span = (long) (window - 1) * dilation + 1;
        if (span > Integer.MAX_VALUE) throw new IllegalArgumentException("dilated window span " + span + " exceeds "
                + Integer.MAX_VALUE);
        return span;
    }

    private static void positive(String what, int v, boolean zeroAllowed) {
        if (v < 0 || (v == 0 && !zeroAllowed)) throw new IllegalArgumentException(what + " " + v
                + (zeroAllowed ? " is negative" : " is not positive"));
    }

    private static int[] lift(int[] a) {
        int[] r = {1, 1, 1};
        System.arraycopy(a, 0, r, 3 - a.length, a.length);
        return r;
    }

    private static int[] lift0(int[] a) {
        int[] r = new int[3];
        System.arraycopy(a, 0, r, 3 - a.length, a.length);
        return r;
    }

    private static int product(int[] a, String what) {
        long p = (long) a[0] * a[1] * a[2];
        if (p > Integer.MAX_VALUE - 8) throw new IllegalArgumentException(what + " of " + p
                + " positions exceeds the largest array");
        return (int) p;
    }

    private int[] view(int[] a) { return Arrays.copyOfRange(a, 3 - rank, 3); }

    /** Number of spatial dimensions (1 to 3). */
    public int rank() { return rank; }

    /** Input sizes per spatial dimension. */
    public int[] inputShape() { return view(in); }

    /** Output sizes per spatial dimension. */
    public int[] outputShape() { return view(out); }

    /** Zeros padded before position 0, per spatial dimension. */
    public int[] padBefore() { return view(pad); }

    /** Input positions: the product of {@link #inputShape()}. */
    public int inputPositions() { return inSize; }

    /** Output positions: the product of {@link #outputShape()}. */
    public int outputPositions() { return outSize; }

    /** Window positions: the product of the window sizes. */
    public int windowPositions() { return windowSize; }

    /** The 1×…×1 window with stride 1 and no padding: every output position reads its own input position. */
    boolean pointwise() {
        for (int i = 0; i < 3; i++) {
            if (window[i] != 1 || stride[i] != 1 || pad[i] != 0 || in[i] != out[i]) return false;
        }
        return true;
    }

    /**
     * Input position read by output position {@code o} (flat, row-major over the output sizes) at window position
     * {@code k} (flat over the window sizes), or -1 when it falls in the padding.
     */
    public int inputAt(int o, int k) {
        int ow = o % out[2], oh = (o / out[2]) % out[1], od = o / (out[2] * out[1]);
        int kw = k % window[2], kh = (k / window[2]) % window[1], kd = k / (window[2] * window[1]);
        int pd = od * stride[0] - pad[0] + kd * dilation[0];
        int ph = oh * stride[1] - pad[1] + kh * dilation[1];
        int pw = ow * stride[2] - pad[2] + kw * dilation[2];
        if (pd < 0 || pd >= in[0] || ph < 0 || ph >= in[1] || pw < 0 || pw >= in[2]) return -1;
        return (pd * in[1] + ph) * in[2] + pw;
    }

    /** Per-thread scratch for {@link #inputsOf}, so that the kernels allocate nothing per call. */
    private static final ThreadLocal<int[]> INDEX = ThreadLocal.withInitial(() -> new int[0]);

    /**
     * An array of at least {@link #windowPositions} ints for {@link #inputsOf}, the calling thread's own (a kernel
     * holding it must not call another kernel that takes it too).
     */
    int[] indexArray() {
        int[] a = INDEX.get();
        if (a.length < windowSize) {
            a = new int[windowSize];
            INDEX.set(a);
        }
        return a;
    }

    /**
     * Fills {@code idx[0..windowPositions)} with {@link #inputAt}{@code (o, k)} for every window position k;
     * the loop nest of every fast kernel.
     */
    void inputsOf(int o, int[] idx) {
        int ow = o % out[2], oh = (o / out[2]) % out[1], od = o / (out[2] * out[1]);
        int k = 0;
        for (int kd = 0; kd < window[0]; kd++) {
            int pd = od * stride[0] - pad[0] + kd * dilation[0];
            boolean okD = pd >= 0 && pd < in[0];
            for (int kh = 0; kh < window[1]; kh++) {
                int ph = oh * stride[1] - pad[1] + kh * dilation[1];
                boolean okH = okD && ph >= 0 && ph < in[1];
                int base = (pd * in[1] + ph) * in[2];
                for (int kw = 0; kw < window[2]; kw++) {
                    int pw = ow * stride[2] - pad[2] + kw * dilation[2];
                    idx[k++] = okH && pw >= 0 && pw < in[2] ? base + pw : -1;
                }
            }
        }
    }

    @Override
    public String toString() {
        return "in " + Arrays.toString(view(in)) + " window " + Arrays.toString(view(window)) + " strides "
                + Arrays.toString(view(stride)) + " dilations " + Arrays.toString(view(dilation)) + " pad before "
                + Arrays.toString(view(pad)) + " out " + Arrays.toString(view(out));
    }
}

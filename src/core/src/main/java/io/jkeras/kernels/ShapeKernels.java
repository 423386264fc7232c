package io.jkeras.kernels;

import java.util.Arrays;

/**
 * Padding, cropping and upsampling of 1, 2 or 3 spatial dimensions on channels_last data, x {@code (B, S_in, C)}
 * → y {@code (B, S_out, C)}, output-argument style; sizes per spatial dimension (1 to 3 of them):
 * <ul>
 *   <li>{@link #zeroPad}: {@code S_out = before + S_in + after}, zeros outside (ZeroPadding1D/2D/3D);</li>
 *   <li>{@link #crop}: {@code S_out = S_in − before − after} (Cropping1D/2D/3D);</li>
 *   <li>{@link #upsampleNearest}: each position repeated {@code factor} times (UpSampling1D/2D/3D and
 *       UpSampling2D's {@code nearest}: keras/src/layers/reshaping/up_sampling2d.py:150-152,
 *       {@code ops.repeat});</li>
 *   <li>{@link #upsampleBilinear}: UpSampling2D's {@code bilinear} (keras/src/layers/reshaping/up_sampling2d.py:
 *       161-170, {@code ops.image.resize}, which runs {@code tf.image.resize} without antialiasing,
 *       keras/src/backend/tensorflow/image.py:331): half-pixel centres;</li>
 *   <li>{@link #transpose}: channels_first ↔ channels_last.</li>
 * </ul>
 * Pad, crop and nearest upsampling are one gather: output coordinate o of a dimension reads input coordinate
 * {@code src(o)} (or zero), and the fast path copies whole rows of channels. The {@code …Reference} methods
 * compute every element from its coordinates.
 */
public final class ShapeKernels {
    private ShapeKernels() {}

    /** Zero padding; {@code before}, {@code after} per spatial dimension, not negative. */
    public static void zeroPad(int batch, int[] in, int channels, int[] before, int[] after,
                               float[] x, int xOff, float[] y, int yOff) {
        gather(batch, in, padded(in, before, after), channels, (d, o) -> o - before[d], x, xOff, y, yOff, false);
    }

    /** Oracle of {@link #zeroPad}. */
    public static void zeroPadReference(int batch, int[] in, int channels, int[] before, int[] after,
                                        float[] x, int xOff, float[] y, int yOff) {
        gatherReference(batch, in, padded(in, before, after), channels, (d, o) -> o - before[d], x, xOff, y, yOff);
    }

    /** Cropping; {@code before + after} less than the input size in every dimension. */
    public static void crop(int batch, int[] in, int channels, int[] before, int[] after,
                            float[] x, int xOff, float[] y, int yOff) {
        gather(batch, in, cropped(in, before, after), channels, (d, o) -> o + before[d], x, xOff, y, yOff, false);
    }

    /** Oracle of {@link #crop}. */
    public static void cropReference(int batch, int[] in, int channels, int[] before, int[] after,
                                     float[] x, int xOff, float[] y, int yOff) {
        gatherReference(batch, in, cropped(in, before, after), channels, (d, o) -> o + before[d], x, xOff, y, yOff);
    }

    private static int[] padded(int[] in, int[] before, int[] after) {
        int[] out = new int[in.length];
        for (int i = 0; i < in.length; i++) {
            if (before[i] < 0 || after[i] < 0) throw new IllegalArgumentException("negative padding "
                    + Arrays.toString(before) + " / " + Arrays.toString(after));
            out[i] = Math.addExact(in[i], before[i] + after[i]);
        }
        return out;
    }

    private static int[] cropped(int[] in, int[] before, int[] after) {
        int[] out = new int[in.length];
        for (int i = 0; i < in.length; i++) {
            out[i] = in[i] - before[i] - after[i];
            if (before[i] < 0 || after[i] < 0 || out[i] < 0) throw new IllegalArgumentException("cropping "
                    + Arrays.toString(before) + " / " + Arrays.toString(after) + " does not fit input "
                    + Arrays.toString(in));
        }
        return out;
    }

    /** Nearest-neighbour upsampling by positive integer {@code factors}: {@code S_out = S_in · factor}. */
    public static void upsampleNearest(int batch, int[] in, int channels, int[] factors,
                                       float[] x, int xOff, float[] y, int yOff) {
        gather(batch, in, scaled(in, factors), channels, (d, o) -> o / factors[d], x, xOff, y, yOff, false);
    }

    /** Oracle of {@link #upsampleNearest}. */
    public static void upsampleNearestReference(int batch, int[] in, int channels, int[] factors,
                                                float[] x, int xOff, float[] y, int yOff) {
        gatherReference(batch, in, scaled(in, factors), channels, (d, o) -> o / factors[d], x, xOff, y, yOff);
    }

    private static int[] scaled(int[] in, int[] factors) {
        int[] out = new int[in.length];
        for (int i = 0; i < in.length; i++) {
            if (factors[i] <= 0) throw new IllegalArgumentException("upsampling factors " + Arrays.toString(factors)
                    + " must be positive");
            out[i] = Math.multiplyExact(in[i], factors[i]);
        }
        return out;
    }

    /** Gradient of {@link #zeroPad}: {@code dx += dy} cropped back to the input, accumulated. */
    public static void zeroPadBackward(int batch, int[] in, int channels, int[] before, int[] after,
                                       float[] dy, int dyOff, float[] dx, int dxOff) {
        gather(batch, in, padded(in, before, after), channels, (d, o) -> o - before[d], dx, dxOff, dy, dyOff, true);
    }

    /** Gradient of {@link #crop}: {@code dy} added into dx where the crop took it, accumulated. */
    public static void cropBackward(int batch, int[] in, int channels, int[] before, int[] after,
                                    float[] dy, int dyOff, float[] dx, int dxOff) {
        gather(batch, in, cropped(in, before, after), channels, (d, o) -> o + before[d], dx, dxOff, dy, dyOff, true);
    }

    /** Gradient of {@link #upsampleNearest}: each input position gets the sum of its copies' gradients, accumulated. */
    public static void upsampleNearestBackward(int batch, int[] in, int channels, int[] factors,
                                               float[] dy, int dyOff, float[] dx, int dxOff) {
        gather(batch, in, scaled(in, factors), channels, (d, o) -> o / factors[d], dx, dxOff, dy, dyOff, true);
    }

    /** Source coordinate of output coordinate {@code o} in dimension {@code d}; out of range reads zero. */
    interface SourceMap {
        int source(int d, int o);
    }

    /** Lifts a 1-3 dimensional shape to (d, h, w). */
    private static int[] lift(int[] a) {
        if (a.length < 1 || a.length > 3) throw new IllegalArgumentException("1 to 3 spatial dimensions, got "
                + Arrays.toString(a));
        int[] r = {1, 1, 1};
        System.arraycopy(a, 0, r, 3 - a.length, a.length);
        return r;
    }

    /**
     * {@code y[o] = x[src(o)]} (zero outside), or with {@code backward} its adjoint {@code x[src(o)] += y[o]}
     * (x is then the input's gradient, y the output's).
     */
    private static void gather(int batch, int[] inShape, int[] outShape, int channels, SourceMap map,
                               float[] x, int xOff, float[] y, int yOff, boolean backward) {
        int[] in = lift(inShape), out = lift(outShape);
        int shift = 3 - inShape.length;
        int inSize = in[0] * in[1] * in[2];
        int row = out[2] * channels;
        for (int s = 0; s < batch; s++) {
            int xs = xOff + s * inSize * channels;
            int y0 = yOff + s * out[0] * out[1] * row;
            for (int od = 0; od < out[0]; od++) {
                int pd = shift > 0 ? od : map.source(0, od);
                for (int oh = 0; oh < out[1]; oh++) {
                    int ph = shift > 1 ? oh : map.source(1 - shift, oh);
                    int yr = y0 + (od * out[1] + oh) * row;
                    if (pd < 0 || pd >= in[0] || ph < 0 || ph >= in[1]) {
                        if (!backward) Arrays.fill(y, yr, yr + row, 0f);
                        continue;
                    }
                    int xr = xs + (pd * in[1] + ph) * in[2] * channels;
                    for (int ow = 0; ow < out[2]; ow++) {
                        int pw = map.source(inShape.length - 1, ow);
                        int dst = yr + ow * channels;
                        boolean inside = pw >= 0 && pw < in[2];
                        if (backward) {
                            if (inside) Gemm.axpy(channels, 1f, y, dst, x, xr + pw * channels);
                        } else if (inside) {
                            System.arraycopy(x, xr + pw * channels, y, dst, channels);
                        } else {
                            Arrays.fill(y, dst, dst + channels, 0f);
                        }
                    }
                }
            }
        }
    }

    private static void gatherReference(int batch, int[] in, int[] out, int channels, SourceMap map,
                                        float[] x, int xOff, float[] y, int yOff) {
        int r = in.length;
        int outSize = 1, inSize = 1;
        for (int i = 0; i < r; i++) {
            outSize *= out[i];
            inSize *= in[i];
        }
        int[] coord = new int[r];
        for (int s = 0; s < batch; s++) {
            for (int o = 0; o < outSize; o++) {
                int rest = o, src = 0, stride = 1;
                boolean inside = true;
                for (int d = r - 1; d >= 0; d--) {
                    coord[d] = rest % out[d];
                    rest /= out[d];
                    int p = map.source(d, coord[d]);
                    inside &= p >= 0 && p < in[d];
                    src += p * stride;
                    stride *= in[d];
                }
                for (int c = 0; c < channels; c++) {
                    y[yOff + (s * outSize + o) * channels + c] =
                            inside ? x[xOff + (s * inSize + src) * channels + c] : 0f;
                }
            }
        }
    }

    // ---------------------------------------------------------------- layout

    /**
     * {@code y[b, j, i] = x[b, i, j]} for x {@code (B, R, C)}: channels_first {@code (B, C, P)} to channels_last
     * {@code (B, P, C)} with {@code R = C_channels, C = P}, and back with the roles swapped; done once at a
     * layer's boundary so that every kernel here reads channels_last. y must not overlap x.
     */
    public static void transpose(int batch, int rows, int cols, float[] x, int xOff, float[] y, int yOff) {
        ConvolutionKernels.span("x", x, xOff, (long) batch * rows * cols);
        ConvolutionKernels.span("y", y, yOff, (long) batch * rows * cols);
        for (int s = 0; s < batch; s++) {
            int base = s * rows * cols;
            for (int i = 0; i < rows; i++) {
                int xr = xOff + base + i * cols;
                for (int j = 0; j < cols; j++) y[yOff + base + j * rows + i] = x[xr + j];
            }
        }
    }

    // ---------------------------------------------------------------- bilinear

    /**
     * UpSampling2D's bilinear interpolation, x {@code (B, H, W, C)} → y {@code (B, H·fh, W·fw, C)}, as TensorFlow's
     * resize_bilinear with half-pixel centres computes it ({@code tensorflow/core/kernels/image/resize_bilinear_op.cc},
     * compute_interpolation_weights): output row i reads {@code in = (i + 0.5)/fh − 0.5} in float, rows
     * {@code max(floor(in), 0)} and {@code min(ceil(in), H − 1)} with weight {@code in − floor(in)}; then
     * {@code top + (bottom − top)·yLerp} of the two horizontal interpolations.
     */
    public static void upsampleBilinear(int batch, int height, int width, int channels, int fh, int fw,
                                        float[] x, int xOff, float[] y, int yOff) {
        int oh = Math.multiplyExact(height, fh), ow = Math.multiplyExact(width, fw);
        int[] y0 = new int[oh], y1 = new int[oh], x0 = new int[ow], x1 = new int[ow];
        float[] ly = new float[oh], lx = new float[ow];
        bilinearTaps(height, fh, y0, y1, ly);
        bilinearTaps(width, fw, x0, x1, lx);
        for (int s = 0; s < batch; s++) {
            int xs = xOff + s * height * width * channels;
            for (int i = 0; i < oh; i++) {
                for (int j = 0; j < ow; j++) {
                    int tl = xs + (y0[i] * width + x0[j]) * channels, tr = xs + (y0[i] * width + x1[j]) * channels;
                    int bl = xs + (y1[i] * width + x0[j]) * channels, br = xs + (y1[i] * width + x1[j]) * channels;
                    int dst = yOff + ((s * oh + i) * ow + j) * channels;
                    for (int c = 0; c < channels; c++) {
                        float top = x[tl + c] + (x[tr + c] - x[tl + c]) * lx[j];
                        float bottom = x[bl + c] + (x[br + c] - x[bl + c]) * lx[j];
                        y[dst + c] = top + (bottom - top) * ly[i];
                    }
                }
            }
        }
    }

    /**
     * The taps of one axis of {@link #upsampleBilinear}, for each output position {@code o < size·factor}: the two
     * source positions {@code lo[o]}, {@code hi[o]} and the weight {@code frac[o]} of the second, in float as
     * TensorFlow's half-pixel resize computes them ({@code in = (o + 0.5)/factor − 0.5}, clamped to the axis). Also
     * what the training form's linear map uses.
     */
    public static void bilinearTaps(int size, int factor, int[] lo, int[] hi, float[] frac) {
        for (int o = 0; o < size * factor; o++) {
            float in = (o + 0.5f) * (1f / factor) - 0.5f;
            lo[o] = Math.max((int) Math.floor(in), 0);
            hi[o] = Math.min((int) Math.ceil(in), size - 1);
            frac[o] = in - (float) Math.floor(in);
        }
    }

}

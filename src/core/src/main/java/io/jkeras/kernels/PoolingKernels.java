package io.jkeras.kernels;

import java.util.Arrays;

/**
 * Pooling on channels_last data in output-argument style: x {@code (B, S_in, C)} → y {@code (B, S_out, C)}
 * for the sizes of a {@link WindowGeometry} (dilation 1; Keras' pool_size, strides, padding). Keras 3 calls
 * {@code ops.max_pool}/{@code ops.average_pool} (keras/src/layers/pooling/base_pooling.py:40-56), which run
 * {@code tf.nn.max_pool}/{@code tf.nn.avg_pool} on the TensorFlow backend:
 * <ul>
 *   <li>{@link #max}: the largest in-range element of each window (padding never wins);</li>
 *   <li>{@link #average}: the mean of the in-range elements, dividing by their count, not the window
 *       size, at the borders of {@code same} padding (as {@code tf.nn.avg_pool} does);</li>
 *   <li>{@link #globalMax}, {@link #globalAverage}: over every position, x {@code (B, P, C)} → y
 *       {@code (B, C)} (GlobalMax/AveragePooling1D/2D/3D, P the product of the spatial sizes). The average
 *       takes the mask of GlobalAveragePooling1D.</li>
 * </ul>
 * {@link #maxBackward} and {@link #averageBackward} accumulate the input's gradient. The fast paths walk each
 * window row by row over contiguous channels; the {@code …Reference} methods compute each output element on
 * its own, in double for sums.
 */
public final class PoolingKernels {
    private PoolingKernels() {}

    /** Max pooling, see the class comment. */
    public static void max(WindowGeometry g, int batch, int channels, float[] x, int xOff, float[] y, int yOff) {
        pool(g, batch, channels, x, xOff, y, yOff, true);
    }

    /** Average pooling, see the class comment. */
    public static void average(WindowGeometry g, int batch, int channels, float[] x, int xOff, float[] y, int yOff) {
        pool(g, batch, channels, x, xOff, y, yOff, false);
    }

    private static void pool(WindowGeometry g, int batch, int channels, float[] x, int xOff, float[] y, int yOff,
                             boolean isMax) {
        ConvolutionKernels.span("x", x, xOff, (long) batch * g.inSize * channels);
        ConvolutionKernels.span("y", y, yOff, (long) batch * g.outSize * channels);
        int[] idx = g.indexArray();
        for (int s = 0; s < batch; s++) {
            int xs = xOff + s * g.inSize * channels;
            for (int o = 0; o < g.outSize; o++) {
                int yr = yOff + (s * g.outSize + o) * channels;
                g.inputsOf(o, idx);
                int count = 0;
                for (int k = 0; k < g.windowSize; k++) {
                    if (idx[k] < 0) continue;
                    int xr = xs + idx[k] * channels;
                    if (count == 0) System.arraycopy(x, xr, y, yr, channels);
                    else if (isMax) for (int c = 0; c < channels; c++) y[yr + c] = Math.max(y[yr + c], x[xr + c]);
                    else for (int c = 0; c < channels; c++) y[yr + c] += x[xr + c];
                    count++;
                }
                if (count == 0) Arrays.fill(y, yr, yr + channels, isMax ? Float.NEGATIVE_INFINITY : Float.NaN);
                else if (!isMax && count > 1) {
                    float n = count;
                    for (int c = 0; c < channels; c++) y[yr + c] /= n;
                }
            }
        }
    }

    /** Oracle of {@link #max}. */
    public static void maxReference(WindowGeometry g, int batch, int channels, float[] x, int xOff,
                                    float[] y, int yOff) {
        for (int s = 0; s < batch; s++) {
            for (int o = 0; o < g.outSize; o++) {
                for (int c = 0; c < channels; c++) {
                    float m = Float.NEGATIVE_INFINITY;
                    for (int k = 0; k < g.windowSize; k++) {
                        int p = g.inputAt(o, k);
                        if (p >= 0) m = Math.max(m, x[xOff + (s * g.inSize + p) * channels + c]);
                    }
                    y[yOff + (s * g.outSize + o) * channels + c] = m;
                }
            }
        }
    }

    /** Oracle of {@link #average}, summing in double. */
    public static void averageReference(WindowGeometry g, int batch, int channels, float[] x, int xOff,
                                        float[] y, int yOff) {
        for (int s = 0; s < batch; s++) {
            for (int o = 0; o < g.outSize; o++) {
                for (int c = 0; c < channels; c++) {
                    double sum = 0;
                    int n = 0;
                    for (int k = 0; k < g.windowSize; k++) {
                        int p = g.inputAt(o, k);
                        if (p < 0) continue;
                        sum += x[xOff + (s * g.inSize + p) * channels + c];
                        n++;
                    }
                    y[yOff + (s * g.outSize + o) * channels + c] = (float) (sum / n);
                }
            }
        }
    }

    // ---------------------------------------------------------------- backward

    /**
     * Gradient of {@link #max}, accumulated: each {@code dy[b,o,c]} is added to {@code dx} at the window's first
     * maximum in window order (a later equal element does not take it); x is the forward input.
     */
    public static void maxBackward(WindowGeometry g, int batch, int channels, float[] x, int xOff, float[] dy,
                                   int dyOff, float[] dx, int dxOff) {
        ConvolutionKernels.span("x", x, xOff, (long) batch * g.inSize * channels);
        ConvolutionKernels.span("dy", dy, dyOff, (long) batch * g.outSize * channels);
        ConvolutionKernels.span("dx", dx, dxOff, (long) batch * g.inSize * channels);
        int[] idx = g.indexArray();
        for (int s = 0; s < batch; s++) {
            int base = s * g.inSize * channels;
            for (int o = 0; o < g.outSize; o++) {
                g.inputsOf(o, idx);
                int dr = dyOff + (s * g.outSize + o) * channels;
                for (int c = 0; c < channels; c++) {
                    int best = -1;
                    float m = Float.NEGATIVE_INFINITY;
                    for (int k = 0; k < g.windowSize; k++) {
                        if (idx[k] < 0) continue;
                        float v = x[xOff + base + idx[k] * channels + c];
                        if (best < 0 || v > m) {
                            m = v;
                            best = idx[k];
                        }
                    }
                    if (best >= 0) dx[dxOff + base + best * channels + c] += dy[dr + c];
                }
            }
        }
    }

    /** Oracle of {@link #maxBackward}, element by element from {@link WindowGeometry#inputAt}. */
    public static void maxBackwardReference(WindowGeometry g, int batch, int channels, float[] x, int xOff,
                                            float[] dy, int dyOff, float[] dx, int dxOff) {
        for (int s = 0; s < batch; s++) {
            for (int o = 0; o < g.outSize; o++) {
                for (int c = 0; c < channels; c++) {
                    int best = -1;
                    for (int k = 0; k < g.windowSize; k++) {
                        int p = g.inputAt(o, k);
                        if (p >= 0 && (best < 0 || x[xOff + (s * g.inSize + p) * channels + c]
                                > x[xOff + (s * g.inSize + best) * channels + c])) best = p;
                    }
                    if (best >= 0) dx[dxOff + (s * g.inSize + best) * channels + c] +=
                            dy[dyOff + (s * g.outSize + o) * channels + c];
                }
            }
        }
    }

    /** Gradient of {@link #average}, accumulated: {@code dy[b,o,c] / count} to each in-range element of the window. */
    public static void averageBackward(WindowGeometry g, int batch, int channels, float[] dy, int dyOff,
                                       float[] dx, int dxOff) {
        ConvolutionKernels.span("dy", dy, dyOff, (long) batch * g.outSize * channels);
        ConvolutionKernels.span("dx", dx, dxOff, (long) batch * g.inSize * channels);
        int[] idx = g.indexArray();
        for (int s = 0; s < batch; s++) {
            int base = dxOff + s * g.inSize * channels;
            for (int o = 0; o < g.outSize; o++) {
                g.inputsOf(o, idx);
                int count = 0;
                for (int k = 0; k < g.windowSize; k++) if (idx[k] >= 0) count++;
                if (count == 0) continue;
                float share = 1f / count;
                int dr = dyOff + (s * g.outSize + o) * channels;
                for (int k = 0; k < g.windowSize; k++) {
                    if (idx[k] >= 0) Gemm.axpy(channels, share, dy, dr, dx, base + idx[k] * channels);
                }
            }
        }
    }

    /** Oracle of {@link #averageBackward}, in double. */
    public static void averageBackwardReference(WindowGeometry g, int batch, int channels, float[] dy, int dyOff,
                                                float[] dx, int dxOff) {
        for (int s = 0; s < batch; s++) {
            for (int o = 0; o < g.outSize; o++) {
                int n = 0;
                for (int k = 0; k < g.windowSize; k++) if (g.inputAt(o, k) >= 0) n++;
                for (int k = 0; k < g.windowSize; k++) {
                    int p = g.inputAt(o, k);
                    if (p < 0) continue;
                    for (int c = 0; c < channels; c++) {
                        int at = dxOff + (s * g.inSize + p) * channels + c;
                        dx[at] = (float) (dx[at] + (double) dy[dyOff + (s * g.outSize + o) * channels + c] / n);
                    }
                }
            }
        }
    }

    // ---------------------------------------------------------------- global

    /**
     * {@code y[b,c] = max_p x[b,p,c]}. Keras 3's GlobalMaxPooling1D ignores a mask: its {@code call} takes none
     * (keras/src/layers/pooling/global_max_pooling1d.py:64-66), so masked steps take part.
     */
    public static void globalMax(int batch, int positions, int channels, float[] x, int xOff, float[] y, int yOff) {
        for (int s = 0; s < batch; s++) {
            int yr = yOff + s * channels;
            if (positions == 0) {
                Arrays.fill(y, yr, yr + channels, Float.NEGATIVE_INFINITY);
                continue;
            }
            int xs = xOff + s * positions * channels;
            System.arraycopy(x, xs, y, yr, channels);
            for (int p = 1; p < positions; p++) {
                int xr = xs + p * channels;
                for (int c = 0; c < channels; c++) y[yr + c] = Math.max(y[yr + c], x[xr + c]);
            }
        }
    }

    /** Gradient of {@link #globalMax}, accumulated: {@code dy[b,c]} to the first position holding the maximum. */
    public static void globalMaxBackward(int batch, int positions, int channels, float[] x, int xOff, float[] dy,
                                         int dyOff, float[] dx, int dxOff) {
        for (int s = 0; s < batch; s++) {
            int xs = s * positions * channels;
            for (int c = 0; c < channels; c++) {
                int best = -1;
                for (int p = 0; p < positions; p++) {
                    if (best < 0 || x[xOff + xs + p * channels + c] > x[xOff + xs + best * channels + c]) best = p;
                }
                if (best >= 0) dx[dxOff + xs + best * channels + c] += dy[dyOff + s * channels + c];
            }
        }
    }

    /** Oracle of {@link #globalMax}. */
    public static void globalMaxReference(int batch, int positions, int channels, float[] x, int xOff,
                                          float[] y, int yOff) {
        for (int s = 0; s < batch; s++) {
            for (int c = 0; c < channels; c++) {
                float m = Float.NEGATIVE_INFINITY;
                for (int p = 0; p < positions; p++) m = Math.max(m, x[xOff + (s * positions + p) * channels + c]);
                y[yOff + s * channels + c] = m;
            }
        }
    }

    /**
     * {@code y[b,c] = Σ_p x[b,p,c] / P}, or with a mask ({@code (B, P)} at {@code mOff}, null for none) the sum
     * over unmasked positions divided by their count, masked values replaced by 0 first (so a NaN there does not
     * count), as Keras 3's GlobalAveragePooling1D computes it
     * (keras/src/layers/pooling/global_average_pooling1d.py:70-83: {@code ops.where(mask, inputs, 0)}, then
     * {@code sum(inputs) / sum(mask)}): a sample with every step masked gives 0/0 = NaN, as in Keras.
     */
    public static void globalAverage(int batch, int positions, int channels, float[] x, int xOff,
                                     boolean[] mask, int mOff, float[] y, int yOff) {
        for (int s = 0; s < batch; s++) {
            int yr = yOff + s * channels, xs = xOff + s * positions * channels;
            Arrays.fill(y, yr, yr + channels, 0f);
            int n = 0;
            for (int p = 0; p < positions; p++) {
                if (mask != null && !mask[mOff + s * positions + p]) continue;
                n++;
                int xr = xs + p * channels;
                for (int c = 0; c < channels; c++) y[yr + c] += x[xr + c];
            }
            float count = n;
            for (int c = 0; c < channels; c++) y[yr + c] /= count;
        }
    }

    /**
     * Gradient of {@link #globalAverage}, accumulated: {@code dy[b,c] / n} to each of the n unmasked positions (none
     * to masked ones; a sample with every position masked, whose output was NaN, passes nothing back).
     */
    public static void globalAverageBackward(int batch, int positions, int channels, boolean[] mask, int mOff,
                                             float[] dy, int dyOff, float[] dx, int dxOff) {
        for (int s = 0; s < batch; s++) {
            int n = 0;
            for (int p = 0; p < positions; p++) if (mask == null || mask[mOff + s * positions + p]) n++;
            if (n == 0) continue;
            float share = 1f / n;
            for (int p = 0; p < positions; p++) {
                if (mask != null && !mask[mOff + s * positions + p]) continue;
                Gemm.axpy(channels, share, dy, dyOff + s * channels, dx, dxOff + (s * positions + p) * channels);
            }
        }
    }

    /** Oracle of {@link #globalAverage}, summing in double. */
    public static void globalAverageReference(int batch, int positions, int channels, float[] x, int xOff,
                                              boolean[] mask, int mOff, float[] y, int yOff) {
        for (int s = 0; s < batch; s++) {
            for (int c = 0; c < channels; c++) {
                double sum = 0;
                int n = 0;
                for (int p = 0; p < positions; p++) {
                    if (mask != null && !mask[mOff + s * positions + p]) continue;
                    sum += x[xOff + (s * positions + p) * channels + c];
                    n++;
                }
                y[yOff + s * channels + c] = (float) (sum / n);
            }
        }
    }
}

package io.jkeras.kernels;

import java.util.Arrays;

/**
 * Convolutions over 1, 2 or 3 spatial dimensions on channels_last data, in output-argument style
 * (each array with its offset; the arrays are not modified except the output and the work array).
 * Shapes, with {@code S_in}/{@code S_out} the spatial sizes of the {@link WindowGeometry} and
 * {@code K} its window, all in Keras' layouts:
 * <ul>
 *   <li>{@link #conv}: x {@code (B, S_in, C)}, kernel {@code (K, C/groups, F)}, bias {@code (F)} or null,
 *       y {@code (B, S_out, F)}: {@code y[b,o,f] = bias[f] + Σ_{k,c} x[b, in(o,k), g·C/groups + c] ·
 *       kernel[k, c, f]} for f in group g (Keras Conv1D/2D/3D with {@code groups});</li>
 *   <li>{@link #depthwise}: x {@code (B, S_in, C)}, kernel {@code (K, C, M)}, bias {@code (C·M)},
 *       y {@code (B, S_out, C·M)}, channel {@code c·M + m} from input channel c (DepthwiseConv1D/2D,
 *       M = depth_multiplier; the same as {@link #conv} with groups = C);</li>
 *   <li>{@link #separable}: depthwise without bias, then a pointwise kernel {@code (C·M, F)} and bias
 *       {@code (F)} (SeparableConv1D/2D: keras/src/layers/convolutional/base_separable_conv.py);</li>
 *   <li>{@link #transposed}: x {@code (B, S_out, C)}, kernel {@code (K, F, C)}, y {@code (B, S_in, F)}
 *       with the geometry of {@link WindowGeometry#transposed}: the adjoint of the forward convolution,
 *       {@code y[b,p,f] = bias[f] + Σ x[b,o,c] · kernel[k,f,c]} over every (o, k) reading p
 *       (Conv1DTranspose/Conv2DTranspose/Conv3DTranspose).</li>
 * </ul>
 * Positions in the padding read zeros. The fast paths are im2col (a block of output rows copied into
 * the work array, {@link #workSize}) followed by {@link Gemm#multiply}, with the rows of every sample of
 * the batch in one product; a pointwise window (1×…×1, stride 1, no padding) multiplies x directly, and
 * a depthwise convolution runs a direct loop over contiguous channels (a product per channel would be
 * k×1). They allocate nothing once warm (window indices go to a per-thread array). The
 * {@code …Reference} methods are the oracles: direct sums in double.
 */
public final class ConvolutionKernels {
    /** Largest im2col block, in floats (512 KiB: an L2 cache's worth of rows). */
    static final int BLOCK_FLOATS = 1 << 17;

    private ConvolutionKernels() {}

    // ---------------------------------------------------------------- conv

    /**
     * Floats of work array {@link #conv} needs ({@code 0} when it needs none): one block of im2col rows, each
     * {@code windowPositions · channels / groups} wide.
     */
    public static int workSize(WindowGeometry g, int batch, int channels, int groups) {
        checkGroups(channels, groups, groups);
        if (g.pointwise() || (groups == channels && groups > 1)) return 0;
        long cols = (long) g.windowSize * (channels / groups);
        return checkedInt(blockRows((long) batch * g.outSize, cols) * cols, "im2col block");
    }

    /**
     * {@code y = conv(x, kernel) + bias}; see the class comment for shapes. {@code work} has at least
     * {@link #workSize} floats (its contents are overwritten). y must not overlap x.
     */
    public static void conv(WindowGeometry g, int batch, int channels, int filters, int groups,
                            float[] x, int xOff, float[] kernel, int kOff, float[] bias, int bOff,
                            float[] y, int yOff, float[] work) {
        conv(g, batch, channels, filters, groups, x, xOff, kernel, kOff, null, bias, bOff, y, yOff, work, false);
    }

    /**
     * The kernel {@code (K, C/groups, F)} at {@code kOff} packed for {@link #conv(WindowGeometry, int, int, int,
     * int, float[], int, Gemm.PackedB[], float[], int, float[], int, float[])}: one {@link Gemm.PackedB} per group,
     * for weights that stay constant over many calls (the fast product repacks an unpacked kernel on every call).
     * Holds on to {@code kernel}, which must not change afterwards.
     */
    public static Gemm.PackedB[] pack(int windowPositions, int channels, int filters, int groups, float[] kernel,
                                      int kOff) {
        checkGroups(channels, groups, filters);
        Gemm.PackedB[] packed = new Gemm.PackedB[groups];
        int rows = checkedInt((long) windowPositions * (channels / groups), "kernel rows");
        for (int gr = 0; gr < groups; gr++) {
            packed[gr] = Gemm.pack(rows, filters / groups, kernel, kOff + gr * (filters / groups), filters);
        }
        return packed;
    }

    /** {@link #conv} with the kernel as {@link #pack} returned it; the same results. */
    public static void conv(WindowGeometry g, int batch, int channels, int filters, int groups,
                            float[] x, int xOff, Gemm.PackedB[] kernel, float[] bias, int bOff,
                            float[] y, int yOff, float[] work) {
        if (kernel.length != groups || kernel[0].rows() != g.windowSize * (channels / Math.max(groups, 1))
                || kernel[0].columns() * groups != filters) {
            throw new IllegalArgumentException("packed kernel of " + kernel.length + " groups does not fit "
                    + g.windowSize + " window positions, " + channels + " channels, " + filters + " filters, "
                    + groups + " groups");
        }
        if (groups == channels && groups > 1) {
            throw new IllegalArgumentException("a depthwise convolution (groups = channels) reads its kernel unpacked");
        }
        conv(g, batch, channels, filters, groups, x, xOff, null, 0, kernel, bias, bOff, y, yOff, work, false);
    }

    private static void conv(WindowGeometry g, int batch, int channels, int filters, int groups,
                             float[] x, int xOff, float[] kernel, int kOff, Gemm.PackedB[] packed,
                             float[] bias, int bOff, float[] y, int yOff, float[] work, boolean addToY) {
        checkGroups(channels, groups, filters);
        int cg = channels / groups, fg = filters / groups;
        span("x", x, xOff, (long) batch * g.inSize * channels);
        if (kernel != null) span("kernel", kernel, kOff, (long) g.windowSize * cg * filters);
        if (bias != null) span("bias", bias, bOff, filters);
        span("y", y, yOff, (long) batch * g.outSize * filters);
        if (groups == channels && groups > 1 && !addToY) {
            depthwise(g, batch, channels, fg, x, xOff, kernel, kOff, bias, bOff, y, yOff);
            return;
        }
        long rowsTotal = (long) batch * g.outSize;
        if (rowsTotal == 0) return;
        if (!addToY) fillBias(rowsTotal, filters, bias, bOff, y, yOff);
        boolean acc = addToY || bias != null;
        if (g.pointwise()) {
            // a 1×…×1 window reads row r of x for output row r: x is the im2col matrix already
            for (int gr = 0; gr < groups; gr++) {
                product((int) rowsTotal, fg, cg, x, xOff + gr * cg, channels, kernel, kOff + gr * fg, filters,
                        packed == null ? null : packed[gr], y, yOff + gr * fg, acc);
            }
            return;
        }
        int cols = g.windowSize * cg;
        int block = block(rowsTotal, cols, work);
        int[] idx = g.indexArray();
        for (long r0 = 0; r0 < rowsTotal; r0 += block) {
            int rows = (int) Math.min(block, rowsTotal - r0);
            for (int gr = 0; gr < groups; gr++) {
                im2col(g, channels, cg, x, xOff + gr * cg, r0, rows, idx, work);
                product(rows, fg, cols, work, 0, cols, kernel, kOff + gr * fg, filters,
                        packed == null ? null : packed[gr], y, yOff + (int) r0 * filters + gr * fg, acc);
            }
        }
    }

    /** Oracle of {@link #conv}: the sum of the class comment for every output element, in double. */
    public static void convReference(WindowGeometry g, int batch, int channels, int filters, int groups,
                                     float[] x, int xOff, float[] kernel, int kOff, float[] bias, int bOff,
                                     float[] y, int yOff) {
        checkGroups(channels, groups, filters);
        int cg = channels / groups, fg = filters / groups;
        for (int s = 0; s < batch; s++) {
            for (int o = 0; o < g.outSize; o++) {
                for (int f = 0; f < filters; f++) {
                    int gr = f / fg;
                    double sum = bias == null ? 0 : bias[bOff + f];
                    for (int k = 0; k < g.windowSize; k++) {
                        int p = g.inputAt(o, k);
                        if (p < 0) continue;
                        for (int c = 0; c < cg; c++) {
                            sum += (double) x[xOff + (s * g.inSize + p) * channels + gr * cg + c]
                                    * kernel[kOff + (k * cg + c) * filters + f];
                        }
                    }
                    y[yOff + (s * g.outSize + o) * filters + f] = (float) sum;
                }
            }
        }
    }

    // ---------------------------------------------------------------- conv backward

    /** Floats of work array {@link #convBackward} needs: an im2col block and its gradient. */
    public static int backwardWorkSize(WindowGeometry g, int batch, int channels, int groups) {
        checkGroups(channels, groups, groups);
        long cols = (long) g.windowSize * (channels / groups);
        return checkedInt(2 * blockRows((long) batch * g.outSize, cols) * cols, "im2col blocks");
    }

    /**
     * Gradients of {@link #conv} (llm.c style: every gradient is accumulated into, never overwritten) given
     * {@code dy} {@code (B, S_out, F)}: {@code dx (B, S_in, C) += Σ dy·kernel} scattered back over the windows,
     * {@code dKernel (K, C/groups, F) += im2col(x)ᵀ·dy}, {@code dBias (F) += Σ dy}; each of dx, dKernel, dBias
     * may be null when not wanted. Per im2col block and group: {@link Gemm#multiplyAtB} for the kernel's
     * gradient, {@link Gemm#multiplyABt} then col2im for the input's. {@code work} has {@link #backwardWorkSize}
     * floats. The gradients must not overlap x, kernel or dy.
     */
    public static void convBackward(WindowGeometry g, int batch, int channels, int filters, int groups,
                                    float[] x, int xOff, float[] kernel, int kOff, float[] dy, int dyOff,
                                    float[] dx, int dxOff, float[] dKernel, int dkOff, float[] dBias, int dbOff,
                                    float[] work) {
        checkGroups(channels, groups, filters);
        int cg = channels / groups, fg = filters / groups;
        long rowsTotal = (long) batch * g.outSize;
        span("x", x, xOff, (long) batch * g.inSize * channels);
        span("kernel", kernel, kOff, (long) g.windowSize * cg * filters);
        span("dy", dy, dyOff, rowsTotal * filters);
        if (dx != null) span("dx", dx, dxOff, (long) batch * g.inSize * channels);
        if (dKernel != null) span("dKernel", dKernel, dkOff, (long) g.windowSize * cg * filters);
        if (dBias != null) {
            span("dBias", dBias, dbOff, filters);
            for (long r = 0; r < rowsTotal; r++) Gemm.axpy(filters, 1f, dy, dyOff + (int) (r * filters), dBias, dbOff);
        }
        if (rowsTotal == 0 || (dx == null && dKernel == null)) return;
        int cols = g.windowSize * cg;
        int block = (int) blockRows(rowsTotal, cols);
        if (work.length < 2L * block * cols) throw new IllegalArgumentException("work array of " + work.length
                + " floats, needs " + 2L * block * cols);
        int grad = block * cols;
        int[] idx = g.indexArray();
        for (long r0 = 0; r0 < rowsTotal; r0 += block) {
            int rows = (int) Math.min(block, rowsTotal - r0);
            int dyBlock = dyOff + (int) r0 * filters;
            for (int gr = 0; gr < groups; gr++) {
                if (dKernel != null) {
                    im2col(g, channels, cg, x, xOff + gr * cg, r0, rows, idx, work);
                    Gemm.multiplyAtB(cols, fg, rows, work, 0, cols, dy, dyBlock + gr * fg, filters,
                            dKernel, dkOff + gr * fg, filters, true);
                }
                if (dx == null) continue;
                Gemm.multiplyABt(rows, cols, fg, dy, dyBlock + gr * fg, filters, kernel, kOff + gr * fg, filters,
                        work, grad, cols, false);
                for (int i = 0; i < rows; i++) {
                    long r = r0 + i;
                    int s = (int) (r / g.outSize);
                    g.inputsOf((int) (r % g.outSize), idx);
                    int xs = dxOff + s * g.inSize * channels + gr * cg;
                    for (int k = 0; k < g.windowSize; k++) {
                        if (idx[k] < 0) continue;
                        Gemm.axpy(cg, 1f, work, grad + i * cols + k * cg, dx, xs + idx[k] * channels);
                    }
                }
            }
        }
    }

    /** Oracle of {@link #convBackward}: every product of the forward sum differentiated on its own, in double. */
    public static void convBackwardReference(WindowGeometry g, int batch, int channels, int filters, int groups,
                                             float[] x, int xOff, float[] kernel, int kOff, float[] dy, int dyOff,
                                             float[] dx, int dxOff, float[] dKernel, int dkOff, float[] dBias,
                                             int dbOff) {
        checkGroups(channels, groups, filters);
        int cg = channels / groups, fg = filters / groups;
        double[] gx = new double[batch * g.inSize * channels], gk = new double[g.windowSize * cg * filters];
        double[] gb = new double[filters];
        for (int s = 0; s < batch; s++) {
            for (int o = 0; o < g.outSize; o++) {
                for (int f = 0; f < filters; f++) {
                    double d = dy[dyOff + (s * g.outSize + o) * filters + f];
                    gb[f] += d;
                    for (int k = 0; k < g.windowSize; k++) {
                        int p = g.inputAt(o, k);
                        if (p < 0) continue;
                        for (int c = 0; c < cg; c++) {
                            int xi = (s * g.inSize + p) * channels + (f / fg) * cg + c;
                            int ki = (k * cg + c) * filters + f;
                            gx[xi] += d * kernel[kOff + ki];
                            gk[ki] += d * x[xOff + xi];
                        }
                    }
                }
            }
        }
        addTo(dx, dxOff, gx);
        addTo(dKernel, dkOff, gk);
        addTo(dBias, dbOff, gb);
    }

    // ---------------------------------------------------------------- depthwise

    /**
     * Depthwise convolution, {@code y[b,o,c·M+m] = bias[c·M+m] + Σ_k x[b, in(o,k), c] · kernel[k, c, m]}
     * (Keras DepthwiseConv1D/2D; kernel {@code (K, C, M)}, bias {@code (C·M)} or null).
     */
    public static void depthwise(WindowGeometry g, int batch, int channels, int multiplier,
                                 float[] x, int xOff, float[] kernel, int kOff, float[] bias, int bOff,
                                 float[] y, int yOff) {
        if (channels <= 0 || multiplier <= 0) throw new IllegalArgumentException("channels " + channels
                + " and depth multiplier " + multiplier + " must be positive");
        int width = channels * multiplier;
        span("x", x, xOff, (long) batch * g.inSize * channels);
        span("kernel", kernel, kOff, (long) g.windowSize * width);
        if (bias != null) span("bias", bias, bOff, width);
        span("y", y, yOff, (long) batch * g.outSize * width);
        int[] idx = g.indexArray();
        for (int s = 0; s < batch; s++) {
            int xs = xOff + s * g.inSize * channels;
            for (int o = 0; o < g.outSize; o++) {
                int yr = yOff + (s * g.outSize + o) * width;
                if (bias == null) Arrays.fill(y, yr, yr + width, 0f);
                else System.arraycopy(bias, bOff, y, yr, width);
                g.inputsOf(o, idx);
                for (int k = 0; k < g.windowSize; k++) {
                    if (idx[k] < 0) continue;
                    int xr = xs + idx[k] * channels, kr = kOff + k * width;
                    if (multiplier == 1) {
                        for (int c = 0; c < channels; c++) y[yr + c] += x[xr + c] * kernel[kr + c];
                    } else {
                        for (int c = 0; c < channels; c++) {
                            float v = x[xr + c];
                            int base = c * multiplier;
                            for (int m = 0; m < multiplier; m++) y[yr + base + m] += v * kernel[kr + base + m];
                        }
                    }
                }
            }
        }
    }

    /** Oracle of {@link #depthwise}, in double. */
    public static void depthwiseReference(WindowGeometry g, int batch, int channels, int multiplier,
                                          float[] x, int xOff, float[] kernel, int kOff, float[] bias, int bOff,
                                          float[] y, int yOff) {
        int width = channels * multiplier;
        for (int s = 0; s < batch; s++) {
            for (int o = 0; o < g.outSize; o++) {
                for (int c = 0; c < channels; c++) {
                    for (int m = 0; m < multiplier; m++) {
                        double sum = bias == null ? 0 : bias[bOff + c * multiplier + m];
                        for (int k = 0; k < g.windowSize; k++) {
                            int p = g.inputAt(o, k);
                            if (p >= 0) sum += (double) x[xOff + (s * g.inSize + p) * channels + c]
                                    * kernel[kOff + k * width + c * multiplier + m];
                        }
                        y[yOff + (s * g.outSize + o) * width + c * multiplier + m] = (float) sum;
                    }
                }
            }
        }
    }

    // ---------------------------------------------------------------- separable

    /** Floats of work array {@link #separable} needs: the depthwise output {@code (B, S_out, C·M)}. */
    public static int separableWorkSize(WindowGeometry g, int batch, int channels, int multiplier) {
        return checkedInt((long) batch * g.outSize * channels * multiplier, "depthwise output");
    }

    /**
     * Separable convolution: {@link #depthwise} (no bias) into {@code work}, then {@code y = work ·
     * pointwise + bias} with pointwise {@code (C·M, F)} (Keras' {@code pointwise_kernel} of shape
     * {@code (1, …, C·M, F)}), as {@code tf.nn.separable_conv2d} computes it.
     */
    public static void separable(WindowGeometry g, int batch, int channels, int multiplier, int filters,
                                 float[] x, int xOff, float[] depthKernel, int dOff, float[] pointKernel, int pOff,
                                 float[] bias, int bOff, float[] y, int yOff, float[] work) {
        int rows = batch * g.outSize, width = channels * multiplier;
        if (work.length < separableWorkSize(g, batch, channels, multiplier)) throw new IllegalArgumentException(
                "work array of " + work.length + " floats, needs " + separableWorkSize(g, batch, channels, multiplier));
        depthwise(g, batch, channels, multiplier, x, xOff, depthKernel, dOff, null, 0, work, 0);
        span("pointwise kernel", pointKernel, pOff, (long) width * filters);
        if (bias != null) span("bias", bias, bOff, filters);
        span("y", y, yOff, (long) rows * filters);
        fillBias(rows, filters, bias, bOff, y, yOff);
        Gemm.multiply(rows, filters, width, work, 0, width, pointKernel, pOff, filters, y, yOff, filters, bias != null);
    }

    /** Oracle of {@link #separable}, in double. */
    public static void separableReference(WindowGeometry g, int batch, int channels, int multiplier, int filters,
                                          float[] x, int xOff, float[] depthKernel, int dOff, float[] pointKernel,
                                          int pOff, float[] bias, int bOff, float[] y, int yOff) {
        int width = channels * multiplier;
        float[] mid = new float[batch * g.outSize * width];
        depthwiseReference(g, batch, channels, multiplier, x, xOff, depthKernel, dOff, null, 0, mid, 0);
        for (int r = 0; r < batch * g.outSize; r++) {
            for (int f = 0; f < filters; f++) {
                double sum = bias == null ? 0 : bias[bOff + f];
                for (int c = 0; c < width; c++) {
                    sum += (double) mid[r * width + c] * pointKernel[pOff + c * filters + f];
                }
                y[yOff + r * filters + f] = (float) sum;
            }
        }
    }

    // ---------------------------------------------------------------- transposed

    /** Floats of work array {@link #transposed} needs: a block of rows of {@code x · kernelᵀ}. */
    public static int transposedWorkSize(WindowGeometry g, int batch, int filters) {
        long cols = (long) g.windowSize * filters;
        return checkedInt(blockRows((long) batch * g.outSize, cols) * cols, "transposed convolution block");
    }

    /**
     * Transposed convolution (see the class comment; {@code g} from {@link WindowGeometry#transposed}, so x has
     * the geometry's output sizes and y its input sizes). Each block of input rows is multiplied by the kernel
     * ({@code Z = x · kernelᵀ}, kernel read as the {@code (K·F) × C} matrix it is) and Z's rows are added into
     * the output positions they reach (col2im). {@code work} has {@link #transposedWorkSize} floats.
     */
    public static void transposed(WindowGeometry g, int batch, int channels, int filters,
                                  float[] x, int xOff, float[] kernel, int kOff, float[] bias, int bOff,
                                  float[] y, int yOff, float[] work) {
        if (channels <= 0 || filters <= 0) throw new IllegalArgumentException("channels " + channels
                + " and filters " + filters + " must be positive");
        span("x", x, xOff, (long) batch * g.outSize * channels);
        span("kernel", kernel, kOff, (long) g.windowSize * filters * channels);
        if (bias != null) span("bias", bias, bOff, filters);
        span("y", y, yOff, (long) batch * g.inSize * filters);
        fillBias((long) batch * g.inSize, filters, bias, bOff, y, yOff);
        if (bias == null) Arrays.fill(y, yOff, yOff + batch * g.inSize * filters, 0f);
        long rowsTotal = (long) batch * g.outSize;
        if (rowsTotal == 0) return;
        int cols = g.windowSize * filters;
        int block = block(rowsTotal, cols, work);
        int[] idx = g.indexArray();
        for (long r0 = 0; r0 < rowsTotal; r0 += block) {
            int rows = (int) Math.min(block, rowsTotal - r0);
            Gemm.multiplyABt(rows, cols, channels, x, xOff + (int) r0 * channels, channels, kernel, kOff, channels,
                    work, 0, cols, false);
            for (int i = 0; i < rows; i++) {
                long r = r0 + i;
                int s = (int) (r / g.outSize), o = (int) (r % g.outSize);
                g.inputsOf(o, idx);
                int ys = yOff + s * g.inSize * filters;
                for (int k = 0; k < g.windowSize; k++) {
                    if (idx[k] < 0) continue;
                    Gemm.axpy(filters, 1f, work, i * cols + k * filters, y, ys + idx[k] * filters);
                }
            }
        }
    }

    /**
     * Gradients of {@link #transposed}, accumulated, given {@code dy} {@code (B, S_in, F)} (the geometry's input
     * sizes): {@code dx (B, S_out, C) += conv(dy)} with the kernel read as a convolution's {@code (K, F, C)} — the
     * transposed convolution's adjoint is the forward convolution —, {@code dKernel (K, F, C) += im2col(dy)ᵀ·x}
     * ({@link #convBackward} with the roles of x and dy swapped), {@code dBias (F) += Σ dy}; each may be null.
     * {@code work} has {@link #transposedBackwardWorkSize} floats.
     */
    public static void transposedBackward(WindowGeometry g, int batch, int channels, int filters,
                                          float[] x, int xOff, float[] kernel, int kOff, float[] dy, int dyOff,
                                          float[] dx, int dxOff, float[] dKernel, int dkOff, float[] dBias, int dbOff,
                                          float[] work) {
        if (dBias != null) {
            span("dy", dy, dyOff, (long) batch * g.inSize * filters);
            span("dBias", dBias, dbOff, filters);
            for (long r = 0; r < (long) batch * g.inSize; r++) {
                Gemm.axpy(filters, 1f, dy, dyOff + (int) (r * filters), dBias, dbOff);
            }
        }
        if (dx != null) conv(g, batch, filters, channels, 1, dy, dyOff, kernel, kOff, null, null, 0, dx, dxOff, work,
                true);
        if (dKernel != null) convBackward(g, batch, filters, channels, 1, dy, dyOff, kernel, kOff, x, xOff, null, 0,
                dKernel, dkOff, null, 0, work);
    }

    /** Floats of work array {@link #transposedBackward} needs. */
    public static int transposedBackwardWorkSize(WindowGeometry g, int batch, int filters) {
        return backwardWorkSize(g, batch, filters, 1);
    }

    /** Oracle of {@link #transposedBackward}: the forward's products differentiated one by one, in double. */
    public static void transposedBackwardReference(WindowGeometry g, int batch, int channels, int filters,
                                                   float[] x, int xOff, float[] kernel, int kOff, float[] dy,
                                                   int dyOff, float[] dx, int dxOff, float[] dKernel, int dkOff,
                                                   float[] dBias, int dbOff) {
        double[] gx = new double[batch * g.outSize * channels], gk = new double[g.windowSize * filters * channels];
        double[] gb = new double[filters];
        for (int s = 0; s < batch; s++) {
            for (int p = 0; p < g.inSize; p++) {
                for (int f = 0; f < filters; f++) gb[f] += dy[dyOff + (s * g.inSize + p) * filters + f];
            }
            for (int o = 0; o < g.outSize; o++) {
                for (int k = 0; k < g.windowSize; k++) {
                    int p = g.inputAt(o, k);
                    if (p < 0) continue;
                    for (int f = 0; f < filters; f++) {
                        double d = dy[dyOff + (s * g.inSize + p) * filters + f];
                        for (int c = 0; c < channels; c++) {
                            int xi = (s * g.outSize + o) * channels + c, ki = (k * filters + f) * channels + c;
                            gx[xi] += d * kernel[kOff + ki];
                            gk[ki] += d * x[xOff + xi];
                        }
                    }
                }
            }
        }
        addTo(dx, dxOff, gx);
        addTo(dKernel, dkOff, gk);
        addTo(dBias, dbOff, gb);
    }

    /** Oracle of {@link #transposed}: each output element summed directly, in double. */
    public static void transposedReference(WindowGeometry g, int batch, int channels, int filters,
                                           float[] x, int xOff, float[] kernel, int kOff, float[] bias, int bOff,
                                           float[] y, int yOff) {
        double[] acc = new double[g.inSize * filters];
        for (int s = 0; s < batch; s++) {
            for (int p = 0; p < acc.length; p++) acc[p] = bias == null ? 0 : bias[bOff + p % filters];
            for (int o = 0; o < g.outSize; o++) {
                for (int k = 0; k < g.windowSize; k++) {
                    int p = g.inputAt(o, k);
                    if (p < 0) continue;
                    for (int f = 0; f < filters; f++) {
                        for (int c = 0; c < channels; c++) {
                            acc[p * filters + f] += (double) x[xOff + (s * g.outSize + o) * channels + c]
                                    * kernel[kOff + (k * filters + f) * channels + c];
                        }
                    }
                }
            }
            for (int p = 0; p < acc.length; p++) y[yOff + s * acc.length + p] = (float) acc[p];
        }
    }

    // ---------------------------------------------------------------- helpers

    /**
     * Rows {@code [r0, r0 + rows)} of the im2col matrix of one group into {@code work}: row r (sample
     * {@code r / outSize}, output position {@code r % outSize}) holds, window position after window position, the
     * cg channels at {@code xOff} (the group's first channel) of the input position read, or zeros in the padding.
     */
    private static void im2col(WindowGeometry g, int channels, int cg, float[] x, int xOff, long r0, int rows,
                               int[] idx, float[] work) {
        int cols = g.windowSize * cg;
        for (int i = 0; i < rows; i++) {
            long r = r0 + i;
            g.inputsOf((int) (r % g.outSize), idx);
            int xs = xOff + (int) (r / g.outSize) * g.inSize * channels;
            int dst = i * cols;
            for (int k = 0; k < g.windowSize; k++, dst += cg) {
                if (idx[k] < 0) Arrays.fill(work, dst, dst + cg, 0f);
                else System.arraycopy(x, xs + idx[k] * channels, work, dst, cg);
            }
        }
    }

    /** {@code a[off + i] += v[i]} (in float) when a is not null. */
    private static void addTo(float[] a, int off, double[] v) {
        if (a == null) return;
        for (int i = 0; i < v.length; i++) a[off + i] = (float) (a[off + i] + v[i]);
    }

    /** {@code C (+)= A · B} with B (k×n, leading dimension ldc = the filters) unpacked or packed. */
    private static void product(int m, int n, int k, float[] a, int aOff, int lda, float[] b, int bOff, int ldc,
                                Gemm.PackedB packed, float[] c, int cOff, boolean acc) {
        if (packed == null) Gemm.multiply(m, n, k, a, aOff, lda, b, bOff, ldc, c, cOff, ldc, acc);
        else Gemm.multiply(m, n, k, a, aOff, lda, packed, c, cOff, ldc, acc, Engine.current().threads());
    }

    /** Rows of a block of {@code cols} floats each: all {@code rows} if they fit {@link #BLOCK_FLOATS}, at least 1. */
    private static long blockRows(long rows, long cols) {
        return Math.min(rows, Math.max(1, BLOCK_FLOATS / Math.max(cols, 1)));
    }

    /** {@link #blockRows}, after checking that {@code work} holds such a block. */
    private static int block(long rows, int cols, float[] work) {
        int block = (int) blockRows(rows, cols);
        if (work.length < (long) block * cols) throw new IllegalArgumentException("work array of " + work.length
                + " floats, needs " + (long) block * cols);
        return block;
    }

    /** Checks that {@code a[off, off + n)} lies inside {@code a}, before anything is read or written. */
    static void span(String what, float[] a, int off, long n) {
        if (off < 0 || n < 0 || off + n > a.length) throw new IndexOutOfBoundsException(what + ": " + n
                + " floats at offset " + off + " do not fit an array of " + a.length);
    }

    private static void fillBias(long rows, int width, float[] bias, int bOff, float[] y, int yOff) {
        if (bias == null) return;
        for (long r = 0; r < rows; r++) System.arraycopy(bias, bOff, y, yOff + (int) (r * width), width);
    }

    private static void checkGroups(int channels, int groups, int filters) {
        if (channels <= 0 || filters <= 0 || groups <= 0 || channels % groups != 0 || filters % groups != 0) {
            throw new IllegalArgumentException("groups " + groups + " must be positive and divide channels "
                    + channels + " and filters " + filters);
        }
    }

    static int checkedInt(long n, String what) {
        if (n > Integer.MAX_VALUE - 8) throw new IllegalArgumentException(what + " of " + n
                + " floats exceeds the largest array");
        return (int) n;
    }
}

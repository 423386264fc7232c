package io.jkeras.layers;

import io.jkeras.exceptions.InputException;
import io.jkeras.exceptions.UnsupportedModelException;
import io.jkeras.kernels.Activation;
import io.jkeras.kernels.ConvolutionKernels;
import io.jkeras.kernels.WindowGeometry;
import io.jkeras.tensor.Tensor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * What the convolution layers ({@link Conv}, {@link DepthwiseConv}, {@link SeparableConv}, {@link ConvTranspose})
 * share: the number of spatial dimensions (1 to 3), the window (kernel size, strides, dilation, padding), the data
 * format and the activation, with the shape checks, the channels_first transposes and the activation step of their
 * forward passes. The math is {@code io.jkeras.kernels.ConvolutionKernels}'; data runs channels_last there, so a
 * channels_first input {@code (batch, C, spatial…)} is transposed to {@code (batch, spatial…, C)} and the output
 * back. The activation runs over the last axis of the output as Keras applies it (the filters for channels_last,
 * the last spatial axis for channels_first; it only matters for softmax-like activations). Immutable.
 */
public final class ConvWindow {
    private final int rank;
    private final int[] kernelSize, strides, dilation;
    private final WindowGeometry.Padding padding;
    private final boolean channelsFirst;
    private final Activation activation;

    public ConvWindow(String layer, int[] kernelSize, int[] strides, int[] dilation, WindowGeometry.Padding padding,
                      boolean channelsFirst, Activation activation) {
        this.rank = kernelSize.length;
        if (rank < 1 || rank > 3 || strides.length != rank || dilation.length != rank) {
            throw new UnsupportedModelException(null, layer, null, "needs kernel_size, strides and dilation_rate of "
                    + "1 to 3 spatial dimensions each; got " + Arrays.toString(kernelSize) + ", "
                    + Arrays.toString(strides) + ", " + Arrays.toString(dilation));
        }
        for (int i = 0; i < rank; i++) {
            if (kernelSize[i] <= 0 || strides[i] <= 0 || dilation[i] <= 0) {
                throw new UnsupportedModelException(null, layer, null, "needs positive kernel_size, strides and "
                        + "dilation_rate; got " + Arrays.toString(kernelSize) + ", " + Arrays.toString(strides) + ", "
                        + Arrays.toString(dilation));
            }
            // the dilated span (k - 1)·d + 1 must stay an int for the geometry's arithmetic
            Shapes.add(layer, "the dilated kernel span", Shapes.multiply(layer, "the dilated kernel span",
                    dilation[i], kernelSize[i] - 1), 1);
        }
        if (padding == WindowGeometry.Padding.CAUSAL && rank != 1) {
            throw new UnsupportedModelException(null, layer, null, "padding 'causal' exists for 1-D convolutions "
                    + "only; allowed: valid, same");
        }
        this.kernelSize = kernelSize.clone();
        this.strides = strides.clone();
        this.dilation = dilation.clone();
        this.padding = padding;
        this.channelsFirst = channelsFirst;
        this.activation = activation;
    }

    public int rank() { return rank; }

    public int[] kernelSize() { return kernelSize.clone(); }

    public int[] strides() { return strides.clone(); }

    public int[] dilation() { return dilation.clone(); }

    public WindowGeometry.Padding padding() { return padding; }

    public boolean channelsFirst() { return channelsFirst; }

    public Activation activation() { return activation; }

    /** Window positions: the product of the kernel size. */
    public int windowPositions() {
        int n = 1;
        for (int k : kernelSize) n *= k;
        return n;
    }

    /** The weight shape {@code (kernel_size…, a, b)}. */
    public int[] kernelShape(int a, int b) {
        int[] s = Arrays.copyOf(kernelSize, rank + 2);
        s[rank] = a;
        s[rank + 1] = b;
        return s;
    }

    /** The weight shape {@code (1, …, 1, a, b)} of a pointwise kernel. */
    public int[] pointwiseShape(int a, int b) {
        int[] s = new int[rank + 2];
        Arrays.fill(s, 1);
        s[rank] = a;
        s[rank + 1] = b;
        return s;
    }

    /** The geometry of the forward convolution over spatial input sizes {@code in}. */
    public WindowGeometry geometry(int[] in) {
        return WindowGeometry.of(in, kernelSize, strides, dilation, padding);
    }

    /** The geometry of the transposed convolution over spatial input sizes {@code in}. */
    public WindowGeometry transposedGeometry(int[] in, int[] outputPadding) {
        return WindowGeometry.transposed(in, kernelSize, strides, dilation, padding, outputPadding);
    }

    /** Spatial sizes of a shape without the batch dimension. */
    public int[] spatial(int[] shape) {
        return channelsFirst ? Arrays.copyOfRange(shape, 1, rank + 1) : Arrays.copyOfRange(shape, 0, rank);
    }

    /** Channels of a shape without the batch dimension. */
    public int channelsOf(int[] shape) {
        return channelsFirst ? shape[0] : shape[rank];
    }

    /** The shape without the batch dimension of {@code channels} over {@code spatial} sizes. */
    public int[] shape(int[] spatial, int channels) {
        int[] s = new int[rank + 1];
        System.arraycopy(spatial, 0, s, channelsFirst ? 1 : 0, rank);
        s[channelsFirst ? 0 : rank] = channels;
        return s;
    }

    /**
     * Checks a static input shape (without batch) against the expected channels and returns its spatial sizes,
     * which may hold -1 (unknown).
     */
    public int[] checkInputShape(String layer, int[][] in, int channels) {
        Shapes.expectInputs(layer, in, 1, 1);
        Shapes.expectRank(layer, in[0], rank + 1);
        int ch = channelsOf(in[0]);
        if (ch >= 0 && ch != channels) {
            throw new UnsupportedModelException(null, layer, null, "kernel expects " + channels
                    + " input channels, got input " + Tensor.shapeString(in[0])
                    + (channelsFirst ? " (channels_first)" : ""));
        }
        return spatial(in[0]);
    }

    /** Output shape (without batch) of {@code filters} channels for the geometry {@code g} knows (-1 stays -1). */
    public int[] outputShape(String layer, int[] spatialIn, int filters, boolean transposed, int[] outputPadding) {
        int[] out = new int[rank];
        for (int i = 0; i < rank; i++) {
            if (spatialIn[i] < 0) {
                out[i] = -1;
                continue;
            }
            int[] one = Arrays.copyOf(spatialIn, rank);
            for (int j = 0; j < rank; j++) if (one[j] < 0) one[j] = 1;
            WindowGeometry g = transposed ? transposedGeometry(one, outputPadding) : geometry(one);
            out[i] = transposed ? g.inputShape()[i] : g.outputShape()[i];
            if (out[i] <= 0) throw emptyOutput(layer, spatialIn, false);
        }
        return shape(out, filters);
    }

    private RuntimeException emptyOutput(String layer, int[] spatialIn, boolean atRunTime) {
        String msg = "spatial input " + Arrays.toString(spatialIn) + " is smaller than the dilated kernel "
                + Arrays.toString(kernelSize) + " (dilation_rate " + Arrays.toString(dilation)
                + ") with padding 'valid': the output would be empty";
        return !atRunTime ? new UnsupportedModelException(null, layer, null, msg)
                : new InputException(null, layer, null, msg);
    }

    /** Checks a run-time input and returns its spatial sizes. */
    public int[] checkInput(String layer, Tensor x, int channels) {
        return checkInput(layer, x.shape(), channels);
    }

    /** Checks a run-time input shape (with batch) and returns its spatial sizes. */
    public int[] checkInput(String layer, int[] x, int channels) {
        if (x.length != rank + 2 || x[channelsFirst ? 1 : rank + 1] != channels) {
            throw new InputException(null, layer, null, "expects (batch, " + (channelsFirst ? channels + ", " : "")
                    + (rank == 1 ? "length" : rank == 2 ? "rows, cols" : "depth, rows, cols")
                    + (channelsFirst ? "" : ", " + channels) + "), got " + Tensor.shapeString(x));
        }
        return Arrays.copyOfRange(x, channelsFirst ? 2 : 1, channelsFirst ? rank + 2 : rank + 1);
    }

    /** The forward geometry of a run-time input, refusing an empty output. */
    public WindowGeometry runGeometry(String layer, int[] spatialIn) {
        WindowGeometry g = geometry(spatialIn);
        if (g.outputPositions() == 0) throw emptyOutput(layer, spatialIn, true);
        return g;
    }

    /** x's data channels_last: x itself, or its transpose for channels_first. */
    public float[] channelsLast(Tensor x, int channels) {
        if (!channelsFirst) return x.data();
        int b = x.dim(0);
        return transpose(x.data(), b, channels, x.size() / Math.max(1, b * channels));
    }

    /**
     * The layer's output from channels_last data {@code y} (batch, spatial…, filters): transposed back for
     * channels_first, the activation applied over the last axis.
     */
    public Tensor finish(float[] y, int batch, int[] spatialOut, int filters) {
        int positions = 1;
        for (int s : spatialOut) positions *= s;
        int[] shape = new int[rank + 2];
        shape[0] = batch;
        int[] rest = shape(spatialOut, filters);
        System.arraycopy(rest, 0, shape, 1, rank + 1);
        if (channelsFirst) y = transpose(y, batch, positions, filters);
        if (activation != Activation.LINEAR) {
            int last = shape[rank + 1];
            for (int r = 0; r < y.length / Math.max(1, last); r++) activation.apply(y, r * last, last);
        }
        return new Tensor(shape, y);
    }

    /** (b, r, c) → (b, c, r). */
    static float[] transpose(float[] d, int b, int r, int c) {
        float[] t = new float[d.length];
        for (int s = 0; s < b; s++) {
            int base = s * r * c;
            for (int i = 0; i < r; i++)
                for (int j = 0; j < c; j++) t[base + j * r + i] = d[base + i * c + j];
        }
        return t;
    }

    /** A kernel and an optional bias {@code (width)}, copied, as a convolution's {@link Layer#weights()}. */
    static List<Weight> kernelAndBias(int[] kernelShape, float[] kernel, float[] bias, int width) {
        List<Weight> w = new ArrayList<>();
        w.add(new Weight("kernel", kernelShape, kernel.clone()));
        if (bias != null) w.add(new Weight("bias", new int[]{width}, bias.clone()));
        return w;
    }

    /**
     * A convolution kernel {@code (k…, C/groups, F)} packed for {@link io.jkeras.kernels.Gemm} on first use (as
     * {@code PackedOperands} does for the recurrent layers: loading stays cheap, a race only makes equal copies),
     * or null for a depthwise grouping (groups = channels), whose kernel {@code ConvolutionKernels} reads unpacked.
     */
    static final class PackedKernel {
        private final int windowPositions, channels, filters, groups;
        private final float[] kernel;
        private volatile io.jkeras.kernels.Gemm.PackedB[] packed;

        PackedKernel(int windowPositions, int channels, int filters, int groups, float[] kernel) {
            this.windowPositions = windowPositions;
            this.channels = channels;
            this.filters = filters;
            this.groups = groups;
            this.kernel = kernel;
        }

        /**
         * {@code y = conv(x) + bias} by {@link ConvolutionKernels#conv} over {@code g}, with the packed kernel when
         * the grouping allows it.
         */
        void conv(WindowGeometry g, int batch, float[] x, float[] bias, float[] y) {
            float[] work = new float[ConvolutionKernels.workSize(g, batch, channels, groups)];
            if (groups == channels && groups > 1) {
                ConvolutionKernels.conv(g, batch, channels, filters, groups, x, 0, kernel, 0, bias, 0, y, 0, work);
                return;
            }
            io.jkeras.kernels.Gemm.PackedB[] p = packed;
            if (p == null) packed = p = ConvolutionKernels.pack(windowPositions, channels, filters, groups, kernel, 0);
            ConvolutionKernels.conv(g, batch, channels, filters, groups, x, 0, p, bias, 0, y, 0, work);
        }
    }

    /** Writes the window for the native format. */
    void encode(LayerEncoder e) {
        e.put("kernel_size", kernelSize);
        e.put("strides", strides);
        e.put("dilation_rate", dilation);
        e.put("padding", padding.name());
        e.put("channels_first", channelsFirst);
        e.activation("activation", activation);
    }

    static ConvWindow decode(LayerDecoder d) {
        return new ConvWindow(d.name(), d.ints("kernel_size"), d.ints("strides"), d.ints("dilation_rate"),
                d.enumValue("padding", WindowGeometry.Padding.values()), d.bool("channels_first"),
                d.activation("activation"));
    }

    /** Output values of a shape {@code out[0]} without batch. */
    static long values(int[][] out) {
        long v = 1;
        for (int d : out[0]) v *= Math.max(d, 1);
        return v;
    }

    /** Refuses an activation that changes the width of its input. */
    void checkActivation(String layer, int width) {
        if (activation.outputWidth(width) != width) {
            throw new UnsupportedModelException(null, layer, null, "activation " + activation.name().toLowerCase()
                    + " changes the width of its input; allowed: element-wise and softmax-like activations");
        }
    }
}

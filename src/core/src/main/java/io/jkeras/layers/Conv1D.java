package io.jkeras.layers;

import io.jkeras.exceptions.InputException;
import io.jkeras.exceptions.UnsupportedModelException;
import io.jkeras.kernels.Activation;
import io.jkeras.kernels.WindowGeometry;
import io.jkeras.tensor.Tensor;

import java.util.List;

/**
 * Keras Conv1D: {@code y[b, o, f] = act(bias[f] + Σ_{kk, c} x[b, o·stride − padLeft + kk·dilation,
 * g·cg + c] · kernel[kk, c, f])} for filter f of group g (cg = channels / groups), out-of-range
 * positions reading zeros. Padding {@code valid} pads nothing, {@code causal} pads
 * dilation·(k − 1) on the left, {@code same} pads as TensorFlow does (the total that makes
 * ceil(L / stride) outputs, its floor half on the left). Computed by {@code ConvolutionKernels.conv}.
 * channels_first input (batch, channels, length) is transposed to
 * channels_last and back. Keras' Conv1D does not support masking, so the output carries no mask.
 */
public final class Conv1D implements Layer {
    @Override public <R> R accept(Visitor<R> v) { return v.visit(this); }

    public enum Padding { VALID, SAME, CAUSAL }

    private final String name;
    private final int channels;
    private final int filters;
    private final int kernelSize;
    private final int stride;
    private final int dilation;
    private final Padding padding;
    private final int groups;
    private final boolean channelsFirst;
    private final Activation activation;
    private final float[] kernel; // (kernelSize, channels / groups, filters)
    private final float[] bias;   // (filters) or null
    private final ConvWindow.PackedKernel packed;

    public Conv1D(String name, int channels, int filters, int kernelSize, int stride, int dilation, Padding padding,
                  int groups, boolean channelsFirst, Activation activation, float[] kernel, float[] bias) {
        this.name = name;
        if (channels <= 0 || filters <= 0 || kernelSize <= 0 || stride <= 0 || dilation <= 0 || groups <= 0) {
            throw new UnsupportedModelException(null, name, null,
                    "needs positive channels, filters, kernel_size, strides, dilation_rate and groups; got channels="
                    + channels + ", filters=" + filters + ", kernel_size=" + kernelSize + ", strides=" + stride
                            + ", dilation_rate=" + dilation + ", groups=" + groups);
        }
        if (channels % groups != 0 || filters % groups != 0) {
            throw new UnsupportedModelException(null, name, null, "groups=" + groups
                    + " must divide both the input channels (" + channels
                    + ") and filters (" + filters + ")");
        }
        if (activation.outputWidth(filters) != filters) {
            throw new UnsupportedModelException(null, name, null, "activation " + activation.name().toLowerCase()
                    + " changes the width of its input; allowed: element-wise and softmax-like activations");
        }
        // the dilated kernel's span, (kernel_size - 1) * dilation_rate + 1, must fit the arithmetic of outputLength
        String span = "the dilated kernel span";
        Shapes.add(name, span, Shapes.multiply(name, span, dilation, kernelSize - 1), 1);
        this.channels = channels;
        this.filters = filters;
        this.kernelSize = kernelSize;
        this.stride = stride;
        this.dilation = dilation;
        this.padding = padding;
        this.groups = groups;
        this.channelsFirst = channelsFirst;
        this.activation = activation;
        Recurrent.checkShape(name, "kernel", kernel, kernelSize, channels / groups, filters);
        if (bias != null) Recurrent.checkShape(name, "bias", bias, filters);
        this.kernel = kernel.clone();
        this.bias = bias == null ? null : bias.clone();
        this.packed = new ConvWindow.PackedKernel(kernelSize, channels, filters, groups, this.kernel);
    }

    @Override public String name() { return name; }

    @Override public String typeName() { return "Conv1D"; }

    public int channels() { return channels; }

    public int kernelSize() { return kernelSize; }

    public int stride() { return stride; }

    public int dilation() { return dilation; }

    public int groups() { return groups; }

    public boolean channelsFirst() { return channelsFirst; }

    public Activation activation() { return activation; }

    public int filters() { return filters; }

    public Padding padding() { return padding; }

    /** Output length for input length {@code len}, or -1 when {@code len} is unknown. */
    public int outputLength(int len) {
        if (len < 0) return -1;
        if (padding == Padding.VALID) {
            long span = (long) dilation * (kernelSize - 1) + 1;
            return len < span ? 0 : (int) ((len - span) / stride + 1);
        }
        return (int) (((long) len + stride - 1) / stride);
    }

    /** Zeros padded before position 0 for input length {@code len}. */
    int padLeft(int len) {
        switch (padding) {
            case CAUSAL: return dilation * (kernelSize - 1);
            case SAME: {
                int out = (len + stride - 1) / stride;
                int total = Math.max((out - 1) * stride + dilation * (kernelSize - 1) + 1 - len, 0);
                return total / 2;
            }
            default: return 0;
        }
    }

    @Override
    public int[][] outputShapes(int[][] in) {
        Shapes.expectInputs(name, in, 1, 1);
        Shapes.expectRank(name, in[0], 2);
        int len = channelsFirst ? in[0][1] : in[0][0];
        int ch = channelsFirst ? in[0][0] : in[0][1];
        if (ch >= 0 && ch != channels) {
            throw new UnsupportedModelException(null, name, null, "kernel expects " + channels
                    + " input channels, got input "
                    + Tensor.shapeString(in[0]) + (channelsFirst ? " (channels_first)" : ""));
        }
        int out = outputLength(len);
        if (len >= 0 && out <= 0) {
            throw new UnsupportedModelException(null, name, null, "input length " + len
                    + " is shorter than the dilated kernel ("
                    + (dilation * (kernelSize - 1) + 1) + ") with padding 'valid': the output would be empty");
        }
        return new int[][]{channelsFirst ? new int[]{filters, out} : new int[]{out, filters}};
    }

    @Override
    public Tensor[] forward(Tensor[] inputs, float[][] state) {
        Tensor x = inputs[0];
        if (x.rank() != 3 || x.dim(channelsFirst ? 1 : 2) != channels) {
            throw new InputException(null, name, null, "expects (batch, "
                    + (channelsFirst ? channels + ", length" : "length, " + channels)
                    + "), got " + Tensor.shapeString(x.shape()));
        }
        int b = x.dim(0);
        int len = x.dim(channelsFirst ? 2 : 1);
        int out = outputLength(len);
        if (out <= 0) {
            throw new InputException(null, name, null, "input length " + len + " is shorter than the dilated kernel ("
                    + (dilation * (kernelSize - 1) + 1) + ") with padding 'valid'");
        }
        float[] xd = channelsFirst ? ConvWindow.transpose(x.data(), b, channels, len) : x.data();
        WindowGeometry g = WindowGeometry.explicit(new int[]{len}, new int[]{kernelSize}, new int[]{stride},
                new int[]{dilation}, new int[]{padLeft(len)}, new int[]{out});
        float[] y = new float[b * out * filters];
        packed.conv(g, b, xd, bias, y);
        if (activation != Activation.LINEAR) {
            if (channelsFirst) {
                y = ConvWindow.transpose(y, b, out, filters);
                for (int r = 0; r < b * filters; r++) activation.apply(y, r * out, out);
                return new Tensor[]{new Tensor(new int[]{b, filters, out}, y)};
            }
            for (int r = 0; r < b * out; r++) activation.apply(y, r * filters, filters);
        }
        if (channelsFirst) {
            return new Tensor[]{new Tensor(new int[]{b, filters, out}, ConvWindow.transpose(y, b, out, filters))};
        }
        return new Tensor[]{new Tensor(new int[]{b, out, filters}, y)};
    }

    @Override
    public List<Weight> weights() {
        return ConvWindow.kernelAndBias(new int[]{kernelSize, channels / groups, filters}, kernel, bias, filters);
    }

    @Override
    public void encode(LayerEncoder e) {
        e.put("channels", channels);
        e.put("filters", filters);
        e.put("kernel_size", kernelSize);
        e.put("strides", stride);
        e.put("dilation_rate", dilation);
        e.put("padding", padding.name());
        e.put("groups", groups);
        e.put("channels_first", channelsFirst);
        e.activation("activation", activation);
        e.weights(weights());
    }

    static Layer decode(LayerDecoder d) {
        int ch = d.integer("channels"), f = d.integer("filters"), ks = d.integer("kernel_size"),
                g = d.integer("groups");
        Weight k = d.weight("kernel", 3), b = d.optionalWeight("bias");
        if (g <= 0 || ch % g != 0) throw d.error("groups " + g + " does not divide channels " + ch);
        d.expectShape(k, ks, ch / g, f);
        if (b != null) d.expectShape(b, f);
        d.expectNoOtherWeights("kernel", "bias");
        return new Conv1D(d.name(), ch, f, ks, d.integer("strides"), d.integer("dilation_rate"),
                d.enumValue("padding", Padding.values()), g, d.bool("channels_first"), d.activation("activation"),
                k.values(), b == null ? null : b.values());
    }

    /** {@code 2·kernel·(channels/groups)} per output value. */
    @Override
    public long flops(int[][] in, int[][] out) {
        long values = 1;
        for (int d : out[0]) values *= d;
        return values * 2L * kernelSize * (channels / groups);
    }

    @Override public int vocabulary() { return 0; }

    @Override public Layer withWeights(List<float[]> values) { throw Reinitialization.refused(this); }
}

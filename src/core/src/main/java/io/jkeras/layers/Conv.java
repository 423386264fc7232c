package io.jkeras.layers;

import io.jkeras.exceptions.UnsupportedModelException;
import io.jkeras.kernels.WindowGeometry;
import io.jkeras.tensor.Tensor;

import java.util.List;

/**
 * Keras Conv2D and Conv3D (keras/src/layers/convolutional/base_conv.py): {@code y = act(conv(x, kernel) + bias)}
 * with strides, dilation, valid/same padding, groups and either data format, kernel {@code (k…, C/groups, F)} as
 * Keras stores it; computed by {@code ConvolutionKernels.conv}. Keras' convolutions do not support masking, so the
 * output carries no mask. (Conv1D, which also has causal padding, is {@link Conv1D}.)
 */
public final class Conv implements Layer {
    @Override public <R> R accept(Visitor<R> v) { return v.visit(this); }

    private final String name;
    private final ConvWindow window;
    private final int channels, filters, groups;
    private final float[] kernel; // (k…, channels / groups, filters)
    private final float[] bias;   // (filters) or null
    private final ConvWindow.PackedKernel packed;

    public Conv(String name, ConvWindow window, int channels, int filters, int groups, float[] kernel, float[] bias) {
        this.name = name;
        if (channels <= 0 || filters <= 0 || groups <= 0) {
            throw new UnsupportedModelException(null, name, null, "needs positive channels, filters and groups; got "
                    + "channels=" + channels + ", filters=" + filters + ", groups=" + groups);
        }
        if (channels % groups != 0 || filters % groups != 0) {
            throw new UnsupportedModelException(null, name, null, "groups=" + groups
                    + " must divide both the input channels (" + channels + ") and filters (" + filters + ")");
        }
        window.checkActivation(name, filters);
        this.window = window;
        this.channels = channels;
        this.filters = filters;
        this.groups = groups;
        Recurrent.checkShape(name, "kernel", kernel, window.kernelShape(channels / groups, filters));
        if (bias != null) Recurrent.checkShape(name, "bias", bias, filters);
        this.kernel = kernel.clone();
        this.bias = bias == null ? null : bias.clone();
        this.packed = new ConvWindow.PackedKernel(window.windowPositions(), channels, filters, groups, this.kernel);
    }

    @Override public String name() { return name; }

    @Override public String typeName() { return "Conv" + window.rank() + "D"; }

    public ConvWindow window() { return window; }

    public int channels() { return channels; }

    public int filters() { return filters; }

    public int groups() { return groups; }

    @Override
    public int[][] outputShapes(int[][] in) {
        int[] s = window.checkInputShape(name, in, channels);
        return new int[][]{window.outputShape(name, s, filters, false, null)};
    }

    @Override
    public Tensor[] forward(Tensor[] inputs, float[][] state) {
        Tensor x = inputs[0];
        int[] s = window.checkInput(name, x, channels);
        WindowGeometry g = window.runGeometry(name, s);
        int b = x.dim(0);
        float[] y = new float[b * g.outputPositions() * filters];
        packed.conv(g, b, window.channelsLast(x, channels), bias, y);
        return new Tensor[]{window.finish(y, b, g.outputShape(), filters)};
    }

    @Override
    public List<Weight> weights() {
        return ConvWindow.kernelAndBias(window.kernelShape(channels / groups, filters), kernel, bias, filters);
    }

    @Override
    public void encode(LayerEncoder e) {
        e.put("channels", channels);
        e.put("filters", filters);
        e.put("groups", groups);
        window.encode(e);
        e.weights(weights());
    }

    static Layer decode(LayerDecoder d) {
        ConvWindow w = ConvWindow.decode(d);
        int ch = d.integer("channels"), f = d.integer("filters"), g = d.integer("groups");
        if (g <= 0 || ch % g != 0) throw d.error("groups " + g + " does not divide channels " + ch);
        Weight k = d.weight("kernel", w.rank() + 2), b = d.optionalWeight("bias");
        d.expectShape(k, w.kernelShape(ch / g, f));
        if (b != null) d.expectShape(b, f);
        d.expectNoOtherWeights("kernel", "bias");
        return new Conv(d.name(), w, ch, f, g, k.values(), b == null ? null : b.values());
    }

    /** {@code 2·window·(channels/groups)} per output value. */
    @Override
    public long flops(int[][] in, int[][] out) {
        return ConvWindow.values(out) * 2L * window.windowPositions() * (channels / groups);
    }

    @Override public int vocabulary() { return 0; }

    @Override
    public Layer withWeights(List<float[]> values) {
        return new Conv(name, window, channels, filters, groups, values.get(0), bias == null ? null : values.get(1));
    }
}

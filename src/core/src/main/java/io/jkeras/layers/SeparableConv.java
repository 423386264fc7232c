package io.jkeras.layers;

import io.jkeras.exceptions.UnsupportedModelException;
import io.jkeras.kernels.ConvolutionKernels;
import io.jkeras.kernels.WindowGeometry;
import io.jkeras.tensor.Tensor;

import java.util.ArrayList;
import java.util.List;

/**
 * Keras SeparableConv1D and SeparableConv2D (keras/src/layers/convolutional/base_separable_conv.py): a depthwise
 * convolution (kernel {@code (k…, C, M)}, no bias) then a pointwise one (kernel {@code (1…, C·M, F)}) and the bias
 * {@code (F)}; computed by {@link ConvolutionKernels#separable}. No mask is carried.
 */
public final class SeparableConv implements Layer {
    @Override public <R> R accept(Visitor<R> v) { return v.visit(this); }

    private final String name;
    private final ConvWindow window;
    private final int channels, multiplier, filters;
    private final float[] depthKernel; // (k…, channels, multiplier)
    private final float[] pointKernel; // (1…, channels · multiplier, filters)
    private final float[] bias;        // (filters) or null

    public SeparableConv(String name, ConvWindow window, int channels, int multiplier, int filters,
                         float[] depthKernel, float[] pointKernel, float[] bias) {
        this.name = name;
        if (channels <= 0 || multiplier <= 0 || filters <= 0) {
            throw new UnsupportedModelException(null, name, null, "needs positive channels, depth_multiplier and "
                    + "filters; got channels=" + channels + ", depth_multiplier=" + multiplier + ", filters="
                    + filters);
        }
        int width = Shapes.multiply(name, "channels · depth_multiplier", channels, multiplier);
        window.checkActivation(name, filters);
        this.window = window;
        this.channels = channels;
        this.multiplier = multiplier;
        this.filters = filters;
        Recurrent.checkShape(name, "depthwise_kernel", depthKernel, window.kernelShape(channels, multiplier));
        Recurrent.checkShape(name, "pointwise_kernel", pointKernel, window.pointwiseShape(width, filters));
        if (bias != null) Recurrent.checkShape(name, "bias", bias, filters);
        this.depthKernel = depthKernel.clone();
        this.pointKernel = pointKernel.clone();
        this.bias = bias == null ? null : bias.clone();
    }

    @Override public String name() { return name; }

    @Override public String typeName() { return "SeparableConv" + window.rank() + "D"; }

    public ConvWindow window() { return window; }

    public int channels() { return channels; }

    public int multiplier() { return multiplier; }

    public int filters() { return filters; }

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
        float[] work = new float[ConvolutionKernels.separableWorkSize(g, b, channels, multiplier)];
        ConvolutionKernels.separable(g, b, channels, multiplier, filters, window.channelsLast(x, channels), 0,
                depthKernel, 0, pointKernel, 0, bias, 0, y, 0, work);
        return new Tensor[]{window.finish(y, b, g.outputShape(), filters)};
    }

    @Override
    public List<Weight> weights() {
        List<Weight> w = new ArrayList<>();
        w.add(new Weight("depthwise_kernel", window.kernelShape(channels, multiplier), depthKernel.clone()));
        w.add(new Weight("pointwise_kernel", window.pointwiseShape(channels * multiplier, filters),
                pointKernel.clone()));
        if (bias != null) w.add(new Weight("bias", new int[]{filters}, bias.clone()));
        return w;
    }

    @Override
    public void encode(LayerEncoder e) {
        e.put("channels", channels);
        e.put("depth_multiplier", multiplier);
        e.put("filters", filters);
        window.encode(e);
        e.weights(weights());
    }

    static Layer decode(LayerDecoder d) {
        ConvWindow w = ConvWindow.decode(d);
        int ch = d.integer("channels"), m = d.integer("depth_multiplier"), f = d.integer("filters");
        Weight dk = d.weight("depthwise_kernel", w.rank() + 2), pk = d.weight("pointwise_kernel", w.rank() + 2);
        Weight b = d.optionalWeight("bias");
        d.expectShape(dk, w.kernelShape(ch, m));
        d.expectShape(pk, w.pointwiseShape(ch * m, f));
        if (b != null) d.expectShape(b, f);
        d.expectNoOtherWeights("depthwise_kernel", "pointwise_kernel", "bias");
        return new SeparableConv(d.name(), w, ch, m, f, dk.values(), pk.values(), b == null ? null : b.values());
    }

    /** {@code 2·window} per depthwise value plus {@code 2·C·M} per output value. */
    @Override
    public long flops(int[][] in, int[][] out) {
        long positions = ConvWindow.values(out) / filters;
        return positions * (2L * window.windowPositions() * channels * multiplier
                + 2L * channels * multiplier * filters);
    }

    @Override public int vocabulary() { return 0; }

    @Override
    public Layer withWeights(List<float[]> values) {
        return new SeparableConv(name, window, channels, multiplier, filters, values.get(0), values.get(1),
                bias == null ? null : values.get(2));
    }
}

package io.jkeras.layers;

import io.jkeras.exceptions.UnsupportedModelException;
import io.jkeras.kernels.ConvolutionKernels;
import io.jkeras.kernels.WindowGeometry;
import io.jkeras.tensor.Tensor;

import java.util.List;

/**
 * Keras DepthwiseConv1D and DepthwiseConv2D (keras/src/layers/convolutional/base_depthwise_conv.py): each input
 * channel c convolved with its own {@code depth_multiplier} M filters, output channel {@code c·M + m}, kernel
 * {@code (k…, C, M)} and bias {@code (C·M)} as Keras stores them; computed by {@link ConvolutionKernels#depthwise}.
 * No mask is carried.
 */
public final class DepthwiseConv implements Layer {
    @Override public <R> R accept(Visitor<R> v) { return v.visit(this); }

    private final String name;
    private final ConvWindow window;
    private final int channels, multiplier;
    private final float[] kernel; // (k…, channels, multiplier)
    private final float[] bias;   // (channels · multiplier) or null

    public DepthwiseConv(String name, ConvWindow window, int channels, int multiplier, float[] kernel, float[] bias) {
        this.name = name;
        if (channels <= 0 || multiplier <= 0) {
            throw new UnsupportedModelException(null, name, null, "needs positive channels and depth_multiplier; got "
                    + "channels=" + channels + ", depth_multiplier=" + multiplier);
        }
        int width = Shapes.multiply(name, "channels · depth_multiplier", channels, multiplier);
        window.checkActivation(name, width);
        this.window = window;
        this.channels = channels;
        this.multiplier = multiplier;
        Recurrent.checkShape(name, "kernel", kernel, window.kernelShape(channels, multiplier));
        if (bias != null) Recurrent.checkShape(name, "bias", bias, width);
        this.kernel = kernel.clone();
        this.bias = bias == null ? null : bias.clone();
    }

    @Override public String name() { return name; }

    @Override public String typeName() { return "DepthwiseConv" + window.rank() + "D"; }

    public ConvWindow window() { return window; }

    public int channels() { return channels; }

    public int multiplier() { return multiplier; }

    @Override
    public int[][] outputShapes(int[][] in) {
        int[] s = window.checkInputShape(name, in, channels);
        return new int[][]{window.outputShape(name, s, channels * multiplier, false, null)};
    }

    @Override
    public Tensor[] forward(Tensor[] inputs, float[][] state) {
        Tensor x = inputs[0];
        int[] s = window.checkInput(name, x, channels);
        WindowGeometry g = window.runGeometry(name, s);
        int b = x.dim(0), width = channels * multiplier;
        float[] y = new float[b * g.outputPositions() * width];
        ConvolutionKernels.depthwise(g, b, channels, multiplier, window.channelsLast(x, channels), 0, kernel, 0,
                bias, 0, y, 0);
        return new Tensor[]{window.finish(y, b, g.outputShape(), width)};
    }

    @Override
    public List<Weight> weights() {
        return ConvWindow.kernelAndBias(window.kernelShape(channels, multiplier), kernel, bias, channels * multiplier);
    }

    @Override
    public void encode(LayerEncoder e) {
        e.put("channels", channels);
        e.put("depth_multiplier", multiplier);
        window.encode(e);
        e.weights(weights());
    }

    static Layer decode(LayerDecoder d) {
        ConvWindow w = ConvWindow.decode(d);
        int ch = d.integer("channels"), m = d.integer("depth_multiplier");
        Weight k = d.weight("kernel", w.rank() + 2), b = d.optionalWeight("bias");
        d.expectShape(k, w.kernelShape(ch, m));
        if (b != null) d.expectShape(b, ch * m);
        d.expectNoOtherWeights("kernel", "bias");
        return new DepthwiseConv(d.name(), w, ch, m, k.values(), b == null ? null : b.values());
    }

    /** {@code 2·window} per output value. */
    @Override
    public long flops(int[][] in, int[][] out) {
        return ConvWindow.values(out) * 2L * window.windowPositions();
    }

    @Override public int vocabulary() { return 0; }

    @Override
    public Layer withWeights(List<float[]> values) {
        return new DepthwiseConv(name, window, channels, multiplier, values.get(0),
                bias == null ? null : values.get(1));
    }
}

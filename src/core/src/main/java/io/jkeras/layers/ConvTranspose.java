package io.jkeras.layers;

import io.jkeras.exceptions.UnsupportedModelException;
import io.jkeras.kernels.ConvolutionKernels;
import io.jkeras.kernels.WindowGeometry;
import io.jkeras.tensor.Tensor;

import java.util.Arrays;
import java.util.List;

/**
 * Keras Conv1DTranspose, Conv2DTranspose and Conv3DTranspose (keras/src/layers/convolutional/base_conv_transpose.py):
 * the adjoint of the forward convolution, kernel {@code (k…, F, C)} as Keras stores it, output sizes as Keras
 * computes them (with or without {@code output_padding}, see {@link WindowGeometry#transposed}); computed by
 * {@link ConvolutionKernels#transposed}. No mask is carried.
 */
public final class ConvTranspose implements Layer {
    @Override public <R> R accept(Visitor<R> v) { return v.visit(this); }

    private final String name;
    private final ConvWindow window;
    private final int channels, filters;
    private final int[] outputPadding; // per dimension, or null (Keras' None)
    private final float[] kernel;      // (k…, filters, channels)
    private final float[] bias;        // (filters) or null

    public ConvTranspose(String name, ConvWindow window, int channels, int filters, int[] outputPadding,
                         float[] kernel, float[] bias) {
        this.name = name;
        if (channels <= 0 || filters <= 0) {
            throw new UnsupportedModelException(null, name, null, "needs positive channels and filters; got channels="
                    + channels + ", filters=" + filters);
        }
        if (window.padding() == WindowGeometry.Padding.CAUSAL) {
            throw new UnsupportedModelException(null, name, null, "padding 'causal' is not allowed for a transposed "
                    + "convolution; allowed: valid, same");
        }
        if (outputPadding != null) {
            int[] st = window.strides(), dil = window.dilation();
            if (outputPadding.length != window.rank()) {
                throw new UnsupportedModelException(null, name, null, "output_padding "
                        + Arrays.toString(outputPadding) + " needs " + window.rank() + " values");
            }
            for (int i = 0; i < outputPadding.length; i++) {
                // keras/src/layers/convolutional/base_conv_transpose.py: output_padding must be below the strides
                if (outputPadding[i] < 0 || (outputPadding[i] >= st[i] && outputPadding[i] >= dil[i])) {
                    throw new UnsupportedModelException(null, name, null, "output_padding "
                            + Arrays.toString(outputPadding) + " must be from 0 to below the strides "
                            + Arrays.toString(st) + " or the dilation_rate " + Arrays.toString(dil));
                }
            }
        }
        window.checkActivation(name, filters);
        this.window = window;
        this.channels = channels;
        this.filters = filters;
        this.outputPadding = outputPadding == null ? null : outputPadding.clone();
        Recurrent.checkShape(name, "kernel", kernel, window.kernelShape(filters, channels));
        if (bias != null) Recurrent.checkShape(name, "bias", bias, filters);
        this.kernel = kernel.clone();
        this.bias = bias == null ? null : bias.clone();
    }

    @Override public String name() { return name; }

    @Override public String typeName() { return "Conv" + window.rank() + "DTranspose"; }

    public ConvWindow window() { return window; }

    public int channels() { return channels; }

    public int filters() { return filters; }

    /** Per dimension, or null for Keras' {@code output_padding=None}. */
    public int[] outputPadding() { return outputPadding == null ? null : outputPadding.clone(); }

    @Override
    public int[][] outputShapes(int[][] in) {
        int[] s = window.checkInputShape(name, in, channels);
        return new int[][]{window.outputShape(name, s, filters, true, outputPadding)};
    }

    @Override
    public Tensor[] forward(Tensor[] inputs, float[][] state) {
        Tensor x = inputs[0];
        int[] s = window.checkInput(name, x, channels);
        WindowGeometry g = window.transposedGeometry(s, outputPadding);
        int b = x.dim(0);
        float[] y = new float[b * g.inputPositions() * filters];
        float[] work = new float[ConvolutionKernels.transposedWorkSize(g, b, filters)];
        ConvolutionKernels.transposed(g, b, channels, filters, window.channelsLast(x, channels), 0, kernel, 0,
                bias, 0, y, 0, work);
        return new Tensor[]{window.finish(y, b, g.inputShape(), filters)};
    }

    @Override
    public List<Weight> weights() {
        return ConvWindow.kernelAndBias(window.kernelShape(filters, channels), kernel, bias, filters);
    }

    @Override
    public void encode(LayerEncoder e) {
        e.put("channels", channels);
        e.put("filters", filters);
        if (outputPadding == null) e.putNull("output_padding");
        else e.put("output_padding", outputPadding);
        window.encode(e);
        e.weights(weights());
    }

    static Layer decode(LayerDecoder d) {
        ConvWindow w = ConvWindow.decode(d);
        int ch = d.integer("channels"), f = d.integer("filters");
        int[] op = d.isNull("output_padding") ? null : d.ints("output_padding");
        Weight k = d.weight("kernel", w.rank() + 2), b = d.optionalWeight("bias");
        d.expectShape(k, w.kernelShape(f, ch));
        if (b != null) d.expectShape(b, f);
        d.expectNoOtherWeights("kernel", "bias");
        return new ConvTranspose(d.name(), w, ch, f, op, k.values(), b == null ? null : b.values());
    }

    /** {@code 2·window·filters} per input value. */
    @Override
    public long flops(int[][] in, int[][] out) {
        long v = 1;
        for (int d : in[0]) v *= Math.max(d, 1);
        return v * 2L * window.windowPositions() * filters;
    }

    @Override public int vocabulary() { return 0; }

    @Override
    public Layer withWeights(List<float[]> values) {
        return new ConvTranspose(name, window, channels, filters, outputPadding, values.get(0),
                bias == null ? null : values.get(1));
    }
}

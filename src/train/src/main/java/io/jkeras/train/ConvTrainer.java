package io.jkeras.train;

import io.jkeras.kernels.WindowGeometry;
import io.jkeras.layers.Conv;
import io.jkeras.layers.ConvTranspose;
import io.jkeras.layers.ConvWindow;
import io.jkeras.layers.DepthwiseConv;
import io.jkeras.layers.Layer;
import io.jkeras.layers.SeparableConv;
import io.jkeras.layers.TrainingConfig;
import io.jkeras.layers.Weight;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Conv2D/3D ({@link Conv}), DepthwiseConv1D/2D, SeparableConv1D/2D and Conv1D/2D/3DTranspose in training form:
 * {@link Ops#conv} and {@link Ops#convTranspose} over the layer's {@link WindowGeometry}, then the bias and the
 * activation over the last axis as Keras applies it. A depthwise kernel {@code (k…, C, M)} is the grouped
 * convolution's kernel {@code (k…, 1, C·M)} with groups = C (the same values in the same order); a separable
 * convolution is that depthwise step then a 1×…×1 convolution. channels_first inputs are transposed to
 * channels_last and the output back. No mask is carried, as in Keras.
 */
final class ConvTrainer implements TrainableLayer {
    private final Layer layer;
    private final ConvWindow window;
    private final int channels;
    private final List<Param> params = new ArrayList<>();
    private final boolean hasBias;

    ConvTrainer(Layer l, TrainingConfig c) {
        this.layer = l;
        if (l instanceof Conv conv) {
            window = conv.window();
            channels = conv.channels();
        } else if (l instanceof DepthwiseConv d) {
            window = d.window();
            channels = d.channels();
        } else if (l instanceof SeparableConv s) {
            window = s.window();
            channels = s.channels();
        } else {
            ConvTranspose ct = (ConvTranspose) l;
            window = ct.window();
            channels = ct.channels();
        }
        for (Weight w : l.weights()) params.add(TrainableLayers.param(l, w, c));
        hasBias = params.get(params.size() - 1).name().equals("bias");
    }

    @Override public Layer layer() { return layer; }

    @Override public List<Param> params() { return List.copyOf(params); }

    @Override
    public Var[] forward(Tape t, Var[] in, TrainContext ctx, double[][] state) {
        Var x = in[0];
        int r = window.rank();
        int[] spatial = window.checkInput(layer.name(), x.shape(), channels);
        int[] toLast = new int[r + 2], toFirst = new int[r + 2];
        for (int i = 0; i < r; i++) {
            toLast[i + 1] = i + 2;
            toFirst[i + 2] = i + 1;
        }
        toLast[r + 1] = 1;
        toFirst[1] = r + 1;
        if (window.channelsFirst()) x = Ops.transpose(t, x, toLast);
        Var kernel = params.get(0).var();
        Var y;
        if (layer instanceof Conv conv) {
            y = Ops.conv(t, x, kernel, window.runGeometry(layer.name(), spatial), conv.groups());
        } else if (layer instanceof DepthwiseConv d) {
            y = depthwise(t, x, kernel, window.runGeometry(layer.name(), spatial), d.multiplier());
        } else if (layer instanceof SeparableConv s) {
            WindowGeometry g = window.runGeometry(layer.name(), spatial);
            Var mid = depthwise(t, x, kernel, g, s.multiplier());
            int[] ones = new int[r];
            Arrays.fill(ones, 1);
            WindowGeometry point = WindowGeometry.of(g.outputShape(), ones, ones, ones, WindowGeometry.Padding.VALID);
            y = Ops.conv(t, mid, params.get(1).var(), point, 1);
        } else {
            y = Ops.convTranspose(t, x, kernel,
                    window.transposedGeometry(spatial, ((ConvTranspose) layer).outputPadding()));
        }
        if (hasBias) y = Ops.addBias(t, y, params.get(params.size() - 1).var());
        if (window.channelsFirst()) y = Ops.transpose(t, y, toFirst);
        return new Var[]{Ops.activation(t, y, window.activation())};
    }

    /** Depthwise: the kernel {@code (k…, C, M)} read as {@code (k…, 1, C·M)}, groups = C. */
    private Var depthwise(Tape t, Var x, Var kernel, WindowGeometry g, int multiplier) {
        int[] grouped = window.kernelShape(1, channels * multiplier);
        return Ops.conv(t, x, Ops.reshape(t, kernel, grouped, false), g, channels);
    }

    @Override
    public Layer rebuild() {
        List<float[]> values = new ArrayList<>();
        for (Param p : params) values.add(p.toFloats());
        return layer.withWeights(values);
    }
}

package io.jkeras.train;

import io.jkeras.exceptions.InputException;
import io.jkeras.layers.Conv1D;
import io.jkeras.layers.Layer;
import io.jkeras.layers.TrainingConfig;
import io.jkeras.layers.Weight;
import io.jkeras.tensor.Tensor;

import java.util.ArrayList;
import java.util.List;

/**
 * Conv1D in training form: {@link Ops#conv1d} (valid / causal / TensorFlow "same" padding,
 * strides, dilation, groups) plus bias, then the activation over the last axis of the output as
 * Keras applies it: the filters for channels_last, the length for channels_first (whose input is
 * transposed to channels_last first and the output back). Keras' Conv1D does not support masking:
 * the output carries no mask.
 */
final class Conv1DTrainer implements TrainableLayer {
    private final Conv1D layer;
    private final Param kernel, bias;

    Conv1DTrainer(Layer l, TrainingConfig c) {
        this.layer = (Conv1D) l;
        List<Weight> w = layer.weights();
        this.kernel = TrainableLayers.param(layer, w.get(0), c);
        this.bias = w.size() > 1 ? TrainableLayers.param(layer, w.get(1), c) : null;
    }

    @Override public Layer layer() { return layer; }

    @Override
    public List<Param> params() {
        List<Param> p = new ArrayList<>(List.of(kernel));
        if (bias != null) p.add(bias);
        return p;
    }

    /** Zeros padded before position 0 for input length {@code len}, as the engine layer pads. */
    int padLeft(int len) {
        int k = layer.kernelSize(), d = layer.dilation(), s = layer.stride();
        return switch (layer.padding()) {
            case CAUSAL -> d * (k - 1);
            case SAME -> {
                int out = (len + s - 1) / s;
                yield Math.max((out - 1) * s + d * (k - 1) + 1 - len, 0) / 2;
            }
            case VALID -> 0;
        };
    }

    @Override
    public Var[] forward(Tape t, Var[] in, TrainContext ctx, double[][] state) {
        Var x = in[0];
        boolean cf = layer.channelsFirst();
        if (x.rank() != 3 || x.dim(cf ? 1 : 2) != layer.channels()) {
            throw new InputException(null, layer.name(), null, "expects (batch, "
                    + (cf ? layer.channels() + ", length" : "length, " + layer.channels())
                    + "), got " + Tensor.shapeString(x.shape()));
        }
        if (cf) x = Ops.transpose(t, x, new int[]{0, 2, 1});
        int len = x.dim(1), out = layer.outputLength(len);
        if (out <= 0) {
            throw new InputException(null, layer.name(), null, "input length " + len
                    + " is shorter than the dilated kernel ("
                    + (layer.dilation() * (layer.kernelSize() - 1) + 1) + ") with padding 'valid'");
        }
        Var y = Ops.conv1d(t, x, kernel.var(), layer.stride(), layer.dilation(), padLeft(len), layer.groups(), out);
        if (bias != null) y = Ops.addBias(t, y, bias.var());
        if (cf) y = Ops.transpose(t, y, new int[]{0, 2, 1});
        return new Var[]{Ops.activation(t, y, layer.activation())};
    }

    @Override
    public Layer rebuild() {
        return new Conv1D(layer.name(), layer.channels(), layer.filters(), layer.kernelSize(), layer.stride(),
                layer.dilation(),
                layer.padding(), layer.groups(), layer.channelsFirst(), layer.activation(), kernel.toFloats(),
                bias == null ? null : bias.toFloats());
    }
}

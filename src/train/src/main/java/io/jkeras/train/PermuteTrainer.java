package io.jkeras.train;

import io.jkeras.exceptions.InputException;
import io.jkeras.layers.Layer;
import io.jkeras.layers.Permute;
import io.jkeras.layers.TrainingConfig;
import io.jkeras.tensor.Tensor;

import java.util.List;

/**
 * Permute in training form: output axis i (1-based, batch excluded) is input axis dims[i−1]; the
 * gradient is transposed back. Keras' Permute does not support masking: the output carries no mask.
 */
final class PermuteTrainer implements TrainableLayer {
    private final Permute layer;

    PermuteTrainer(Layer l, TrainingConfig c) { this.layer = (Permute) l; }

    @Override public Layer layer() { return layer; }

    @Override public List<Param> params() { return List.of(); }

    @Override
    public Var[] forward(Tape t, Var[] in, TrainContext ctx, double[][] state) {
        int[] dims = layer.dims();
        if (in[0].rank() != dims.length + 1) {
            throw new InputException(null, layer.name(), null, "expects rank " + (dims.length + 1) + " input, got "
                    + Tensor.shapeString(in[0].shape()));
        }
        int[] perm = new int[dims.length + 1];
        System.arraycopy(dims, 0, perm, 1, dims.length);
        return new Var[]{Ops.transpose(t, in[0], perm)};
    }

    @Override public Layer rebuild() { return layer; }
}

package io.jkeras.train;

import io.jkeras.layers.Layer;
import io.jkeras.layers.Reshape;
import io.jkeras.layers.TrainingConfig;

import java.util.Arrays;
import java.util.List;

/**
 * Reshape in training form: the same values under the target shape (the -1 entry resolved from
 * the sample size as the engine layer resolves it); gradients pass unchanged. Keras' Reshape does
 * not support masking: the output carries no mask.
 */
final class ReshapeTrainer implements TrainableLayer {
    private final Reshape layer;

    ReshapeTrainer(Layer l, TrainingConfig c) { this.layer = (Reshape) l; }

    @Override public Layer layer() { return layer; }

    @Override public List<Param> params() { return List.of(); }

    @Override
    public Var[] forward(Tape t, Var[] in, TrainContext ctx, double[][] state) {
        int[] s = in[0].shape();
        int[] inner = layer.outputShapes(new int[][]{Arrays.copyOfRange(s, 1, s.length)})[0];
        int[] full = new int[inner.length + 1];
        full[0] = s[0];
        System.arraycopy(inner, 0, full, 1, inner.length);
        return new Var[]{Ops.reshape(t, in[0], full, false)};
    }

    @Override public Layer rebuild() { return layer; }
}

package io.jkeras.train;

import io.jkeras.exceptions.InputException;
import io.jkeras.layers.Concatenate;
import io.jkeras.layers.Layer;
import io.jkeras.layers.TrainingConfig;
import io.jkeras.tensor.Tensor;

import java.util.Arrays;
import java.util.List;

/**
 * Concatenate in training form: {@link Ops#concat} along the axis, gradients split back. Masks as
 * the engine layer combines them ((batch, timesteps, features) inputs; an unmasked input counts as
 * all true): along the timestep axis concatenated, along the feature axis OR (Keras 3) or AND
 * (Keras 1/2).
 */
final class ConcatenateTrainer implements TrainableLayer {
    private final Concatenate layer;

    ConcatenateTrainer(Layer l, TrainingConfig c) { this.layer = (Concatenate) l; }

    @Override public Layer layer() { return layer; }

    @Override public List<Param> params() { return List.of(); }

    @Override
    public Var[] forward(Tape t, Var[] in, TrainContext ctx, double[][] state) {
        int[] s0 = in[0].shape();
        int rank = s0.length;
        int a = layer.axis() < 0 ? layer.axis() + rank : layer.axis();
        if (a <= 0 || a >= rank) {
            throw new InputException(null, layer.name(), null, "axis " + layer.axis()
                    + " is out of range for inputs of rank " + rank + " (with batch)");
        }
        for (Var v : in) {
            int[] s = v.shape();
            boolean ok = s.length == rank;
            for (int d = 0; ok && d < rank; d++) ok = d == a || s[d] == s0[d];
            if (!ok) throw new InputException(null, layer.name(), null, "inputs must match except on axis "
                    + layer.axis() + "; got "
                    + Tensor.shapeString(s0) + " and " + Tensor.shapeString(s));
        }
        Var y = Ops.concat(t, Arrays.asList(in), a);
        return new Var[]{y.withMask(t, mask(in, a, y.shape()))};
    }

    private boolean[] mask(Var[] in, int a, int[] os) {
        boolean[][] masks = new boolean[in.length][];
        int[] steps = new int[in.length];
        for (int k = 0; k < in.length; k++) {
            masks[k] = in[k].mask();
            steps[k] = in[k].rank() > 1 ? in[k].dim(1) : 0;
        }
        return Concatenate.combineMasks(layer.name(), layer.maskRule(), masks, steps, a, os);
    }

    @Override public Layer rebuild() { return layer; }
}

package io.jkeras.train;

import io.jkeras.layers.Layer;
import io.jkeras.layers.Masking;
import io.jkeras.layers.TrainingConfig;

import java.util.List;

/**
 * Masking in training form: a timestep is kept when any of its features differs from mask_value;
 * the output is {@code where(keep, x, 0)} (Keras 3 Masking.call, keras/src/layers/core/masking.py),
 * so the gradient passes at kept timesteps and is zero at masked ones. Timesteps are the (batch,
 * timesteps) rows over all further axes, as the engine layer computes them. The output carries the mask.
 */
final class MaskingTrainer implements TrainableLayer {
    private final Masking layer;

    MaskingTrainer(Layer l, TrainingConfig c) { this.layer = (Masking) l; }

    @Override public Layer layer() { return layer; }

    @Override public List<Param> params() { return List.of(); }

    @Override
    public Var[] forward(Tape t, Var[] in, TrainContext ctx, double[][] state) {
        Var x = in[0];
        int b = x.dim(0), steps = x.dim(1);
        int f = b * steps == 0 ? 0 : x.size() / (b * steps);
        double[] d = x.value();
        double mv = layer.maskValue();
        boolean[] mask = new boolean[b * steps];
        boolean[] keep = new boolean[d.length];
        for (int i = 0; i < b * steps; i++) {
            boolean k = false;
            for (int j = 0; j < f && !k; j++) k = d[i * f + j] != mv;
            mask[i] = k;
            for (int j = 0; j < f; j++) keep[i * f + j] = k;
        }
        Var zero = Var.constant(x.shape(), new double[d.length]);
        return new Var[]{Ops.where(t, keep, x, zero).withMask(t, mask)};
    }

    @Override public Layer rebuild() { return layer; }
}

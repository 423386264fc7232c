package io.jkeras.train;

import io.jkeras.layers.ElementwiseOp;
import io.jkeras.layers.Layer;
import io.jkeras.layers.ShapeOp;
import io.jkeras.layers.TrainingConfig;
import io.jkeras.tensor.Tensor;

import java.util.List;

/**
 * The operation nodes Keras 3 writes into functional graphs to carry masks ({@link ElementwiseOp}:
 * comparisons and logical operators; {@link ShapeOp}: any/all, expand_dims, squeeze, zeros_like,
 * ones_like, logical_not, casts). Their results are booleans or integers, through which no
 * gradient flows: they are computed by the engine layer and enter the tape as constants. The
 * exceptions are expand_dims, squeeze and the cast to float, which only re-label the values:
 * those pass gradients through unchanged (as TensorFlow does), in case a graph applies them to data.
 */
final class OpTrainer implements TrainableLayer {
    private final Layer layer;

    OpTrainer(Layer l, TrainingConfig c) { this.layer = l; }

    @Override public Layer layer() { return layer; }

    @Override public List<Param> params() { return List.of(); }

    @Override
    public Var[] forward(Tape t, Var[] in, TrainContext ctx, double[][] state) {
        Tensor[] ts = new Tensor[in.length];
        for (int i = 0; i < in.length; i++) ts[i] = in[i].toTensor();
        Tensor[] out = layer.forward(ts, null);
        if (layer instanceof ShapeOp s && in[0].needsGrad()) {
            switch (s.op()) {
                case EXPAND_DIMS, SQUEEZE, CAST_FLOAT
                        -> { return new Var[]{Ops.reshape(t, in[0], out[0].shape(), false)}; }
                default -> { }
            }
        }
        Var[] r = new Var[out.length];
        for (int i = 0; i < out.length; i++) r[i] = TrainGraph.constant(out[i]);
        return r;
    }

    @Override public Layer rebuild() { return layer; }
}

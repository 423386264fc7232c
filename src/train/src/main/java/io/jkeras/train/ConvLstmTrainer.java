package io.jkeras.train;

import io.jkeras.exceptions.UnsupportedModelException;
import io.jkeras.layers.ConvLstm;
import io.jkeras.layers.Layer;
import io.jkeras.layers.TrainingConfig;
import io.jkeras.layers.Weight;

import java.util.ArrayList;
import java.util.List;

/**
 * ConvLSTM1D/2D/3D in training form. Its parameters are the layer's (kernel, recurrent_kernel,
 * bias); training through it is refused with an {@link UnsupportedModelException} naming the layer.
 */
final class ConvLstmTrainer implements TrainableLayer {
    private final ConvLstm layer;
    private final List<Param> params = new ArrayList<>();

    ConvLstmTrainer(ConvLstm l, TrainingConfig c) {
        this.layer = l;
        for (Weight w : l.weights()) params.add(TrainableLayers.param(l, w, c));
    }

    @Override public Layer layer() { return layer; }

    @Override public List<Param> params() { return params; }

    @Override
    public Var[] forward(Tape t, Var[] in, TrainContext ctx, double[][] state) {
        throw new UnsupportedModelException(null, layer.name(), null, layer.typeName()
                + " cannot be trained yet (inference only); freeze it (trainable=False) or remove it to fine-tune");
    }

    @Override
    public Layer rebuild() {
        List<float[]> v = new ArrayList<>();
        for (Param p : params) v.add(p.toFloats());
        return layer.withWeights(v);
    }
}

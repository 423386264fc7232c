package io.jkeras.train;

import io.jkeras.exceptions.UnsupportedModelException;
import io.jkeras.layers.Layer;
import io.jkeras.layers.TrainingConfig;
import io.jkeras.layers.Weight;

import java.util.ArrayList;
import java.util.List;

/**
 * The training form of a layer that can run but not yet be trained: it lists the layer's parameters (so the model
 * can be inspected and saved) and refuses the forward pass of a fit with an error naming the layer.
 */
final class NotYetTrainable implements TrainableLayer {
    private final Layer layer;
    private final List<Param> params;

    NotYetTrainable(Layer layer, TrainingConfig c) {
        this.layer = layer;
        List<Param> p = new ArrayList<>();
        for (Weight w : layer.weights()) p.add(TrainableLayers.param(layer, w, c));
        this.params = List.copyOf(p);
    }

    @Override public Layer layer() { return layer; }

    @Override public List<Param> params() { return params; }

    @Override
    public Var[] forward(Tape t, Var[] inputs, TrainContext ctx, double[][] state) {
        throw new UnsupportedModelException(null, layer.name(), null, "training a " + layer.typeName()
                + " layer is not supported yet; freeze the layers before it and train only those after it, or"
                + " use the model for inference");
    }

    @Override public Layer rebuild() { return layer; }
}

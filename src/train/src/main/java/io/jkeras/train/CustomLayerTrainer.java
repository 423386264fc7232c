package io.jkeras.train;

import io.jkeras.exceptions.UnsupportedModelException;
import io.jkeras.layers.CustomLayer;
import io.jkeras.layers.Layer;

import java.util.List;

/**
 * A custom layer's training form: its Java implementation ({@link io.jkeras.layers.CustomLayerFactory})
 * computes the forward pass only, so training through it is refused, naming the layer and its class.
 */
final class CustomLayerTrainer implements TrainableLayer {
    private final CustomLayer layer;

    CustomLayerTrainer(CustomLayer layer) { this.layer = layer; }

    @Override public Layer layer() { return layer; }

    @Override public List<Param> params() { return List.of(); }

    @Override
    public Var[] forward(Tape t, Var[] in, TrainContext ctx, double[][] state) {
        throw new UnsupportedModelException(null, layer.name(), null, "custom layer " + layer.config().kerasClass()
                + " is run by its Java implementation (a CustomLayerFactory), which has no backward pass:"
                + " jkeras cannot train a model through it");
    }

    @Override public Layer rebuild() { return layer; }
}

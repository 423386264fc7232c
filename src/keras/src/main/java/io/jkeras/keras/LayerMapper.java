package io.jkeras.keras;

import io.jkeras.layers.Layer;

import java.util.List;

/**
 * Turns one Keras layer (normalised config and the arrays stored for it) into an engine layer,
 * converting Keras' weight layout into the engine's once, here at the boundary.
 */
@FunctionalInterface
public interface LayerMapper {
    /**
     * @param inputShapes the shapes (without batch, -1 for unknown) of the layer's inputs
     */
    Layer map(LayerSpec spec, List<WeightArray> weights, int[][] inputShapes, MapContext ctx);
}

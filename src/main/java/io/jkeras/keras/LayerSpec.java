package io.jkeras.keras;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.List;

/**
 * A layer as the Keras config describes it: class name, layer name, its (normalised) config
 * object and, for graph models, the inputs of each time it is called.
 */
public record LayerSpec(String className, String name, JsonNode config, List<List<TensorRef>> calls) {
    /** An output of a layer call: Keras' (layer name, node index, tensor index). */
    public record TensorRef(String layer, int node, int index) {
        @Override public String toString() { return layer + "[" + node + "][" + index + "]"; }
    }
}

package io.jkeras.keras;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * A layer as the Keras config describes it: class name, layer name, its (normalised) config
 * object and, for graph models, the inputs of each time it is called. For each call also the
 * tensor passed as its {@code mask} argument (Keras 3 graphs pass masks explicitly) or null, and
 * the call as written in the config (operation layers take constants from it).
 */
public record LayerSpec(String className, String name, JsonNode config, List<List<TensorRef>> calls,
                        List<TensorRef> masks, List<JsonNode> rawCalls) {
    public LayerSpec(String className, String name, JsonNode config, List<List<TensorRef>> calls) {
        this(className, name, config, calls, Collections.nCopies(calls.size(), null),
                Collections.nCopies(calls.size(), null));
    }

    public LayerSpec {
        if (masks.size() != calls.size() || rawCalls.size() != calls.size()) {
            throw new IllegalArgumentException("masks and raw calls must match the calls of layer " + name);
        }
        masks = Collections.unmodifiableList(new ArrayList<>(masks));
        rawCalls = Collections.unmodifiableList(new ArrayList<>(rawCalls));
    }

    /** The mask tensor passed to call {@code i}, or null. */
    public TensorRef mask(int i) { return masks.get(i); }

    /** Call {@code i} as written in the config, or null. */
    public JsonNode rawCall(int i) { return rawCalls.get(i); }

    /** An output of a layer call: Keras' (layer name, node index, tensor index). */
    public record TensorRef(String layer, int node, int index) {
        @Override public String toString() { return layer + "[" + node + "][" + index + "]"; }
    }
}

package io.jkeras.model;

import io.jkeras.layers.Layer;

import java.util.List;

/**
 * One call of a layer in the graph. A layer shared between several calls appears in several
 * nodes. {@code outputShapes} exclude the batch dimension. {@code mask}, when not null, is a tensor
 * of timestep flags (non-zero = keep) passed explicitly as the call's mask; it replaces the mask
 * the first input carries.
 */
public record Node(int id, Layer layer, List<Ref> inputs, int[][] outputShapes, Ref mask) {
    public Node(int id, Layer layer, List<Ref> inputs, int[][] outputShapes) {
        this(id, layer, inputs, outputShapes, null);
    }

    /** An output of a node: {@code node}'s {@code index}-th output tensor. */
    public record Ref(int node, int index) {}
}

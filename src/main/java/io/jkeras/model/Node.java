package io.jkeras.model;

import io.jkeras.layers.Layer;

import java.util.List;

/**
 * One call of a layer in the graph. A layer shared between several calls appears in several
 * nodes. {@code outputShapes} exclude the batch dimension.
 */
public record Node(int id, Layer layer, List<Ref> inputs, int[][] outputShapes) {
    /** An output of a node: {@code node}'s {@code index}-th output tensor. */
    public record Ref(int node, int index) {}
}

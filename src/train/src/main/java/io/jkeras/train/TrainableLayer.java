package io.jkeras.train;

import io.jkeras.layers.Layer;

import java.util.List;

/**
 * A layer's training form: its parameters and a differentiable forward pass built from
 * {@link Ops}, whose gradients the {@link Tape} computes. {@link #rebuild} returns an engine layer
 * holding the current parameter values.
 */
public interface TrainableLayer {
    /** The engine layer this was made from. */
    Layer layer();

    /** Parameters in the order of {@link Layer#weights()}. */
    List<Param> params();

    /**
     * The forward pass. {@code state} is null unless the layer is stateful; then it holds the
     * carried states (batch·units each, or null for zeros) and receives the final ones.
     */
    Var[] forward(Tape t, Var[] inputs, TrainContext ctx, double[][] state);

    /** An engine layer with the current parameter values (rounded to float32). */
    Layer rebuild();
}

package io.jkeras.layers;

import io.jkeras.tensor.Tensor;

import java.util.List;

/**
 * One layer of the engine. Implementations are immutable and thread-safe: {@link #forward} keeps
 * no state of its own between calls (stateful recurrence goes through the {@code state} argument,
 * owned by the caller). Shapes exclude the batch dimension; -1 is a dimension unknown until run
 * time (Keras' {@code None}).
 */
public interface Layer {
    /** The layer's name, as the user knows it (the Keras layer name). */
    String name();

    /** A short type label for summaries, e.g. {@code LSTM}. */
    String typeName();

    /** Output shapes (without batch) for the given input shapes; validates them. */
    int[][] outputShapes(int[][] inputShapes);

    /** Number of state arrays this layer carries between calls when stateful, else 0. */
    default int stateCount() { return 0; }

    /** True when the layer keeps its state across calls (Keras {@code stateful=True}). */
    default boolean stateful() { return false; }

    /**
     * Runs the layer. {@code state} is null unless {@link #stateful()}; then it holds
     * {@link #stateCount()} arrays of batch·units floats (or nulls, meaning zeros) that are read as
     * the initial state and replaced by the final one.
     */
    Tensor[] forward(Tensor[] inputs, float[][] state);

    /** The layer's weights in their logical layout (fused gates in order), copied. */
    List<Weight> weights();

    /** Number of scalar parameters. */
    default long paramCount() {
        long n = 0;
        for (Weight w : weights()) n += w.size();
        return n;
    }

    /**
     * How many of {@link #paramCount()} Keras counts as non-trainable (BatchNormalization's
     * moving_mean and moving_variance); 0 for most layers.
     */
    default long nonTrainableParamCount() { return 0; }
}

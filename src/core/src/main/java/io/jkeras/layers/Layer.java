package io.jkeras.layers;

import io.jkeras.tensor.Tensor;

import java.util.List;

/**
 * One layer of the engine. Implementations are immutable and thread-safe: {@link #forward} keeps
 * no state of its own between calls (stateful recurrence goes through the {@code state} argument,
 * owned by the caller). Shapes exclude the batch dimension; -1 is a dimension unknown until run
 * time (Keras' {@code None}).
 *
 * <p>The hierarchy is sealed, and what the rest of the library needs of a layer is a method here
 * without a default: its native encoding ({@link #encode}, with a static {@code decode} in the
 * class, see {@link LayerTypes}), its FLOPs ({@link #flops}), its token vocabulary
 * ({@link #vocabulary}), its rebuild with other weights ({@link #withWeights}); a recurrent layer
 * also {@link Recurrent#withName} and {@link Recurrent#fusedCell}. The one place that treats layers
 * case by case outside their classes, the training forms, implements {@link Visitor}. A new layer
 * class therefore does not compile until it is listed in {@code permits}, has a {@code visit}
 * method in {@link Visitor}, implements these methods, and has a training form: the compiler names
 * each place to change (docs/architecture.md, "How to add a layer").
 */
public sealed interface Layer permits InputLayer, Dense, Recurrent, Bidirectional, TimeDistributed, Embedding,
        Masking, Flatten, Identity, ActivationLayer, RepeatVector, Conv1D, BatchNormalization, Reshape, Permute,
        Softmax, Concatenate, Merge, ElementwiseOp, ShapeOp, LayerNormalization, UnitNormalization,
        GroupNormalization, Attention, MultiHeadAttention, Dot, Conv, DepthwiseConv, SeparableConv, ConvTranspose,
        Pooling, GlobalPooling, SpatialResize, CustomLayer {
    /**
     * One method per concrete layer class. No defaults: a visitor that forgets a layer does not
     * compile. (Java 17 has no exhaustive pattern switch, so this is how the compiler checks it.)
     */
    interface Visitor<R> {
        R visit(InputLayer l);

        R visit(Dense l);

        R visit(SimpleRnn l);

        R visit(Lstm l);

        R visit(Gru l);

        R visit(CudnnRecurrent l);

        R visit(Bidirectional l);

        R visit(TimeDistributed l);

        R visit(Embedding l);

        R visit(Masking l);

        R visit(Flatten l);

        R visit(Identity l);

        R visit(ActivationLayer l);

        R visit(RepeatVector l);

        R visit(Conv1D l);

        R visit(BatchNormalization l);

        R visit(Reshape l);

        R visit(Permute l);

        R visit(Softmax l);

        R visit(Concatenate l);

        R visit(Merge l);

        R visit(ElementwiseOp l);

        R visit(ShapeOp l);

        R visit(LayerNormalization l);

        R visit(UnitNormalization l);

        R visit(GroupNormalization l);

        R visit(Attention l);

        R visit(MultiHeadAttention l);

        R visit(Dot l);

        R visit(Conv l);

        R visit(DepthwiseConv l);

        R visit(SeparableConv l);

        R visit(ConvTranspose l);

        R visit(Pooling l);

        R visit(GlobalPooling l);

        R visit(SpatialResize l);

        R visit(ConvLstm l);

        R visit(CustomLayer l);
    }

    /** Calls the {@code visit} method of {@code v} for this layer's class. */
    <R> R accept(Visitor<R> v);

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
     * Runs the layer. {@code state} is null unless {@link #stateful()} (or the layer is a {@link Recurrent}
     * run by a streaming {@code Session}, which carries every recurrent layer's state); then it holds
     * {@link #stateCount()} arrays of batch·units floats (or nulls, meaning zeros) that are read as
     * the initial state and replaced by the final one. A causal attention layer run by a streaming
     * {@code Session} gets its key/value cache there instead ({@code KeyValueCache}).
     */
    Tensor[] forward(Tensor[] inputs, float[][] state);

    /**
     * {@link #forward} writing into given buffers: {@code out} holds one tensor per output, of the shapes
     * {@code forward} gives for these inputs, whose data this call overwrites (masks are not written:
     * a caller that needs the outputs' masks calls {@code forward}). The values are those of
     * {@code forward}, bit for bit. This default calls {@code forward} and copies, so it allocates what
     * {@code forward} does; the layers on the hot path of inference (Dense, the recurrent layers when
     * they return no state and carry none, the pass-through layers) write in place and take their work
     * space from the thread's {@link io.jkeras.kernels.Workspace}, allocating nothing.
     *
     * @throws io.jkeras.exceptions.InputException naming the layer when {@code out} does not have the
     *                                              outputs' count or shapes
     */
    default void forwardInto(Tensor[] inputs, float[][] state, Tensor[] out) {
        Shapes.copyOutputs(name(), forward(inputs, state), out);
    }

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

    /**
     * Writes the layer's configuration and weights for the native format: exactly its constructor
     * arguments (plus values that only document, like the gate order), so that the class's static
     * {@code decode(LayerDecoder)}, which reads them back, rebuilds a layer computing bit for bit
     * what this one does. The keys are part of the file format.
     */
    void encode(LayerEncoder e);

    /**
     * Floating-point operations of one call on one sample with inputs of shapes {@code in} and
     * outputs {@code out} (without batch), counted as the shared benchmark workloads count them:
     * dense matrix products only (bias adds, activations and gate products are left out); 0 for a
     * layer without any.
     */
    long flops(int[][] in, int[][] out);

    /**
     * How many token ids the layer takes as input (an Embedding's input_dim, also inside a
     * wrapper), or 0 for a layer that does not take ids.
     */
    int vocabulary();

    /**
     * A copy of the layer holding {@code values} (one per weight, in {@link #weights()} order and
     * shapes; the caller checks the count); a layer without weights returns itself.
     *
     * @throws io.jkeras.exceptions.UnsupportedModelException for a layer that cannot be rebuilt with
     *                                                         new weights yet
     */
    Layer withWeights(List<float[]> values);
}

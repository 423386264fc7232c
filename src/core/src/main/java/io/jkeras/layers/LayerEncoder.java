package io.jkeras.layers;

import io.jkeras.kernels.Activation;

import java.util.List;

/**
 * Where a layer writes itself for the native format ({@link Layer#encode}): configuration values
 * under keys, its weights, and nested layers. The format ({@code io.jkeras.format}) implements it;
 * the layer class's static {@code decode(LayerDecoder)} reads back what its {@code encode} wrote.
 * The keys and their order are part of the file format: written files must not change.
 */
public interface LayerEncoder {
    void put(String key, int v);

    void put(String key, boolean v);

    void put(String key, double v);

    void put(String key, String v);

    void put(String key, int[] v);

    void putNull(String key);

    /**
     * A float32 value: finite values as the double they equal (exact both ways), NaN and
     * infinities as the strings {@code "NaN"}, {@code "Infinity"}, {@code "-Infinity"}.
     */
    void putFloat(String key, float v);

    /** The engine's activation by its enum name, e.g. {@code HARD_SIGMOID_RELU6}. */
    void activation(String key, Activation a);

    /** The layer's weights in order, each stored as a tensor. */
    void weights(List<Weight> ws);

    /** A nested layer (a wrapper's inner layer) under {@code key}. */
    void layer(String key, Layer inner);
}

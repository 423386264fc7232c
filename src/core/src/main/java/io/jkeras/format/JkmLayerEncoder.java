package io.jkeras.format;

import io.jkeras.kernels.Activation;
import io.jkeras.layers.Layer;
import io.jkeras.layers.Weight;
import io.jkeras.util.Json;

import java.util.List;

/**
 * Writes one layer as a header entry {@code {"name", "type", "config", "weights"}}: the codec puts
 * configuration values and nested layers into {@code config}, and its weights (in the layout the
 * codec gives them) go to the tensor table, referenced from {@code weights} by index.
 */
final class LayerEncoder {
    /** Receives the tensors of the layers being written. */
    interface TensorSink {
        /** Adds a float32 tensor and returns its index in the tensor table. */
        int add(String name, int[] shape, float[] values);
    }

    private final Json.ObjectBuilder config;
    private final Json.ArrayBuilder weights;
    private final String path;
    private final TensorSink sink;

    private LayerEncoder(Json.ObjectBuilder config, Json.ArrayBuilder weights, String path, TensorSink sink) {
        this.config = config;
        this.weights = weights;
        this.path = path;
        this.sink = sink;
    }

    /** The header entry of {@code layer}; its tensors are named {@code path/<weight>}. */
    static Json encode(Layer layer, String path, TensorSink sink) {
        LayerCodecs.Encoders.Encoding entry = LayerCodecs.Encoders.forLayer(layer);
        Json.ObjectBuilder node = Json.object();
        node.put("name", layer.name());
        node.put("type", entry.type());
        Json.ObjectBuilder config = node.putObject("config");
        Json.ArrayBuilder weights = Json.array();
        entry.body().accept(new LayerEncoder(config, weights, path, sink));
        if (!weights.isEmpty()) node.put("weights", weights.build());
        return node.build();
    }

    void put(String key, int v) { config.put(key, v); }

    void put(String key, boolean v) { config.put(key, v); }

    void put(String key, double v) { config.put(key, v); }

    void put(String key, String v) { config.put(key, v); }

    void putNull(String key) { config.putNull(key); }

    void put(String key, int[] v) {
        Json.ArrayBuilder a = config.putArray(key);
        for (int x : v) a.add(x);
    }

    /**
     * A float32 value: finite values as the double they equal (exact both ways), NaN and
     * infinities as the strings {@code "NaN"}, {@code "Infinity"}, {@code "-Infinity"}.
     */
    void putFloat(String key, float v) {
        if (Float.isFinite(v)) config.put(key, (double) v);
        else config.put(key, Float.toString(v));
    }

    /** The engine's activation by its enum name, e.g. {@code HARD_SIGMOID_RELU6}. */
    void activation(String key, Activation a) { config.put(key, a.name()); }

    /** The layer's weights in order, each stored as a tensor named {@code path/<weight name>}. */
    void weights(List<Weight> ws) {
        for (Weight w : ws) {
            int idx = sink.add(path + "/" + w.name(), w.shape(), w.values());
            Json.ObjectBuilder o = weights.addObject();
            o.put("name", w.name());
            o.put("tensor", idx);
        }
    }

    /** A nested layer (a wrapper's inner layer) under {@code key}. */
    void layer(String key, Layer inner) {
        String sub = inner.name().equals(lastSegment(path)) ? key : inner.name();
        config.put(key, encode(inner, path + "/" + sub, sink));
    }

    private static String lastSegment(String p) {
        int i = p.lastIndexOf('/');
        return i < 0 ? p : p.substring(i + 1);
    }
}

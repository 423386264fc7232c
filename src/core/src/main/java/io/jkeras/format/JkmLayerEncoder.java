package io.jkeras.format;

import io.jkeras.kernels.Activation;
import io.jkeras.layers.Layer;
import io.jkeras.layers.LayerEncoder;
import io.jkeras.layers.LayerTypes;
import io.jkeras.layers.Weight;
import io.jkeras.util.Json;

import java.util.List;

/**
 * Writes one layer as a header entry {@code {"name", "type", "config", "weights"}}: the type is the
 * layer's class ({@link LayerTypes#of}), the layer's {@link Layer#encode} puts configuration values
 * and nested layers into {@code config}, and its weights (in the layout it gives them) go to the
 * tensor table, referenced from {@code weights} by index.
 */
final class JkmLayerEncoder implements LayerEncoder {
    /** Receives the tensors of the layers being written. */
    interface TensorSink {
        /** Adds a float32 tensor and returns its index in the tensor table. */
        int add(String name, int[] shape, float[] values);
    }

    private final Json.ObjectBuilder config;
    private final Json.ArrayBuilder weights;
    private final String path;
    private final TensorSink sink;

    private JkmLayerEncoder(Json.ObjectBuilder config, Json.ArrayBuilder weights, String path, TensorSink sink) {
        this.config = config;
        this.weights = weights;
        this.path = path;
        this.sink = sink;
    }

    /** The header entry of {@code layer}; its tensors are named {@code path/<weight>}. */
    static Json encode(Layer layer, String path, TensorSink sink) {
        Json.ObjectBuilder node = Json.object();
        node.put("name", layer.name());
        node.put("type", LayerTypes.of(layer));
        Json.ObjectBuilder config = node.putObject("config");
        Json.ArrayBuilder weights = Json.array();
        layer.encode(new JkmLayerEncoder(config, weights, path, sink));
        if (!weights.isEmpty()) node.put("weights", weights.build());
        return node.build();
    }

    @Override
    public void put(String key, int v) { config.put(key, v); }

    @Override
    public void put(String key, boolean v) { config.put(key, v); }

    @Override
    public void put(String key, double v) { config.put(key, v); }

    @Override
    public void put(String key, String v) { config.put(key, v); }

    @Override
    public void putNull(String key) { config.putNull(key); }

    @Override
    public void put(String key, int[] v) {
        Json.ArrayBuilder a = config.putArray(key);
        for (int x : v) a.add(x);
    }

    @Override
    public void putFloat(String key, float v) {
        if (Float.isFinite(v)) config.put(key, (double) v);
        else config.put(key, Float.toString(v));
    }

    @Override
    public void activation(String key, Activation a) { config.put(key, a.name()); }

    /** Each weight is stored as a tensor named {@code path/<weight name>}. */
    @Override
    public void weights(List<Weight> ws) {
        for (Weight w : ws) {
            int idx = sink.add(path + "/" + w.name(), w.shape(), w.values());
            Json.ObjectBuilder o = weights.addObject();
            o.put("name", w.name());
            o.put("tensor", idx);
        }
    }

    /** The nested layer's tensors are named {@code path/key/<weight>} or {@code path/<inner name>/<weight>}. */
    @Override
    public void layer(String key, Layer inner) {
        String sub = inner.name().equals(lastSegment(path)) ? key : inner.name();
        config.put(key, encode(inner, path + "/" + sub, sink));
    }

    private static String lastSegment(String p) {
        int i = p.lastIndexOf('/');
        return i < 0 ? p : p.substring(i + 1);
    }
}

package io.jkeras.layers;

import io.jkeras.exceptions.ModelFormatException;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a {@link CustomLayerFactory} is given for one layer: its Keras class, its name, its config
 * (Keras' {@code get_config()} as plain Java values: {@code Map<String, Object>}, {@code List<Object>},
 * {@code String}, {@code Integer} or {@code Long}, {@code Double}, {@code Boolean}, null) and its
 * weights in Keras' order ({@code layer.weights}: the order of {@code add_weight} calls). Weight
 * names are the variable names a legacy {@code .h5} file holds ({@code w}), or their positions
 * ({@code 0}, {@code 1}, …) where the file does not name them (a {@code .keras} archive): address
 * weights by index.
 */
public final class CustomLayerConfig {
    private final String kerasClass;
    private final String layerName;
    private final Map<String, Object> config;
    private final List<Weight> weights;

    /**
     * @param kerasClass the registered name ({@code my_package>MyLayer}) when the file gives one, else the class
     */
    public CustomLayerConfig(String kerasClass, String layerName, Map<String, Object> config, List<Weight> weights) {
        this.kerasClass = kerasClass;
        this.layerName = layerName;
        this.config = Collections.unmodifiableMap(new LinkedHashMap<>(config));
        List<Weight> ws = new ArrayList<>();
        for (Weight w : weights) ws.add(new Weight(w.name(), w.shape().clone(), w.values().clone()));
        this.weights = Collections.unmodifiableList(ws);
    }

    /** The registered name ({@code my_package>MyLayer}) when the file gives one, else the class name. */
    public String kerasClass() { return kerasClass; }

    /** The class name without its package ({@code MyLayer}). */
    public String className() { return kerasClass.substring(kerasClass.lastIndexOf('>') + 1); }

    /** The layer's name in the model. */
    public String layerName() { return layerName; }

    /** The whole config, read-only. */
    public Map<String, Object> config() { return config; }

    /** The weights in Keras' order (copies: a factory may keep them). */
    public List<Weight> weights() { return weights; }

    /** Weight {@code i}, refused with the count when the layer holds fewer. */
    public Weight weight(int i) {
        if (i < 0 || i >= weights.size()) {
            throw new ModelFormatException(null, layerName, null, "custom layer " + kerasClass + " holds "
                    + weights.size() + " weight(s); its implementation asks for weight " + i);
        }
        return weights.get(i);
    }

    /** Config value {@code key} as an int (a JSON integer), or {@code otherwise} when the key is absent. */
    public int integer(String key, int otherwise) {
        Object v = config.get(key);
        if (v == null && !config.containsKey(key)) return otherwise;
        if ((v instanceof Integer) || (v instanceof Long l && l == l.intValue())) return ((Number) v).intValue();
        throw bad(key, "an integer", v);
    }

    /** Config value {@code key} as a double (any JSON number), or {@code otherwise} when the key is absent. */
    public double number(String key, double otherwise) {
        Object v = config.get(key);
        if (v == null && !config.containsKey(key)) return otherwise;
        if (v instanceof Number n) return n.doubleValue();
        throw bad(key, "a number", v);
    }

    /** Config value {@code key} as a boolean, or {@code otherwise} when the key is absent. */
    public boolean bool(String key, boolean otherwise) {
        Object v = config.get(key);
        if (v == null && !config.containsKey(key)) return otherwise;
        if (v instanceof Boolean b) return b;
        throw bad(key, "a boolean", v);
    }

    /** Config value {@code key} as a string (null for JSON null), or {@code otherwise} when the key is absent. */
    public String string(String key, String otherwise) {
        Object v = config.get(key);
        if (!config.containsKey(key)) return otherwise;
        if (v == null || v instanceof String) return (String) v;
        throw bad(key, "a string", v);
    }

    private ModelFormatException bad(String key, String what, Object v) {
        return new ModelFormatException(null, layerName, null, "custom layer " + kerasClass + ": config '" + key
                + "' should be " + what + ", found " + v);
    }

    @Override public String toString() { return layerName + " (" + kerasClass + ") " + config; }
}

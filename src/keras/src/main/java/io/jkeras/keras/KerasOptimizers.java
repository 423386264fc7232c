package io.jkeras.keras;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jkeras.exceptions.InputException;
import io.jkeras.train.KerasOptimizer;
import io.jkeras.train.Optimizers;

/**
 * Keras optimizer configs in JSON, as {@code .keras} compile configs and {@code .h5} training
 * configs hold them ({@code optimizer.get_config()} or its serialized form
 * {@code {"class_name": "Adam", "config": {...}}}), read into and written from
 * {@link KerasOptimizer}: the JSON is turned into the plain values (maps, lists, strings, numbers,
 * booleans, nulls) that {@link Optimizers#fromConfig} reads and {@link KerasOptimizer#kerasConfig}
 * gives back, keeping each number's JSON type.
 */
public final class KerasOptimizers {
    private static final ObjectMapper JSON = new ObjectMapper();

    private KerasOptimizers() {}

    /** An optimizer by Keras name with Keras' defaults, or from a JSON config when the text starts with '{'. */
    public static KerasOptimizer byName(String nameOrJson) {
        String s = nameOrJson == null ? "" : nameOrJson.trim();
        if (!s.startsWith("{")) return Optimizers.byName(s);
        try {
            return fromJson(JSON.readTree(s));
        } catch (JsonProcessingException e) {
            throw new InputException(null, null, null, "optimizer config is not valid JSON: " + e.getMessage(), e);
        }
    }

    /**
     * An optimizer from a Keras config in JSON: a name string, a serialized object, or a flat config with {@code name}.
     */
    public static KerasOptimizer fromJson(JsonNode node) { return Optimizers.fromConfig(plain(node)); }

    /** {@code optimizer}'s Keras config ({@link KerasOptimizer#kerasConfig}) as a JSON object. */
    public static ObjectNode toJson(KerasOptimizer optimizer) { return JSON.valueToTree(optimizer.kerasConfig()); }

    /**
     * A JSON value as plain Java values: {@code Map} (insertion-ordered), {@code List}, {@code String},
     * {@code Integer}/{@code Long}/{@code Double} as the JSON number reads, {@code Boolean}, null.
     */
    static Object plain(JsonNode node) {
        return node == null || node.isNull() || node.isMissingNode() ? null : JSON.convertValue(node, Object.class);
    }

    /** Plain values (as {@link #plain} gives them) back as compact JSON text. */
    static String text(Object plain) {
        try {
            return JSON.writeValueAsString(plain);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a config of plain values cannot be written as JSON: " + plain, e);
        }
    }
}

package io.jkeras.train;

import io.jkeras.exceptions.InputException;
import io.jkeras.exceptions.UnsupportedModelException;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code loss} of a Keras compile config ({@code model.compile(loss=...)} as
 * {@code compile_config} or {@code training_config} keeps it), in plain values: a name
 * ({@code "mean_squared_error"}), a serialized loss ({@code {"module": "keras.losses",
 * "class_name": "BinaryCrossentropy", "config": {...}, "registered_name": null}}, a map), or a list
 * of them, one per output. {@code io.jkeras.keras} reads it from and writes it to JSON.
 *
 * @param value a {@code String}, a {@code Map} with {@code String} keys, or a {@code List} of them;
 *              maps and lists hold strings, numbers, booleans, nulls, maps and lists (copied)
 */
public record LossConfig(Object value) {
    public LossConfig {
        if (!(value instanceof String || value instanceof Map<?, ?> || value instanceof List<?>)) {
            throw new InputException("a loss config is a name, a serialized loss or a list of them, got " + value);
        }
        value = KerasOptimizer.deepCopy(value);
    }

    /** A loss by Keras name ({@code mean_squared_error}, {@code mse}, {@code huber}, …). */
    public static LossConfig name(String kerasName) { return new LossConfig(kerasName); }

    /**
     * A loss as Keras 3 serializes a loss object ({@code keras.saving.serialize_keras_object}):
     * {@code {"module": "keras.losses", "class_name": className, "config": config, "registered_name": null}}.
     */
    public static LossConfig serialized(String className, Map<String, ?> config) {
        Map<String, Object> n = new LinkedHashMap<>();
        n.put("module", "keras.losses");
        n.put("class_name", className);
        n.put("config", config);
        n.put("registered_name", null);
        return new LossConfig(n);
    }

    /**
     * The loss(es) as jkeras losses: one for a single name or serialized loss, one per output for a
     * list. Keras 3's {@code Huber.get_config()} does not keep {@code delta}, so a saved Huber loss
     * comes back with delta 1.0, as it does in Keras.
     *
     * @throws UnsupportedModelException for a loss jkeras does not implement, or losses keyed by output name
     */
    public List<Loss> losses() {
        List<Loss> out = new ArrayList<>();
        if (value instanceof List<?> list) {
            for (Object l : list) out.add(Losses.fromConfig(l));
        } else if (value instanceof Map<?, ?> m && !m.containsKey("class_name")) {
            throw new UnsupportedModelException(null, null, null, "losses keyed by output name are not supported: "
                    + value);
        } else {
            out.add(Losses.fromConfig(value));
        }
        return out;
    }
}

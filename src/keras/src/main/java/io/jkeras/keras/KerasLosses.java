package io.jkeras.keras;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jkeras.exceptions.InputException;
import io.jkeras.train.Loss;
import io.jkeras.train.Losses;

/**
 * Keras loss configs in JSON (a name, or a serialized loss {@code {"class_name":
 * "BinaryCrossentropy", "config": {"from_logits": true, ...}}}) read into {@link Loss}es through
 * {@link Losses#fromConfig}, which takes the same config as plain values.
 */
public final class KerasLosses {
    private static final ObjectMapper JSON = new ObjectMapper();

    private KerasLosses() {}

    /** A loss by Keras name, or from a JSON config when the text starts with '{' or '"'. */
    public static Loss byName(String nameOrJson) {
        if (nameOrJson == null) throw new InputException("no loss given");
        String s = nameOrJson.trim();
        if (!s.startsWith("{") && !s.startsWith("\"")) return Losses.byName(s);
        try {
            return fromJson(JSON.readTree(s));
        } catch (JsonProcessingException e) {
            throw new InputException(null, null, null, "loss config is not valid JSON: " + e.getMessage(), e);
        }
    }

    /** A loss from a Keras config in JSON: a name string or a serialized loss object. */
    public static Loss fromJson(JsonNode node) { return Losses.fromConfig(KerasOptimizers.plain(node)); }
}

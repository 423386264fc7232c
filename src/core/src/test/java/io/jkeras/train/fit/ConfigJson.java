package io.jkeras.train.fit;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.UncheckedIOException;

/**
 * Keras configs written in JSON in the tests (and the fixtures' case.json), as the plain values
 * that {@code Optimizers.fromConfig} and {@code Losses.fromConfig} take: the same conversion as
 * {@code io.jkeras.keras.KerasOptimizers}, so the training tests need no Keras-side reader.
 */
public final class ConfigJson {
    private static final ObjectMapper JSON = new ObjectMapper();

    private ConfigJson() {}

    public static Object parse(String json) {
        try {
            return plain(JSON.readTree(json));
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static Object plain(JsonNode node) {
        return node == null || node.isNull() || node.isMissingNode() ? null : JSON.convertValue(node, Object.class);
    }
}

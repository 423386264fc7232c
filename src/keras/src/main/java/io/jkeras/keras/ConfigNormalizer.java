package io.jkeras.keras;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Config drift between Keras versions, normalised in one place so that mappers read one spelling:
 * Keras 3 key names. Keras 1 {@code output_dim} becomes {@code units}, {@code inner_activation}
 * becomes {@code recurrent_activation}, {@code bias} becomes {@code use_bias},
 * {@code dropout_W}/{@code dropout_U} become {@code dropout}/{@code recurrent_dropout};
 * {@code batch_input_shape}, {@code input_shape} and {@code input_dim}/{@code input_length} become
 * {@code batch_shape}.
 */
final class ConfigNormalizer {
    private ConfigNormalizer() {}

    static ObjectNode layerConfig(String className, JsonNode raw) {
        ObjectNode c = raw != null && raw.isObject() ? ((ObjectNode) raw).deepCopy()
                : JsonNodeFactory.instance.objectNode();
        // Embedding keeps output_dim in every version
        if (!"Embedding".equals(className)) rename(c, "output_dim", "units");
        rename(c, "inner_activation", "recurrent_activation");
        rename(c, "dropout_W", "dropout");
        rename(c, "dropout_U", "recurrent_dropout");
        if ("Dense".equals(className) || "TimeDistributedDense".equals(className)) rename(c, "bias", "use_bias");
        if ("Convolution1D".equals(className) || "AtrousConvolution1D".equals(className)) {
            // Keras 1 Convolution1D spellings (see OpsMappers)
            rename(c, "nb_filter", "filters");
            rename(c, "filter_length", "kernel_size");
            rename(c, "subsample_length", "strides");
            rename(c, "border_mode", "padding");
            rename(c, "atrous_rate", "dilation_rate");
            rename(c, "bias", "use_bias");
        }
        if (KERAS1_CONVOLUTIONS.contains(className)) keras1Convolution(c);
        PoolingMappers.normalize(className, c);
        JsonNode shape = "Embedding".equals(className) ? embeddingShape(c) : batchShape(c);
        if (shape != null) c.set("batch_shape", shape);
        return c;
    }

    private static final java.util.Set<String> KERAS1_CONVOLUTIONS = java.util.Set.of("Convolution2D",
            "AtrousConvolution2D", "Convolution3D", "SeparableConvolution2D");

    /**
     * Keras 1 Convolution2D/3D spellings (Keras 1.2.2 keras/layers/convolutional.py get_config; see ConvMappers):
     * nb_filter, nb_row/nb_col or kernel_dim1..3, subsample, border_mode, atrous_rate, bias, and dim_ordering
     * 'th'/'tf' for data_format channels_first/channels_last.
     */
    private static void keras1Convolution(ObjectNode c) {
        rename(c, "nb_filter", "filters");
        rename(c, "subsample", "strides");
        rename(c, "border_mode", "padding");
        rename(c, "atrous_rate", "dilation_rate");
        rename(c, "bias", "use_bias");
        ArrayNode k = JsonNodeFactory.instance.arrayNode();
        for (String key : new String[]{"nb_row", "nb_col", "kernel_dim1", "kernel_dim2", "kernel_dim3"}) {
            if (c.has(key)) k.add(c.get(key));
            c.remove(key);
        }
        if (!k.isEmpty() && !c.has("kernel_size")) c.set("kernel_size", k);
        JsonNode order = c.remove("dim_ordering");
        if (order != null && order.isTextual() && !c.has("data_format")) {
            String o = order.asText();
            c.put("data_format", "th".equals(o) ? "channels_first" : "tf".equals(o) ? "channels_last" : o);
        }
    }

    private static void rename(ObjectNode c, String from, String to) {
        if (c.has(from) && !c.has(to)) c.set(to, c.get(from));
        c.remove(from);
    }

    /** Embedding's input_dim is its vocabulary size, not a shape: its input is (batch, input_length). */
    private static JsonNode embeddingShape(ObjectNode c) {
        JsonNode s = c.get("batch_shape");
        if (s != null && s.isArray()) return s;
        s = c.get("batch_input_shape");
        if (s != null && s.isArray()) return s;
        s = c.get("input_shape");
        if (s != null && s.isArray()) {
            ArrayNode a = JsonNodeFactory.instance.arrayNode();
            a.addNull();
            s.forEach(a::add);
            return a;
        }
        if (!c.has("input_length")) return null;
        ArrayNode a = JsonNodeFactory.instance.arrayNode();
        a.addNull();
        JsonNode len = c.get("input_length");
        if (len == null || len.isNull()) a.addNull();
        else if (len.isArray()) len.forEach(a::add);
        else a.add(len);
        return a;
    }

    /** The declared input shape with batch, from whichever key the writer used, or null. */
    private static JsonNode batchShape(ObjectNode c) {
        JsonNode s = c.get("batch_shape");
        if (s != null && s.isArray()) return s;
        s = c.get("batch_input_shape");
        if (s != null && s.isArray()) return s;
        JsonNodeFactory f = JsonNodeFactory.instance;
        s = c.get("input_shape");
        if (s != null && s.isArray()) {
            ArrayNode a = f.arrayNode();
            a.addNull();
            s.forEach(a::add);
            return a;
        }
        JsonNode dim = c.get("input_dim");
        if (dim != null && dim.isIntegralNumber()) {
            ArrayNode a = f.arrayNode();
            a.addNull();
            JsonNode len = c.get("input_length");
            if (len != null && !len.isNull()) a.add(len);
            else if (!c.has("units") || c.has("recurrent_activation") || c.has("return_sequences")) a.addNull();
            a.add(dim);
            return a;
        }
        return null;
    }
}

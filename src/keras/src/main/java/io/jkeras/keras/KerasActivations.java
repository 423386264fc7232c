package io.jkeras.keras;

import com.fasterxml.jackson.databind.JsonNode;
import io.jkeras.exceptions.UnsupportedModelException;
import io.jkeras.kernels.Activation;

import java.util.Map;
import java.util.TreeMap;

/**
 * Keras activation names → engine functions. {@code hard_sigmoid} depends on the writer:
 * Keras 1 and 2 (and tf.keras 2.x) mean clip(0.2·x + 0.5, 0, 1); Keras 3 means relu6(x + 3)/6.
 */
final class KerasActivations {
    private static final Map<String, Activation> COMMON = new TreeMap<>();

    static {
        COMMON.put("linear", Activation.LINEAR);
        COMMON.put("tanh", Activation.TANH);
        COMMON.put("sigmoid", Activation.SIGMOID);
        COMMON.put("relu", Activation.RELU);
        COMMON.put("relu6", Activation.RELU6);
        COMMON.put("leaky_relu", Activation.LEAKY_RELU);
        COMMON.put("elu", Activation.ELU);
        COMMON.put("selu", Activation.SELU);
        COMMON.put("celu", Activation.CELU);
        COMMON.put("softplus", Activation.SOFTPLUS);
        COMMON.put("softsign", Activation.SOFTSIGN);
        COMMON.put("exponential", Activation.EXPONENTIAL);
        COMMON.put("swish", Activation.SILU);
        COMMON.put("silu", Activation.SILU);
        COMMON.put("gelu", Activation.GELU);
        COMMON.put("mish", Activation.MISH);
        COMMON.put("log_sigmoid", Activation.LOG_SIGMOID);
        COMMON.put("tanh_shrink", Activation.TANH_SHRINK);
        COMMON.put("hard_tanh", Activation.HARD_TANH);
        COMMON.put("hard_shrink", Activation.HARD_SHRINK);
        COMMON.put("soft_shrink", Activation.SOFT_SHRINK);
        COMMON.put("sparse_plus", Activation.SPARSE_PLUS);
        COMMON.put("sparse_sigmoid", Activation.SPARSE_SIGMOID);
        COMMON.put("squareplus", Activation.SQUAREPLUS);
        COMMON.put("softmax", Activation.SOFTMAX);
        COMMON.put("log_softmax", Activation.LOG_SOFTMAX);
        COMMON.put("sparsemax", Activation.SPARSEMAX);
        COMMON.put("glu", Activation.GLU);
        COMMON.put("hard_silu", Activation.HARD_SILU);
        COMMON.put("hard_swish", Activation.HARD_SILU);
    }

    private KerasActivations() {}

    static Activation resolve(Cfg cfg, String key, String dflt, LayerSpec spec, MapContext ctx) {
        JsonNode v = cfg.node(key);
        String name;
        if (v == null || v.isNull()) name = dflt;
        else if (v.isTextual()) name = v.asText();
        else if (v.isObject()) {
            JsonNode inner = v.get("config");
            if (inner != null && inner.isTextual()) name = inner.asText();
            else if (v.has("class_name") && v.get("class_name").isTextual()) name = v.get("class_name").asText();
            else throw unsupported(ConfigParser.abbreviate(v), key, spec, ctx);
        } else throw unsupported(ConfigParser.abbreviate(v), key, spec, ctx);
        return byName(name, key, spec, ctx);
    }

    static Activation byName(String name, String key, LayerSpec spec, MapContext ctx) {
        if (name.startsWith("keras.activations.")) name = name.substring("keras.activations.".length());
        if ("hard_sigmoid".equals(name)) {
            return ctx.keras3() ? Activation.HARD_SIGMOID_RELU6 : Activation.HARD_SIGMOID_SLOPE_0_2;
        }
        if (("leaky_relu".equals(name) || "hard_silu".equals(name) || "hard_swish".equals(name)) && !ctx.keras3()) {
            throw unsupported(name, key, spec, ctx);
        }
        Activation a = COMMON.get(name);
        if (a == null) throw unsupported(name, key, spec, ctx);
        return a;
    }

    private static UnsupportedModelException unsupported(String name, String key, LayerSpec spec, MapContext ctx) {
        return new UnsupportedModelException(ctx.file(), spec.name(), null, key + " '" + name
                + "' is not supported; allowed: hard_sigmoid, " + String.join(", ", COMMON.keySet()));
    }
}

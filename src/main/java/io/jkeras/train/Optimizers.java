package io.jkeras.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.jkeras.exceptions.InputException;
import io.jkeras.exceptions.UnsupportedModelException;

import java.util.Locale;
import java.util.Set;

/**
 * Optimizers by Keras name ({@code sgd}, {@code adam}, {@code adamw}, {@code rmsprop},
 * {@code adagrad}, case-insensitive, with Keras 3's defaults) or from a Keras config
 * ({@code optimizer.get_config()}, or its serialized form {@code {"class_name": "Adam",
 * "config": {...}}}). Options jkeras does not implement ({@code use_ema},
 * {@code loss_scale_factor}, {@code gradient_accumulation_steps}) are refused when set.
 */
public final class Optimizers {
    private Optimizers() {}

    private static final Set<String> KNOWN = Set.of("name", "learning_rate", "weight_decay", "clipnorm", "clipvalue", "global_clipnorm",
            "use_ema", "ema_momentum", "ema_overwrite_frequency", "loss_scale_factor", "gradient_accumulation_steps",
            "momentum", "nesterov", "beta_1", "beta_2", "epsilon", "amsgrad", "rho", "centered", "initial_accumulator_value",
            "jit_compile", "is_legacy_optimizer");

    /** An optimizer by name with Keras' defaults, or from a JSON config when the string starts with '{'. */
    public static KerasOptimizer byName(String name) {
        String s = name == null ? "" : name.trim();
        if (s.startsWith("{")) {
            try {
                return fromConfig(new ObjectMapper().readTree(s));
            } catch (java.io.IOException e) {
                throw new InputException(null, null, null, "optimizer config is not valid JSON: " + e.getMessage(), e);
            }
        }
        return create(s, JsonNodeFactory.instance.objectNode());
    }

    /**
     * An optimizer from a Keras config (a name string, a serialized object, or a flat config with
     * {@code name}); {@link KerasOptimizer#kerasConfig} gives the config back, completed with Keras' defaults.
     */
    public static KerasOptimizer fromConfig(JsonNode node) {
        if (node == null || node.isNull()) throw new InputException("no optimizer given");
        if (node.isTextual()) return byName(node.asText());
        if (node.has("class_name")) {
            JsonNode cfg = node.path("config");
            return create(node.get("class_name").asText(), cfg.isObject() ? cfg : JsonNodeFactory.instance.objectNode());
        }
        return create(node.path("name").asText(""), node);
    }

    private static KerasOptimizer create(String cls, JsonNode c) {
        String k = cls.toLowerCase(Locale.ROOT).replace("_", "");
        c.fieldNames().forEachRemaining(f -> {
            if (!KNOWN.contains(f)) throw new UnsupportedModelException(null, null, null, "optimizer " + cls + ": option '" + f + "' is not supported");
        });
        if (c.path("use_ema").asBoolean(false)) throw unsupported(cls, "use_ema");
        if (num(c, "loss_scale_factor") != null) throw unsupported(cls, "loss_scale_factor");
        JsonNode gas = c.path("gradient_accumulation_steps");
        if (gas.isNumber() && gas.asInt() > 1) throw unsupported(cls, "gradient_accumulation_steps");
        double defaultLr = switch (k) {
            case "sgd" -> 0.01;
            default -> 0.001;
        };
        JsonNode lrNode = c.get("learning_rate");
        LearningRateSchedule lr = LearningRateSchedules.fromConfig(lrNode, defaultLr);
        JsonNode lrConfig = lrNode == null || lrNode.isNull() || lrNode.isMissingNode()
                ? com.fasterxml.jackson.databind.node.DoubleNode.valueOf(defaultLr) : lrNode.deepCopy();
        KerasOptimizer.Options o = new KerasOptimizer.Options(lr, lrConfig)
                .name(c.path("name").isTextual() ? c.get("name").asText() : null)
                .weightDecay(num(c, "weight_decay")).clipnorm(num(c, "clipnorm"))
                .clipvalue(num(c, "clipvalue")).globalClipnorm(num(c, "global_clipnorm"));
        return switch (k) {
            case "sgd" -> new Sgd(o, dbl(c, "momentum", 0.0), c.path("nesterov").asBoolean(false));
            case "adam" -> new Adam(o, dbl(c, "beta_1", 0.9), dbl(c, "beta_2", 0.999), dbl(c, "epsilon", 1e-7), c.path("amsgrad").asBoolean(false));
            case "adamw" -> {
                if (o.weightDecay == null) o.weightDecay(c.has("weight_decay") ? null : 0.004);
                yield new AdamW(o, dbl(c, "beta_1", 0.9), dbl(c, "beta_2", 0.999), dbl(c, "epsilon", 1e-7), c.path("amsgrad").asBoolean(false));
            }
            case "rmsprop" -> new RmsProp(o, dbl(c, "rho", 0.9), dbl(c, "momentum", 0.0), dbl(c, "epsilon", 1e-7), c.path("centered").asBoolean(false));
            case "adagrad" -> new Adagrad(o, dbl(c, "initial_accumulator_value", 0.1), dbl(c, "epsilon", 1e-7));
            default -> throw new UnsupportedModelException(null, null, null, "optimizer '" + cls + "' is not supported (SGD, Adam, AdamW, RMSprop, Adagrad)");
        };
    }

    private static UnsupportedModelException unsupported(String cls, String opt) {
        return new UnsupportedModelException(null, null, null, "optimizer " + cls + ": option '" + opt + "' is not supported");
    }

    private static Double num(JsonNode c, String f) {
        JsonNode n = c.get(f);
        return n == null || n.isNull() ? null : n.asDouble();
    }

    private static double dbl(JsonNode c, String f, double def) {
        Double d = num(c, f);
        return d == null ? def : d;
    }
}

package io.jkeras.train;

import io.jkeras.exceptions.InputException;
import io.jkeras.exceptions.UnsupportedModelException;

import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Optimizers by Keras name ({@code sgd}, {@code adam}, {@code adamw}, {@code rmsprop},
 * {@code adagrad}, case-insensitive, with Keras 3's defaults) or from a Keras config
 * ({@code optimizer.get_config()}, or its serialized form {@code {"class_name": "Adam",
 * "config": {...}}}) given as plain values: maps, lists, strings, numbers, booleans and nulls,
 * as {@code io.jkeras.keras.KerasOptimizers} reads them from JSON. Options jkeras does not implement ({@code use_ema},
 * {@code loss_scale_factor}, {@code gradient_accumulation_steps}) are refused when set.
 */
public final class Optimizers {
    private Optimizers() {}

    private static final Set<String> KNOWN = Set.of("name", "learning_rate", "weight_decay", "clipnorm", "clipvalue",
            "global_clipnorm",
            "use_ema", "ema_momentum", "ema_overwrite_frequency", "loss_scale_factor", "gradient_accumulation_steps",
            "momentum", "nesterov", "beta_1", "beta_2", "epsilon", "amsgrad", "rho", "centered",
                    "initial_accumulator_value",
            "jit_compile", "is_legacy_optimizer");

    /**
     * An optimizer by name with Keras' defaults. A JSON config is read by
     * {@code io.jkeras.keras.KerasOptimizers#byName}.
     */
    public static KerasOptimizer byName(String name) {
        String s = name == null ? "" : name.trim();
        return create(s, Map.of());
    }

    /**
     * An optimizer of Keras class {@code className} ({@code SGD}, {@code Adam}, …, any case) from
     * the keys of its Keras config ({@code learning_rate}, {@code beta_1}, {@code clipnorm}, …);
     * a key left out takes Keras' default.
     */
    public static KerasOptimizer create(String className, Map<String, ?> config) {
        return build(className, config == null ? Map.of() : config);
    }

    /**
     * An optimizer from a Keras config in plain values (a name string, a serialized object
     * {@code {"class_name": ..., "config": {...}}} as a map, or a flat config map with {@code name});
     * {@link KerasOptimizer#kerasConfig} gives the config back, completed with Keras' defaults.
     */
    public static KerasOptimizer fromConfig(Object node) {
        if (node == null) throw new InputException("no optimizer given");
        if (node instanceof String s) return byName(s);
        Map<String, Object> m = ConfigValues.map(node);
        if (m == null) return build("", Map.of());
        if (m.containsKey("class_name")) {
            Map<String, Object> cfg = ConfigValues.map(m.get("config"));
            return build(ConfigValues.text(m, "class_name", "null"), cfg != null ? cfg : Map.of());
        }
        return build(ConfigValues.text(m, "name", ""), m);
    }

    private static KerasOptimizer build(String cls, Map<?, ?> c) {
        String k = cls.toLowerCase(Locale.ROOT).replace("_", "");
        for (Object f : c.keySet()) {
            if (!KNOWN.contains(f)) throw new UnsupportedModelException(null, null, null, "optimizer " + cls
                    + ": option '" + f + "' is not supported");
        }
        if (ConfigValues.bool(c, "use_ema", false)) throw unsupported(cls, "use_ema");
        if (ConfigValues.num(c, "loss_scale_factor") != null) throw unsupported(cls, "loss_scale_factor");
        Object gas = c.get("gradient_accumulation_steps");
        if (gas instanceof Number n && n.intValue() > 1) throw unsupported(cls, "gradient_accumulation_steps");
        double defaultLr = switch (k) {
            case "sgd" -> 0.01;
            default -> 0.001;
        };
        Object lrNode = c.get("learning_rate");
        LearningRateSchedule lr = LearningRateSchedules.fromConfig(lrNode, defaultLr);
        Object lrConfig = lrNode == null ? (Object) defaultLr : lrNode;
        KerasOptimizer.Options o = new KerasOptimizer.Options(lr, lrConfig)
                .name(c.get("name") instanceof String n ? n : null)
                .weightDecay(num(c, "weight_decay")).clipnorm(num(c, "clipnorm"))
                .clipvalue(num(c, "clipvalue")).globalClipnorm(num(c, "global_clipnorm"));
        return switch (k) {
            case "sgd" -> new Sgd(o, dbl(c, "momentum", 0.0), bool(c, "nesterov"));
            case "adam" -> new Adam(o, dbl(c, "beta_1", 0.9), dbl(c, "beta_2", 0.999), dbl(c, "epsilon", 1e-7),
                    bool(c, "amsgrad"));
            case "adamw" -> {
                if (o.weightDecay == null) o.weightDecay(c.containsKey("weight_decay") ? null : 0.004);
                yield new AdamW(o, dbl(c, "beta_1", 0.9), dbl(c, "beta_2", 0.999), dbl(c, "epsilon", 1e-7),
                        bool(c, "amsgrad"));
            }
            case "rmsprop" -> new RmsProp(o, dbl(c, "rho", 0.9), dbl(c, "momentum", 0.0), dbl(c, "epsilon", 1e-7),
                    bool(c, "centered"));
            case "adagrad" -> new Adagrad(o, dbl(c, "initial_accumulator_value", 0.1), dbl(c, "epsilon", 1e-7));
            default -> throw new UnsupportedModelException(null, null, null, "optimizer '" + cls
                    + "' is not supported (SGD, Adam, AdamW, RMSprop, Adagrad)");
        };
    }

    private static UnsupportedModelException unsupported(String cls, String opt) {
        return new UnsupportedModelException(null, null, null, "optimizer " + cls + ": option '" + opt
                + "' is not supported");
    }

    private static Double num(Map<?, ?> c, String f) { return ConfigValues.num(c, f); }

    private static double dbl(Map<?, ?> c, String f, double def) {
        Double d = num(c, f);
        return d == null ? def : d;
    }

    private static boolean bool(Map<?, ?> c, String f) { return ConfigValues.bool(c, f, false); }
}

package io.jkeras.keras;

import com.fasterxml.jackson.databind.JsonNode;
import io.jkeras.layers.Bidirectional;
import io.jkeras.layers.Layer;
import io.jkeras.layers.TrainingConfig;
import io.jkeras.layers.TrainingConfig.Constraint;
import io.jkeras.layers.TrainingConfig.Initializer;
import io.jkeras.layers.TrainingConfig.Regularizer;
import io.jkeras.layers.Weight;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Reads what a layer does only while training from its Keras config into a {@link TrainingConfig}:
 * {@code trainable}; a Dropout-type layer's {@code rate} (Keras 1 {@code p}) and an RNN's
 * {@code dropout}/{@code recurrent_dropout} (Keras 1 {@code dropout_W}/{@code dropout_U}, already
 * renamed by {@link ConfigNormalizer}); {@code <w>_regularizer}, {@code activity_regularizer},
 * {@code <w>_constraint} and {@code <w>_initializer} of every era's spelling:
 * <ul>
 * <li>Keras 3 {@code {"class_name": "L2", "config": {"l2": 0.01}}}, {@code L1}, {@code L1L2}, string
 * shortcuts {@code "l1"}, {@code "l2"} (0.01 each), {@code "l1_l2"};</li>
 * <li>Keras 2 {@code {"class_name": "L1L2", "config": {"l1": 0.0, "l2": 0.01}}};</li>
 * <li>Keras 1 {@code W_regularizer}/{@code U_regularizer}/{@code b_regularizer} as
 * {@code {"name": "WeightRegularizer", "l1": …, "l2": …}}, {@code W_constraint} …
 * ({@code {"name": "MaxNorm", "m": 2, "axis": 0}}), {@code init}/{@code inner_init}/
 * {@code forget_bias_init} strings;</li>
 * <li>constraints MaxNorm (max_value, axis), NonNeg, UnitNorm (axis), MinMaxNorm (min_value,
 * max_value, rate, axis) with their snake-case and Keras 2 ({@code maxnorm}, {@code nonneg},
 * {@code unitnorm}) aliases.</li>
 * </ul>
 * Keys are the engine layer's weight names ({@link Layer#weights()}); entries for weights the layer
 * does not have (a bias_regularizer with use_bias=False) are dropped. Anything jkeras cannot train
 * with (an OrthogonalRegularizer, a custom constraint) does not stop loading: it is reported in
 * {@link #unsupported} and the model's metadata ({@code keras.training_unsupported}).
 */
final class KerasTrainingConfig {
    private static final Set<String> DROPOUT_LAYERS = Set.of("Dropout", "SpatialDropout1D", "SpatialDropout2D",
            "SpatialDropout3D", "GaussianDropout", "AlphaDropout");
    private static final Set<String> RNN_LAYERS = Set.of("SimpleRNN", "LSTM", "GRU");
    /** Keras 2/3 config key prefix → weight short name. */
    private static final Map<String, String> PREFIX = Map.ofEntries(
            Map.entry("kernel", "kernel"), Map.entry("recurrent", "recurrent_kernel"), Map.entry("bias", "bias"),
            Map.entry("embeddings", "embeddings"), Map.entry("depthwise", "depthwise_kernel"),
            Map.entry("pointwise", "pointwise_kernel"), Map.entry("gamma", "gamma"), Map.entry("beta", "beta"),
            Map.entry("moving_mean", "moving_mean"), Map.entry("moving_variance", "moving_variance"),
            Map.entry("alpha", "alpha"));

    /** What could not be read, one line per item ("layer: what"). */
    final List<String> unsupported = new ArrayList<>();

    /** The training configuration of {@code spec}, mapped to the engine {@code layer}. */
    TrainingConfig of(LayerSpec spec, Layer layer, MapContext ctx) {
        JsonNode c = spec.config();
        boolean trainable = bool(c, "trainable", true);
        Set<String> names = new HashSet<>();
        for (Weight w : layer.weights()) names.add(w.name());
        Parts p = new Parts();
        String cls = spec.className();
        if ("Bidirectional".equals(cls) && layer instanceof Bidirectional b) {
            JsonNode fwd = c.get("layer");
            JsonNode bwd = c.has("backward_layer") && c.get("backward_layer").isObject() ? c.get("backward_layer")
                    : fwd;
            Parts pf = inner(spec.name(), fwd, b.forwardLayer().name() + "/", ctx);
            Parts pb = inner(spec.name(), bwd, b.backwardLayer().name() + "/", ctx);
            p.merge(pf);
            p.merge(pb);
            p.dropout = pf.dropout;
            p.recurrentDropout = pf.recurrentDropout;
            p.activity = pf.activity != null ? pf.activity : pb.activity;
            trainable &= pf.trainable && pb.trainable;
        } else if ("TimeDistributed".equals(cls)) {
            Parts pi = inner(spec.name(), c.get("layer"), "", ctx);
            p.merge(pi);
            p.dropout = pi.dropout;
            p.recurrentDropout = pi.recurrentDropout;
            p.activity = pi.activity;
            trainable &= pi.trainable;
        } else {
            read(spec.name(), cls, c, "", ctx, p);
        }
        if (p.activity == null) p.activity = regularizer(spec.name(), "activity_regularizer",
                c.get("activity_regularizer"));
        p.regularizers.keySet().retainAll(names);
        p.constraints.keySet().retainAll(names);
        p.initializers.keySet().retainAll(names);
        return new TrainingConfig(trainable, p.dropout, p.recurrentDropout, p.regularizers, p.activity, p.constraints,
                p.initializers);
    }

    private static final class Parts {
        boolean trainable = true;
        double dropout, recurrentDropout;
        Regularizer activity;
        final Map<String, Regularizer> regularizers = new LinkedHashMap<>();
        final Map<String, Constraint> constraints = new LinkedHashMap<>();
        final Map<String, Initializer> initializers = new LinkedHashMap<>();

        void merge(Parts o) {
            regularizers.putAll(o.regularizers);
            constraints.putAll(o.constraints);
            initializers.putAll(o.initializers);
        }
    }

    private Parts inner(String layer, JsonNode inner, String prefix, MapContext ctx) {
        Parts p = new Parts();
        if (inner == null || !inner.isObject()) return p;
        String cls = ConfigParser.text(inner, "class_name", null);
        if (cls == null) return p;
        JsonNode cfg = ConfigNormalizer.layerConfig(cls, inner.get("config"));
        p.trainable = bool(cfg, "trainable", true);
        read(layer, cls, cfg, prefix, ctx, p);
        p.activity = regularizer(layer, "activity_regularizer", cfg.get("activity_regularizer"));
        return p;
    }

    /** One (unwrapped) layer's config: dropout rates and per-weight entries, keys prefixed. */
    private void read(String layer, String cls, JsonNode c, String prefix, MapContext ctx, Parts p) {
        if (DROPOUT_LAYERS.contains(cls)) {
            p.dropout = number(c, "rate", number(c, "p", 0));
        } else if ("GaussianNoise".equals(cls)) {
            p.dropout = number(c, "stddev", number(c, "sigma", 0)); // Keras 1: sigma
        } else if (RNN_LAYERS.contains(cls)) {
            p.dropout = number(c, "dropout", 0);
            p.recurrentDropout = number(c, "recurrent_dropout", 0);
        }
        if ("ActivityRegularization".equals(cls)) {
            p.activity = new Regularizer(number(c, "l1", 0), number(c, "l2", 0));
        }
        boolean embedding = "Embedding".equals(cls);
        for (Iterator<Map.Entry<String, JsonNode>> it = c.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String key = e.getKey();
            JsonNode v = e.getValue();
            if (v == null || v.isNull() || "activity_regularizer".equals(key)) continue;
            String weight = null;
            String kind = null;
            for (String suffix : new String[]{"_regularizer", "_constraint", "_initializer"}) {
                if (key.endsWith(suffix)) {
                    kind = suffix;
                    weight = weightOf(key.substring(0, key.length() - suffix.length()), embedding);
                }
            }
            if (kind == null) {
                // Keras 1 initializer keys
                if ("init".equals(key)) { kind = "_initializer"; weight = embedding ? "embeddings" : "kernel"; }
                else if ("inner_init".equals(key)) { kind = "_initializer"; weight = "recurrent_kernel"; }
            }
            if (kind == null || weight == null) continue;
            String full = prefix + weight;
            switch (kind) {
                case "_regularizer" -> {
                    Regularizer r = regularizer(layer, key, v);
                    if (r != null) p.regularizers.put(full, r);
                }
                case "_constraint" -> {
                    Constraint k = constraint(layer, key, v);
                    if (k != null) p.constraints.put(full, k);
                }
                default -> {
                    Initializer i = initializer(layer, key, v, ctx);
                    if (i != null) p.initializers.put(full, i);
                }
            }
        }
        if (ctx.keras1() && !p.initializers.containsKey(prefix + "bias") && (c.has("init") || c.has("inner_init"))) {
            p.initializers.put(prefix + "bias", Initializer.of("Zeros")); // Keras 1 biases always start at zero
        }
        boolean lstm = "LSTM".equals(cls) || "LSTMCell".equals(cls);
        if (lstm) {
            boolean unitForget = c.has("forget_bias_init")
                    ? "one".equals(c.get("forget_bias_init").asText())
                            || "ones".equals(c.get("forget_bias_init").asText())
                    : bool(c, "unit_forget_bias", true);
            Initializer b = p.initializers.get(prefix + "bias");
            if (unitForget) {
                Map<String, Object> params = new LinkedHashMap<>(b == null ? Map.of() : b.params());
                params.put("unit_forget_bias", true);
                p.initializers.put(prefix + "bias", new Initializer(b == null ? "Zeros" : b.className(), params));
            }
        }
    }

    /** {@code kernel} → kernel, {@code recurrent} → recurrent_kernel, Keras 1 {@code W}/{@code U}/{@code b}. */
    private static String weightOf(String prefix, boolean embedding) {
        switch (prefix) {
            case "W": return embedding ? "embeddings" : "kernel";
            case "U": return "recurrent_kernel";
            case "b": return "bias";
            default: return PREFIX.get(prefix);
        }
    }

    // ------------------------------------------------------------------ regularizers

    Regularizer regularizer(String layer, String key, JsonNode v) {
        if (v == null || v.isNull()) return null;
        if (v.isTextual()) {
            switch (v.asText().toLowerCase(Locale.ROOT)) {
                case "l1": return new Regularizer(0.01, 0);
                case "l2": return new Regularizer(0, 0.01);
                case "l1_l2": case "l1l2": return new Regularizer(0.01, 0.01);
                default:
                    unsupported.add(layer + ": " + key + " '" + v.asText() + "' is not an L1/L2 regularizer");
                    return null;
            }
        }
        Spec spec = spec(layer, key, v, "a regularizer");
        if (spec == null) return null;
        String cls = spec.cls();
        JsonNode cfg = spec.cfg();
        String c = cls == null ? "" : cls.toLowerCase(Locale.ROOT);
        switch (c) {
            case "l1": return new Regularizer(number(cfg, "l1", 0.01), 0);
            case "l2": return new Regularizer(0, number(cfg, "l2", 0.01));
            case "l1l2": case "l1_l2": case "weightregularizer": case "activityregularizer": case "l1l2regularizer":
                return new Regularizer(number(cfg, "l1", 0), number(cfg, "l2", 0));
            default:
                if (cls == null && (cfg.has("l1") || cfg.has("l2"))) return new Regularizer(number(cfg, "l1", 0),
                        number(cfg, "l2", 0));
                unsupported.add(layer + ": " + key + " class '" + cls
                        + "' is not supported for training (L1, L2 and L1L2 are)");
                return null;
        }
    }

    // ------------------------------------------------------------------ constraints

    Constraint constraint(String layer, String key, JsonNode v) {
        if (v == null || v.isNull()) return null;
        Spec spec = spec(layer, key, v, "a constraint");
        if (spec == null) return null;
        String cls = spec.cls();
        JsonNode cfg = spec.cfg();
        String c = cls == null ? "" : cls.toLowerCase(Locale.ROOT).replace("_", "");
        switch (c) {
            case "maxnorm":
                return new Constraint.MaxNorm(number(cfg, "max_value", number(cfg, "m", 2)), axis(cfg, 0));
            case "nonneg": case "nonnegative":
                return new Constraint.NonNeg();
            case "unitnorm":
                return new Constraint.UnitNorm(axis(cfg, 0));
            case "minmaxnorm":
                return new Constraint.MinMaxNorm(number(cfg, "min_value", 0), number(cfg, "max_value", 1),
                        number(cfg, "rate", 1), axis(cfg, 0));
            default:
                unsupported.add(layer + ": " + key + " class '" + cls + "' is not supported for training"
                        + " (MaxNorm, NonNeg, UnitNorm and MinMaxNorm are)");
                return null;
        }
    }

    private static int[] axis(JsonNode cfg, int dflt) {
        JsonNode a = cfg.get("axis");
        if (a == null || a.isNull()) return new int[]{dflt};
        if (a.isArray()) {
            int[] out = new int[a.size()];
            for (int i = 0; i < out.length; i++) out[i] = a.get(i).asInt();
            return out;
        }
        return new int[]{a.asInt()};
    }

    // ------------------------------------------------------------------ initializers

    /** Keras 3 class names by every spelling (snake case, Keras 1 and 2 aliases). */
    private static final Map<String, String> INIT_NAMES = new LinkedHashMap<>();

    static {
        for (String n : List.of("GlorotUniform", "GlorotNormal", "HeUniform", "HeNormal", "LecunUniform", "LecunNormal",
                "Orthogonal", "Zeros", "Ones", "Constant", "RandomUniform", "RandomNormal", "TruncatedNormal",
                        "Identity",
                "VarianceScaling")) {
            INIT_NAMES.put(n.toLowerCase(Locale.ROOT), n);
        }
        INIT_NAMES.put("zero", "Zeros");
        INIT_NAMES.put("one", "Ones");
        INIT_NAMES.put("uniform", "RandomUniform");
        INIT_NAMES.put("normal", "RandomNormal");
        INIT_NAMES.put("identityinitializer", "Identity");
        INIT_NAMES.put("orthogonalinitializer", "Orthogonal");
    }

    Initializer initializer(String layer, String key, JsonNode v, MapContext ctx) {
        if (v == null || v.isNull()) return null;
        Spec spec = spec(layer, key, v, "an initializer");
        if (spec == null) return null;
        String cls = spec.cls();
        JsonNode cfg = spec.cfg();
        String name = cls == null ? null : INIT_NAMES.get(cls.toLowerCase(Locale.ROOT).replace("_", ""));
        if (name == null) {
            unsupported.add(layer + ": " + key + " class '" + cls + "' is not a Keras initializer jkeras implements");
            return null;
        }
        Map<String, Object> params = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = cfg.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if ("name".equals(e.getKey())) continue;
            JsonNode x = e.getValue();
            if (x.isIntegralNumber()) params.put(e.getKey(), x.longValue());
            else if (x.isNumber()) params.put(e.getKey(), x.doubleValue());
            else if (x.isTextual()) params.put(e.getKey(), x.asText());
            else if (x.isBoolean()) params.put(e.getKey(), x.booleanValue());
        }
        if (ctx.keras1() && v.isTextual()) {
            // Keras 1's named initializers: uniform/normal use scale 0.05, orthogonal a gain of 1.1, and
            // the *_normal variance-scaling ones an untruncated normal
            switch (cls.toLowerCase(Locale.ROOT)) {
                case "uniform": params.put("minval", -0.05); params.put("maxval", 0.05); break;
                case "normal": params.put("mean", 0.0); params.put("stddev", 0.05); break;
                case "orthogonal": params.put("gain", 1.1); break;
                case "glorot_normal": return vs(1, "fan_avg", "untruncated_normal");
                case "he_normal": return vs(2, "fan_in", "untruncated_normal");
                case "lecun_normal": return vs(1, "fan_in", "untruncated_normal");
                default: break;
            }
        }
        if ("VarianceScaling".equals(name) && "normal".equals(params.get("distribution"))) {
            params.put("distribution", "truncated_normal"); // Keras 2's "normal" was truncated
        }
        if ("Orthogonal".equals(name) && params.containsKey("scale") && !params.containsKey("gain")) {
            params.put("gain", params.remove("scale"));
        }
        return new Initializer(name, params);
    }

    private static Initializer vs(double scale, String mode, String distribution) {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("scale", scale);
        p.put("mode", mode);
        p.put("distribution", distribution);
        return new Initializer("VarianceScaling", p);
    }

    // ------------------------------------------------------------------ helpers

    /** {@code class_name} (Keras 2/3, registered names {@code pkg>Cls} stripped) or Keras 1 {@code name}. */
    /** A serialized Keras object: its class name (null if it names none) and its config. */
    private record Spec(String cls, JsonNode cfg) {}

    /**
     * {@code v} as a class name and config: a bare name with an empty config, or an object with
     * {@code class_name} (or Keras 1's {@code name}) and {@code config} (Keras 1 keeps the fields
     * beside {@code name}); null, noted as unsupported, when it is neither.
     */
    private Spec spec(String layer, String key, JsonNode v, String what) {
        if (v.isTextual()) return new Spec(v.asText(),
                com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode());
        if (v.isObject()) return new Spec(className(v), v.has("config") && v.get("config").isObject() ? v.get("config")
                : v);
        unsupported.add(layer + ": " + key + " " + ConfigParser.abbreviate(v) + " is not " + what + " config");
        return null;
    }

    private static String className(JsonNode v) {
        JsonNode c = v.get("class_name");
        if (c == null || !c.isTextual()) c = v.get("name");
        if (c == null || !c.isTextual()) return null;
        String s = c.asText();
        int gt = s.lastIndexOf('>');
        return gt >= 0 ? s.substring(gt + 1) : s;
    }

    private static boolean bool(JsonNode c, String key, boolean dflt) {
        JsonNode v = c == null ? null : c.get(key);
        if (v == null || v.isNull()) return dflt;
        if (v.isBoolean()) return v.booleanValue();
        if (v.isNumber()) return v.intValue() != 0;
        return dflt;
    }

    private static double number(JsonNode c, String key, double dflt) {
        JsonNode v = c == null ? null : c.get(key);
        return v != null && v.isNumber() ? v.doubleValue() : dflt;
    }
}

package io.jkeras.format;

import io.jkeras.util.Json;
import io.jkeras.exceptions.ModelFormatException;
import io.jkeras.layers.TrainingConfig;
import io.jkeras.layers.TrainingConfig.Constraint;
import io.jkeras.layers.TrainingConfig.Initializer;
import io.jkeras.layers.TrainingConfig.Regularizer;

import java.util.LinkedHashMap;
import java.util.Map;

/** Reads the header's {@code model.training} object written by {@link TrainingCodec}. */
final class TrainingDecoder {
    private TrainingDecoder() {}

    static Map<String, TrainingConfig> decode(Json training, String file) {
        Map<String, TrainingConfig> out = new LinkedHashMap<>();
        if (training == null || training.isNull()) return out;
        if (!training.isObject()) throw new ModelFormatException(file, null, null, "'training' is not an object", null);
        for (Map.Entry<String, Json> e : training.fields()) {
            out.put(e.getKey(), decodeOne(e.getKey(), e.getValue(), file));
        }
        return out;
    }

    private static TrainingConfig decodeOne(String layer, Json o, String file) {
        Map<String, Regularizer> regs = new LinkedHashMap<>();
        for (Map.Entry<String, Json> e : obj(o.get("regularizers"), layer, "regularizers", file).fields()) {
            regs.put(e.getKey(), regularizer(e.getValue(), layer, file));
        }
        Json ar = o.get("activity_regularizer");
        Map<String, Constraint> cons = new LinkedHashMap<>();
        for (Map.Entry<String, Json> e : obj(o.get("constraints"), layer, "constraints", file).fields()) {
            cons.put(e.getKey(), constraint(e.getValue(), layer, file));
        }
        Map<String, Initializer> inits = new LinkedHashMap<>();
        Json ij = o.get("initializers");
        if (ij != null && !ij.isNull()) {
            for (Map.Entry<String, Json> e : obj(ij, layer, "initializers", file).fields()) {
                Json cn = e.getValue().get("class_name");
                if (cn == null || !cn.isTextual()) throw bad(layer, "initializer of '" + e.getKey()
                        + "' has no string 'class_name'", file);
                Map<String, Object> params = new LinkedHashMap<>();
                for (Map.Entry<String, Json> pe : obj(e.getValue().get("params"), layer, "params", file).fields()) {
                    Json v = pe.getValue();
                    // numbers as KerasTrainingConfig reads them from Keras configs: integers as Long, others as Double
                    if (v.isIntegralNumber() && v.canConvertToLong()) params.put(pe.getKey(), v.longValue());
                    else if (v.isNumber()) params.put(pe.getKey(), v.doubleValue());
                    else if (v.isTextual()) params.put(pe.getKey(), v.asText());
                    else if (v.isBoolean()) params.put(pe.getKey(), v.booleanValue());
                    else if (!v.isNull()) throw bad(layer, "initializer parameter '" + pe.getKey()
                            + "' must be a number, string or boolean", file);
                }
                inits.put(e.getKey(), new Initializer(cn.asText(), params));
            }
        }
        Json trainable = o.get("trainable");
        if (trainable == null || !trainable.isBoolean()) throw bad(layer, "'trainable' must be true or false", file);
        return new TrainingConfig(trainable.booleanValue(), num(o, "dropout", layer, file),
                num(o, "recurrent_dropout", layer, file),
                regs, ar == null || ar.isNull() ? null : regularizer(ar, layer, file), cons, inits);
    }

    private static Json obj(Json n, String layer, String key, String file) {
        if (n == null || !n.isObject()) throw bad(layer, "'" + key + "' must be an object", file);
        return n;
    }

    private static double num(Json o, String key, String layer, String file) {
        Json v = o == null ? null : o.get(key);
        if (v == null || !v.isNumber()) throw bad(layer, "'" + key + "' must be a number", file);
        return v.doubleValue();
    }

    private static Regularizer regularizer(Json o, String layer, String file) {
        return new Regularizer(num(o, "l1", layer, file), num(o, "l2", layer, file));
    }

    private static int[] axis(Json o, String layer, String file) {
        Json a = o.get("axis");
        if (a == null || a.isNull()) return null;
        if (!a.isArray() || a.size() > 64) throw bad(layer, "constraint 'axis' must be an array of integers", file);
        int[] r = new int[a.size()];
        for (int i = 0; i < r.length; i++) {
            if (!a.get(i).canConvertToInt() || !a.get(i).isIntegralNumber()) throw bad(layer,
                    "constraint 'axis' must hold integers", file);
            r[i] = a.get(i).intValue();
        }
        return r;
    }

    private static Constraint constraint(Json o, String layer, String file) {
        Json t = o.get("type");
        String type = t == null ? "" : t.asText();
        return switch (type) {
            case "MaxNorm" -> new Constraint.MaxNorm(num(o, "max_value", layer, file), axis(o, layer, file));
            case "NonNeg" -> new Constraint.NonNeg();
            case "UnitNorm" -> new Constraint.UnitNorm(axis(o, layer, file));
            case "MinMaxNorm" -> new Constraint.MinMaxNorm(num(o, "min_value", layer, file),
                    num(o, "max_value", layer, file),
                    num(o, "rate", layer, file), axis(o, layer, file));
            default -> throw bad(layer, "unknown constraint type '" + type
                    + "'; allowed: MaxNorm, NonNeg, UnitNorm, MinMaxNorm", file);
        };
    }

    private static ModelFormatException bad(String layer, String detail, String file) {
        return new ModelFormatException(file, layer, null, "training config: " + detail, null);
    }
}

package io.jkeras.format;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jkeras.ModelFormatException;
import io.jkeras.UnsupportedModelException;
import io.jkeras.layers.TrainingConfig;
import io.jkeras.layers.TrainingConfig.Constraint;
import io.jkeras.layers.TrainingConfig.Initializer;
import io.jkeras.layers.TrainingConfig.Regularizer;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/** What a layer does only while training ({@link TrainingConfig}) as a JSON object of the header. */
final class TrainingCodec {
    private static final JsonNodeFactory F = JsonNodeFactory.instance;

    private TrainingCodec() {}

    static ObjectNode encode(String layer, TrainingConfig t) {
        ObjectNode o = F.objectNode();
        o.put("trainable", t.trainable());
        o.put("dropout", t.dropout());
        o.put("recurrent_dropout", t.recurrentDropout());
        ObjectNode regs = o.putObject("regularizers");
        for (Map.Entry<String, Regularizer> e : new TreeMap<>(t.regularizers()).entrySet()) regs.set(e.getKey(), regularizer(e.getValue()));
        if (t.activityRegularizer() == null) o.putNull("activity_regularizer");
        else o.set("activity_regularizer", regularizer(t.activityRegularizer()));
        ObjectNode cons = o.putObject("constraints");
        for (Map.Entry<String, Constraint> e : new TreeMap<>(t.constraints()).entrySet()) cons.set(e.getKey(), constraint(layer, e.getValue()));
        ObjectNode inits = o.putObject("initializers");
        for (Map.Entry<String, Initializer> e : new TreeMap<>(t.initializers()).entrySet()) {
            ObjectNode i = inits.putObject(e.getKey());
            i.put("class_name", e.getValue().className());
            ObjectNode params = i.putObject("params");
            for (Map.Entry<String, Object> pe : e.getValue().params().entrySet()) params.set(pe.getKey(), scalar(layer, pe.getValue()));
        }
        return o;
    }

    private static JsonNode scalar(String layer, Object v) {
        if (v == null) return F.nullNode();
        if (v instanceof Boolean b) return F.booleanNode(b);
        if (v instanceof String s) return F.textNode(s);
        if (v instanceof Integer i) return F.numberNode(i);
        if (v instanceof Long l) return F.numberNode(l);
        if (v instanceof Number n) return F.numberNode(n.doubleValue());
        throw new UnsupportedModelException(null, layer, null, "the native format cannot store initializer parameter " + v + " of "
                + v.getClass().getSimpleName() + "; allowed: numbers, strings, booleans");
    }

    private static ObjectNode regularizer(Regularizer r) {
        ObjectNode o = F.objectNode();
        o.put("l1", r.l1());
        o.put("l2", r.l2());
        return o;
    }

    private static ObjectNode constraint(String layer, Constraint c) {
        ObjectNode o = F.objectNode();
        if (c instanceof Constraint.MaxNorm m) {
            o.put("type", "MaxNorm");
            o.put("max_value", m.maxValue());
            axis(o, m.axis());
        } else if (c instanceof Constraint.NonNeg) {
            o.put("type", "NonNeg");
        } else if (c instanceof Constraint.UnitNorm u) {
            o.put("type", "UnitNorm");
            axis(o, u.axis());
        } else if (c instanceof Constraint.MinMaxNorm m) {
            o.put("type", "MinMaxNorm");
            o.put("min_value", m.minValue());
            o.put("max_value", m.maxValue());
            o.put("rate", m.rate());
            axis(o, m.axis());
        } else {
            throw new UnsupportedModelException(null, layer, null, "the native format cannot store constraint " + c.getClass().getSimpleName());
        }
        return o;
    }

    private static void axis(ObjectNode o, int[] axis) {
        if (axis == null) {
            o.putNull("axis");
            return;
        }
        ArrayNode a = o.putArray("axis");
        for (int x : axis) a.add(x);
    }

    static Map<String, TrainingConfig> decode(JsonNode training, String file) {
        Map<String, TrainingConfig> out = new LinkedHashMap<>();
        if (training == null || training.isNull()) return out;
        if (!training.isObject()) throw new ModelFormatException(file, null, null, "'training' is not an object", null);
        for (Iterator<Map.Entry<String, JsonNode>> it = training.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            out.put(e.getKey(), decodeOne(e.getKey(), e.getValue(), file));
        }
        return out;
    }

    private static TrainingConfig decodeOne(String layer, JsonNode o, String file) {
        Map<String, Regularizer> regs = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = obj(o.get("regularizers"), layer, "regularizers", file).fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            regs.put(e.getKey(), regularizer(e.getValue(), layer, file));
        }
        JsonNode ar = o.get("activity_regularizer");
        Map<String, Constraint> cons = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = obj(o.get("constraints"), layer, "constraints", file).fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            cons.put(e.getKey(), constraint(e.getValue(), layer, file));
        }
        Map<String, Initializer> inits = new LinkedHashMap<>();
        JsonNode ij = o.get("initializers");
        if (ij != null && !ij.isNull()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = obj(ij, layer, "initializers", file).fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                JsonNode cn = e.getValue().get("class_name");
                if (cn == null || !cn.isTextual()) throw bad(layer, "initializer of '" + e.getKey() + "' has no string 'class_name'", file);
                Map<String, Object> params = new LinkedHashMap<>();
                for (Iterator<Map.Entry<String, JsonNode>> pit = obj(e.getValue().get("params"), layer, "params", file).fields(); pit.hasNext(); ) {
                    Map.Entry<String, JsonNode> pe = pit.next();
                    JsonNode v = pe.getValue();
                    // numbers as KerasTrainingConfig reads them from Keras configs: integers as Long, others as Double
                    if (v.isIntegralNumber() && v.canConvertToLong()) params.put(pe.getKey(), v.longValue());
                    else if (v.isNumber()) params.put(pe.getKey(), v.doubleValue());
                    else if (v.isTextual()) params.put(pe.getKey(), v.asText());
                    else if (v.isBoolean()) params.put(pe.getKey(), v.booleanValue());
                    else if (!v.isNull()) throw bad(layer, "initializer parameter '" + pe.getKey() + "' must be a number, string or boolean", file);
                }
                inits.put(e.getKey(), new Initializer(cn.asText(), params));
            }
        }
        JsonNode trainable = o.get("trainable");
        if (trainable == null || !trainable.isBoolean()) throw bad(layer, "'trainable' must be true or false", file);
        return new TrainingConfig(trainable.booleanValue(), num(o, "dropout", layer, file), num(o, "recurrent_dropout", layer, file),
                regs, ar == null || ar.isNull() ? null : regularizer(ar, layer, file), cons, inits);
    }

    private static JsonNode obj(JsonNode n, String layer, String key, String file) {
        if (n == null || !n.isObject()) throw bad(layer, "'" + key + "' must be an object", file);
        return n;
    }

    private static double num(JsonNode o, String key, String layer, String file) {
        JsonNode v = o == null ? null : o.get(key);
        if (v == null || !v.isNumber()) throw bad(layer, "'" + key + "' must be a number", file);
        return v.doubleValue();
    }

    private static Regularizer regularizer(JsonNode o, String layer, String file) {
        return new Regularizer(num(o, "l1", layer, file), num(o, "l2", layer, file));
    }

    private static int[] axis(JsonNode o, String layer, String file) {
        JsonNode a = o.get("axis");
        if (a == null || a.isNull()) return null;
        if (!a.isArray() || a.size() > 64) throw bad(layer, "constraint 'axis' must be an array of integers", file);
        int[] r = new int[a.size()];
        for (int i = 0; i < r.length; i++) {
            if (!a.get(i).canConvertToInt() || !a.get(i).isIntegralNumber()) throw bad(layer, "constraint 'axis' must hold integers", file);
            r[i] = a.get(i).intValue();
        }
        return r;
    }

    private static Constraint constraint(JsonNode o, String layer, String file) {
        JsonNode t = o.get("type");
        String type = t == null ? "" : t.asText();
        return switch (type) {
            case "MaxNorm" -> new Constraint.MaxNorm(num(o, "max_value", layer, file), axis(o, layer, file));
            case "NonNeg" -> new Constraint.NonNeg();
            case "UnitNorm" -> new Constraint.UnitNorm(axis(o, layer, file));
            case "MinMaxNorm" -> new Constraint.MinMaxNorm(num(o, "min_value", layer, file), num(o, "max_value", layer, file),
                    num(o, "rate", layer, file), axis(o, layer, file));
            default -> throw bad(layer, "unknown constraint type '" + type + "'; allowed: MaxNorm, NonNeg, UnitNorm, MinMaxNorm", file);
        };
    }

    private static ModelFormatException bad(String layer, String detail, String file) {
        return new ModelFormatException(file, layer, null, "training config: " + detail, null);
    }
}

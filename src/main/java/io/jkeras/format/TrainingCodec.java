package io.jkeras.format;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jkeras.exceptions.UnsupportedModelException;
import io.jkeras.layers.TrainingConfig;
import io.jkeras.layers.TrainingConfig.Constraint;
import io.jkeras.layers.TrainingConfig.Initializer;
import io.jkeras.layers.TrainingConfig.Regularizer;

import java.util.Map;
import java.util.TreeMap;

/**
 * Writes what a layer does only while training ({@link TrainingConfig}) as a JSON object of the
 * header; {@link TrainingDecoder} reads it back.
 */
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
}

package io.jkeras.format;

import io.jkeras.exceptions.UnsupportedModelException;
import io.jkeras.layers.TrainingConfig;
import io.jkeras.layers.TrainingConfig.Constraint;
import io.jkeras.layers.TrainingConfig.Initializer;
import io.jkeras.layers.TrainingConfig.Regularizer;
import io.jkeras.util.Json;

import java.util.Map;
import java.util.TreeMap;

/**
 * Writes what a layer does only while training ({@link TrainingConfig}) as a JSON object of the
 * header; {@link TrainingDecoder} reads it back.
 */
final class TrainingCodec {
    private TrainingCodec() {}

    static Json encode(String layer, TrainingConfig t) {
        Json.ObjectBuilder o = Json.object();
        o.put("trainable", t.trainable());
        o.put("dropout", t.dropout());
        o.put("recurrent_dropout", t.recurrentDropout());
        Json.ObjectBuilder regs = o.putObject("regularizers");
        for (Map.Entry<String, Regularizer> e : new TreeMap<>(t.regularizers()).entrySet()) regs.put(e.getKey(),
                regularizer(e.getValue()));
        if (t.activityRegularizer() == null) o.putNull("activity_regularizer");
        else o.put("activity_regularizer", regularizer(t.activityRegularizer()));
        Json.ObjectBuilder cons = o.putObject("constraints");
        for (Map.Entry<String, Constraint> e : new TreeMap<>(t.constraints()).entrySet()) cons.put(e.getKey(),
                constraint(layer, e.getValue()));
        Json.ObjectBuilder inits = o.putObject("initializers");
        for (Map.Entry<String, Initializer> e : new TreeMap<>(t.initializers()).entrySet()) {
            Json.ObjectBuilder i = inits.putObject(e.getKey());
            i.put("class_name", e.getValue().className());
            Json.ObjectBuilder params = i.putObject("params");
            for (Map.Entry<String, Object> pe : e.getValue().params().entrySet()) params.put(pe.getKey(),
                    scalar(layer, pe.getValue()));
        }
        return o.build();
    }

    private static Json scalar(String layer, Object v) {
        if (v == null) return Json.nullValue();
        if (v instanceof Boolean b) return Json.of(b);
        if (v instanceof String s) return Json.of(s);
        if (v instanceof Integer i) return Json.of(i);
        if (v instanceof Long l) return Json.of(l);
        if (v instanceof Number n && Double.isFinite(n.doubleValue())) return Json.of(n.doubleValue());
        throw new UnsupportedModelException(null, layer, null, "the native format cannot store initializer parameter "
                + v + " of "
                + v.getClass().getSimpleName() + "; allowed: finite numbers, strings, booleans");
    }

    private static Json regularizer(Regularizer r) {
        return Json.object().put("l1", r.l1()).put("l2", r.l2()).build();
    }

    private static Json constraint(String layer, Constraint c) {
        Json.ObjectBuilder o = Json.object();
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
            throw new UnsupportedModelException(null, layer, null, "the native format cannot store constraint "
                    + c.getClass().getSimpleName());
        }
        return o.build();
    }

    private static void axis(Json.ObjectBuilder o, int[] axis) {
        if (axis == null) {
            o.putNull("axis");
            return;
        }
        Json.ArrayBuilder a = o.putArray("axis");
        for (int x : axis) a.add(x);
    }
}

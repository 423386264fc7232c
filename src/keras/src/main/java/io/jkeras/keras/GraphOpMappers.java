package io.jkeras.keras;

import com.fasterxml.jackson.databind.JsonNode;
import io.jkeras.exceptions.UnsupportedModelException;
import io.jkeras.layers.ElementwiseOp;
import io.jkeras.layers.Layer;
import io.jkeras.layers.ShapeOp;

import java.util.List;

/**
 * Keras 3 records backend operations applied to symbolic tensors as layers of a functional graph,
 * named after the operation class ({@code NotEqual}, {@code Any}, {@code ExpandDims}, …); Keras
 * itself inserts them to compute and carry masks. Constants come from the call's arguments.
 */
final class GraphOpMappers {
    private GraphOpMappers() {}

    static void register(java.util.Map<String, LayerMapper> m) {
        m.put("Equal", (s, w, in, c) -> binary(s, in, c, ElementwiseOp.Op.EQUAL));
        m.put("NotEqual", (s, w, in, c) -> binary(s, in, c, ElementwiseOp.Op.NOT_EQUAL));
        m.put("Greater", (s, w, in, c) -> binary(s, in, c, ElementwiseOp.Op.GREATER));
        m.put("GreaterEqual", (s, w, in, c) -> binary(s, in, c, ElementwiseOp.Op.GREATER_EQUAL));
        m.put("Less", (s, w, in, c) -> binary(s, in, c, ElementwiseOp.Op.LESS));
        m.put("LessEqual", (s, w, in, c) -> binary(s, in, c, ElementwiseOp.Op.LESS_EQUAL));
        m.put("LogicalAnd", (s, w, in, c) -> binary(s, in, c, ElementwiseOp.Op.LOGICAL_AND));
        m.put("LogicalOr", (s, w, in, c) -> binary(s, in, c, ElementwiseOp.Op.LOGICAL_OR));
        m.put("LogicalXor", (s, w, in, c) -> binary(s, in, c, ElementwiseOp.Op.LOGICAL_XOR));
        m.put("Any", (s, w, in, c) -> reduction(s, c, ShapeOp.Op.ANY));
        m.put("All", (s, w, in, c) -> reduction(s, c, ShapeOp.Op.ALL));
        m.put("ExpandDims", (s, w, in, c) -> new ShapeOp(s.name(), s.className(), ShapeOp.Op.EXPAND_DIMS,
                new int[]{new Cfg(s, c).integer("axis")}, false));
        m.put("Squeeze", (s, w, in, c) -> new ShapeOp(s.name(), s.className(), ShapeOp.Op.SQUEEZE, axes(s, c), false));
        m.put("ZerosLike", (s, w, in, c) -> new ShapeOp(s.name(), s.className(), ShapeOp.Op.ZEROS_LIKE, null, false));
        m.put("OnesLike", (s, w, in, c) -> new ShapeOp(s.name(), s.className(), ShapeOp.Op.ONES_LIKE, null, false));
        m.put("LogicalNot", (s, w, in, c) -> new ShapeOp(s.name(), s.className(), ShapeOp.Op.LOGICAL_NOT, null, false));
        m.put("Cast", GraphOpMappers::cast);
    }

    private static Layer binary(LayerSpec spec, int[][] in, MapContext ctx, ElementwiseOp.Op op) {
        if (in.length == 2) return new ElementwiseOp(spec.name(), spec.className(), op, null, false);
        JsonNode call = spec.calls().isEmpty() ? null : spec.rawCall(0);
        JsonNode args = call == null ? null : call.get("args");
        if (in.length != 1 || args == null || !args.isArray() || args.size() != 2) {
            throw new UnsupportedModelException(ctx.file(), spec.name(), null, spec.className()
                    + " needs two tensors, or a tensor and a number, as its arguments; found "
                            + ConfigParser.abbreviate(call));
        }
        boolean constantFirst = args.get(0).isNumber() || args.get(0).isBoolean();
        JsonNode k = constantFirst ? args.get(0) : args.get(1);
        if (!k.isNumber() && !k.isBoolean()) {
            throw new UnsupportedModelException(ctx.file(), spec.name(), null, spec.className()
                    + " with a non-numeric constant " + ConfigParser.abbreviate(k) + " is not supported");
        }
        float v = k.isBoolean() ? (k.booleanValue() ? 1f : 0f) : (float) k.doubleValue();
        return new ElementwiseOp(spec.name(), spec.className(), op, v, constantFirst);
    }

    private static Layer reduction(LayerSpec spec, MapContext ctx, ShapeOp.Op op) {
        return new ShapeOp(spec.name(), spec.className(), op, axes(spec, ctx), new Cfg(spec, ctx)
                .bool("keepdims", false));
    }

    private static int[] axes(LayerSpec spec, MapContext ctx) {
        JsonNode a = spec.config().get("axis");
        if (a == null || a.isNull()) return null;
        if (a.isIntegralNumber()) return new int[]{a.intValue()};
        if (a.isArray()) {
            int[] r = new int[a.size()];
            for (int i = 0; i < r.length; i++) r[i] = a.get(i).asInt();
            return r;
        }
        throw new UnsupportedModelException(ctx.file(), spec.name(), null, "axis " + ConfigParser.abbreviate(a)
                + " is not an integer or a list");
    }

    private static Layer cast(LayerSpec spec, List<WeightArray> w, int[][] in, MapContext ctx) {
        JsonNode d = spec.config().get("dtype");
        String t = d == null ? "" : d.isTextual() ? d.asText() : d.path("config").path("name").asText("");
        ShapeOp.Op op;
        if (t.startsWith("float") || t.startsWith("bfloat")) op = ShapeOp.Op.CAST_FLOAT;
        else if (t.startsWith("int") || t.startsWith("uint")) op = ShapeOp.Op.CAST_INT;
        else if (t.equals("bool")) op = ShapeOp.Op.CAST_BOOL;
        else throw new UnsupportedModelException(ctx.file(), spec.name(), null, "cast to dtype '" + t
                + "' is not supported; allowed: float*, int*, uint*, bool");
        return new ShapeOp(spec.name(), spec.className(), op, null, false);
    }
}

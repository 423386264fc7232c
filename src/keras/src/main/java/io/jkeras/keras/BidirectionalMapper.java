package io.jkeras.keras;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jkeras.exceptions.JKerasException;
import io.jkeras.exceptions.ModelFormatException;
import io.jkeras.exceptions.UnsupportedModelException;
import io.jkeras.exceptions.WeightException;
import io.jkeras.layers.Bidirectional;
import io.jkeras.layers.Layer;
import io.jkeras.layers.Recurrent;

import java.util.List;

/**
 * Keras Bidirectional: the wrapped layer's config gives the forward layer; the backward layer is
 * {@code backward_layer} when present, else the same config with go_backwards flipped. The file
 * stores the forward layer's weights, then the backward layer's. Keras 3 and tf.keras (from Keras
 * 2.2.5) make both directions output zeros at masked steps when they return sequences; older Keras
 * repeated the previous output.
 */
final class BidirectionalMapper {
    private BidirectionalMapper() {}

    /** Registers this group's mappers under their Keras class names ({@link LayerRegistry}). */
    static void register(java.util.Map<String, LayerMapper> m) {
        m.put("Bidirectional", BidirectionalMapper::map);
    }

    static Layer map(LayerSpec spec, List<WeightArray> w, int[][] in, MapContext ctx) {
        Cfg c = new Cfg(spec, ctx);
        JsonNode inner = spec.config().get("layer");
        if (inner == null || !inner.isObject()) {
            throw new ModelFormatException(ctx.file(), spec.name(), null, "Bidirectional config has no wrapped 'layer'",
                    null);
        }
        // an explicit null means "no merge": two outputs
        String mode = spec.config().has("merge_mode") && spec.config().get("merge_mode").isNull() ? null
                : c.text("merge_mode", "concat");
        Bidirectional.Merge merge;
        if (mode == null) merge = Bidirectional.Merge.NONE;
        else merge = switch (mode) {
            case "concat" -> Bidirectional.Merge.CONCAT;
            case "sum" -> Bidirectional.Merge.SUM;
            case "ave" -> Bidirectional.Merge.AVE;
            case "mul" -> Bidirectional.Merge.MUL;
            default -> throw new UnsupportedModelException(ctx.file(), spec.name(), null,
                    "merge_mode '" + mode + "' is not supported; allowed: concat, sum, ave, mul, None");
        };
        LayerSpec fwd = innerSpec(inner, "forward_", false, spec, ctx);
        JsonNode back = spec.config().get("backward_layer");
        LayerSpec bwd = back != null && back.isObject()
                ? innerSpec(back, "backward_", null, spec, ctx)
                : innerSpec(inner, "backward_", true, spec, ctx);
        boolean seq = fwd.config().path("return_sequences").asBoolean(false);
        boolean zeros = seq && zeroOutputForMask(ctx);
        ((ObjectNode) fwd.config()).put("zero_output_for_mask", zeros);
        ((ObjectNode) bwd.config()).put("zero_output_for_mask", zeros);
        if (w.size() % 2 != 0) {
            throw new WeightException(ctx.file(), spec.name(), null,
                    "expected forward and backward weights of equal count, found "
                    + w.size() + RecurrentMappers.names(w), null);
        }
        int half = w.size() / 2;
        Recurrent f = recurrent(fwd, w.subList(0, half), in, spec, ctx);
        Recurrent b = recurrent(bwd, w.subList(half, w.size()), in, spec, ctx);
        try {
            return new Bidirectional(spec.name(), f, b, merge);
        } catch (JKerasException e) {
            throw e.in(ctx.file(), spec.name());
        }
    }

    /** Keras 3, tf.keras and Keras ≥ 2.2.5 force zero outputs at masked steps inside Bidirectional. */
    private static boolean zeroOutputForMask(MapContext ctx) {
        KerasVersion v = ctx.version();
        if (v.major() != 2) return v.major() > 2;
        if (v.raw().contains("tf")) return true;
        return v.minor() > 2 || (v.minor() == 2 && v.patch() >= 5);
    }

    /**
     * @param goBackwards null keeps the config's go_backwards; otherwise true flips it, false keeps it
     */
    private static LayerSpec innerSpec(JsonNode inner, String prefix, Boolean goBackwards, LayerSpec outer,
            MapContext ctx) {
        String cls = ConfigParser.text(inner, "class_name", null);
        if (cls == null) throw new ModelFormatException(ctx.file(), outer.name(), null,
                "wrapped layer has no class_name", null);
        ObjectNode cfg = ConfigNormalizer.layerConfig(cls, inner.get("config"));
        String base = ConfigParser.text(cfg, "name", cls.toLowerCase());
        String name = goBackwards == null ? base : prefix
                + (base.startsWith(prefix) ? base.substring(prefix.length()) : base);
        cfg.put("name", name);
        if (Boolean.TRUE.equals(goBackwards)) cfg.put("go_backwards", !cfg.path("go_backwards").asBoolean(false));
        return new LayerSpec(cls, name, cfg, List.of());
    }

    private static Recurrent recurrent(LayerSpec s, List<WeightArray> w, int[][] in, LayerSpec outer, MapContext ctx) {
        Layer l;
        try {
            l = LayerRegistry.mapper(s, ctx).map(s, w, new int[][]{in[0]}, ctx);
        } catch (JKerasException e) {
            throw e.in(ctx.file(), outer.name());
        }
        if (!(l instanceof Recurrent r)) {
            throw new UnsupportedModelException(ctx.file(), outer.name(), null, "wraps a " + s.className()
                    + ", which is not a recurrent layer");
        }
        return r;
    }
}

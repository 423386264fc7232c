package io.jkeras.keras;

import com.fasterxml.jackson.databind.JsonNode;
import io.jkeras.exceptions.UnsupportedModelException;
import io.jkeras.exceptions.WeightException;
import io.jkeras.layers.Attention;
import io.jkeras.layers.Dot;
import io.jkeras.layers.GroupNormalization;
import io.jkeras.layers.Identity;
import io.jkeras.layers.Layer;
import io.jkeras.layers.LayerNormalization;
import io.jkeras.layers.MultiHeadAttention;
import io.jkeras.layers.UnitNormalization;
import io.jkeras.layers.Weight;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Mappers for the normalisation layers (LayerNormalization, RMSNormalization, UnitNormalization,
 * GroupNormalization), the attention layers (Attention, AdditiveAttention, MultiHeadAttention), Dot, and Keras 3's
 * {@code ConvertToTensor} operation node (an identity: Keras writes it to pass a mask on). Options given at call
 * time ({@code use_causal_mask}, {@code return_attention_scores}) are read from the layer's call in the config;
 * Keras 2's Attention {@code causal} config key is the same as {@code use_causal_mask}. MultiHeadAttention's
 * inputs are the call's tensors in the order query, value, key, attention_mask ({@link ConfigParser}).
 */
final class NormAttentionMappers {
    private NormAttentionMappers() {}

    static void register(Map<String, LayerMapper> m) {
        m.put("LayerNormalization", NormAttentionMappers::layerNormalization);
        m.put("RMSNormalization", NormAttentionMappers::rmsNormalization);
        m.put("UnitNormalization", NormAttentionMappers::unitNormalization);
        m.put("GroupNormalization", NormAttentionMappers::groupNormalization);
        m.put("Attention", (s, w, in, c) -> attention(s, w, in, c, false));
        m.put("AdditiveAttention", (s, w, in, c) -> attention(s, w, in, c, true));
        m.put("MultiHeadAttention", NormAttentionMappers::multiHeadAttention);
        m.put("Dot", NormAttentionMappers::dot);
        m.put("ConvertToTensor", (s, w, in, c) -> new Identity(s.name(), s.className()));
    }

    // ---------------------------------------------------------------- normalisation

    static Layer layerNormalization(LayerSpec spec, List<WeightArray> w, int[][] in, MapContext ctx) {
        Cfg c = new Cfg(spec, ctx);
        boolean rms = c.bool("rms_scaling", false);
        // layer_normalization.py build: gamma when scale or rms_scaling, beta when center and not rms_scaling
        boolean scale = c.bool("scale", true) || rms, center = c.bool("center", true) && !rms;
        return norm(spec, w, in, ctx, rms ? LayerNormalization.Kind.RMS_SCALING : LayerNormalization.Kind.LAYER,
                scale ? "gamma" : null, center ? "beta" : null, c.number("epsilon", 1e-3));
    }

    static Layer rmsNormalization(LayerSpec spec, List<WeightArray> w, int[][] in, MapContext ctx) {
        // rms_normalization.py: one weight 'scale', epsilon 1e-6 by default
        return norm(spec, w, in, ctx, LayerNormalization.Kind.RMS, "scale", null,
                new Cfg(spec, ctx).number("epsilon", 1e-6));
    }

    private static Layer norm(LayerSpec spec, List<WeightArray> w, int[][] in, MapContext ctx,
                              LayerNormalization.Kind kind, String gammaName, String betaName, double eps) {
        Cfg c = new Cfg(spec, ctx);
        int rank = in[0].length + 1;
        int[] axes = OpsMappers.intList(c, spec, ctx, "axis", new int[]{-1});
        List<String> names = new ArrayList<>();
        if (gammaName != null) names.add(gammaName);
        if (betaName != null) names.add(betaName);
        WeightArray[] picked = pick(spec, ctx, w, names);
        int[] ps = picked.length > 0 ? picked[0].shape() : new int[0];
        for (int i = 0; i < picked.length; i++) RecurrentMappers.expectShape(spec, ctx, names.get(i), picked[i], ps);
        float[] g = gammaName != null ? picked[0].data() : null;
        float[] b = betaName != null ? picked[picked.length - 1].data() : null;
        return OpsMappers.wrap(ctx, spec, () -> new LayerNormalization(spec.name(), kind, rank, axes, ps, (float) eps,
                g, b));
    }

    /** The arrays called {@code names}, by name where the file names them, else in order; exactly that many. */
    private static WeightArray[] pick(LayerSpec spec, MapContext ctx, List<WeightArray> w, List<String> names) {
        if (w.size() != names.size()) {
            throw new WeightException(ctx.file(), spec.name(), null, "expected " + names.size() + " weights "
                    + names + ", found " + w.size() + RecurrentMappers.names(w), null);
        }
        WeightArray[] out = new WeightArray[names.size()];
        List<WeightArray> rest = new ArrayList<>(w);
        for (int i = 0; i < out.length; i++) {
            for (WeightArray a : rest) if (a.name().equals(names.get(i))) { out[i] = a; break; }
        }
        for (WeightArray a : out) if (a != null) rest.remove(a);
        for (int i = 0; i < out.length; i++) if (out[i] == null) out[i] = rest.remove(0);
        return out;
    }

    static Layer unitNormalization(LayerSpec spec, List<WeightArray> w, int[][] in, MapContext ctx) {
        pick(spec, ctx, w, List.of());
        int[] axes = OpsMappers.intList(new Cfg(spec, ctx), spec, ctx, "axis", new int[]{-1});
        return OpsMappers.wrap(ctx, spec, () -> new UnitNormalization(spec.name(), in[0].length + 1, axes));
    }

    static Layer groupNormalization(LayerSpec spec, List<WeightArray> w, int[][] in, MapContext ctx) {
        Cfg c = new Cfg(spec, ctx);
        int rank = in[0].length + 1;
        int axis = c.has("axis") ? c.integer("axis") : -1;
        int a = axis < 0 ? axis + rank : axis;
        if (a < 1 || a >= rank || in[0][a - 1] < 0) {
            throw new UnsupportedModelException(ctx.file(), spec.name(), null, "axis " + axis + " of input (None, "
                    + OpsMappers.inner(in[0]) + ") must be a non-batch axis of known size");
        }
        int channels = in[0][a - 1];
        List<String> names = new ArrayList<>();
        if (c.bool("scale", true)) names.add("gamma");
        if (c.bool("center", true)) names.add("beta");
        WeightArray[] p = pick(spec, ctx, w, names);
        for (int i = 0; i < p.length; i++) RecurrentMappers.expectShape(spec, ctx, names.get(i), p[i], channels);
        float[] g = names.contains("gamma") ? p[0].data() : null;
        float[] b = names.contains("beta") ? p[p.length - 1].data() : null;
        int groups = c.has("groups") ? c.integer("groups") : 32;
        return OpsMappers.wrap(ctx, spec, () -> new GroupNormalization(spec.name(), rank, axis, groups, channels,
                (float) c.number("epsilon", 1e-3), g, b));
    }

    // ---------------------------------------------------------------- attention

    /** Keyword argument {@code key} of the layer's (first) call (Keras 3 object or tf.keras 2 list), or null. */
    private static JsonNode callKwarg(LayerSpec spec, String key) {
        if (spec.calls().isEmpty() || spec.rawCall(0) == null) return null;
        JsonNode call = spec.rawCall(0);
        JsonNode kw = call.isArray() ? call.path(0).path(3) : call.path("kwargs");
        JsonNode v = kw.get(key);
        return v == null || v.isNull() ? null : v;
    }

    private static boolean callFlag(LayerSpec spec, MapContext ctx, String key) {
        JsonNode v = callKwarg(spec, key);
        if (v != null && !v.isBoolean()) {
            throw new UnsupportedModelException(ctx.file(), spec.name(), null, "call argument '" + key
                    + "' should be true or false, found " + ConfigParser.abbreviate(v));
        }
        return v != null && v.booleanValue();
    }

    static Layer attention(LayerSpec spec, List<WeightArray> w, int[][] in, MapContext ctx, boolean additive) {
        Cfg c = new Cfg(spec, ctx);
        String mode = c.text("score_mode", "dot");
        if (!additive && !"dot".equals(mode) && !"concat".equals(mode)) {
            throw new UnsupportedModelException(ctx.file(), spec.name(), null, "score_mode '" + mode
                    + "' is not supported; allowed: dot, concat");
        }
        Attention.Kind kind = additive ? Attention.Kind.ADDITIVE
                : "concat".equals(mode) ? Attention.Kind.CONCAT : Attention.Kind.DOT;
        boolean useScale = c.bool("use_scale", additive);
        List<String> names = new ArrayList<>();
        if (useScale) names.add("scale");
        if (kind == Attention.Kind.CONCAT) names.add("concat_score_weight");
        WeightArray[] p = pick(spec, ctx, w, names);
        float[] scale = useScale ? p[0].data() : null;
        float[] concat = kind == Attention.Kind.CONCAT ? p[p.length - 1].data() : null;
        boolean causal = callFlag(spec, ctx, "use_causal_mask") || c.bool("causal", false);
        return OpsMappers.wrap(ctx, spec, () -> new Attention(spec.name(), kind, scale, concat, causal,
                callFlag(spec, ctx, "return_attention_scores"), c.number("dropout", 0)));
    }

    static Layer multiHeadAttention(LayerSpec spec, List<WeightArray> w, int[][] in, MapContext ctx) {
        Cfg c = new Cfg(spec, ctx);
        boolean gate = c.bool("use_gate", false);
        // multi_head_attention.py __init__: sliding_window is None or a positive integer
        int window = c.has("sliding_window") && !c.node("sliding_window").isNull() ? c.dimension("sliding_window") : -1;
        if (window == 0) {
            throw new UnsupportedModelException(ctx.file(), spec.name(), null, "config 'sliding_window' is 0;"
                    + " allowed: null or a positive integer");
        }
        int rank = in[0].length + 1;
        boolean attnMask = callKwarg(spec, "attention_mask") != null;
        int tensors = in.length - (attnMask ? 1 : 0);
        if (tensors < 2 || tensors > 3) {
            throw new UnsupportedModelException(ctx.file(), spec.name(), null, "expects query, value and optionally"
                    + " key and attention_mask tensors, got " + in.length + " inputs");
        }
        int heads = c.dimension("num_heads"), keyDim = c.dimension("key_dim");
        int valueDim = c.has("value_dim") && !c.node("value_dim").isNull() ? c.dimension("value_dim") : keyDim;
        int[] out = c.has("output_shape") && !c.node("output_shape").isNull()
                ? OpsMappers.intList(c, spec, ctx, "output_shape", null) : new int[]{in[0][rank - 2]};
        int[] axes = new int[rank - 2];
        for (int i = 0; i < axes.length; i++) axes[i] = i + 1;
        if (c.has("attention_axes") && !c.node("attention_axes").isNull()) {
            axes = OpsMappers.intList(c, spec, ctx, "attention_axes", null);
        }
        boolean bias = c.bool("use_bias", true);
        // Keras builds (and saves) query, key, [gate], value, attention_output
        List<String> parts = new ArrayList<>(List.of("query", "key", "value", "attention_output"));
        if (gate) parts.add(2, "gate");
        List<String> nameList = new ArrayList<>();
        for (String p : parts) {
            nameList.add(p + "/kernel");
            if (bias) nameList.add(p + "/bias");
        }
        String[] names = nameList.toArray(new String[0]);
        if (w.size() != names.length) {
            throw new WeightException(ctx.file(), spec.name(), null, "expected " + names.length + " weights "
                    + List.of(names) + ", found " + w.size() + RecurrentMappers.names(w), null);
        }
        List<Weight> ws = new ArrayList<>();
        for (int i = 0; i < names.length; i++) ws.add(new Weight(names[i], w.get(i).shape(), w.get(i).data()));
        int[] att = axes;
        return OpsMappers.wrap(ctx, spec, () -> new MultiHeadAttention(spec.name(), heads, keyDim, valueDim, rank,
                att, out, tensors == 3, attnMask, callFlag(spec, ctx, "use_causal_mask"),
                callFlag(spec, ctx, "return_attention_scores"), c.number("dropout", 0), gate, Math.max(window, 0), ws));
    }

    static Layer dot(LayerSpec spec, List<WeightArray> w, int[][] in, MapContext ctx) {
        Cfg c = new Cfg(spec, ctx);
        int[] axes = OpsMappers.intList(c, spec, ctx, "axes", null);
        int[] two = axes.length == 1 ? new int[]{axes[0], axes[0]} : axes;
        return OpsMappers.wrap(ctx, spec, () -> new Dot(spec.name(), two, c.bool("normalize", false)));
    }
}

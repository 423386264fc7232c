package io.jkeras.keras;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jkeras.exceptions.ModelFormatException;
import io.jkeras.exceptions.UnsupportedModelException;
import io.jkeras.exceptions.WeightException;
import io.jkeras.layers.GlobalPooling;
import io.jkeras.layers.Identity;
import io.jkeras.layers.Layer;
import io.jkeras.layers.Pooling;
import io.jkeras.layers.SpatialResize;

import java.util.List;
import java.util.Map;

/**
 * Mappers for the pooling and shape layers: Max/AveragePooling1D/2D/3D, GlobalMax/AveragePooling1D/2D/3D,
 * ZeroPadding1D/2D/3D, Cropping1D/2D/3D, UpSampling1D/2D/3D and SpatialDropout2D/3D (identity at inference;
 * SpatialDropout1D is {@link CoreMappers}'). Every spelling since Keras 1 ({@link #normalize}).
 */
final class PoolingMappers {
    private PoolingMappers() {}

    /** Registers this group's mappers under their Keras class names ({@link LayerRegistry}). */
    static void register(Map<String, LayerMapper> m) {
        for (int r = 1; r <= 3; r++) {
            int rank = r;
            m.put("MaxPooling" + r + "D", (s, w, in, ctx) -> pooling(s, w, ctx, Pooling.Kind.MAX, rank));
            m.put("AveragePooling" + r + "D", (s, w, in, ctx) -> pooling(s, w, ctx, Pooling.Kind.AVERAGE, rank));
            m.put("GlobalMaxPooling" + r + "D", (s, w, in, ctx) -> global(s, w, ctx, Pooling.Kind.MAX, rank));
            m.put("GlobalAveragePooling" + r + "D", (s, w, in, ctx) -> global(s, w, ctx, Pooling.Kind.AVERAGE, rank));
            m.put("ZeroPadding" + r + "D", (s, w, in, ctx) -> padOrCrop(s, w, ctx, "padding", rank));
            m.put("Cropping" + r + "D", (s, w, in, ctx) -> padOrCrop(s, w, ctx, "cropping", rank));
            m.put("UpSampling" + r + "D", (s, w, in, ctx) -> upSampling(s, w, ctx, rank));
        }
        m.put("SpatialDropout2D", CoreMappers::identity);
        m.put("SpatialDropout3D", CoreMappers::identity);
    }

    /**
     * Keras 1 spellings of these layers' configs, to Keras 2/3 keys (called by {@link ConfigNormalizer}): 1-D
     * pooling's {@code pool_length}/{@code stride} (keras 1.2.2 keras/layers/pooling.py, _Pooling1D), every
     * layer's {@code border_mode} and {@code dim_ordering} ({@code th}: channels_first, {@code tf}:
     * channels_last), UpSampling1D's {@code length}.
     */
    static void normalize(String className, ObjectNode c) {
        if (!isOwn(className)) return;
        if (className.endsWith("Pooling1D") && !className.startsWith("Global")) {
            rename(c, "pool_length", "pool_size");
            rename(c, "stride", "strides");
        }
        if ("UpSampling1D".equals(className)) rename(c, "length", "size");
        rename(c, "border_mode", "padding");
        JsonNode dim = c.remove("dim_ordering");
        if (dim != null && dim.isTextual() && !c.has("data_format")) {
            String d = dim.asText();
            c.put("data_format", "th".equals(d) ? "channels_first" : "tf".equals(d) ? "channels_last" : d);
        }
    }

    private static boolean isOwn(String className) {
        return className.matches("(Global)?(Max|Average)Pooling[123]D|ZeroPadding[123]D|Cropping[123]D"
                + "|UpSampling[123]D|SpatialDropout[23]D");
    }

    private static void rename(ObjectNode c, String from, String to) {
        if (c.has(from) && !c.has(to)) c.set(to, c.get(from));
        c.remove(from);
    }

    private static void noWeights(LayerSpec spec, List<WeightArray> w, MapContext ctx) {
        if (!w.isEmpty()) {
            throw new WeightException(ctx.file(), spec.name(), null, "has no weights, found " + w.size()
                    + RecurrentMappers.names(w), null);
        }
    }

    /** {@code data_format}: channels_last (the default) or channels_first. */
    static boolean channelsFirst(LayerSpec spec, MapContext ctx) {
        String f = new Cfg(spec, ctx).text("data_format", "channels_last");
        if (f.equals("channels_last")) return false;
        if (f.equals("channels_first")) return true;
        throw new UnsupportedModelException(ctx.file(), spec.name(), null, "data_format '" + f
                + "'; allowed: channels_last, channels_first");
    }

    /** An int per spatial dimension: an int for all, or a list of {@code rank} ints; {@code dflt} when absent. */
    private static int[] perDimension(LayerSpec spec, MapContext ctx, String key, int rank, int[] dflt) {
        Cfg c = new Cfg(spec, ctx);
        JsonNode v = c.node(key);
        if (v == null || v.isNull()) {
            if (dflt != null) return dflt;
            throw new ModelFormatException(ctx.file(), spec.name(), null, "config has no '" + key + "'", null);
        }
        int[] out = new int[rank];
        if (v.isIntegralNumber()) {
            java.util.Arrays.fill(out, c.dimension(key));
            return out;
        }
        if (!v.isArray() || v.size() != rank) throw bad(spec, ctx, key, rank + " integer(s)", v);
        for (int i = 0; i < rank; i++) {
            if (!v.get(i).isIntegralNumber() || !v.get(i).canConvertToInt()) {
                throw bad(spec, ctx, key, rank + " integer(s)", v);
            }
            out[i] = c.dimension(key, v.get(i).intValue());
        }
        return out;
    }

    private static ModelFormatException bad(LayerSpec spec, MapContext ctx, String key, String what, JsonNode v) {
        return new ModelFormatException(ctx.file(), spec.name(), null, "config '" + key + "' should be " + what
                + ", found " + ConfigParser.abbreviate(v), null);
    }

    static Layer pooling(LayerSpec spec, List<WeightArray> w, MapContext ctx, Pooling.Kind kind, int rank) {
        noWeights(spec, w, ctx);
        int[] pool = perDimension(spec, ctx, "pool_size", rank, null);
        int[] strides = perDimension(spec, ctx, "strides", rank, pool);
        String padding = new Cfg(spec, ctx).text("padding", "valid").toLowerCase(java.util.Locale.ROOT);
        if (!padding.equals("valid") && !padding.equals("same")) {
            throw new UnsupportedModelException(ctx.file(), spec.name(), null, "padding '" + padding
                    + "'; allowed: valid, same");
        }
        if (padding.equals("same") && "theano".equals(ctx.backend())) {
            // Theano pools 'same' with its own symmetric padding (keras 1.2.2/2.x theano_backend.py pool2d)
            throw new UnsupportedModelException(ctx.file(), spec.name(), null, "padding 'same' written by the "
                    + "Theano backend pads differently from TensorFlow and is not supported; allowed: 'valid'");
        }
        return new Pooling(spec.name(), kind, pool, strides, padding.equals("same"), channelsFirst(spec, ctx));
    }

    static Layer global(LayerSpec spec, List<WeightArray> w, MapContext ctx, Pooling.Kind kind, int rank) {
        noWeights(spec, w, ctx);
        return new GlobalPooling(spec.name(), kind, rank, new Cfg(spec, ctx).bool("keepdims", false),
                channelsFirst(spec, ctx));
    }

    /**
     * ZeroPadding's {@code padding} or Cropping's {@code cropping}: an int (every side), {@code rank} ints (both
     * sides of each dimension; for 1-D a pair is before and after), {@code rank} pairs, Keras 1 ZeroPadding2D's
     * (top, bottom, left, right) or its dict of {@code top_pad}, {@code bottom_pad}, {@code left_pad},
     * {@code right_pad}.
     */
    static Layer padOrCrop(LayerSpec spec, List<WeightArray> w, MapContext ctx, String key, int rank) {
        noWeights(spec, w, ctx);
        Cfg c = new Cfg(spec, ctx);
        JsonNode v = c.node(key);
        int[] before = new int[rank], after = new int[rank];
        String allowed = "an integer, " + rank + " integers or " + rank + " pairs of integers";
        if (v == null || v.isNull()) {
            throw new ModelFormatException(ctx.file(), spec.name(), null, "config has no '" + key + "'", null);
        } else if (v.isObject()) {
            String[][] keys = {{"left_pad", "right_pad"}, {"top_pad", "bottom_pad"}};
            for (int d = 0; d < rank; d++) {
                String[] k = rank == 1 ? keys[0] : d == rank - 2 ? keys[1] : d == rank - 1 ? keys[0] : null;
                if (k == null) throw bad(spec, ctx, key, allowed, v);
                before[d] = c.dimension(key, v.path(k[0]).asInt(0));
                after[d] = c.dimension(key, v.path(k[1]).asInt(0));
            }
        } else if (v.isIntegralNumber()) {
            java.util.Arrays.fill(before, c.dimension(key));
            java.util.Arrays.fill(after, before[0]);
        } else if (v.isArray() && rank == 1 && v.size() == 2 && v.get(0).isIntegralNumber()) {
            before[0] = c.dimension(key, v.get(0).asInt());
            after[0] = c.dimension(key, v.get(1).asInt());
        } else if (v.isArray() && rank == 2 && v.size() == 4 && v.get(0).isIntegralNumber()) {
            for (int d = 0; d < 2; d++) {
                before[d] = c.dimension(key, v.get(2 * d).asInt());
                after[d] = c.dimension(key, v.get(2 * d + 1).asInt());
            }
        } else if (v.isArray() && v.size() == rank) {
            for (int d = 0; d < rank; d++) {
                JsonNode e = v.get(d);
                if (e.isIntegralNumber()) {
                    before[d] = c.dimension(key, e.asInt());
                    after[d] = before[d];
                } else if (e.isArray() && e.size() == 2 && e.get(0).isIntegralNumber()
                        && e.get(1).isIntegralNumber()) {
                    before[d] = c.dimension(key, e.get(0).asInt());
                    after[d] = c.dimension(key, e.get(1).asInt());
                } else {
                    throw bad(spec, ctx, key, allowed, v);
                }
            }
        } else {
            throw bad(spec, ctx, key, allowed, v);
        }
        boolean cf = channelsFirst(spec, ctx);
        return key.equals("padding") ? SpatialResize.zeroPadding(spec.name(), before, after, cf)
                : SpatialResize.cropping(spec.name(), before, after, cf);
    }

    static Layer upSampling(LayerSpec spec, List<WeightArray> w, MapContext ctx, int rank) {
        noWeights(spec, w, ctx);
        int[] size = perDimension(spec, ctx, "size", rank, null);
        String interpolation = new Cfg(spec, ctx).text("interpolation", "nearest");
        if (!interpolation.equals("nearest") && !(rank == 2 && interpolation.equals("bilinear"))) {
            throw new UnsupportedModelException(ctx.file(), spec.name(), null, "interpolation '" + interpolation
                    + "' is not supported; allowed: nearest" + (rank == 2 ? ", bilinear" : ""));
        }
        return SpatialResize.upSampling(spec.name(), size, interpolation.equals("bilinear"),
                channelsFirst(spec, ctx));
    }
}

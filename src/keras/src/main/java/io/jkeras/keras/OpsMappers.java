package io.jkeras.keras;

import com.fasterxml.jackson.databind.JsonNode;
import io.jkeras.exceptions.ModelFormatException;
import io.jkeras.exceptions.UnsupportedModelException;
import io.jkeras.exceptions.WeightException;
import io.jkeras.kernels.Activation;
import io.jkeras.layers.BatchNormalization;
import io.jkeras.layers.Concatenate;
import io.jkeras.layers.Conv1D;
import io.jkeras.layers.Layer;
import io.jkeras.layers.Merge;
import io.jkeras.layers.Permute;
import io.jkeras.layers.Reshape;
import io.jkeras.layers.Softmax;
import io.jkeras.layers.Weight;
import io.jkeras.tensor.Tensor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Mappers for Conv1D, BatchNormalization, Reshape, Permute, Softmax, Concatenate and the
 * element-wise merge layers (Add, Subtract, Multiply, Average, Maximum, Minimum).
 *
 * <p>Keras 1 spellings arrive normalised by {@link ConfigNormalizer} (Convolution1D's
 * {@code nb_filter}/{@code filter_length}/{@code subsample_length}/{@code border_mode}). Keras 1
 * Convolution1D stores {@code W} as (filter_length, 1, input_dim, nb_filter) (Keras 1.1:
 * (nb_filter, input_dim, filter_length, 1)); Keras 1 BatchNormalization stores {@code running_std},
 * which despite its name holds the variance. Kernels written by the Theano backend are flipped along
 * the kernel axis (Theano convolves, TensorFlow correlates), as Keras' own loader does.
 */
final class OpsMappers {
    private OpsMappers() {}

    /** Registers this group's mappers under their Keras class names ({@link LayerRegistry}). */
    static void register(java.util.Map<String, LayerMapper> m) {
        m.put("Conv1D", OpsMappers::conv1d);
        m.put("Convolution1D", OpsMappers::conv1d);
        m.put("AtrousConvolution1D", OpsMappers::conv1d);
        m.put("BatchNormalization", OpsMappers::batchNormalization);
        m.put("Reshape", OpsMappers::reshape);
        m.put("Permute", OpsMappers::permute);
        m.put("Softmax", OpsMappers::softmax);
        m.put("Concatenate", OpsMappers::concatenate);
        m.put("Add", OpsMappers::add);
        m.put("Subtract", OpsMappers::subtract);
        m.put("Multiply", OpsMappers::multiply);
        m.put("Average", OpsMappers::average);
        m.put("Maximum", OpsMappers::maximum);
        m.put("Minimum", OpsMappers::minimum);
    }

    // ---------------------------------------------------------------- Conv1D

    static Layer conv1d(LayerSpec spec, List<WeightArray> w, int[][] in, MapContext ctx) {
        Cfg c = new Cfg(spec, ctx);
        int filters = c.dimension("filters");
        int k = single(c, spec, ctx, "kernel_size", -1);
        int stride = single(c, spec, ctx, "strides", 1);
        int dilation = single(c, spec, ctx, "dilation_rate", 1);
        int groups = c.has("groups") ? c.dimension("groups") : 1;
        String pad = c.text("padding", "valid").toLowerCase();
        Conv1D.Padding padding = switch (pad) {
            case "valid" -> Conv1D.Padding.VALID;
            case "same" -> Conv1D.Padding.SAME;
            case "causal" -> Conv1D.Padding.CAUSAL;
            default -> throw new UnsupportedModelException(ctx.file(), spec.name(), null, "padding '" + pad
                    + "' is not supported; allowed: valid, same, causal");
        };
        String format = c.text("data_format", "channels_last");
        boolean channelsFirst;
        if ("channels_last".equals(format)) channelsFirst = false;
        else if ("channels_first".equals(format)) channelsFirst = true;
        else throw new UnsupportedModelException(ctx.file(), spec.name(), null, "data_format '" + format
                + "' is not supported; allowed: channels_last, channels_first");
        if (c.has("lora_rank")) {
            throw new UnsupportedModelException(ctx.file(), spec.name(), null, "LoRA (lora_rank="
                    + ConfigParser.abbreviate(c.node("lora_rank"))
                    + ") is not supported; merge the adapter into the kernel before saving");
        }
        if (stride > 1 && dilation > 1) {
            throw new UnsupportedModelException(ctx.file(), spec.name(), null,
                    "strides > 1 together with dilation_rate > 1 is not allowed (Keras refuses it too)");
        }
        Activation act = KerasActivations.resolve(c, "activation", "linear", spec, ctx);
        boolean useBias = c.bool("use_bias", true);
        int expected = useBias ? 2 : 1;
        if (w.size() != expected) {
            throw new WeightException(ctx.file(), spec.name(), null, "expected " + expected + " weights (kernel"
                    + (useBias ? ", bias" : "")
                    + "), found " + w.size() + RecurrentMappers.names(w), null);
        }
        boolean keras1 = RecurrentMappers.has(w, "W");
        WeightArray kw = RecurrentMappers.pick(w, keras1 ? "W" : "kernel", 0);
        WeightArray bw = useBias ? RecurrentMappers.pick(w, keras1 ? "b" : "bias", 1) : null;
        int[] ks = kw.shape();
        float[] kernel = kw.data();
        if (ks.length == 4) {
            // Keras 1: (k, 1, in, filters), or Keras 1.1 (filters, in, k, 1)
            if (ks[0] == k && ks[1] == 1 && ks[3] == filters) {
                ks = new int[]{ks[0], ks[2], ks[3]};
            } else if (ks[0] == filters && ks[2] == k && ks[3] == 1) {
                int cin = ks[1];
                float[] t = new float[kernel.length];
                for (int f = 0; f < filters; f++)
                    for (int ci = 0; ci < cin; ci++)
                        for (int kk = 0; kk < k; kk++) t[(kk * cin + ci) * filters + f] = kernel[(f * cin + ci) * k
                                + kk];
                kernel = t;
                ks = new int[]{k, cin, filters};
            } else {
                throw RecurrentMappers.shape(spec, ctx, kw.name(), kw, "(" + k + ", 1, input_dim, " + filters
                        + ") (Keras 1)");
            }
        }
        if (ks.length != 3 || ks[0] != k || ks[2] != filters) {
            throw RecurrentMappers.shape(spec, ctx, kw.name(), kw, "(" + k + ", input_channels/groups, " + filters
                    + ")");
        }
        if ("theano".equalsIgnoreCase(ctx.backend())) {
            if (padding == Conv1D.Padding.SAME && (stride != 1 || (dilation * (k - 1)) % 2 != 0)) {
                throw new UnsupportedModelException(ctx.file(), spec.name(), null,
                        "padding 'same' with an even (dilated) kernel or strides > 1"
                        + " is aligned differently by the Theano backend; allowed for Theano files: valid, causal,"
                                + " or same with an odd kernel and strides 1");
            }
            kernel = flip(kernel, k, ks[1] * filters);
        }
        int channels = ks[1] * groups;
        if (in[0].length == 2) {
            int ch = channelsFirst ? in[0][0] : in[0][1];
            if (ch >= 0 && ch != channels) {
                throw new WeightException(ctx.file(), spec.name(), kw.name(), "has " + ks[1]
                        + " input channels per group (groups=" + groups
                        + ") but the layer's input " + Tensor.shapeString(in[0]) + " has " + ch, null);
            }
        }
        if (bw != null) RecurrentMappers.expectShape(spec, ctx, bw.name(), bw, filters);
        try {
            return new Conv1D(spec.name(), channels, filters, k, stride, dilation, padding, groups, channelsFirst, act,
                    kernel,
                    bw == null ? null : bw.data());
        } catch (io.jkeras.exceptions.JKerasException e) {
            throw e.in(ctx.file(), spec.name());
        }
    }

    /** Reverses the leading axis of a (k, rest) array. */
    private static float[] flip(float[] a, int k, int rest) {
        float[] t = new float[a.length];
        for (int kk = 0; kk < k; kk++) System.arraycopy(a, (k - 1 - kk) * rest, t, kk * rest, rest);
        return t;
    }

    /** An int, or a one-element list (Keras stores tuples); {@code dflt} < 0 means required. */
    private static int single(Cfg c, LayerSpec spec, MapContext ctx, String key, int dflt) {
        JsonNode v = c.node(key);
        if (v == null || v.isNull()) {
            if (dflt < 0) throw new ModelFormatException(ctx.file(), spec.name(), null, "config has no '" + key + "'",
                    null);
            return dflt;
        }
        if (v.isArray()) {
            if (v.size() != 1 || !v.get(0).canConvertToInt()) {
                throw new ModelFormatException(ctx.file(), spec.name(), null, "config '" + key
                        + "' should be one integer, found "
                        + ConfigParser.abbreviate(v), null);
            }
            v = v.get(0);
        }
        if (!v.isIntegralNumber() || !v.canConvertToInt() || v.intValue() <= 0) {
            throw new ModelFormatException(ctx.file(), spec.name(), null, "config '" + key
                    + "' should be a positive integer, found "
                    + ConfigParser.abbreviate(v), null);
        }
        return c.dimension(key, v.intValue());
    }

    // ---------------------------------------------------------------- BatchNormalization

    static Layer batchNormalization(LayerSpec spec, List<WeightArray> w, int[][] in, MapContext ctx) {
        Cfg c = new Cfg(spec, ctx);
        int rank = in[0].length + 1;
        if (c.has("mode") && c.integer("mode") != 0) {
            throw new UnsupportedModelException(ctx.file(), spec.name(), null, "Keras 1 mode=" + c.integer("mode")
                    + " normalises with the statistics of each batch even at inference; allowed: mode=0");
        }
        if (c.has("virtual_batch_size")) {
            throw new UnsupportedModelException(ctx.file(), spec.name(), null, "virtual_batch_size is not supported");
        }
        if (c.has("adjustment")) {
            throw new UnsupportedModelException(ctx.file(), spec.name(), null,
                    "an 'adjustment' function is not supported");
        }
        int[] axes = intList(c, spec, ctx, "axis", new int[]{-1});
        int[] norm = new int[axes.length];
        for (int i = 0; i < axes.length; i++) {
            int a = axes[i] < 0 ? axes[i] + rank : axes[i];
            if (a < 1 || a >= rank) {
                throw new UnsupportedModelException(ctx.file(), spec.name(), null, "axis " + axes[i] + " is "
                        + (a == 0 ? "the batch axis" : "out of range") + " for input (None, " + inner(in[0])
                                + "); allowed: 1.." + (rank - 1)
                        + " or -" + (rank - 1) + "..-1");
            }
            norm[i] = a;
        }
        boolean scale = c.bool("scale", true);
        boolean center = c.bool("center", true);
        double eps = c.number("epsilon", 1e-3);
        List<String> core = new ArrayList<>();
        if (scale) core.add("gamma");
        if (center) core.add("beta");
        core.add("moving_mean");
        core.add("moving_variance");
        boolean renorm = c.bool("renorm", false);
        if (w.size() < core.size() || (!renorm && w.size() != core.size())) {
            throw new WeightException(ctx.file(), spec.name(), null, "expected " + core.size() + " weights ("
                    + String.join(", ", core)
                    + (renorm ? ", then renorm statistics" : "") + "), found " + w.size() + RecurrentMappers.names(w),
                            null);
        }
        List<WeightArray> rest = new ArrayList<>(w);
        WeightArray[] picked = new WeightArray[core.size()];
        for (int i = 0; i < picked.length; i++) {
            String n = core.get(i);
            String alt = switch (n) {
                case "moving_mean" -> "running_mean";
                case "moving_variance" -> "running_std";
                default -> n;
            };
            WeightArray a = null;
            for (WeightArray x : rest) if (x.name().equals(n) || x.name().equals(alt)) { a = x; break; }
            if (a == null) a = w.get(i);
            if (!rest.remove(a)) {
                throw new WeightException(ctx.file(), spec.name(), n, "cannot be told apart from the other arrays"
                        + RecurrentMappers.names(w), null);
            }
            picked[i] = a;
        }
        int[] pshape = picked[picked.length - 2].shape();
        for (int i = 0; i < picked.length; i++) {
            RecurrentMappers.expectShape(spec, ctx, core.get(i), picked[i], pshape);
        }
        long need = 1;
        boolean known = true;
        int[] sorted = norm.clone();
        Arrays.sort(sorted);
        for (int a : sorted) {
            int d = in[0][a - 1];
            if (d < 0) known = false;
            else need *= d;
        }
        long have = 1;
        for (int d : pshape) have *= d;
        if (known && need != have) {
            throw new WeightException(ctx.file(), spec.name(), "moving_mean", "has shape " + Tensor.shapeString(pshape)
                    + " (" + have
                    + " values) but axis " + Arrays.toString(axes) + " of input (None, " + inner(in[0]) + ") has "
                            + need, null);
        }
        List<Weight> extra = new ArrayList<>();
        for (WeightArray x : rest) extra.add(new Weight(x.name(), x.shape(), x.data()));
        int i = 0;
        float[] gamma = scale ? picked[i++].data() : null;
        float[] beta = center ? picked[i++].data() : null;
        float[] mean = picked[i++].data();
        float[] var = picked[i].data();
        try {
            return new BatchNormalization(spec.name(), rank, norm, pshape, eps, new Cfg(spec, ctx)
                    .number("momentum", 0.99),
                    gamma, beta, mean, var, extra);
        } catch (io.jkeras.exceptions.JKerasException e) {
            throw e.in(ctx.file(), spec.name());
        }
    }

    // ---------------------------------------------------------------- shape layers

    static Layer reshape(LayerSpec spec, List<WeightArray> w, int[][] in, MapContext ctx) {
        Cfg c = new Cfg(spec, ctx);
        if (!c.has("target_shape")) throw new ModelFormatException(ctx.file(), spec.name(), null,
                "config has no 'target_shape'", null);
        return wrap(ctx, spec, () -> new Reshape(spec.name(), intList(c, spec, ctx, "target_shape", null)));
    }

    static Layer permute(LayerSpec spec, List<WeightArray> w, int[][] in, MapContext ctx) {
        Cfg c = new Cfg(spec, ctx);
        if (!c.has("dims")) throw new ModelFormatException(ctx.file(), spec.name(), null, "config has no 'dims'", null);
        return wrap(ctx, spec, () -> new Permute(spec.name(), intList(c, spec, ctx, "dims", null)));
    }

    static Layer softmax(LayerSpec spec, List<WeightArray> w, int[][] in, MapContext ctx) {
        Cfg c = new Cfg(spec, ctx);
        return wrap(ctx, spec, ()
                -> new Softmax(spec.name(), intList(c, spec, ctx, "axis", new int[]{-1}), ctx.keras3()));
    }

    // ---------------------------------------------------------------- merging

    static Layer concatenate(LayerSpec spec, List<WeightArray> w, int[][] in, MapContext ctx) {
        Cfg c = new Cfg(spec, ctx);
        int axis = c.has("axis") ? c.integer("axis") : -1;
        return new Concatenate(spec.name(), axis, ctx.keras3() ? Concatenate.MaskRule.KERAS3_ANY
                : Concatenate.MaskRule.KERAS2_ALL);
    }

    static Layer add(LayerSpec spec, List<WeightArray> w, int[][] in,
            MapContext ctx) { return merge(spec, ctx, Merge.Op.ADD); }

    static Layer subtract(LayerSpec spec, List<WeightArray> w, int[][] in,
            MapContext ctx) { return merge(spec, ctx, Merge.Op.SUBTRACT); }

    static Layer multiply(LayerSpec spec, List<WeightArray> w, int[][] in,
            MapContext ctx) { return merge(spec, ctx, Merge.Op.MULTIPLY); }

    static Layer average(LayerSpec spec, List<WeightArray> w, int[][] in,
            MapContext ctx) { return merge(spec, ctx, Merge.Op.AVERAGE); }

    static Layer maximum(LayerSpec spec, List<WeightArray> w, int[][] in,
            MapContext ctx) { return merge(spec, ctx, Merge.Op.MAXIMUM); }

    static Layer minimum(LayerSpec spec, List<WeightArray> w, int[][] in,
            MapContext ctx) { return merge(spec, ctx, Merge.Op.MINIMUM); }

    private static Layer merge(LayerSpec spec, MapContext ctx, Merge.Op op) {
        return new Merge(spec.name(), op, ctx.keras3() ? Merge.MaskRule.KERAS3 : Merge.MaskRule.KERAS2);
    }

    // ---------------------------------------------------------------- helpers

    static Layer wrap(MapContext ctx, LayerSpec spec, java.util.function.Supplier<Layer> make) {
        try {
            return make.get();
        } catch (io.jkeras.exceptions.JKerasException e) {
            throw e.in(ctx.file(), spec.name());
        }
    }

    /** An int or a list of ints (negative allowed); {@code dflt} when absent, required when dflt is null. */
    static int[] intList(Cfg c, LayerSpec spec, MapContext ctx, String key, int[] dflt) {
        JsonNode v = c.node(key);
        if (v == null || v.isNull()) {
            if (dflt == null) throw new ModelFormatException(ctx.file(), spec.name(), null, "config has no '" + key
                    + "'", null);
            return dflt.clone();
        }
        if (v.isIntegralNumber() && v.canConvertToInt()) return new int[]{v.intValue()};
        if (v.isArray()) {
            int[] r = new int[v.size()];
            for (int i = 0; i < r.length; i++) {
                JsonNode e = v.get(i);
                if (!e.isIntegralNumber() || !e.canConvertToInt()) {
                    throw new ModelFormatException(ctx.file(), spec.name(), null, "config '" + key
                            + "' should be a list of integers, found "
                            + ConfigParser.abbreviate(v), null);
                }
                r[i] = e.intValue();
            }
            return r;
        }
        throw new ModelFormatException(ctx.file(), spec.name(), null, "config '" + key
                + "' should be an integer or a list of integers, found "
                + ConfigParser.abbreviate(v), null);
    }

    static String inner(int[] s) {
        String t = Tensor.shapeString(s);
        return t.substring(1, t.length() - 1).replaceAll(",$", "");
    }
}

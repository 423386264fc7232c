package io.jkeras.keras;

import com.fasterxml.jackson.databind.JsonNode;
import io.jkeras.exceptions.UnsupportedModelException;
import io.jkeras.exceptions.WeightException;
import io.jkeras.kernels.Activation;
import io.jkeras.kernels.WindowGeometry;
import io.jkeras.layers.ConvLstm;
import io.jkeras.layers.Layer;
import io.jkeras.layers.RecurrentOptions;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * ConvLSTM1D, ConvLSTM2D and ConvLSTM3D (keras/src/layers/rnn/conv_lstm.py; Keras 2's
 * keras/layers/convolutional_recurrent.py). Keras 2/3 store {@code kernel (*k, C, 4F)},
 * {@code recurrent_kernel (*k, F, 4F)} and {@code bias (4F)}, gates i|f|c|o side by side, which
 * the layer takes as they are. Keras 1 spellings of the config are read too: {@code nb_filter},
 * {@code nb_row}/{@code nb_col}, {@code subsample}, {@code border_mode}, {@code dim_ordering} th/tf
 * ({@code inner_activation} is renamed by {@link ConfigNormalizer}); Keras 1's per-gate weight arrays
 * are refused by name.
 */
final class ConvLstmMappers {
    private ConvLstmMappers() {}

    /** Registers this group's mappers under their Keras class names ({@link LayerRegistry}). */
    static void register(Map<String, LayerMapper> m) {
        m.put("ConvLSTM1D", (s, w, in, ctx) -> map(1, s, w, in, ctx));
        m.put("ConvLSTM2D", (s, w, in, ctx) -> map(2, s, w, in, ctx));
        m.put("ConvLSTM3D", (s, w, in, ctx) -> map(3, s, w, in, ctx));
    }

    static Layer map(int rank, LayerSpec spec, List<WeightArray> w, int[][] in, MapContext ctx) {
        Cfg c = new Cfg(spec, ctx);
        if (c.has("cell")) {
            throw new UnsupportedModelException(ctx.file(), spec.name(), null,
                    "a generic RNN wrapper with a custom cell is not supported");
        }
        int filters = c.dimension(c.has("nb_filter") && !c.has("filters") ? "nb_filter" : "filters");
        int[] kernel = c.has("kernel_size") ? tuple(c, spec, ctx, "kernel_size", rank, -1)
                : keras1Kernel(c, spec, ctx, rank);
        int[] strides = tuple(c, spec, ctx, c.has("strides") ? "strides" : "subsample", rank, 1);
        int[] dilation = tuple(c, spec, ctx, "dilation_rate", rank, 1);
        String pad = c.text(c.has("padding") ? "padding" : "border_mode", "valid").toLowerCase();
        WindowGeometry.Padding padding = switch (pad) {
            case "valid" -> WindowGeometry.Padding.VALID;
            case "same" -> WindowGeometry.Padding.SAME;
            default -> throw new UnsupportedModelException(ctx.file(), spec.name(), null, "padding '" + pad
                    + "' is not supported; allowed: valid, same");
        };
        boolean channelsFirst = channelsFirst(c, spec, ctx);
        boolean strided = false, dilated = false;
        for (int i = 0; i < rank; i++) {
            strided |= strides[i] > 1;
            dilated |= dilation[i] > 1;
        }
        if (strided && dilated) {
            throw new UnsupportedModelException(ctx.file(), spec.name(), null,
                    "strides > 1 together with dilation_rate > 1 is not allowed (Keras refuses it too)");
        }
        Activation act = KerasActivations.resolve(c, "activation", "tanh", spec, ctx);
        Activation rec = KerasActivations.resolve(c, "recurrent_activation", ctx.keras3() ? "sigmoid"
                : "hard_sigmoid", spec, ctx);
        RecurrentOptions options = RecurrentMappers.options(c);
        int[] x = in[0];
        if (x.length != rank + 2) {
            throw new UnsupportedModelException(ctx.file(), spec.name(), null, "expects input (batch, timesteps, "
                    + rank + " spatial dimensions, channels), got rank " + (x.length + 1));
        }
        int[] spatial = channelsFirst ? Arrays.copyOfRange(x, 2, x.length) : Arrays.copyOfRange(x, 1, x.length - 1);
        int channels = channelsFirst ? x[1] : x[x.length - 1];
        for (int d : spatial) {
            if (d < 0) {
                throw new UnsupportedModelException(ctx.file(), spec.name(), null, "needs every spatial size of its "
                        + "input known, got (None, " + io.jkeras.tensor.Tensor.shapeString(x).substring(1)
                        + "; give the model's Input a full shape");
            }
        }
        boolean useBias = c.bool("use_bias", true);
        if (RecurrentMappers.has(w, "W_i")) {
            throw new UnsupportedModelException(ctx.file(), spec.name(), null, "Keras 1 per-gate ConvLSTM2D "
                    + "weights (W_i, U_i, b_i, ...) are not supported; re-save the model with Keras 2 or 3");
        }
        int expected = useBias ? 3 : 2;
        if (w.size() != expected) {
            throw new WeightException(ctx.file(), spec.name(), null, "expected " + expected
                    + " weights (kernel, recurrent_kernel" + (useBias ? ", bias" : "") + "), found " + w.size()
                    + RecurrentMappers.names(w), null);
        }
        WeightArray k = RecurrentMappers.pick(w, "kernel", 0);
        WeightArray r = RecurrentMappers.pick(w, "recurrent_kernel", 1);
        WeightArray b = useBias ? RecurrentMappers.pick(w, "bias", 2) : null;
        if (channels < 0) channels = k.shape().length == rank + 2 ? k.shape()[rank] : -1;
        int[] ks = Arrays.copyOf(kernel, rank + 2);
        ks[rank] = channels;
        ks[rank + 1] = 4 * filters;
        RecurrentMappers.expectShape(spec, ctx, "kernel", k, ks);
        ks[rank] = filters;
        RecurrentMappers.expectShape(spec, ctx, "recurrent_kernel", r, ks);
        if (b != null) RecurrentMappers.expectShape(spec, ctx, "bias", b, 4 * filters);
        return new ConvLstm(spec.name(), spatial, channels, filters, kernel, strides, dilation, padding,
                channelsFirst, act, rec, k.data(), r.data(), b == null ? null : b.data(), options);
    }

    /** {@code data_format} (Keras 2/3) or Keras 1's {@code dim_ordering} (th = channels_first). */
    private static boolean channelsFirst(Cfg c, LayerSpec spec, MapContext ctx) {
        if (!c.has("data_format") && c.has("dim_ordering")) {
            String o = c.text("dim_ordering", "tf");
            if ("th".equals(o)) return true;
            if ("tf".equals(o) || "default".equals(o)) return false;
            throw new UnsupportedModelException(ctx.file(), spec.name(), null, "dim_ordering '" + o
                    + "' is not supported; allowed: th, tf");
        }
        String format = c.text("data_format", "channels_last");
        if ("channels_last".equals(format)) return false;
        if ("channels_first".equals(format)) return true;
        throw new UnsupportedModelException(ctx.file(), spec.name(), null, "data_format '" + format
                + "' is not supported; allowed: channels_last, channels_first");
    }

    /** Keras 1's {@code nb_row}, {@code nb_col} (ConvLSTM2D only). */
    private static int[] keras1Kernel(Cfg c, LayerSpec spec, MapContext ctx, int rank) {
        if (rank != 2 || !c.has("nb_row") || !c.has("nb_col")) {
            throw new io.jkeras.exceptions.ModelFormatException(ctx.file(), spec.name(), null,
                    "config has no 'kernel_size'", null);
        }
        return new int[]{positive(c, spec, ctx, "nb_row", c.dimension("nb_row")),
            positive(c, spec, ctx, "nb_col", c.dimension("nb_col"))};
    }

    /** An int or a list of {@code rank} ints (Keras' conv_utils.standardize_tuple), each positive. */
    static int[] tuple(Cfg c, LayerSpec spec, MapContext ctx, String key, int rank, int dflt) {
        JsonNode v = c.node(key);
        int[] out = new int[rank];
        if (v == null || v.isNull()) {
            if (dflt < 0) {
                throw new io.jkeras.exceptions.ModelFormatException(ctx.file(), spec.name(), null,
                        "config has no '" + key + "'", null);
            }
            Arrays.fill(out, dflt);
            return out;
        }
        if (v.isIntegralNumber()) {
            Arrays.fill(out, positive(c, spec, ctx, key, c.dimension(key)));
            return out;
        }
        if (!v.isArray() || v.size() != rank) {
            throw new UnsupportedModelException(ctx.file(), spec.name(), null, "config '" + key + "' should be an "
                    + "integer or a list of " + rank + " integers, found " + ConfigParser.abbreviate(v));
        }
        for (int i = 0; i < rank; i++) {
            JsonNode d = v.get(i);
            if (!d.isIntegralNumber() || !d.canConvertToInt()) {
                throw new UnsupportedModelException(ctx.file(), spec.name(), null, "config '" + key
                        + "' should be a list of " + rank + " integers, found " + ConfigParser.abbreviate(v));
            }
            out[i] = positive(c, spec, ctx, key, c.dimension(key, d.intValue()));
        }
        return out;
    }

    private static int positive(Cfg c, LayerSpec spec, MapContext ctx, String key, int v) {
        if (v <= 0) {
            throw new UnsupportedModelException(ctx.file(), spec.name(), null, "config '" + key + "' has "
                    + v + "; allowed: 1 or more");
        }
        return v;
    }
}

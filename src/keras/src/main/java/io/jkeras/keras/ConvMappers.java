package io.jkeras.keras;

import com.fasterxml.jackson.databind.JsonNode;
import io.jkeras.exceptions.JKerasException;
import io.jkeras.exceptions.ModelFormatException;
import io.jkeras.exceptions.UnsupportedModelException;
import io.jkeras.exceptions.WeightException;
import io.jkeras.kernels.Activation;
import io.jkeras.kernels.WindowGeometry;
import io.jkeras.layers.Conv;
import io.jkeras.layers.ConvTranspose;
import io.jkeras.layers.ConvWindow;
import io.jkeras.layers.DepthwiseConv;
import io.jkeras.layers.Layer;
import io.jkeras.layers.SeparableConv;
import io.jkeras.tensor.Tensor;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Mappers for Conv2D, Conv3D, DepthwiseConv1D/2D, SeparableConv1D/2D and Conv1D/2D/3DTranspose (Conv1D is in
 * {@link OpsMappers}). Keras stores every kernel in the layout the engine layers take ({@code (k…, in, out)};
 * transposed: {@code (k…, filters, in)}), so the arrays pass as they are, except:
 * <ul>
 *   <li>Keras 1 {@code Convolution2D}/{@code Convolution3D} with {@code dim_ordering="th"} store {@code W} as
 *       {@code (nb_filter, stack, k…)}; Keras 2's loader transposes it to {@code (k…, stack, nb_filter)}
 *       (keras/engine/saving.py {@code preprocess_weights_for_loading}, {@code np.transpose(w, (2, 3, 1, 0))}),
 *       and so does this mapper;</li>
 *   <li>kernels written by the Theano backend are flipped along every spatial axis (Theano convolves, TensorFlow
 *       correlates), as Keras' {@code conv_utils.convert_kernel} does when it loads a Theano file.</li>
 * </ul>
 * Keras 1 keys ({@code nb_filter}, {@code nb_row}/{@code nb_col}, {@code kernel_dim1..3}, {@code subsample},
 * {@code border_mode}, {@code atrous_rate}, {@code dim_ordering}, {@code bias}) arrive normalised by
 * {@link ConfigNormalizer}.
 */
final class ConvMappers {
    private ConvMappers() {}

    private enum Kind { CONV, DEPTHWISE, SEPARABLE, TRANSPOSED }

    /** Registers this group's mappers under their Keras class names ({@link LayerRegistry}). */
    static void register(Map<String, LayerMapper> m) {
        m.put("Conv2D", mapper(Kind.CONV, 2));
        m.put("Convolution2D", mapper(Kind.CONV, 2));
        m.put("AtrousConvolution2D", mapper(Kind.CONV, 2));
        m.put("Conv3D", mapper(Kind.CONV, 3));
        m.put("Convolution3D", mapper(Kind.CONV, 3));
        m.put("DepthwiseConv1D", mapper(Kind.DEPTHWISE, 1));
        m.put("DepthwiseConv2D", mapper(Kind.DEPTHWISE, 2));
        m.put("SeparableConv1D", mapper(Kind.SEPARABLE, 1));
        m.put("SeparableConv2D", mapper(Kind.SEPARABLE, 2));
        m.put("SeparableConvolution2D", mapper(Kind.SEPARABLE, 2));
        m.put("Conv1DTranspose", mapper(Kind.TRANSPOSED, 1));
        m.put("Conv2DTranspose", mapper(Kind.TRANSPOSED, 2));
        m.put("Conv3DTranspose", mapper(Kind.TRANSPOSED, 3));
    }

    private static LayerMapper mapper(Kind kind, int rank) {
        return (spec, w, in, ctx) -> map(kind, rank, spec, w, in, ctx);
    }

    private static Layer map(Kind kind, int rank, LayerSpec spec, List<WeightArray> w, int[][] in, MapContext ctx) {
        Cfg c = new Cfg(spec, ctx);
        if (c.has("lora_rank")) {
            throw new UnsupportedModelException(ctx.file(), spec.name(), null, "LoRA (lora_rank="
                    + ConfigParser.abbreviate(c.node("lora_rank"))
                    + ") is not supported; merge the adapter into the kernel before saving");
        }
        int[] ks = ints(c, spec, ctx, "kernel_size", rank, null);
        int[] strides = ints(c, spec, ctx, "strides", rank, 1);
        int[] dilation = ints(c, spec, ctx, "dilation_rate", rank, 1);
        String pad = c.text("padding", "valid").toLowerCase(java.util.Locale.ROOT);
        WindowGeometry.Padding padding = switch (pad) {
            case "valid" -> WindowGeometry.Padding.VALID;
            case "same" -> WindowGeometry.Padding.SAME;
            default -> throw new UnsupportedModelException(ctx.file(), spec.name(), null, "padding '" + pad
                    + "' is not supported; allowed: valid, same");
        };
        String format = c.text("data_format", "channels_last");
        if (!"channels_last".equals(format) && !"channels_first".equals(format)) {
            throw new UnsupportedModelException(ctx.file(), spec.name(), null, "data_format '" + format
                    + "' is not supported; allowed: channels_last, channels_first");
        }
        boolean channelsFirst = "channels_first".equals(format);
        boolean strided = Arrays.stream(strides).anyMatch(s -> s > 1);
        if (kind != Kind.TRANSPOSED && strided && Arrays.stream(dilation).anyMatch(d -> d > 1)) {
            throw new UnsupportedModelException(ctx.file(), spec.name(), null,
                    "strides > 1 together with dilation_rate > 1 is not allowed (Keras refuses it too)");
        }
        boolean theano = "theano".equalsIgnoreCase(ctx.backend());
        if (theano && padding == WindowGeometry.Padding.SAME && (strided || evenSpan(ks, dilation))) {
            throw new UnsupportedModelException(ctx.file(), spec.name(), null, "padding 'same' with an even "
                    + "(dilated) kernel or strides > 1 is aligned differently by the Theano backend; allowed for "
                    + "Theano files: valid, or same with an odd kernel and strides 1");
        }
        Activation act = KerasActivations.resolve(c, "activation", "linear", spec, ctx);
        boolean useBias = c.bool("use_bias", true);
        int expected = (kind == Kind.SEPARABLE ? 2 : 1) + (useBias ? 1 : 0);
        if (w.size() != expected) {
            throw new WeightException(ctx.file(), spec.name(), null, "expected " + expected + " weights ("
                    + (kind == Kind.SEPARABLE ? "depthwise_kernel, pointwise_kernel" : "kernel")
                    + (useBias ? ", bias" : "") + "), found " + w.size() + RecurrentMappers.names(w), null);
        }
        boolean keras1 = RecurrentMappers.has(w, "W");
        WeightArray kw = kind == Kind.SEPARABLE ? pick(w, 0, "depthwise_kernel")
                : pick(w, 0, "kernel", "W", "depthwise_kernel");
        WeightArray pw = kind == Kind.SEPARABLE ? pick(w, 1, "pointwise_kernel") : null;
        WeightArray bw = useBias ? pick(w, expected - 1, "bias", "b") : null;
        float[] kernel = kw.data();
        int[] kshape = kw.shape();
        if (kind == Kind.CONV && keras1 && channelsFirst && kshape.length == rank + 2 && kshape[0] == dim(c, "filters")
                && Arrays.equals(Arrays.copyOfRange(kshape, 2, rank + 2), ks)) {
            kernel = theanoOrderToTf(kernel, kshape);
            int[] t = Arrays.copyOf(ks, rank + 2);
            t[rank] = kshape[1];
            t[rank + 1] = kshape[0];
            kshape = t;
        }
        if (kshape.length != rank + 2 || !Arrays.equals(Arrays.copyOf(kshape, rank), ks)) {
            throw RecurrentMappers.shape(spec, ctx, kw.name(), kw, "(" + join(ks) + ", …) for kernel_size "
                    + Arrays.toString(ks));
        }
        if (theano) kernel = flipSpatial(kernel, ks, kshape[rank] * kshape[rank + 1]);
        int a = kshape[rank], b = kshape[rank + 1];
        ConvWindow window = wrap(ctx, spec, () -> new ConvWindow(spec.name(), ks, strides, dilation, padding,
                channelsFirst, act));
        int channels;
        int filters;
        if (kind == Kind.CONV) {
            int groups = c.has("groups") ? c.dimension("groups") : 1;
            filters = dim(c, "filters");
            channels = a * groups;
            checkChannels(spec, ctx, kw, in, rank, channelsFirst, channels);
            expectLast(spec, ctx, kw, b, filters);
            if (bw != null) RecurrentMappers.expectShape(spec, ctx, bw.name(), bw, filters);
            float[] k = kernel;
            return wrap(ctx, spec, () -> new Conv(spec.name(), window, channels, filters, groups, k, data(bw)));
        }
        if (kind == Kind.DEPTHWISE) {
            int mult = c.has("depth_multiplier") ? c.dimension("depth_multiplier") : 1;
            channels = a;
            checkChannels(spec, ctx, kw, in, rank, channelsFirst, channels);
            expectLast(spec, ctx, kw, b, mult);
            if (bw != null) RecurrentMappers.expectShape(spec, ctx, bw.name(), bw, channels * mult);
            float[] k = kernel;
            return wrap(ctx, spec, () -> new DepthwiseConv(spec.name(), window, channels, mult, k, data(bw)));
        }
        if (kind == Kind.SEPARABLE) {
            int mult = c.has("depth_multiplier") ? c.dimension("depth_multiplier") : 1;
            filters = dim(c, "filters");
            channels = a;
            checkChannels(spec, ctx, kw, in, rank, channelsFirst, channels);
            expectLast(spec, ctx, kw, b, mult);
            int[] pshape = new int[rank + 2];
            Arrays.fill(pshape, 1);
            pshape[rank] = channels * mult;
            pshape[rank + 1] = filters;
            RecurrentMappers.expectShape(spec, ctx, pw.name(), pw, pshape);
            if (bw != null) RecurrentMappers.expectShape(spec, ctx, bw.name(), bw, filters);
            float[] k = kernel;
            return wrap(ctx, spec, () -> new SeparableConv(spec.name(), window, channels, mult, filters, k,
                    pw.data(), data(bw)));
        }
        filters = dim(c, "filters");
        channels = b;
        checkChannels(spec, ctx, kw, in, rank, channelsFirst, channels);
        if (a != filters) {
            throw RecurrentMappers.shape(spec, ctx, kw.name(), kw, "(" + join(ks) + ", " + filters + ", in)");
        }
        if (bw != null) RecurrentMappers.expectShape(spec, ctx, bw.name(), bw, filters);
        int[] outputPadding = c.has("output_padding") ? ints(c, spec, ctx, "output_padding", rank, 0) : null;
        float[] k = kernel;
        return wrap(ctx, spec, () -> new ConvTranspose(spec.name(), window, channels, filters, outputPadding, k,
                data(bw)));
    }

    private static float[] data(WeightArray a) { return a == null ? null : a.data(); }

    private static int dim(Cfg c, String key) { return c.dimension(key); }

    /** The array named by the first of {@code names} present, else the one at {@code position}. */
    private static WeightArray pick(List<WeightArray> w, int position, String... names) {
        for (String n : names) if (RecurrentMappers.has(w, n)) return RecurrentMappers.pick(w, n, position);
        return w.get(position);
    }

    private static boolean evenSpan(int[] ks, int[] dilation) {
        for (int i = 0; i < ks.length; i++) if ((dilation[i] * (ks[i] - 1)) % 2 != 0) return true;
        return false;
    }

    private static void expectLast(LayerSpec spec, MapContext ctx, WeightArray kw, int found, int want) {
        if (found != want) {
            throw RecurrentMappers.shape(spec, ctx, kw.name(), kw, "last dimension " + want);
        }
    }

    private static void checkChannels(LayerSpec spec, MapContext ctx, WeightArray kw, int[][] in, int rank,
                                      boolean channelsFirst, int channels) {
        if (in.length != 1 || in[0].length != rank + 1) {
            throw new UnsupportedModelException(ctx.file(), spec.name(), null, "expects one input of rank "
                    + (rank + 2) + " (batch, " + (rank == 1 ? "length" : rank == 2 ? "rows, cols" : "depth, rows, cols")
                    + ", channels), got " + (in.length == 1 ? "(batch, " + Tensor.shapeString(in[0]).substring(1)
                    : in.length + " inputs"));
        }
        int ch = channelsFirst ? in[0][0] : in[0][rank];
        if (ch >= 0 && ch != channels) {
            throw new WeightException(ctx.file(), spec.name(), kw.name(), "is for " + channels
                    + " input channels but the layer's input " + Tensor.shapeString(in[0]) + " has " + ch, null);
        }
    }

    private static <T> T wrap(MapContext ctx, LayerSpec spec, Supplier<T> s) {
        try {
            return s.get();
        } catch (JKerasException e) {
            throw e.in(ctx.file(), spec.name());
        }
    }

    private static String join(int[] a) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < a.length; i++) sb.append(i > 0 ? ", " : "").append(a[i]);
        return sb.toString();
    }

    /** {@code (F, C, k…)} → {@code (k…, C, F)}: Keras 1 {@code dim_ordering="th"} to TensorFlow's layout. */
    static float[] theanoOrderToTf(float[] w, int[] shape) {
        int f = shape[0], ch = shape[1];
        int k = w.length / Math.max(1, f * ch);
        float[] t = new float[w.length];
        for (int fi = 0; fi < f; fi++)
            for (int ci = 0; ci < ch; ci++)
                for (int p = 0; p < k; p++) t[(p * ch + ci) * f + fi] = w[(fi * ch + ci) * k + p];
        return t;
    }

    /** Reverses every spatial axis of a {@code (k…, rest)} kernel ({@code conv_utils.convert_kernel}). */
    static float[] flipSpatial(float[] w, int[] ks, int rest) {
        int k = w.length / Math.max(1, rest);
        float[] t = new float[w.length];
        int[] idx = new int[ks.length];
        for (int p = 0; p < k; p++) {
            int r = p;
            for (int i = ks.length - 1; i >= 0; i--) {
                idx[i] = ks[i] - 1 - r % ks[i];
                r /= ks[i];
            }
            int q = 0;
            for (int i = 0; i < ks.length; i++) q = q * ks[i] + idx[i];
            System.arraycopy(w, p * rest, t, q * rest, rest);
        }
        return t;
    }

    /** An int or a list of {@code rank} ints (Keras stores tuples); {@code dflt} null means required. */
    private static int[] ints(Cfg c, LayerSpec spec, MapContext ctx, String key, int rank, Integer dflt) {
        JsonNode v = c.node(key);
        if (v == null || v.isNull()) {
            if (dflt == null) {
                throw new ModelFormatException(ctx.file(), spec.name(), null, "config has no '" + key + "'", null);
            }
            int[] r = new int[rank];
            Arrays.fill(r, dflt);
            return r;
        }
        int[] r = new int[rank];
        if (v.isIntegralNumber() && v.canConvertToInt()) {
            Arrays.fill(r, v.intValue());
        } else if (v.isArray() && v.size() == rank) {
            for (int i = 0; i < rank; i++) {
                if (!v.get(i).isIntegralNumber() || !v.get(i).canConvertToInt()) throw badInts(ctx, spec, key, v, rank);
                r[i] = v.get(i).intValue();
            }
        } else {
            throw badInts(ctx, spec, key, v, rank);
        }
        for (int x : r) {
            c.dimension(key, x);
            if (x <= 0 && !"output_padding".equals(key)) throw badInts(ctx, spec, key, v, rank);
        }
        return r;
    }

    private static ModelFormatException badInts(MapContext ctx, LayerSpec spec, String key, JsonNode v, int rank) {
        return new ModelFormatException(ctx.file(), spec.name(), null, "config '" + key + "' should be a positive "
                + "integer or a list of " + rank + " of them, found " + ConfigParser.abbreviate(v), null);
    }
}

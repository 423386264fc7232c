package io.jkeras.keras;

import io.jkeras.exceptions.UnsupportedModelException;
import io.jkeras.exceptions.WeightException;
import io.jkeras.kernels.Activation;
import io.jkeras.layers.Layer;
import io.jkeras.layers.Lstm;
import io.jkeras.layers.RecurrentOptions;
import io.jkeras.layers.SimpleRnn;

import java.util.List;

/**
 * SimpleRNN and LSTM. Keras 2/3 store {@code kernel (F, G·H)}, {@code recurrent_kernel (H, G·H)}
 * and {@code bias (G·H)} with gates side by side (LSTM i|f|c|o), which is also the engine's
 * logical order. Keras 1 stores one array per gate and kind, LSTM in the order i, c, f, o
 * ({@code W_i, U_i, b_i, W_c, U_c, b_c, W_f, U_f, b_f, W_o, U_o, b_o}); they are fused here.
 */
final class RecurrentMappers {
    private RecurrentMappers() {}

    /** Registers this group's mappers under their Keras class names ({@link LayerRegistry}). */
    static void register(java.util.Map<String, LayerMapper> m) {
        m.put("SimpleRNN", RecurrentMappers::simpleRnn);
        m.put("LSTM", RecurrentMappers::lstm);
    }

    static Layer lstm(LayerSpec spec, List<WeightArray> w, int[][] in, MapContext ctx) {
        Cfg c = new Cfg(spec, ctx);
        checkCommon(spec, c, ctx);
        int units = c.dimension("units");
        Activation act = shapeKeeping(KerasActivations.resolve(c, "activation", "tanh", spec, ctx), "activation", spec,
                ctx);
        Activation rec = shapeKeeping(
                KerasActivations.resolve(c, "recurrent_activation", ctx.keras3() ? "sigmoid" : "hard_sigmoid", spec,
                        ctx),
                "recurrent_activation", spec, ctx);
        boolean useBias = c.bool("use_bias", true);
        Fused f = ctx.keras1() && has(w, "W_i")
                ? keras1(spec, w, ctx, new String[]{"i", "f", "c", "o"}, units)
                : fused(spec, w, ctx, useBias, 4, units, in[0]);
        checkFeatures(spec, in[0], f.features, ctx);
        return new Lstm(spec.name(), units, f.features, act, rec, f.kernel, f.recurrent, f.bias, options(c));
    }

    static Layer simpleRnn(LayerSpec spec, List<WeightArray> w, int[][] in, MapContext ctx) {
        Cfg c = new Cfg(spec, ctx);
        checkCommon(spec, c, ctx);
        int units = c.dimension("units");
        Activation act = shapeKeeping(KerasActivations.resolve(c, "activation", "tanh", spec, ctx), "activation", spec,
                ctx);
        boolean useBias = c.bool("use_bias", true);
        Fused f = fused(spec, w, ctx, useBias, 1, units, in[0]);
        checkFeatures(spec, in[0], f.features, ctx);
        return new SimpleRnn(spec.name(), units, f.features, act, f.kernel, f.recurrent, f.bias, options(c));
    }

    private static Activation shapeKeeping(Activation a, String key, LayerSpec spec, MapContext ctx) {
        if (a.outputWidth(2) != 2) {
            throw new UnsupportedModelException(ctx.file(), spec.name(), null, key + " '" + a.name().toLowerCase()
                    + "' changes the width of its input and cannot be a recurrent activation");
        }
        return a;
    }

    static RecurrentOptions options(Cfg c) {
        return new RecurrentOptions(c.bool("return_sequences", false), c.bool("return_state", false),
                c.bool("go_backwards", false), c.bool("stateful", false), c.bool("zero_output_for_mask", false));
    }

    private static void checkCommon(LayerSpec spec, Cfg c, MapContext ctx) {
        if (c.bool("time_major", false)) {
            throw new UnsupportedModelException(ctx.file(), spec.name(), null,
                    "time_major=True is not supported; allowed: time_major=False");
        }
        if (c.has("cell")) {
            throw new UnsupportedModelException(ctx.file(), spec.name(), null,
                    "a generic RNN wrapper with a custom cell is not supported");
        }
    }

    private static void checkFeatures(LayerSpec spec, int[] inputShape, int features, MapContext ctx) {
        if (inputShape.length != 2) {
            throw new UnsupportedModelException(ctx.file(), spec.name(), null,
                    "expects input (batch, timesteps, features), got rank "
                    + (inputShape.length + 1));
        }
        int f = inputShape[1];
        if (f >= 0 && f != features) {
            throw new WeightException(ctx.file(), spec.name(), "kernel", "has " + features
                    + " input rows but the layer's input has "
                    + f + " features", null);
        }
    }

    record Fused(int features, float[] kernel, float[] recurrent, float[] bias) {}

    /** Keras 2/3: kernel, recurrent_kernel[, bias], by name where the names say, else in order. */
    private static Fused fused(LayerSpec spec, List<WeightArray> w, MapContext ctx, boolean useBias, int gates,
            int units,
                               int[] inputShape) {
        int expected = useBias ? 3 : 2;
        if (w.size() != expected) {
            throw new WeightException(ctx.file(), spec.name(), null, "expected " + expected
                    + " weights (kernel, recurrent_kernel"
                    + (useBias ? ", bias" : "") + "), found " + w.size() + names(w), null);
        }
        WeightArray k = pick(w, "kernel", 0);
        WeightArray r = pick(w, "recurrent_kernel", 1);
        WeightArray b = useBias ? pick(w, "bias", 2) : null;
        int gu = gates * units;
        if (k.shape().length != 2 || k.shape()[1] != gu) {
            throw shape(spec, ctx, "kernel", k, "(" + features(inputShape) + ", " + gu + ")");
        }
        expectShape(spec, ctx, "recurrent_kernel", r, units, gu);
        if (b != null) expectShape(spec, ctx, "bias", b, gu);
        return new Fused(k.shape()[0], k.data(), r.data(), b == null ? null : b.data());
    }

    /**
     * Keras 1 per-gate arrays, fused into gate order {@code order} (the order the engine computes
     * in), whatever order the file stores them in.
     */
    private static Fused keras1(LayerSpec spec, List<WeightArray> w, MapContext ctx, String[] order, int units) {
        int g = order.length;
        WeightArray w0 = find(w, "W_" + order[0], spec, ctx);
        if (w0.shape().length != 2) throw shape(spec, ctx, "W_" + order[0], w0, "(features, " + units + ")");
        int features = w0.shape()[0];
        expectKeras1Gates(spec, w, ctx, order, features, units);
        float[] kernel = new float[features * g * units];
        float[] rec = new float[units * g * units];
        float[] bias = new float[g * units];
        for (int gi = 0; gi < g; gi++) {
            WeightArray wk = find(w, "W_" + order[gi], spec, ctx);
            WeightArray uk = find(w, "U_" + order[gi], spec, ctx);
            WeightArray bk = find(w, "b_" + order[gi], spec, ctx);
            for (int r = 0; r < features; r++) System.arraycopy(wk.data(), r * units, kernel, r * g * units
                    + gi * units, units);
            for (int r = 0; r < units; r++) System.arraycopy(uk.data(), r * units, rec, r * g * units + gi * units,
                    units);
            System.arraycopy(bk.data(), 0, bias, gi * units, units);
        }
        if (w.size() != 3 * g) {
            throw new WeightException(ctx.file(), spec.name(), null, "expected " + 3 * g
                    + " Keras 1 gate arrays, found " + w.size() + names(w), null);
        }
        return new Fused(features, kernel, rec, bias);
    }

    /** The input's feature count (last dimension) when the config declares it, else "features". */
    static String features(int[] inputShape) {
        int f = inputShape.length == 0 ? -1 : inputShape[inputShape.length - 1];
        return f >= 0 ? Integer.toString(f) : "features";
    }

    static boolean has(List<WeightArray> w, String name) {
        for (WeightArray a : w) if (a.name().equals(name)) return true;
        return false;
    }

    private static WeightArray find(List<WeightArray> w, String name, LayerSpec spec, MapContext ctx) {
        for (WeightArray a : w) if (a.name().equals(name)) return a;
        throw new WeightException(ctx.file(), spec.name(), name, "missing; found" + names(w), null);
    }

    static WeightArray pick(List<WeightArray> w, String name, int position) {
        for (WeightArray a : w) if (a.name().equals(name)) return a;
        return w.get(position);
    }

    static String names(List<WeightArray> w) {
        StringBuilder sb = new StringBuilder(" [");
        for (int i = 0; i < w.size(); i++) sb.append(i > 0 ? ", " : "").append(w.get(i).name()).append(' ')
                .append(w.get(i).shapeString());
        return sb.append(']').toString();
    }

    /** Checks every Keras 1 gate array's shape, before the fused arrays are allocated from them. */
    static void expectKeras1Gates(LayerSpec spec, List<WeightArray> w, MapContext ctx, String[] gates, int features,
                                  int units) {
        for (String gate : gates) {
            expectShape(spec, ctx, "W_" + gate, find(w, "W_" + gate, spec, ctx), features, units);
            expectShape(spec, ctx, "U_" + gate, find(w, "U_" + gate, spec, ctx), units, units);
            expectShape(spec, ctx, "b_" + gate, find(w, "b_" + gate, spec, ctx), units);
        }
    }

    static void expectShape(LayerSpec spec, MapContext ctx, String name, WeightArray a, int... shape) {
        if (!java.util.Arrays.equals(a.shape(), shape)) {
            throw shape(spec, ctx, name, a, io.jkeras.tensor.Tensor.shapeString(shape));
        }
    }

    static WeightException shape(LayerSpec spec, MapContext ctx, String name, WeightArray a, String expected) {
        return new WeightException(ctx.file(), spec.name(), name, "found shape " + a.shapeString() + ", expected "
                + expected, null);
    }
}

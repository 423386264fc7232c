package io.jkeras.keras;

import io.jkeras.exceptions.UnsupportedModelException;
import io.jkeras.exceptions.WeightException;
import io.jkeras.kernels.Activation;
import io.jkeras.layers.Gru;
import io.jkeras.layers.Layer;

import java.util.List;

/**
 * GRU, gates z|r|h in every era.
 * <ul>
 * <li>Keras 2/3: {@code kernel (F, 3u)}, {@code recurrent_kernel (u, 3u)} and, with use_bias,
 * {@code bias}: {@code (2, 3u)} (input bias, recurrent bias) when {@code reset_after}, else
 * {@code (3u)}. reset_after defaults to True in Keras 3 (and tf.keras 2.x, which always writes the
 * key) and to False in Keras ≤ 2.2 configs, which may lack the key (it appeared in 2.1.3).</li>
 * <li>Keras 1: nine arrays {@code W_z, U_z, b_z, W_r, U_r, b_r, W_h, U_h, b_h} (fused here in that
 * gate order, as Keras 2 did when loading them), reset gate applied before the recurrent product
 * (reset_after=False); with {@code consume_less='gpu'} the fused {@code W, U, b} are stored and read
 * as Keras 2 arrays.</li>
 * </ul>
 * The default recurrent activation is sigmoid in Keras 3 and hard_sigmoid before; hard_sigmoid
 * itself follows the writer (see {@link KerasActivations}).
 */
final class GruMappers {
    private GruMappers() {}

    /** Registers this group's mappers under their Keras class names ({@link LayerRegistry}). */
    static void register(java.util.Map<String, LayerMapper> m) {
        m.put("GRU", GruMappers::gru);
    }

    static final String[] KERAS1_GATES = {"z", "r", "h"};

    static Layer gru(LayerSpec spec, List<WeightArray> w, int[][] in, MapContext ctx) {
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
        boolean resetAfter = c.bool("reset_after", ctx.keras3());
        int features;
        float[] kernel, recurrent, bias;
        if (hasKeras1(w)) {
            if (resetAfter) {
                throw new UnsupportedModelException(ctx.file(), spec.name(), null,
                        "Keras 1 per-gate GRU weights (W_z, U_z, b_z, …) with reset_after=True; Keras 1 GRUs apply"
                                + " the reset gate before the recurrent product");
            }
            int g = KERAS1_GATES.length;
            WeightArray w0 = find(w, "W_z", spec, ctx);
            if (w0.shape().length != 2) throw RecurrentMappers.shape(spec, ctx, "W_z", w0, "("
                    + RecurrentMappers.features(in[0]) + ", " + units + ")");
            features = w0.shape()[0];
            RecurrentMappers.expectKeras1Gates(spec, w, ctx, KERAS1_GATES, features, units);
            kernel = new float[features * g * units];
            recurrent = new float[units * g * units];
            bias = new float[g * units];
            for (int gi = 0; gi < g; gi++) {
                WeightArray wk = find(w, "W_" + KERAS1_GATES[gi], spec, ctx);
                WeightArray uk = find(w, "U_" + KERAS1_GATES[gi], spec, ctx);
                WeightArray bk = find(w, "b_" + KERAS1_GATES[gi], spec, ctx);
                RecurrentMappers.expectShape(spec, ctx, wk.name(), wk, features, units);
                RecurrentMappers.expectShape(spec, ctx, uk.name(), uk, units, units);
                RecurrentMappers.expectShape(spec, ctx, bk.name(), bk, units);
                for (int r = 0; r < features; r++) System.arraycopy(wk.data(), r * units, kernel, r * g * units
                        + gi * units, units);
                for (int r = 0; r < units; r++) System.arraycopy(uk.data(), r * units, recurrent, r * g * units
                        + gi * units, units);
                System.arraycopy(bk.data(), 0, bias, gi * units, units);
            }
            if (w.size() != 3 * g) {
                throw new WeightException(ctx.file(), spec.name(), null, "expected " + 3 * g
                        + " Keras 1 gate arrays (W_z, U_z, b_z, W_r, U_r, b_r, W_h, U_h, b_h), found "
                        + w.size() + RecurrentMappers.names(w), null);
            }
        } else {
            int expected = useBias ? 3 : 2;
            if (w.size() != expected) {
                throw new WeightException(ctx.file(), spec.name(), null, "expected " + expected
                        + " weights (kernel, recurrent_kernel"
                        + (useBias ? ", bias" : "") + "), found " + w.size() + RecurrentMappers.names(w), null);
            }
            int gu = 3 * units;
            WeightArray k = RecurrentMappers.pick(w, "kernel", 0);
            WeightArray r = RecurrentMappers.pick(w, "recurrent_kernel", 1);
            WeightArray b = useBias ? RecurrentMappers.pick(w, "bias", 2) : null;
            if (k.shape().length != 2 || k.shape()[1] != gu) {
                throw RecurrentMappers.shape(spec, ctx, "kernel", k, "(" + RecurrentMappers.features(in[0]) + ", " + gu
                        + ")");
            }
            RecurrentMappers.expectShape(spec, ctx, "recurrent_kernel", r, units, gu);
            if (b != null) {
                if (resetAfter) {
                    if (!java.util.Arrays.equals(b.shape(), new int[]{2, gu})) {
                        throw RecurrentMappers.shape(spec, ctx, "bias", b, "(2, " + gu + ") for reset_after=True"
                                + (b.shape().length == 1 && b.shape()[0] == gu
                                        ? "; the file's bias fits reset_after=False, which its config does not say"
                                                : ""));
                    }
                } else if (!java.util.Arrays.equals(b.shape(), new int[]{gu})) {
                    throw RecurrentMappers.shape(spec, ctx, "bias", b, "(" + gu + ",) for reset_after=False"
                            + (b.shape().length == 2 && b.shape()[0] == 2 && b.shape()[1] == gu
                                    ? "; the file's bias fits reset_after=True, which its config does not say" : ""));
                }
            }
            features = k.shape()[0];
            kernel = k.data();
            recurrent = r.data();
            bias = b == null ? null : b.data();
        }
        checkFeatures(spec, in[0], features, ctx);
        return new Gru(spec.name(), units, features, act, rec, resetAfter, kernel, recurrent, bias,
                RecurrentMappers.options(c));
    }

    // ---------------------------------------------------------------- shared with CudnnMappers

    static void checkCommon(LayerSpec spec, Cfg c, MapContext ctx) {
        if (c.bool("time_major", false)) {
            throw new UnsupportedModelException(ctx.file(), spec.name(), null,
                    "time_major=True is not supported; allowed: time_major=False");
        }
        if (c.has("cell")) {
            throw new UnsupportedModelException(ctx.file(), spec.name(), null,
                    "a generic RNN wrapper with a custom cell is not supported");
        }
    }

    static void checkFeatures(LayerSpec spec, int[] inputShape, int features, MapContext ctx) {
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

    private static Activation shapeKeeping(Activation a, String key, LayerSpec spec, MapContext ctx) {
        if (a.outputWidth(2) != 2) {
            throw new UnsupportedModelException(ctx.file(), spec.name(), null, key + " '" + a.name().toLowerCase()
                    + "' changes the width of its input and cannot be a recurrent activation");
        }
        return a;
    }

    /** Keras 1 per-gate arrays, also when a wrapper left a prefix on their names ({@code forward_gru_1_W_z}). */
    private static boolean hasKeras1(List<WeightArray> w) {
        for (WeightArray a : w) if (a.name().equals("W_z") || a.name().endsWith("_W_z")) return true;
        return false;
    }

    private static WeightArray find(List<WeightArray> w, String name, LayerSpec spec, MapContext ctx) {
        for (WeightArray a : w) if (a.name().equals(name)) return a;
        for (WeightArray a : w) if (a.name().endsWith("_" + name)) return a;
        throw new WeightException(ctx.file(), spec.name(), name, "missing; found" + RecurrentMappers.names(w), null);
    }
}

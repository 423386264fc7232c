package io.jkeras.keras;

import com.fasterxml.jackson.databind.JsonNode;
import io.jkeras.exceptions.ModelFormatException;
import io.jkeras.exceptions.UnsupportedModelException;
import io.jkeras.exceptions.WeightException;
import io.jkeras.kernels.Activation;
import io.jkeras.layers.ActivationLayer;
import io.jkeras.layers.Dense;
import io.jkeras.layers.Flatten;
import io.jkeras.layers.Identity;
import io.jkeras.layers.InputLayer;
import io.jkeras.layers.Layer;
import io.jkeras.layers.RepeatVector;
import io.jkeras.layers.TimeDistributed;

import java.util.Arrays;
import java.util.List;

/** Mappers for the non-recurrent layers. */
final class CoreMappers {
    private CoreMappers() {}

    /** Registers this group's mappers under their Keras class names ({@link LayerRegistry}). */
    static void register(java.util.Map<String, LayerMapper> m) {
        m.put("InputLayer", CoreMappers::input);
        m.put("Dense", CoreMappers::dense);
        m.put("TimeDistributedDense", CoreMappers::dense);
        m.put("TimeDistributed", CoreMappers::timeDistributed);
        m.put("Flatten", CoreMappers::flatten);
        m.put("Activation", CoreMappers::activation);
        m.put("RepeatVector", CoreMappers::repeatVector);
        m.put("Embedding", CoreMappers::embedding);
        m.put("Masking", CoreMappers::masking);
        // identity at inference: they only act while training
        m.put("Dropout", CoreMappers::identity);
        m.put("SpatialDropout1D", CoreMappers::identity);
        m.put("GaussianNoise", CoreMappers::identity);
        m.put("GaussianDropout", CoreMappers::identity);
        m.put("AlphaDropout", CoreMappers::identity);
        m.put("ActivityRegularization", CoreMappers::identity);
    }

    static Layer input(LayerSpec spec, List<WeightArray> w, int[][] in, MapContext ctx) {
        Cfg c = new Cfg(spec, ctx);
        int[] batchShape = c.shape("batch_shape");
        if (batchShape == null || batchShape.length < 2) {
            throw new ModelFormatException(ctx.file(), spec.name(), null,
                    "input has no batch_shape/batch_input_shape of rank >= 2; found "
                    + (batchShape == null ? "none" : Arrays.toString(batchShape)), null);
        }
        String dtype = dtype(c.node("dtype"));
        boolean integer = dtype != null && (dtype.startsWith("int") || dtype.startsWith("uint"));
        return new InputLayer(spec.name(), Arrays.copyOfRange(batchShape, 1, batchShape.length), batchShape[0],
                integer);
    }

    private static String dtype(JsonNode d) {
        if (d == null || d.isNull()) return null;
        if (d.isTextual()) return d.asText();
        JsonNode n = d.path("config").get("name");
        return n != null && n.isTextual() ? n.asText() : null;
    }

    static Layer dense(LayerSpec spec, List<WeightArray> w, int[][] in, MapContext ctx) {
        Cfg c = new Cfg(spec, ctx);
        int units = c.dimension("units");
        Activation act = KerasActivations.resolve(c, "activation", "linear", spec, ctx);
        boolean useBias = c.bool("use_bias", true);
        int expected = useBias ? 2 : 1;
        if (w.size() != expected) {
            throw new WeightException(ctx.file(), spec.name(), null, "expected " + expected + " weights (kernel"
                    + (useBias ? ", bias" : "")
                    + "), found " + w.size() + RecurrentMappers.names(w), null);
        }
        WeightArray k = RecurrentMappers.pick(w, ctx.keras1() ? "W" : "kernel", 0);
        WeightArray b = useBias ? RecurrentMappers.pick(w, ctx.keras1() ? "b" : "bias", 1) : null;
        if (k.shape().length != 2 || k.shape()[1] != units) {
            throw RecurrentMappers.shape(spec, ctx, "kernel", k, "(" + RecurrentMappers.features(in[0]) + ", " + units
                    + ")");
        }
        int features = k.shape()[0];
        if (in[0].length == 0) {
            throw new UnsupportedModelException(ctx.file(), spec.name(), null, "expects an input of rank >= 2");
        }
        int last = in[0][in[0].length - 1];
        if (last >= 0 && last != features) {
            throw new WeightException(ctx.file(), spec.name(), "kernel", "has " + features
                    + " input rows but the layer's input has "
                    + last + " features", null);
        }
        if (b != null) RecurrentMappers.expectShape(spec, ctx, "bias", b, units);
        return new Dense(spec.name(), features, units, act, k.data(), b == null ? null : b.data());
    }

    static Layer timeDistributed(LayerSpec spec, List<WeightArray> w, int[][] in, MapContext ctx) {
        JsonNode inner = spec.config().get("layer");
        if (inner == null || !inner.isObject()) {
            throw new ModelFormatException(ctx.file(), spec.name(), null, "TimeDistributed config has no inner 'layer'",
                    null);
        }
        String cls = ConfigParser.text(inner, "class_name", null);
        if (cls == null) throw new ModelFormatException(ctx.file(), spec.name(), null,
                "TimeDistributed inner layer has no class_name", null);
        JsonNode innerCfg = ConfigNormalizer.layerConfig(cls, inner.get("config"));
        String innerName = ConfigParser.text(innerCfg, "name", spec.name() + "_inner");
        LayerSpec innerSpec = new LayerSpec(cls, innerName, innerCfg, List.of());
        if (in[0].length < 2) {
            throw new UnsupportedModelException(ctx.file(), spec.name(), null,
                    "expects input (batch, timesteps, ...), got rank " + (in[0].length + 1));
        }
        int[] step = Arrays.copyOfRange(in[0], 1, in[0].length);
        Layer innerLayer;
        try {
            innerLayer = LayerRegistry.mapper(innerSpec, ctx).map(innerSpec, w, new int[][]{step}, ctx);
        } catch (io.jkeras.exceptions.JKerasException e) {
            throw e.in(ctx.file(), spec.name());
        }
        return new TimeDistributed(spec.name(), innerLayer);
    }

    static Layer embedding(LayerSpec spec, List<WeightArray> w, int[][] in, MapContext ctx) {
        Cfg c = new Cfg(spec, ctx);
        int inputDim = c.dimension("input_dim");
        int outputDim = c.dimension("output_dim");
        if (w.size() != 1) {
            throw new WeightException(ctx.file(), spec.name(), null, "expected 1 weight (embeddings), found "
                    + w.size() + RecurrentMappers.names(w), null);
        }
        WeightArray e = w.get(0);
        RecurrentMappers.expectShape(spec, ctx, "embeddings", e, inputDim, outputDim);
        return new io.jkeras.layers.Embedding(spec.name(), inputDim, outputDim, c.bool("mask_zero", false), e.data());
    }

    static Layer masking(LayerSpec spec, List<WeightArray> w, int[][] in, MapContext ctx) {
        return new io.jkeras.layers.Masking(spec.name(), (float) new Cfg(spec, ctx).number("mask_value", 0.0));
    }

    static Layer flatten(LayerSpec spec, List<WeightArray> w, int[][] in, MapContext ctx) {
        return new Flatten(spec.name());
    }

    /**
     * Dropout and its variants. The training-time draw's shape: Keras' {@code noise_shape} (None: the input's size)
     * for Dropout and AlphaDropout; one draw per sample and channel for SpatialDropout1D/2D/3D (keras/src/layers/
     * regularization/spatial_dropout.py, {@code _get_noise_shape}, by data_format).
     */
    static Layer identity(LayerSpec spec, List<WeightArray> w, int[][] in, MapContext ctx) {
        String cls = spec.className();
        int rank = in.length == 1 ? in[0].length + 1 : -1;
        int[] noise = null;
        if (cls.startsWith("SpatialDropout") && rank > 1) {
            noise = new int[rank];
            Arrays.fill(noise, 1);
            noise[0] = -1;
            noise["SpatialDropout1D".equals(cls) || !PoolingMappers.channelsFirst(spec, ctx) ? rank - 1 : 1] = -1;
        } else if (("Dropout".equals(cls) || "AlphaDropout".equals(cls)) && spec.config().path("noise_shape")
                .isArray()) {
            JsonNode ns = spec.config().get("noise_shape");
            noise = new int[ns.size()];
            for (int i = 0; i < noise.length; i++) {
                JsonNode d = ns.get(i);
                if (!d.isNull() && !d.canConvertToInt()) {
                    throw new UnsupportedModelException(ctx.file(), spec.name(), null, "noise_shape " + ns
                            + ": entry " + i + " is " + d + "; allowed: null or a positive integer");
                }
                noise[i] = d.isNull() ? -1 : d.asInt();
            }
        }
        return new Identity(spec.name(), cls, noise);
    }

    static Layer activation(LayerSpec spec, List<WeightArray> w, int[][] in, MapContext ctx) {
        Cfg c = new Cfg(spec, ctx);
        return new ActivationLayer(spec.name(), KerasActivations.resolve(c, "activation", "linear", spec, ctx));
    }

    static Layer repeatVector(LayerSpec spec, List<WeightArray> w, int[][] in, MapContext ctx) {
        return new RepeatVector(spec.name(), new Cfg(spec, ctx).dimension("n"));
    }
}

package io.jkeras.format;

import io.jkeras.exceptions.UnsupportedModelException;
import io.jkeras.layers.ActivationLayer;
import io.jkeras.layers.BatchNormalization;
import io.jkeras.layers.Bidirectional;
import io.jkeras.layers.Concatenate;
import io.jkeras.layers.Conv1D;
import io.jkeras.layers.CudnnRecurrent;
import io.jkeras.layers.Dense;
import io.jkeras.layers.ElementwiseOp;
import io.jkeras.layers.Embedding;
import io.jkeras.layers.Flatten;
import io.jkeras.layers.Gru;
import io.jkeras.layers.Identity;
import io.jkeras.layers.InputLayer;
import io.jkeras.layers.Layer;
import io.jkeras.layers.Lstm;
import io.jkeras.layers.Masking;
import io.jkeras.layers.Merge;
import io.jkeras.layers.Permute;
import io.jkeras.layers.Recurrent;
import io.jkeras.layers.RecurrentOptions;
import io.jkeras.layers.RepeatVector;
import io.jkeras.layers.Reshape;
import io.jkeras.layers.ShapeOp;
import io.jkeras.layers.SimpleRnn;
import io.jkeras.layers.Softmax;
import io.jkeras.layers.TimeDistributed;
import io.jkeras.layers.Weight;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The native format's layer types: how each engine layer's configuration is written to the JSON
 * header ({@link Encoders}, by layer class) and how the layer is rebuilt from it ({@link #decode},
 * a switch by type string), with its weights as the engine holds them: recurrent kernels and
 * biases in the {@code GatePanel} layout (format 2.x; files of format 1.x hold Keras' layout, still
 * read). The {@code type} strings are part of the file format: never rename one; a new layer class
 * gets a new type (and a minor format version).
 *
 * <p>Each encoder writes exactly the constructor arguments of its layer (plus values that only
 * document, like the gate order), so that the rebuilt layer computes bit for bit what the
 * original did. The types are listed in {@code TYPES}, {@link Encoders} and {@link #decode}:
 * {@code Encoders} refuses to start without an encoder for every type, and the round-trip and
 * back-compat tests decode every type.
 */
final class LayerCodecs {
    /**
     * Every type string, in registration order. Decoding a type loads the classes of that layer
     * only, so that loading a model loads the classes of its own layers and no others: in a fresh
     * JVM each class costs its share of startup.
     */
    private static final List<String> TYPES = List.of(
            "InputLayer", "Dense", "SimpleRnn", "Lstm", "Gru", "CudnnRecurrent",
            "Bidirectional", "TimeDistributed", "Embedding", "Masking", "Flatten", "Identity",
            "ActivationLayer", "RepeatVector", "Conv1D", "BatchNormalization", "Reshape", "Permute",
            "Softmax", "Concatenate", "Merge", "ElementwiseOp", "ShapeOp");

    private LayerCodecs() {}

    /**
     * The writing side: each layer class's encoder. A nested class, so that reading a file, which
     * only decodes, does not load it, its codec interface or any encoder.
     */
    static final class Encoders {
        private Encoders() {}

        /** Writes one layer's configuration and weights; {@link LayerCodecs#decode} rebuilds the layer. */
        interface Codec<L extends Layer> {
            void encode(L layer, LayerEncoder e);
        }

        record Entry<L extends Layer>(String type, Class<L> layerClass, Codec<L> codec) {
            @SuppressWarnings("unchecked")
            void encode(Layer l, LayerEncoder e) { codec.encode((L) l, e); }
        }

        /** Layer classes to codecs, built on the first write (reading never needs it). */
        private static final class ByClass {
            static final Map<Class<?>, Entry<?>> MAP = new HashMap<>();

            static {
                for (String t : TYPES) {
                    Entry<?> e = create(t);
                    if (e == null || !e.type().equals(t) || MAP.put(e.layerClass(), e) != null) throw new IllegalStateException("bad codec " + t);
                }
            }
        }

        private static <L extends Layer> Entry<L> entry(String type, Class<L> cls, Codec<L> codec) { return new Entry<>(type, cls, codec); }

        /** The codec for a layer's class, or an error naming the layer and its class. */
        static Entry<?> forLayer(Layer l) {
            Entry<?> e = ByClass.MAP.get(l.getClass());
            if (e == null) {
                throw new UnsupportedModelException(null, l.name(), null, "the native format has no codec for engine layer class "
                        + l.getClass().getName() + " (" + l.typeName() + "); supported: " + String.join(", ", TYPES));
            }
            return e;
        }

        private static void recurrentOptions(Recurrent r, LayerEncoder e) {
            RecurrentOptions o = r.options();
            e.put("units", r.units());
            e.put("input_size", r.inputSize());
            e.put("return_sequences", o.returnSequences());
            e.put("return_state", o.returnState());
            e.put("go_backwards", o.goBackwards());
            e.put("stateful", o.stateful());
            e.put("zero_output_for_mask", o.zeroOutputForMask());
        }

        /** A new codec entry for {@code type}, or null for a type this reader does not know. */
        private static Entry<?> create(String type) {
            switch (type) {
            case "InputLayer": return entry("InputLayer", InputLayer.class, new Codec<>() {
                public void encode(InputLayer l, LayerEncoder e) {
                    e.put("shape", l.shape());
                    e.put("batch_size", l.batchSize());
                    e.put("integer", l.integer());
                }
            });
            case "Dense": return entry("Dense", Dense.class, new Codec<>() {
                public void encode(Dense l, LayerEncoder e) {
                    e.put("units", l.units());
                    e.activation("activation", l.activation());
                    e.weights(l.weights());
                }
            });
            case "SimpleRnn": return entry("SimpleRnn", SimpleRnn.class, new Codec<>() {
                public void encode(SimpleRnn l, LayerEncoder e) {
                    recurrentOptions(l, e);
                    e.activation("activation", l.activation());
                    e.put("gates", "h");
                    e.weights(l.panelWeights());
                }
            });
            case "Lstm": return entry("Lstm", Lstm.class, new Codec<>() {
                public void encode(Lstm l, LayerEncoder e) {
                    recurrentOptions(l, e);
                    e.activation("activation", l.activation());
                    e.activation("recurrent_activation", l.recurrentActivation());
                    e.put("gates", "i|f|c|o");
                    e.weights(l.panelWeights());
                }
            });
            case "Gru": return entry("Gru", Gru.class, new Codec<>() {
                public void encode(Gru l, LayerEncoder e) {
                    recurrentOptions(l, e);
                    e.activation("activation", l.activation());
                    e.activation("recurrent_activation", l.recurrentActivation());
                    e.put("reset_after", l.resetAfter());
                    e.put("gates", "z|r|h");
                    e.weights(l.panelWeights());
                }
            });
            case "CudnnRecurrent": return entry("CudnnRecurrent", CudnnRecurrent.class, new Codec<>() {
                public void encode(CudnnRecurrent l, LayerEncoder e) {
                    e.put("type_name", l.typeName());
                    e.layer("engine", l.inner());
                    e.weights(l.weights()); // as the file stored them (CuDNN layout), for listing and saving
                }
            });
            case "Bidirectional": return entry("Bidirectional", Bidirectional.class, new Codec<>() {
                public void encode(Bidirectional l, LayerEncoder e) {
                    e.put("merge", l.merge().name());
                    e.layer("forward", l.forwardLayer());
                    e.layer("backward", l.backwardLayer());
                }
            });
            case "TimeDistributed": return entry("TimeDistributed", TimeDistributed.class, new Codec<>() {
                public void encode(TimeDistributed l, LayerEncoder e) { e.layer("inner", l.inner()); }
            });
            case "Embedding": return entry("Embedding", Embedding.class, new Codec<>() {
                public void encode(Embedding l, LayerEncoder e) {
                    e.put("mask_zero", l.maskZero());
                    e.weights(l.weights());
                }
            });
            case "Masking": return entry("Masking", Masking.class, new Codec<>() {
                public void encode(Masking l, LayerEncoder e) { e.putFloat("mask_value", l.maskValue()); }
            });
            case "Flatten": return entry("Flatten", Flatten.class, new Codec<>() {
                public void encode(Flatten l, LayerEncoder e) {}
            });
            case "Identity": return entry("Identity", Identity.class, new Codec<>() {
                public void encode(Identity l, LayerEncoder e) { e.put("type_name", l.typeName()); }
            });
            case "ActivationLayer": return entry("ActivationLayer", ActivationLayer.class, new Codec<>() {
                public void encode(ActivationLayer l, LayerEncoder e) { e.activation("activation", l.activation()); }
            });
            case "RepeatVector": return entry("RepeatVector", RepeatVector.class, new Codec<>() {
                public void encode(RepeatVector l, LayerEncoder e) { e.put("n", l.n()); }
            });
            case "Conv1D": return entry("Conv1D", Conv1D.class, new Codec<>() {
                public void encode(Conv1D l, LayerEncoder e) {
                    e.put("channels", l.channels());
                    e.put("filters", l.filters());
                    e.put("kernel_size", l.kernelSize());
                    e.put("strides", l.stride());
                    e.put("dilation_rate", l.dilation());
                    e.put("padding", l.padding().name());
                    e.put("groups", l.groups());
                    e.put("channels_first", l.channelsFirst());
                    e.activation("activation", l.activation());
                    e.weights(l.weights());
                }
            });
            case "BatchNormalization": return entry("BatchNormalization", BatchNormalization.class, new Codec<>() {
                public void encode(BatchNormalization l, LayerEncoder e) {
                    e.put("rank", l.rank());
                    e.put("axes", l.axes());
                    e.put("epsilon", l.epsilon());
                    e.put("momentum", l.momentum());
                    e.put("param_shape", l.paramShape());
                    e.weights(l.weights());
                }
            });
            case "Reshape": return entry("Reshape", Reshape.class, new Codec<>() {
                public void encode(Reshape l, LayerEncoder e) { e.put("target_shape", l.targetShape()); }
            });
            case "Permute": return entry("Permute", Permute.class, new Codec<>() {
                public void encode(Permute l, LayerEncoder e) { e.put("dims", l.dims()); }
            });
            case "Softmax": return entry("Softmax", Softmax.class, new Codec<>() {
                public void encode(Softmax l, LayerEncoder e) {
                    e.put("axes", l.axes());
                    e.put("keras3_masking", l.keras3Masking());
                }
            });
            case "Concatenate": return entry("Concatenate", Concatenate.class, new Codec<>() {
                public void encode(Concatenate l, LayerEncoder e) {
                    e.put("axis", l.axis());
                    e.put("mask_rule", l.maskRule().name());
                }
            });
            case "Merge": return entry("Merge", Merge.class, new Codec<>() {
                public void encode(Merge l, LayerEncoder e) {
                    e.put("op", l.op().name());
                    e.put("mask_rule", l.maskRule().name());
                }
            });
            case "ElementwiseOp": return entry("ElementwiseOp", ElementwiseOp.class, new Codec<>() {
                public void encode(ElementwiseOp l, LayerEncoder e) {
                    e.put("type_name", l.typeName());
                    e.put("op", l.op().name());
                    if (l.constant() == null) e.putNull("constant");
                    else e.putFloat("constant", l.constant());
                    e.put("constant_first", l.constantFirst());
                }
            });
            case "ShapeOp": return entry("ShapeOp", ShapeOp.class, new Codec<>() {
                public void encode(ShapeOp l, LayerEncoder e) {
                    e.put("type_name", l.typeName());
                    e.put("op", l.op().name());
                    if (l.axes() == null) e.putNull("axes");
                    else e.put("axes", l.axes());
                    e.put("keep_dims", l.keepDims());
                }
            });
            default: return null;
            }
        }
    }


    /** Whether {@code type} is a layer type this reader knows. */
    static boolean known(String type) { return TYPES.contains(type); }

    /** Every type string this reader knows, in registration order. */
    static List<String> types() { return TYPES; }

    private static RecurrentOptions recurrentOptions(LayerDecoder d) {
        return new RecurrentOptions(d.bool("return_sequences"), d.bool("return_state"), d.bool("go_backwards"),
                d.bool("stateful"), d.bool("zero_output_for_mask"));
    }

    private static float[] values(Weight w) { return w == null ? null : w.values(); }

    /**
     * Rebuilds a layer of a known {@code type} from its header entry. A switch over static methods
     * rather than a method of each codec: reading a file then loads no codec class, each of which a
     * fresh JVM would load and verify (the encoders are used only when writing).
     */
    static Layer decode(String type, LayerDecoder d) {
        switch (type) {
        case "InputLayer": return decodeInputLayer(d);
        case "Dense": return decodeDense(d);
        case "SimpleRnn": return decodeSimpleRnn(d);
        case "Lstm": return decodeLstm(d);
        case "Gru": return decodeGru(d);
        case "CudnnRecurrent": return decodeCudnnRecurrent(d);
        case "Bidirectional": return decodeBidirectional(d);
        case "TimeDistributed": return decodeTimeDistributed(d);
        case "Embedding": return decodeEmbedding(d);
        case "Masking": return decodeMasking(d);
        case "Flatten": return decodeFlatten(d);
        case "Identity": return decodeIdentity(d);
        case "ActivationLayer": return decodeActivationLayer(d);
        case "RepeatVector": return decodeRepeatVector(d);
        case "Conv1D": return decodeConv1D(d);
        case "BatchNormalization": return decodeBatchNormalization(d);
        case "Reshape": return decodeReshape(d);
        case "Permute": return decodePermute(d);
        case "Softmax": return decodeSoftmax(d);
        case "Concatenate": return decodeConcatenate(d);
        case "Merge": return decodeMerge(d);
        case "ElementwiseOp": return decodeElementwiseOp(d);
        case "ShapeOp": return decodeShapeOp(d);
        default: throw new IllegalArgumentException("no decoder for layer type " + type);
        }
    }

    private static Layer decodeInputLayer(LayerDecoder d) {
        return new InputLayer(d.name(), d.ints("shape"), d.integer("batch_size"), d.bool("integer"));
    }

    private static Layer decodeDense(LayerDecoder d) {
        Weight k = d.weight("kernel", 2);
        int units = d.integer("units");
        d.expectShape(k, k.shape()[0], units);
        Weight b = d.optionalWeight("bias");
        if (b != null) d.expectShape(b, units);
        d.expectNoOtherWeights("kernel", "bias");
        return new Dense(d.name(), k.shape()[0], units, d.activation("activation"), k.values(), values(b));
    }

    private static Layer decodeSimpleRnn(LayerDecoder d) {
        int u = d.integer("units"), in = d.integer("input_size");
        Weight[] w = recurrentWeights(d, u, in, 1, 1);
        if (d.panelLayout()) {
            return SimpleRnn.fromPanel(d.name(), u, in, d.activation("activation"), w[0].values(), w[1].values(), values(w[2]), recurrentOptions(d));
        }
        return new SimpleRnn(d.name(), u, in, d.activation("activation"), w[0].values(), w[1].values(), values(w[2]), recurrentOptions(d));
    }

    private static Layer decodeLstm(LayerDecoder d) {
        int u = d.integer("units"), in = d.integer("input_size");
        Weight[] w = recurrentWeights(d, u, in, 4, 1);
        if (d.panelLayout()) {
            return Lstm.fromPanel(d.name(), u, in, d.activation("activation"), d.activation("recurrent_activation"),
                    w[0].values(), w[1].values(), values(w[2]), recurrentOptions(d));
        }
        return new Lstm(d.name(), u, in, d.activation("activation"), d.activation("recurrent_activation"),
                w[0].values(), w[1].values(), values(w[2]), recurrentOptions(d));
    }

    private static Layer decodeGru(LayerDecoder d) {
        int u = d.integer("units"), in = d.integer("input_size");
        boolean ra = d.bool("reset_after");
        Weight[] w = recurrentWeights(d, u, in, 3, ra ? 2 : 1);
        if (d.panelLayout()) {
            return Gru.fromPanel(d.name(), u, in, d.activation("activation"), d.activation("recurrent_activation"), ra,
                    w[0].values(), w[1].values(), values(w[2]), recurrentOptions(d));
        }
        return new Gru(d.name(), u, in, d.activation("activation"), d.activation("recurrent_activation"), ra,
                w[0].values(), w[1].values(), values(w[2]), recurrentOptions(d));
    }

    /**
     * A recurrent layer's {@code kernel}, {@code recurrent_kernel} and optional {@code bias} (null
     * when absent), their shapes checked against its config: {@code gates} gates of {@code units}
     * units (see {@link LayerDecoder#gateColumns}), a bias of {@code biasRows} rows (1: a vector).
     */
    private static Weight[] recurrentWeights(LayerDecoder d, int units, int inputSize, int gates, int biasRows) {
        int cols = d.gateColumns(units, gates);
        Weight k = d.weight("kernel", 2), r = d.weight("recurrent_kernel", 2), b = d.optionalWeight("bias");
        d.expectShape(k, inputSize, cols);
        d.expectShape(r, units, cols);
        if (b != null) {
            if (biasRows == 1) d.expectShape(b, cols);
            else d.expectShape(b, biasRows, cols);
        }
        d.expectNoOtherWeights("kernel", "recurrent_kernel", "bias");
        return new Weight[]{k, r, b};
    }

    private static Layer decodeCudnnRecurrent(LayerDecoder d) {
        Layer inner = d.layer("engine");
        if (!(inner instanceof Recurrent r) || inner instanceof CudnnRecurrent) {
            throw d.error("'engine' must be a SimpleRnn, Lstm or Gru layer, got " + inner.getClass().getSimpleName());
        }
        if (!r.name().equals(d.name())) throw d.error("'engine' layer is named '" + r.name() + "', expected '" + d.name() + "'");
        return new CudnnRecurrent(d.string("type_name"), r, d.weights("kernel", "recurrent_kernel", "bias"));
    }

    private static Layer decodeBidirectional(LayerDecoder d) {
        d.expectNoOtherWeights();
        return new Bidirectional(d.name(), d.recurrent("forward"), d.recurrent("backward"),
                d.enumValue("merge", Bidirectional.Merge.values()));
    }

    private static Layer decodeTimeDistributed(LayerDecoder d) {
        d.expectNoOtherWeights();
        return new TimeDistributed(d.name(), d.layer("inner"));
    }

    private static Layer decodeEmbedding(LayerDecoder d) {
        Weight w = d.weight("embeddings", 2);
        d.expectNoOtherWeights("embeddings");
        return new Embedding(d.name(), w.shape()[0], w.shape()[1], d.bool("mask_zero"), w.values());
    }

    private static Layer decodeMasking(LayerDecoder d) { return new Masking(d.name(), d.floatValue("mask_value")); }

    private static Layer decodeFlatten(LayerDecoder d) { return new Flatten(d.name()); }

    private static Layer decodeIdentity(LayerDecoder d) { return new Identity(d.name(), d.string("type_name")); }

    private static Layer decodeActivationLayer(LayerDecoder d) { return new ActivationLayer(d.name(), d.activation("activation")); }

    private static Layer decodeRepeatVector(LayerDecoder d) { return new RepeatVector(d.name(), d.integer("n")); }

    private static Layer decodeConv1D(LayerDecoder d) {
        int ch = d.integer("channels"), f = d.integer("filters"), ks = d.integer("kernel_size"), g = d.integer("groups");
        Weight k = d.weight("kernel", 3), b = d.optionalWeight("bias");
        if (g <= 0 || ch % g != 0) throw d.error("groups " + g + " does not divide channels " + ch);
        d.expectShape(k, ks, ch / g, f);
        if (b != null) d.expectShape(b, f);
        d.expectNoOtherWeights("kernel", "bias");
        return new Conv1D(d.name(), ch, f, ks, d.integer("strides"), d.integer("dilation_rate"),
                d.enumValue("padding", Conv1D.Padding.values()), g, d.bool("channels_first"), d.activation("activation"),
                k.values(), values(b));
    }

    private static Layer decodeBatchNormalization(LayerDecoder d) {
        int[] ps = d.ints("param_shape");
        Weight gamma = d.optionalWeight("gamma"), beta = d.optionalWeight("beta");
        Weight mean = d.optionalWeight("moving_mean"), var = d.optionalWeight("moving_variance");
        // Keras 2 renormalisation statistics (renorm_mean, renorm_stddev, ...), listed only
        List<Weight> extra = d.weightsStartingWith("renorm_");
        if (mean == null || var == null) throw d.error("needs weights 'moving_mean' and 'moving_variance'");
        for (Weight w : new Weight[]{gamma, beta, mean, var}) if (w != null) d.expectShape(w, ps);
        return new BatchNormalization(d.name(), d.integer("rank"), d.ints("axes"), ps, d.doubleValue("epsilon"),
                d.doubleValue("momentum"), values(gamma), values(beta), mean.values(), var.values(), extra);
    }

    private static Layer decodeReshape(LayerDecoder d) { return new Reshape(d.name(), d.ints("target_shape")); }

    private static Layer decodePermute(LayerDecoder d) { return new Permute(d.name(), d.ints("dims")); }

    private static Layer decodeSoftmax(LayerDecoder d) { return new Softmax(d.name(), d.ints("axes"), d.bool("keras3_masking")); }

    private static Layer decodeConcatenate(LayerDecoder d) {
        return new Concatenate(d.name(), d.integer("axis"), d.enumValue("mask_rule", Concatenate.MaskRule.values()));
    }

    private static Layer decodeMerge(LayerDecoder d) {
        return new Merge(d.name(), d.enumValue("op", Merge.Op.values()), d.enumValue("mask_rule", Merge.MaskRule.values()));
    }

    private static Layer decodeElementwiseOp(LayerDecoder d) {
        Float c = d.isNull("constant") ? null : d.floatValue("constant");
        return new ElementwiseOp(d.name(), d.string("type_name"), d.enumValue("op", ElementwiseOp.Op.values()), c, d.bool("constant_first"));
    }

    private static Layer decodeShapeOp(LayerDecoder d) {
        int[] axes = d.isNull("axes") ? null : d.ints("axes");
        return new ShapeOp(d.name(), d.string("type_name"), d.enumValue("op", ShapeOp.Op.values()), axes, d.bool("keep_dims"));
    }
}

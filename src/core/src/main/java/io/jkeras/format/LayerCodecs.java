package io.jkeras.format;

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

import java.util.List;
import java.util.function.Consumer;

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
 * original did. Writing is a {@link Layer.Visitor} ({@link Encoders}): a layer class without an
 * encoder does not compile. Reading is by type string, which the compiler cannot check: the one
 * table is {@code TYPES} with the {@link #decode} switch below it, and {@code EveryLayerClassTest}
 * fails for a permitted layer class whose type string is not in it or does not round-trip.
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
     * The writing side: a visitor giving each layer class its type string and the encoder of its
     * configuration and weights, so that a layer class without one does not compile. A nested
     * class, so that reading a file, which only decodes, does not load it or any encoder.
     */
    static final class Encoders implements Layer.Visitor<Encoders.Encoding> {
        static final Encoders INSTANCE = new Encoders();

        /** A layer's type string and how its configuration and weights are written. */
        record Encoding(String type, Consumer<LayerEncoder> body) {}

        private Encoders() {}

        /** The type string and encoder of {@code l}; {@link LayerCodecs#decode} rebuilds the layer. */
        static Encoding forLayer(Layer l) { return l.accept(INSTANCE); }

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

        @Override
        public Encoding visit(InputLayer l) {
            return new Encoding("InputLayer", e -> {
                e.put("shape", l.shape());
                e.put("batch_size", l.batchSize());
                e.put("integer", l.integer());
            });
        }

        @Override
        public Encoding visit(Dense l) {
            return new Encoding("Dense", e -> {
                e.put("units", l.units());
                e.activation("activation", l.activation());
                e.weights(l.weights());
            });
        }

        @Override
        public Encoding visit(SimpleRnn l) {
            return new Encoding("SimpleRnn", e -> {
                recurrentOptions(l, e);
                e.activation("activation", l.activation());
                e.put("gates", "h");
                e.weights(l.panelWeights());
            });
        }

        @Override
        public Encoding visit(Lstm l) {
            return new Encoding("Lstm", e -> {
                recurrentOptions(l, e);
                e.activation("activation", l.activation());
                e.activation("recurrent_activation", l.recurrentActivation());
                e.put("gates", "i|f|c|o");
                e.weights(l.panelWeights());
            });
        }

        @Override
        public Encoding visit(Gru l) {
            return new Encoding("Gru", e -> {
                recurrentOptions(l, e);
                e.activation("activation", l.activation());
                e.activation("recurrent_activation", l.recurrentActivation());
                e.put("reset_after", l.resetAfter());
                e.put("gates", "z|r|h");
                e.weights(l.panelWeights());
            });
        }

        @Override
        public Encoding visit(CudnnRecurrent l) {
            return new Encoding("CudnnRecurrent", e -> {
                e.put("type_name", l.typeName());
                e.layer("engine", l.inner());
                e.weights(l.weights()); // as the file stored them (CuDNN layout), for listing and saving
            });
        }

        @Override
        public Encoding visit(Bidirectional l) {
            return new Encoding("Bidirectional", e -> {
                e.put("merge", l.merge().name());
                e.layer("forward", l.forwardLayer());
                e.layer("backward", l.backwardLayer());
            });
        }

        @Override
        public Encoding visit(TimeDistributed l) {
            return new Encoding("TimeDistributed", e -> { e.layer("inner", l.inner()); });
        }

        @Override
        public Encoding visit(Embedding l) {
            return new Encoding("Embedding", e -> {
                e.put("mask_zero", l.maskZero());
                e.weights(l.weights());
            });
        }

        @Override
        public Encoding visit(Masking l) {
            return new Encoding("Masking", e -> { e.putFloat("mask_value", l.maskValue()); });
        }

        @Override public Encoding visit(Flatten l) { return new Encoding("Flatten", e -> {}); }

        @Override
        public Encoding visit(Identity l) {
            return new Encoding("Identity", e -> { e.put("type_name", l.typeName()); });
        }

        @Override
        public Encoding visit(ActivationLayer l) {
            return new Encoding("ActivationLayer", e -> { e.activation("activation", l.activation()); });
        }

        @Override
        public Encoding visit(RepeatVector l) {
            return new Encoding("RepeatVector", e -> { e.put("n", l.n()); });
        }

        @Override
        public Encoding visit(Conv1D l) {
            return new Encoding("Conv1D", e -> {
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
            });
        }

        @Override
        public Encoding visit(BatchNormalization l) {
            return new Encoding("BatchNormalization", e -> {
                e.put("rank", l.rank());
                e.put("axes", l.axes());
                e.put("epsilon", l.epsilon());
                e.put("momentum", l.momentum());
                e.put("param_shape", l.paramShape());
                e.weights(l.weights());
            });
        }

        @Override
        public Encoding visit(Reshape l) {
            return new Encoding("Reshape", e -> { e.put("target_shape", l.targetShape()); });
        }

        @Override
        public Encoding visit(Permute l) {
            return new Encoding("Permute", e -> { e.put("dims", l.dims()); });
        }

        @Override
        public Encoding visit(Softmax l) {
            return new Encoding("Softmax", e -> {
                e.put("axes", l.axes());
                e.put("keras3_masking", l.keras3Masking());
            });
        }

        @Override
        public Encoding visit(Concatenate l) {
            return new Encoding("Concatenate", e -> {
                e.put("axis", l.axis());
                e.put("mask_rule", l.maskRule().name());
            });
        }

        @Override
        public Encoding visit(Merge l) {
            return new Encoding("Merge", e -> {
                e.put("op", l.op().name());
                e.put("mask_rule", l.maskRule().name());
            });
        }

        @Override
        public Encoding visit(ElementwiseOp l) {
            return new Encoding("ElementwiseOp", e -> {
                e.put("type_name", l.typeName());
                e.put("op", l.op().name());
                if (l.constant() == null) e.putNull("constant");
                else e.putFloat("constant", l.constant());
                e.put("constant_first", l.constantFirst());
            });
        }

        @Override
        public Encoding visit(ShapeOp l) {
            return new Encoding("ShapeOp", e -> {
                e.put("type_name", l.typeName());
                e.put("op", l.op().name());
                if (l.axes() == null) e.putNull("axes");
                else e.put("axes", l.axes());
                e.put("keep_dims", l.keepDims());
            });
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
            return SimpleRnn.fromPanel(d.name(), u, in, d.activation("activation"), w[0].values(), w[1].values(),
                    values(w[2]), recurrentOptions(d));
        }
        return new SimpleRnn(d.name(), u, in, d.activation("activation"), w[0].values(), w[1].values(), values(w[2]),
                recurrentOptions(d));
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
        if (!r.name().equals(d.name())) throw d.error("'engine' layer is named '" + r.name() + "', expected '"
                + d.name() + "'");
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

    private static Layer decodeActivationLayer(
            LayerDecoder d) { return new ActivationLayer(d.name(), d.activation("activation")); }

    private static Layer decodeRepeatVector(LayerDecoder d) { return new RepeatVector(d.name(), d.integer("n")); }

    private static Layer decodeConv1D(LayerDecoder d) {
        int ch = d.integer("channels"), f = d.integer("filters"), ks = d.integer("kernel_size"),
                g = d.integer("groups");
        Weight k = d.weight("kernel", 3), b = d.optionalWeight("bias");
        if (g <= 0 || ch % g != 0) throw d.error("groups " + g + " does not divide channels " + ch);
        d.expectShape(k, ks, ch / g, f);
        if (b != null) d.expectShape(b, f);
        d.expectNoOtherWeights("kernel", "bias");
        return new Conv1D(d.name(), ch, f, ks, d.integer("strides"), d.integer("dilation_rate"),
                d.enumValue("padding", Conv1D.Padding.values()), g, d.bool("channels_first"),
                        d.activation("activation"),
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

    private static Layer decodeSoftmax(
            LayerDecoder d) { return new Softmax(d.name(), d.ints("axes"), d.bool("keras3_masking")); }

    private static Layer decodeConcatenate(LayerDecoder d) {
        return new Concatenate(d.name(), d.integer("axis"), d.enumValue("mask_rule", Concatenate.MaskRule.values()));
    }

    private static Layer decodeMerge(LayerDecoder d) {
        return new Merge(d.name(), d.enumValue("op", Merge.Op.values()),
                d.enumValue("mask_rule", Merge.MaskRule.values()));
    }

    private static Layer decodeElementwiseOp(LayerDecoder d) {
        Float c = d.isNull("constant") ? null : d.floatValue("constant");
        return new ElementwiseOp(d.name(), d.string("type_name"), d.enumValue("op", ElementwiseOp.Op.values()), c,
                d.bool("constant_first"));
    }

    private static Layer decodeShapeOp(LayerDecoder d) {
        int[] axes = d.isNull("axes") ? null : d.ints("axes");
        return new ShapeOp(d.name(), d.string("type_name"), d.enumValue("op", ShapeOp.Op.values()), axes,
                d.bool("keep_dims"));
    }
}

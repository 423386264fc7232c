package io.jkeras.keras;

import io.jkeras.exceptions.UnsupportedModelException;

import java.util.Map;
import java.util.TreeMap;

/** The one table from Keras class names to mappers. */
public final class LayerRegistry {
    private static final Map<String, LayerMapper> MAPPERS = new TreeMap<>();

    static {
        MAPPERS.put("InputLayer", CoreMappers::input);
        MAPPERS.put("SimpleRNN", RecurrentMappers::simpleRnn);
        MAPPERS.put("LSTM", RecurrentMappers::lstm);
        MAPPERS.put("GRU", GruMappers::gru);
        MAPPERS.put("CuDNNGRU", CudnnMappers::cudnnGru);
        MAPPERS.put("CuDNNLSTM", CudnnMappers::cudnnLstm);
        MAPPERS.put("Dense", CoreMappers::dense);
        MAPPERS.put("TimeDistributed", CoreMappers::timeDistributed);
        MAPPERS.put("Flatten", CoreMappers::flatten);
        MAPPERS.put("Activation", CoreMappers::activation);
        MAPPERS.put("RepeatVector", CoreMappers::repeatVector);
        MAPPERS.put("Bidirectional", BidirectionalMapper::map);
        MAPPERS.put("Embedding", CoreMappers::embedding);
        MAPPERS.put("TimeDistributedDense", CoreMappers::dense);
        MAPPERS.put("Masking", CoreMappers::masking);
        GraphOpMappers.register(MAPPERS);
        // convolution, normalisation, shape and merge layers (OpsMappers)
        MAPPERS.put("Conv1D", OpsMappers::conv1d);
        MAPPERS.put("Convolution1D", OpsMappers::conv1d);
        MAPPERS.put("AtrousConvolution1D", OpsMappers::conv1d);
        MAPPERS.put("BatchNormalization", OpsMappers::batchNormalization);
        MAPPERS.put("Reshape", OpsMappers::reshape);
        MAPPERS.put("Permute", OpsMappers::permute);
        MAPPERS.put("Softmax", OpsMappers::softmax);
        MAPPERS.put("Concatenate", OpsMappers::concatenate);
        MAPPERS.put("Add", OpsMappers::add);
        MAPPERS.put("Subtract", OpsMappers::subtract);
        MAPPERS.put("Multiply", OpsMappers::multiply);
        MAPPERS.put("Average", OpsMappers::average);
        MAPPERS.put("Maximum", OpsMappers::maximum);
        MAPPERS.put("Minimum", OpsMappers::minimum);
        // identity at inference: they only act while training
        MAPPERS.put("Dropout", CoreMappers::identity);
        MAPPERS.put("SpatialDropout1D", CoreMappers::identity);
        MAPPERS.put("GaussianNoise", CoreMappers::identity);
        MAPPERS.put("GaussianDropout", CoreMappers::identity);
        MAPPERS.put("AlphaDropout", CoreMappers::identity);
        MAPPERS.put("ActivityRegularization", CoreMappers::identity);
    }

    private LayerRegistry() {}

    public static java.util.Set<String> supported() { return java.util.Collections.unmodifiableSet(MAPPERS.keySet()); }

    static LayerMapper mapper(LayerSpec spec, MapContext ctx) {
        LayerMapper m = MAPPERS.get(spec.className());
        if (m != null) return m;
        if ("Lambda".equals(spec.className())) {
            throw new UnsupportedModelException(ctx.file(), spec.name(), null,
                    "Lambda layers hold Python code; jkeras never runs code from a model file");
        }
        throw new UnsupportedModelException(ctx.file(), spec.name(), null, "layer class '" + spec.className()
                + "' is not supported; supported: " + String.join(", ", MAPPERS.keySet()));
    }
}

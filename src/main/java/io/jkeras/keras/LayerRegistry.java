package io.jkeras.keras;

import io.jkeras.UnsupportedModelException;

import java.util.Map;
import java.util.TreeMap;

/** The one table from Keras class names to mappers. */
public final class LayerRegistry {
    private static final Map<String, LayerMapper> MAPPERS = new TreeMap<>();

    static {
        MAPPERS.put("InputLayer", CoreMappers::input);
        MAPPERS.put("SimpleRNN", RecurrentMappers::simpleRnn);
        MAPPERS.put("LSTM", RecurrentMappers::lstm);
        MAPPERS.put("Dense", CoreMappers::dense);
        MAPPERS.put("TimeDistributed", CoreMappers::timeDistributed);
        MAPPERS.put("Flatten", CoreMappers::flatten);
        MAPPERS.put("Activation", CoreMappers::activation);
        MAPPERS.put("RepeatVector", CoreMappers::repeatVector);
        MAPPERS.put("Bidirectional", BidirectionalMapper::map);
        MAPPERS.put("Embedding", CoreMappers::embedding);
        MAPPERS.put("TimeDistributedDense", CoreMappers::dense);
        MAPPERS.put("Masking", CoreMappers::masking);
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

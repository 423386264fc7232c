package io.jkeras.keras;

import io.jkeras.exceptions.UnsupportedModelException;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * The one table from Keras class names to mappers, built from the mapper groups ({@code CoreMappers},
 * {@code RecurrentMappers}, {@code OpsMappers}, …), each of which registers its own names.
 */
public final class LayerRegistry {
    private static final Map<String, LayerMapper> MAPPERS = new TreeMap<>();

    static {
        // each mapper group registers its own Keras class names: a new Keras layer touches its group only
        List<Consumer<Map<String, LayerMapper>>> groups = List.of(CoreMappers::register, RecurrentMappers::register,
                GruMappers::register, CudnnMappers::register, BidirectionalMapper::register, OpsMappers::register,
                GraphOpMappers::register, NormAttentionMappers::register, ConvMappers::register,
                PoolingMappers::register, ConvLstmMappers::register);
        for (Consumer<Map<String, LayerMapper>> g : groups) {
            Map<String, LayerMapper> m = new TreeMap<>();
            g.accept(m);
            for (Map.Entry<String, LayerMapper> e : m.entrySet()) {
                if (MAPPERS.putIfAbsent(e.getKey(), e.getValue()) != null) {
                    throw new IllegalStateException("Keras class " + e.getKey()
                            + " is registered by two mapper groups");
                }
            }
        }
    }

    private LayerRegistry() {}

    /** The Keras classes jkeras maps: every mapper's, and the models it inlines when they are used as layers. */
    public static java.util.Set<String> supported() {
        java.util.Set<String> s = new java.util.TreeSet<>(MAPPERS.keySet());
        s.addAll(NestedModels.MODELS);
        return java.util.Collections.unmodifiableSet(s);
    }

    static LayerMapper mapper(LayerSpec spec, MapContext ctx) {
        LayerMapper m = MAPPERS.get(spec.className());
        if (m != null) return m;
        if ("Lambda".equals(spec.className())) {
            throw new UnsupportedModelException(ctx.file(), spec.name(), null,
                    "Lambda layers hold Python code; jkeras never runs code from a model file. To replace it,"
                    + " rewrite the lambda in Python as a Layer subclass decorated with"
                    + " @keras.saving.register_keras_serializable(package=\"my_package\"), save the model again,"
                    + " and implement 'my_package>MyLayer' in Java as an io.jkeras.layers.CustomLayerFactory"
                    + " (docs/architecture.md, \"Custom layers\")");
        }
        LayerMapper custom = CustomLayerMapper.forSpec(spec, ctx);
        if (custom != null) return custom;
        throw new UnsupportedModelException(ctx.file(), spec.name(), null, "layer class '" + spec.className()
                + "' is not supported; supported: " + String.join(", ", MAPPERS.keySet())
                + CustomLayerMapper.hint(spec));
    }
}

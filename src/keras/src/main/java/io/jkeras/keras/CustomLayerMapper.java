package io.jkeras.keras;

import com.fasterxml.jackson.databind.JsonNode;
import io.jkeras.layers.CustomLayer;
import io.jkeras.layers.CustomLayerConfig;
import io.jkeras.layers.CustomLayerFactory;
import io.jkeras.layers.Weight;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Maps a layer of a class no mapper group knows onto a {@link CustomLayer} when a
 * {@link CustomLayerFactory} implements it (registered on the load options or found by
 * {@link java.util.ServiceLoader}). The factory gets the Keras config as plain Java values (no
 * Jackson types) and the weights in the file's order.
 */
final class CustomLayerMapper {
    /**
     * Where {@link ConfigParser} keeps a layer's registered name ({@code package>Class}: Keras 3 writes it as
     * {@code registered_name}, older files as the class name) in the normalized config.
     */
    static final String REGISTERED_NAME = "jkeras.registered_name";

    private CustomLayerMapper() {}

    /** The mapper for {@code spec} when a factory implements its class, else null. */
    static LayerMapper forSpec(LayerSpec spec, MapContext ctx) {
        String cls = kerasClass(spec);
        CustomLayerFactory f = CustomLayer.find(cls, ctx.options().customLayers());
        if (f == null) return null;
        return (s, weights, inputShapes, c) -> {
            Map<String, Object> config = new LinkedHashMap<>();
            s.config().fields().forEachRemaining(e -> {
                if (!REGISTERED_NAME.equals(e.getKey())) config.put(e.getKey(), plain(e.getValue()));
            });
            List<Weight> ws = new ArrayList<>();
            for (WeightArray w : weights) ws.add(new Weight(w.name(), w.shape(), w.data()));
            return new CustomLayer(new CustomLayerConfig(cls, s.name(), config, ws), f);
        };
    }

    /** The registered name ({@code package>Class}) when the file gives one, else the class name. */
    static String kerasClass(LayerSpec spec) {
        String r = ConfigParser.text(spec.config(), REGISTERED_NAME, null);
        return r != null ? r : spec.className();
    }

    /**
     * For the refusal of an unknown class: how to supply it. A registered class is a custom one; an unregistered
     * name may be one too (tf.keras 2 saved custom classes under their bare class name, registered or not).
     */
    static String hint(LayerSpec spec) {
        String cls = kerasClass(spec);
        String how = " implement it in Java as an io.jkeras.layers.CustomLayerFactory (docs/architecture.md,"
                + " \"Custom layers\")";
        return cls.contains(">") ? "; '" + cls + "' is a custom class registered in Python:" + how
                : "; if '" + cls + "' is a custom Python class," + how;
    }

    /** A config value as plain Java values: Map, List, String, Integer/Long, Double, Boolean, null. */
    static Object plain(JsonNode n) {
        if (n == null || n.isNull() || n.isMissingNode()) return null;
        if (n.isObject()) {
            Map<String, Object> m = new LinkedHashMap<>();
            n.fields().forEachRemaining(e -> m.put(e.getKey(), plain(e.getValue())));
            return m;
        }
        if (n.isArray()) {
            List<Object> l = new ArrayList<>();
            n.forEach(x -> l.add(plain(x)));
            return l;
        }
        if (n.isTextual()) return n.asText();
        if (n.isBoolean()) return n.asBoolean();
        if (n.isIntegralNumber()) return n.canConvertToInt() ? (Object) n.intValue() : (Object) n.longValue();
        if (n.isNumber()) return n.doubleValue();
        return n.asText();
    }
}

package io.jkeras.layers;

import io.jkeras.exceptions.JKerasException;
import io.jkeras.exceptions.ModelFormatException;
import io.jkeras.exceptions.UnsupportedModelException;
import io.jkeras.tensor.Tensor;
import io.jkeras.util.Json;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;

/**
 * A custom Keras layer computed by the user's {@link CustomLayerFactory}: the one class of the sealed
 * hierarchy for every such layer. It keeps the layer's {@link CustomLayerConfig} (Keras class, config,
 * weights), so the native format stores them and finds the implementation again when it reads the file
 * (through {@link ServiceLoader}: a {@code .jkm} reader has no factories of its own), and
 * {@link #withWeights} builds the computation again with the new weights. FLOPs are not known (0).
 */
public final class CustomLayer implements Layer {
    @Override public <R> R accept(Visitor<R> v) { return v.visit(this); }

    private final CustomLayerConfig config;
    private final CustomLayerFactory factory;
    private final CustomLayerFactory.Computation computation;

    /** Builds the computation of {@code config} with {@code factory}; the factory's errors name the layer. */
    public CustomLayer(CustomLayerConfig config, CustomLayerFactory factory) {
        this.config = config;
        this.factory = factory;
        CustomLayerFactory.Computation c;
        try {
            c = factory.create(config);
        } catch (JKerasException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new UnsupportedModelException(null, config.layerName(), null, "the implementation of custom layer "
                    + config.kerasClass() + " (" + factory.getClass().getName() + ") refused its config: " + e, e);
        }
        if (c == null) {
            throw new IllegalStateException(factory.getClass().getName() + ".create returned null for "
                    + config.layerName());
        }
        this.computation = c;
    }

    /**
     * The factory for Keras class {@code kerasClass} (registered name or class): among {@code registered} first,
     * then among those {@link ServiceLoader} finds; in each, an exact registered name before a bare class name.
     * Null if none.
     */
    public static CustomLayerFactory find(String kerasClass, List<CustomLayerFactory> registered) {
        CustomLayerFactory f = match(kerasClass, registered);
        if (f != null) return f;
        List<CustomLayerFactory> found = new ArrayList<>();
        for (CustomLayerFactory s : ServiceLoader.load(CustomLayerFactory.class)) found.add(s);
        return match(kerasClass, found);
    }

    private static CustomLayerFactory match(String kerasClass, List<CustomLayerFactory> factories) {
        String bare = kerasClass.substring(kerasClass.lastIndexOf('>') + 1);
        for (CustomLayerFactory f : factories) if (f.kerasClasses().contains(kerasClass)) return f;
        for (CustomLayerFactory f : factories) if (f.kerasClasses().contains(bare)) return f;
        return null;
    }

    public CustomLayerConfig config() { return config; }

    @Override public String name() { return config.layerName(); }

    /** The Keras class name without its package, as Keras' summary shows it. */
    @Override public String typeName() { return config.className(); }

    @Override
    public int[][] outputShapes(int[][] inputShapes) {
        int[][] copy = new int[inputShapes.length][];
        for (int i = 0; i < copy.length; i++) copy[i] = inputShapes[i].clone();
        int[][] out = computation.outputShapes(copy);
        if (out == null || out.length == 0) {
            throw new IllegalStateException("custom layer " + name() + ": outputShapes gave no shape");
        }
        int[][] checked = new int[out.length][];
        for (int i = 0; i < out.length; i++) {
            checked[i] = out[i].clone();
            for (int d : checked[i]) {
                if (d < -1) throw new IllegalStateException("custom layer " + name() + ": output shape holds " + d);
            }
        }
        return checked;
    }

    @Override
    public Tensor[] forward(Tensor[] inputs, float[][] state) {
        Tensor[] out = computation.forward(inputs.clone());
        if (out == null || out.length == 0) {
            throw new IllegalStateException("custom layer " + name() + ": forward gave no tensor");
        }
        return out;
    }

    /** Whether the implementation gives input gradients ({@link CustomLayerFactory.Differentiable}). */
    public boolean differentiable() { return computation instanceof CustomLayerFactory.Differentiable; }

    /**
     * The gradient of each input from the gradient of each output ({@link CustomLayerFactory.Differentiable});
     * checked to have the inputs' shapes.
     */
    public Tensor[] backward(Tensor[] inputs, Tensor[] outputGradients) {
        if (!differentiable()) {
            throw new UnsupportedModelException(null, name(), null, "custom layer " + config.kerasClass()
                    + " has no backward pass (its CustomLayerFactory computation is not Differentiable)");
        }
        Tensor[] g = ((CustomLayerFactory.Differentiable) computation).backward(inputs.clone(),
                outputGradients.clone());
        if (g == null || g.length != inputs.length) {
            throw new IllegalStateException("custom layer " + name() + ": backward gave "
                    + (g == null ? "null" : g.length + " tensors") + " for " + inputs.length + " inputs");
        }
        for (int i = 0; i < g.length; i++) {
            if (g[i] == null || !java.util.Arrays.equals(g[i].shape(), inputs[i].shape())) {
                throw new IllegalStateException("custom layer " + name() + ": backward's gradient " + i + " has shape "
                        + (g[i] == null ? "null" : Tensor.shapeString(g[i].shape())) + ", its input "
                        + Tensor.shapeString(inputs[i].shape()));
            }
        }
        return g;
    }

    @Override
    public List<Weight> weights() {
        List<Weight> out = new ArrayList<>();
        for (Weight w : config.weights()) out.add(new Weight(w.name(), w.shape().clone(), w.values().clone()));
        return out;
    }

    /** The Keras class, the config as JSON and the weights; {@link #decode} finds the factory again. */
    @Override
    public void encode(LayerEncoder e) {
        e.put("keras_class", config.kerasClass());
        e.put("config", new String(Json.ofPlain(config.config()).toBytes(), StandardCharsets.UTF_8));
        e.weights(config.weights());
    }

    static Layer decode(LayerDecoder d) {
        String cls = d.string("keras_class");
        Json json;
        try {
            json = Json.parse(d.string("config").getBytes(StandardCharsets.UTF_8));
        } catch (Json.Syntax s) {
            throw d.error("the custom layer's config is not JSON: " + s.reason());
        }
        if (!json.isObject()) throw d.error("the custom layer's config is not a JSON object");
        @SuppressWarnings("unchecked")
        Map<String, Object> config = (Map<String, Object>) plain(json);
        CustomLayerFactory f = find(cls, List.of());
        if (f == null) {
            throw new UnsupportedModelException(null, d.name(), null, "custom layer class " + cls
                    + " has no implementation: list a CustomLayerFactory for it in"
                    + " META-INF/services/io.jkeras.layers.CustomLayerFactory"
                    + " (docs/architecture.md, \"Custom layers\")");
        }
        return new CustomLayer(new CustomLayerConfig(cls, d.name(), config, d.weightsStartingWith("")), f);
    }

    /** A JSON tree as the plain values of {@link CustomLayerConfig#config()}. */
    static Object plain(Json j) {
        if (j.isObject()) {
            Map<String, Object> m = new LinkedHashMap<>();
            for (Map.Entry<String, Json> e : j.fields()) m.put(e.getKey(), plain(e.getValue()));
            return m;
        }
        if (j.isArray()) {
            List<Object> l = new ArrayList<>();
            for (Json x : j) l.add(plain(x));
            return l;
        }
        if (j.isTextual()) return j.asText();
        if (j.isBoolean()) return j.booleanValue();
        if (j.isIntegralNumber()) return j.canConvertToInt() ? (Object) j.intValue() : (Object) j.longValue();
        if (j.isNumber()) return j.doubleValue();
        return null;
    }

    @Override public long flops(int[][] in, int[][] out) { return 0; }

    @Override public int vocabulary() { return 0; }

    @Override
    public Layer withWeights(List<float[]> values) {
        List<Weight> ws = new ArrayList<>();
        for (int i = 0; i < config.weights().size(); i++) {
            Weight w = config.weights().get(i);
            if (values.get(i).length != w.values().length) {
                throw new ModelFormatException(null, name(), w.name(), "new values hold " + values.get(i).length
                        + " floats; the weight has " + w.values().length);
            }
            ws.add(new Weight(w.name(), w.shape(), values.get(i).clone()));
        }
        return new CustomLayer(new CustomLayerConfig(config.kerasClass(), name(), config.config(), ws), factory);
    }
}

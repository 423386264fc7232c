package io.jkeras.format;

import io.jkeras.util.Json;
import io.jkeras.exceptions.JKerasException;
import io.jkeras.exceptions.ModelFormatException;
import io.jkeras.kernels.Activation;
import io.jkeras.layers.Layer;
import io.jkeras.layers.LayerDecoder;
import io.jkeras.layers.LayerTypes;
import io.jkeras.layers.Recurrent;
import io.jkeras.layers.Weight;
import io.jkeras.tensor.Tensor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Reads one layer entry of the header and rebuilds the engine layer with its class's static
 * {@code decode} ({@link LayerTypes}). Every missing or mistyped value is a
 * {@link ModelFormatException} naming the file, the layer and the key.
 */
final class JkmLayerDecoder implements LayerDecoder {
    /** The tensors of the file, already checked against their checksums. */
    interface TensorSource {
        int count();

        String name(int index);

        int[] shape(int index);

        float[] values(int index);

        /**
         * Whether recurrent layers' tensors are in the engine's {@code GatePanel} layout (format 2.x) rather than
         * Keras' (1.x).
         */
        boolean panelLayout();
    }

    /** Wrappers nest layers (Bidirectional, TimeDistributed); deeper nesting is refused. */
    static final int MAX_DEPTH = 8;

    private final Json config;
    private final String name;
    private final List<Weight> weights;
    private final TensorSource tensors;
    private final String file;
    private final int depth;

    /** The weight names the decoder asked for, and name prefixes it takes ({@link #expectOnlyReadWeights}). */
    private final Set<String> read = new java.util.LinkedHashSet<>();
    private final List<String> readPrefixes = new ArrayList<>();

    private JkmLayerDecoder(String name, Json config, List<Weight> weights, TensorSource tensors, String file,
                            int depth) {
        this.name = name;
        this.config = config;
        this.weights = weights;
        this.tensors = tensors;
        this.file = file;
        this.depth = depth;
    }

    static Layer decode(Json node, TensorSource tensors, String file, int depth) {
        if (node == null || !node.isObject()) throw new ModelFormatException(file, null, null,
                "a layer entry is not a JSON object", null);
        Json n = node.get("name");
        if (n == null || !n.isTextual()) throw new ModelFormatException(file, null, null,
                "a layer entry has no string 'name'", null);
        String name = n.asText();
        if (depth > MAX_DEPTH) throw new ModelFormatException(file, name, null, "layers nest deeper than " + MAX_DEPTH
                + " levels", null);
        Json t = node.get("type");
        if (t == null || !t.isTextual()) throw new ModelFormatException(file, name, null,
                "the layer entry has no string 'type'", null);
        Class<? extends Layer> type = LayerTypes.classOf(t.asText());
        if (type == null) {
            throw new ModelFormatException(file, name, null, "unknown layer type '" + t.asText()
                    + "' (written by a newer jkeras?); this reader knows "
                    + String.join(", ", LayerTypes.all()), null);
        }
        Json config = node.get("config");
        if (config == null || !config.isObject()) throw new ModelFormatException(file, name, null,
                "the layer entry has no object 'config'", null);
        List<Weight> ws = new ArrayList<>();
        Json wn = node.get("weights");
        if (wn != null && !wn.isNull()) {
            if (!wn.isArray()) throw new ModelFormatException(file, name, null, "'weights' is not an array", null);
            Set<String> seen = new HashSet<>();
            for (Json w : wn) {
                Json wname = w.get("name"), idx = w.get("tensor");
                if (wname == null || !wname.isTextual() || idx == null || !idx.canConvertToInt()
                        || !idx.isIntegralNumber()) {
                    throw new ModelFormatException(file, name, null,
                            "a weight entry needs a string 'name' and an integer 'tensor', got " + w, null);
                }
                int i = idx.intValue();
                if (i < 0 || i >= tensors.count()) {
                    throw new ModelFormatException(file, name, wname.asText(), "refers to tensor " + i
                            + " but the table has " + tensors.count(), null);
                }
                if (!seen.add(wname.asText())) throw new ModelFormatException(file, name, wname.asText(),
                        "is listed twice", null);
                ws.add(new Weight(wname.asText(), tensors.shape(i), tensors.values(i)));
            }
        }
        try {
            JkmLayerDecoder d = new JkmLayerDecoder(name, config, ws, tensors, file, depth);
            Layer layer = LayerTypes.decode(type, d);
            d.expectOnlyReadWeights();
            return layer;
        } catch (JKerasException e) {
            throw e.in(file, name);
        }
    }

    @Override
    public String name() { return name; }

    @Override
    public boolean panelLayout() { return tensors.panelLayout(); }

    @Override
    public int gateColumns(int units, int gates) {
        if (!panelLayout()) return gates * units;
        if (units <= 0) throw error("config 'units' must be positive, got " + units);
        return new io.jkeras.layers.GatePanel(units, gates).width();
    }

    @Override
    public ModelFormatException error(String detail) {
        return new ModelFormatException(file, name, null, detail, null);
    }

    private Json value(String key) {
        Json v = config.get(key);
        if (v == null) throw error("config has no '" + key + "'");
        return v;
    }

    @Override
    public boolean isNull(String key) { return value(key).isNull(); }

    @Override
    public boolean has(String key) { return config.get(key) != null; }

    @Override
    public int integer(String key) {
        Json v = value(key);
        if (!v.isIntegralNumber() || !v.canConvertToInt()) throw error("config '" + key
                + "' must be a 32-bit integer, got " + v);
        return v.intValue();
    }

    @Override
    public boolean bool(String key) {
        Json v = value(key);
        if (!v.isBoolean()) throw error("config '" + key + "' must be true or false, got " + v);
        return v.booleanValue();
    }

    @Override
    public double doubleValue(String key) {
        Json v = value(key);
        if (!v.isNumber()) throw error("config '" + key + "' must be a number, got " + v);
        return v.doubleValue();
    }

    @Override
    public float floatValue(String key) {
        Json v = value(key);
        if (v.isNumber()) {
            double d = v.doubleValue();
            if ((double) (float) d != d) throw error("config '" + key + "' must be a float32 value, got " + v);
            return (float) d;
        }
        if (v.isTextual()) {
            switch (v.asText()) {
                case "NaN": return Float.NaN;
                case "Infinity": return Float.POSITIVE_INFINITY;
                case "-Infinity": return Float.NEGATIVE_INFINITY;
                default: break;
            }
        }
        throw error("config '" + key + "' must be a number, \"NaN\", \"Infinity\" or \"-Infinity\", got " + v);
    }

    @Override
    public String string(String key) {
        Json v = value(key);
        if (!v.isTextual()) throw error("config '" + key + "' must be a string, got " + v);
        return v.asText();
    }

    @Override
    public int[] ints(String key) {
        Json v = value(key);
        if (!v.isArray() || v.size() > 64) throw error("config '" + key
                + "' must be an array of at most 64 integers, got " + v);
        int[] r = new int[v.size()];
        for (int i = 0; i < r.length; i++) {
            Json x = v.get(i);
            if (!x.isIntegralNumber() || !x.canConvertToInt()) throw error("config '" + key
                    + "' must hold 32-bit integers, got " + v);
            r[i] = x.intValue();
        }
        return r;
    }

    @Override
    public <E> E enumValue(String key, E[] values) {
        String s = string(key);
        for (E e : values) if (((Enum<?>) e).name().equals(s)) return e;
        throw error("config '" + key + "' is '" + s + "'; allowed: " + Arrays.toString(values));
    }

    @Override
    public Activation activation(String key) { return enumValue(key, Activation.values()); }

    /**
     * Every weight the file lists for this layer must be one its decoder asked for by name: a weight
     * renamed in the file (checksums repaired) would otherwise be dropped silently, and the layer
     * would run without it (a BatchNormalization without its gamma).
     */
    private void expectOnlyReadWeights() {
        for (Weight w : weights) {
            boolean ok = read.contains(w.name());
            for (String p : readPrefixes) ok |= w.name().startsWith(p);
            if (!ok) {
                List<String> allowed = new ArrayList<>(read);
                for (String p : readPrefixes) allowed.add(p + "*");
                throw new ModelFormatException(file, name, w.name(), "is not a weight this layer reads; allowed: "
                        + (allowed.isEmpty() ? "none" : String.join(", ", allowed)), null);
            }
        }
    }

    @Override
    public List<Weight> weightsStartingWith(String prefix) {
        readPrefixes.add(prefix);
        List<Weight> out = new ArrayList<>();
        for (Weight w : weights) if (w.name().startsWith(prefix)) out.add(w);
        return out;
    }

    @Override
    public Weight weight(String weightName, int rank) {
        Weight w = optionalWeight(weightName);
        if (w == null) throw error("has no weight '" + weightName + "'");
        if (w.shape().length != rank) {
            throw new ModelFormatException(file, name, weightName, "has shape " + Tensor.shapeString(w.shape())
                    + ", expected rank " + rank, null);
        }
        return w;
    }

    @Override
    public Weight optionalWeight(String weightName) {
        read.add(weightName);
        for (Weight w : weights) if (w.name().equals(weightName)) return w;
        return null;
    }

    @Override
    public List<Weight> weights(String... names) {
        read.addAll(Arrays.asList(names));
        return weights;
    }

    @Override
    public void expectShape(Weight w, int... shape) {
        if (!Arrays.equals(w.shape(), shape)) {
            throw new ModelFormatException(file, name, w.name(), "has shape " + Tensor.shapeString(w.shape())
                    + ", the layer's config needs "
                    + Tensor.shapeString(shape), null);
        }
    }

    @Override
    public void expectNoOtherWeights(String... allowed) {
        for (Weight w : weights) {
            if (!Arrays.asList(allowed).contains(w.name())) {
                throw new ModelFormatException(file, name, w.name(), "is not a weight of this layer type; allowed: "
                        + Arrays.toString(allowed), null);
            }
        }
    }

    @Override
    public Layer layer(String key) { return decode(value(key), tensors, file, depth + 1); }

    @Override
    public Recurrent recurrent(String key) {
        Layer l = layer(key);
        if (!(l instanceof Recurrent r)) throw error("'" + key + "' must be a recurrent layer, got " + l.getClass()
                .getSimpleName());
        return r;
    }
}

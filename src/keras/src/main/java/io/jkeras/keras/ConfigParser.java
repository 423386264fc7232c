package io.jkeras.keras;

import io.jkeras.model.LoadOptions;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jkeras.exceptions.ModelFormatException;
import io.jkeras.exceptions.UnsupportedModelException;

import java.util.ArrayList;
import java.util.List;

/**
 * Reads a Keras model config (the {@code model_config} attribute or a {@code to_json()} file) into a
 * {@link ModelSpec}. Understands Sequential configs of every era (a bare list in Keras 1 and 2.0,
 * an object with {@code layers} later, with or without an InputLayer) and Functional configs with
 * Keras 1/2 {@code inbound_nodes} lists and Keras 3 {@code args}/{@code kwargs} nodes.
 */
public final class ConfigParser {
    private static final ObjectMapper DEFAULT_JSON = mapper(LoadOptions.DEFAULT);

    private final String file;
    private final LoadOptions options;

    public ConfigParser(String file) { this(file, LoadOptions.DEFAULT); }

    /** A parser that refuses configs listing more than {@link LoadOptions#maxLayers()} layers. */
    public ConfigParser(String file, LoadOptions options) {
        this.file = file;
        this.options = options;
    }

    /** A JSON reader enforcing the config limits of {@code o} while it parses (before the tree is built). */
    private static ObjectMapper mapper(LoadOptions o) {
        ObjectMapper m = new ObjectMapper();
        m.getFactory().setStreamReadConstraints(StreamReadConstraints.builder()
                .maxNestingDepth(o.maxJsonDepth()).maxTokenCount(o.maxJsonTokens())
                .maxDocumentLength(o.maxConfigBytes())
                .maxStringLength((int) Math.min(Integer.MAX_VALUE - 16, o.maxConfigBytes()))
                .maxNameLength((int) Math.min(Integer.MAX_VALUE - 16, o.maxConfigBytes()))
                .maxNumberLength(100).build());
        return m;
    }

    public static JsonNode parseJson(String text, String file) {
        return parseJson(text, file, LoadOptions.DEFAULT);
    }

    /**
     * Parses a model config, refusing one over the limits of {@code o}: longer than
     * {@link LoadOptions#maxConfigBytes()}, more than {@link LoadOptions#maxJsonTokens()} tokens,
     * nested deeper than {@link LoadOptions#maxJsonDepth()}.
     */
    public static JsonNode parseJson(String text, String file, LoadOptions o) {
        if (text.length() > o.maxConfigBytes()) {
            throw new ModelFormatException(file, null, null, "model config holds " + text.length()
                    + " characters, more than the limit of " + o.maxConfigBytes() + " (LoadOptions.maxConfigBytes)",
                            null);
        }
        try {
            JsonNode n = (o == LoadOptions.DEFAULT ? DEFAULT_JSON : mapper(o)).readTree(text);
            if (n == null || !n.isObject()) throw new ModelFormatException(file, null, null,
                    "model config is not a JSON object", null);
            return n;
        } catch (StreamConstraintsException e) {
            throw new ModelFormatException(file, null, null, overLimit(e.getOriginalMessage(), o), e);
        } catch (JsonProcessingException e) {
            throw new ModelFormatException(file, null, null, "model config is not valid JSON: "
                    + e.getOriginalMessage(), e);
        }
    }

    /** Jackson's constraint message in the words of {@link LoadOptions}. */
    private static String overLimit(String m, LoadOptions o) {
        String s = m == null ? "" : m;
        if (s.contains("nesting depth")) {
            return "model config nests arrays and objects deeper than the limit of " + o.maxJsonDepth()
                    + " levels (LoadOptions.maxJsonDepth); Keras configs nest about 10 deep";
        }
        if (s.contains("Token count")) {
            return "model config holds more than " + o.maxJsonTokens() + " JSON values (LoadOptions.maxJsonTokens)";
        }
        if (s.contains("Document length")) {
            return "model config is longer than the limit of " + o.maxConfigBytes()
                    + " bytes (LoadOptions.maxConfigBytes)";
        }
        if (s.contains("Number value length")) return "model config holds a number of more than 100 digits";
        return "model config holds a string longer than the limit of " + o.maxConfigBytes()
                + " bytes (LoadOptions.maxConfigBytes)";
    }

    private void checkLayerCount(JsonNode layersNode, String kind) {
        if (layersNode.size() > options.maxLayers()) {
            throw new ModelFormatException(file, null, null, kind + " config lists " + layersNode.size()
                    + " layers, more than the limit of " + options.maxLayers() + " (LoadOptions.maxLayers)", null);
        }
    }

    public ModelSpec parse(JsonNode root) {
        String cls = text(root, "class_name", null);
        JsonNode config = root.get("config");
        if (cls == null || config == null) {
            throw new ModelFormatException(file, null, null,
                    "model config needs 'class_name' and 'config', found keys " + keys(root), null);
        }
        switch (cls) {
            case "Sequential":
                return sequential(config);
            case "Functional":
            case "Model":
                return functional(config);
            default:
                throw new UnsupportedModelException(file, null, null, "top-level model class '" + cls
                        + "' is not supported; allowed: Sequential, Functional, Model");
        }
    }

    private ModelSpec sequential(JsonNode config) {
        JsonNode layersNode = config.isArray() ? config : config.get("layers");
        String name = config.isObject() ? text(config, "name", "sequential") : "sequential";
        if (layersNode == null || !layersNode.isArray()) {
            throw new ModelFormatException(file, null, null, "Sequential config has no 'layers' list", null);
        }
        checkLayerCount(layersNode, "Sequential");
        List<LayerSpec> raw = new ArrayList<>();
        for (JsonNode l : layersNode) raw.add(layer(l, false));
        if (raw.isEmpty()) throw new ModelFormatException(file, null, null, "Sequential model has no layers", null);
        List<LayerSpec> layers = new ArrayList<>();
        LayerSpec first = raw.get(0);
        String prev;
        int start;
        if ("InputLayer".equals(first.className())) {
            layers.add(new LayerSpec("InputLayer", first.name(), first.config(), List.of()));
            prev = first.name();
            start = 1;
        } else {
            JsonNode shape = first.config().get("batch_shape");
            if (shape == null && config.isObject() && config.has("build_input_shape")) shape = config.get(
                    "build_input_shape");
            ObjectNode ic = JsonNodeFactory.instance.objectNode();
            String inputName = first.name() + "_input";
            ic.put("name", inputName);
            if (shape != null) ic.set("batch_shape", shape);
            if (first.config().has("dtype")) ic.set("dtype", first.config().get("dtype"));
            layers.add(new LayerSpec("InputLayer", inputName, ic, List.of()));
            prev = inputName;
            start = 0;
        }
        for (int i = start; i < raw.size(); i++) {
            LayerSpec l = raw.get(i);
            if ("InputLayer".equals(l.className())) {
                throw new ModelFormatException(file, l.name(), null, "InputLayer in the middle of a Sequential model",
                        null);
            }
            layers.add(new LayerSpec(l.className(), l.name(), l.config(),
                    List.of(List.of(new LayerSpec.TensorRef(prev, 0, 0)))));
            prev = l.name();
        }
        return new ModelSpec(name, true, layers, List.of(new LayerSpec.TensorRef(layers.get(0).name(), 0, 0)),
                List.of(new LayerSpec.TensorRef(prev, 0, 0)));
    }

    private ModelSpec functional(JsonNode config) {
        JsonNode layersNode = config.get("layers");
        if (layersNode == null || !layersNode.isArray()) {
            throw new ModelFormatException(file, null, null, "Functional config has no 'layers' list", null);
        }
        checkLayerCount(layersNode, "Functional");
        List<LayerSpec> layers = new ArrayList<>();
        for (JsonNode l : layersNode) layers.add(layer(l, true));
        return new ModelSpec(text(config, "name", "model"), false, layers,
                refs(config.get("input_layers"), "input_layers"), refs(config.get("output_layers"), "output_layers"));
    }

    private LayerSpec layer(JsonNode l, boolean graph) {
        if (l == null || !l.isObject()) throw new ModelFormatException(file, null, null,
                "layer entry is not an object: " + abbreviate(l), null);
        String cls = text(l, "class_name", null);
        JsonNode cfg = l.get("config");
        String name = text(l, "name", null);
        if (name == null && cfg != null) name = text(cfg, "name", null);
        if (cls == null) throw new ModelFormatException(file, name, null, "layer has no 'class_name'", null);
        if (name == null) throw new ModelFormatException(file, null, null, "a " + cls + " layer has no name", null);
        String registered = cls.contains(">") ? cls : text(l, "registered_name", null);
        if (cls.contains(">")) cls = cls.substring(cls.lastIndexOf('>') + 1);
        ObjectNode normalized = ConfigNormalizer.layerConfig(cls, cfg);
        if (registered != null && registered.contains(">")) {
            normalized.put(CustomLayerMapper.REGISTERED_NAME, registered); // a custom class: see CustomLayerMapper
        }
        List<List<LayerSpec.TensorRef>> calls = new ArrayList<>();
        List<LayerSpec.TensorRef> masks = new ArrayList<>();
        List<JsonNode> raw = new ArrayList<>();
        if (graph) {
            JsonNode inbound = l.get("inbound_nodes");
            if (inbound != null && inbound.isArray()) {
                for (JsonNode node : inbound) {
                    calls.add(call(node, name));
                    masks.add(maskArgument(node, name));
                    raw.add(node);
                }
            }
        }
        return new LayerSpec(cls, name, normalized, calls, masks, raw);
    }

    /**
     * Keyword arguments of a Keras 3 call whose tensors are inputs of the layer, appended in this order after the
     * positional ones: a recurrent layer's initial_state, an attention layer's query, value, key, attention_mask
     * (so MultiHeadAttention's inputs are always query, value, key, attention_mask, whichever were passed by name;
     * tf.keras 2 lists hold the same keywords, all but initial_state, in their first entry).
     */
    private static final String[] TENSOR_KWARGS = {"initial_state", "query", "value", "key", "attention_mask"};

    /** One call of a layer: Keras 1/2 list of [layer, node, tensor, kwargs], or Keras 3 args/kwargs. */
    private List<LayerSpec.TensorRef> call(JsonNode node, String layer) {
        List<LayerSpec.TensorRef> refs = new ArrayList<>();
        if (node.isArray()) {
            for (JsonNode e : node) refs.add(legacyRef(e, layer));
            // tf.keras 2: tensors passed by keyword are [layer, node, tensor] in the first entry's kwargs
            JsonNode kw = node.size() > 0 && node.get(0).size() > 3 ? node.get(0).get(3) : null;
            for (int i = 1; kw != null && kw.isObject() && i < TENSOR_KWARGS.length; i++) {
                JsonNode v = kw.get(TENSOR_KWARGS[i]);
                if (v != null && v.isArray() && v.size() >= 3 && v.get(0).isTextual()) refs.add(legacyRef(v, layer));
            }
        } else if (node.isObject()) {
            collectKerasTensors(node.get("args"), refs, layer);
            JsonNode kw = node.get("kwargs");
            if (kw != null) for (String k : TENSOR_KWARGS) collectKerasTensors(kw.get(k), refs, layer);
        } else {
            throw new ModelFormatException(file, layer, null, "inbound node is neither a list nor an object: "
                    + abbreviate(node), null);
        }
        return refs;
    }

    /** The tensor passed as the call's {@code mask} keyword argument (Keras 3 graphs), or null. */
    private LayerSpec.TensorRef maskArgument(JsonNode node, String layer) {
        if (!node.isObject()) return null;
        JsonNode m = node.path("kwargs").get("mask");
        if (m == null || m.isNull()) return null;
        List<LayerSpec.TensorRef> refs = new ArrayList<>();
        collectKerasTensors(m, refs, layer);
        if (refs.size() > 1) {
            throw new UnsupportedModelException(file, layer, null, "a call with " + refs.size()
                    + " mask tensors (one per input) is not supported");
        }
        return refs.isEmpty() ? null : refs.get(0);
    }

    private LayerSpec.TensorRef legacyRef(JsonNode e, String layer) {
        if (!e.isArray() || e.size() < 3 || !e.get(0).isTextual()) {
            throw new ModelFormatException(file, layer, null,
                    "inbound entry should be [layer, node_index, tensor_index, ...], found " + abbreviate(e), null);
        }
        return new LayerSpec.TensorRef(e.get(0).asText(), e.get(1).asInt(), e.get(2).asInt());
    }

    private void collectKerasTensors(JsonNode n, List<LayerSpec.TensorRef> out, String layer) {
        if (n == null || n.isNull()) return;
        if (n.isArray()) {
            for (JsonNode e : n) collectKerasTensors(e, out, layer);
        } else if (n.isObject()) {
            if ("__keras_tensor__".equals(text(n, "class_name", null))) {
                JsonNode h = n.path("config").get("keras_history");
                if (h == null || !h.isArray() || h.size() < 3) {
                    throw new ModelFormatException(file, layer, null, "keras tensor without keras_history: "
                            + abbreviate(n), null);
                }
                out.add(new LayerSpec.TensorRef(h.get(0).asText(), h.get(1).asInt(), h.get(2).asInt()));
            } else if (n.has("class_name")) {
                return; // a constant or another serialised object: not a graph input
            } else {
                n.forEach(e -> collectKerasTensors(e, out, layer));
            }
        }
    }

    private List<LayerSpec.TensorRef> refs(JsonNode n, String key) {
        if (n == null || !n.isArray() || n.isEmpty()) {
            throw new ModelFormatException(file, null, null, "Functional config has no '" + key + "'", null);
        }
        List<LayerSpec.TensorRef> out = new ArrayList<>();
        if (n.get(0).isTextual()) {
            out.add(legacyRef(n, null));
        } else {
            for (JsonNode e : n) out.add(legacyRef(e, null));
        }
        return out;
    }

    static String text(JsonNode n, String key, String dflt) {
        JsonNode v = n == null ? null : n.get(key);
        return v != null && v.isTextual() ? v.asText() : dflt;
    }

    private static String keys(JsonNode n) {
        List<String> k = new ArrayList<>();
        n.fieldNames().forEachRemaining(k::add);
        return k.toString();
    }

    static String abbreviate(JsonNode n) {
        String s = String.valueOf(n);
        return s.length() > 120 ? s.substring(0, 117) + "..." : s;
    }
}

package io.jkeras.keras;

import com.fasterxml.jackson.databind.JsonNode;
import io.jkeras.exceptions.ModelFormatException;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Where Keras' object-walking saver ({@code saving_lib}, used by {@code model.save("m.keras")} and
 * {@code model.save_weights("m.weights.h5")}) puts each layer's variables, computed from the model
 * config alone, and the order in which the legacy HDF5 format (and so every mapper) lists them.
 *
 * <p>Keras 3.15 {@code saving_lib._save_state} / {@code _walk_saveable} /
 * {@code _save_container_state}: a Sequential or Functional model first yields
 * {@code "layers", model.layers} (a Sequential's {@code layers} omits its InputLayer; a
 * Functional's includes its InputLayers); a list is a container whose items are named by
 * {@code naming.to_snake_case(type(item).__name__)}, made unique with {@code _1, _2, …} in list
 * order ({@code _get_unique_name}); never by the user's layer name. Each object writes its own
 * variables ({@code _trainable_variables + _non_trainable_variables}) as datasets
 * {@code "0", "1", …} of {@code <path>/vars}, then its attributes that hold Keras objects, by
 * attribute name: an RNN's {@code cell}, a StackedRNNCells' {@code cells} list, a Bidirectional's
 * {@code forward_layer} and {@code backward_layer}, a TimeDistributed's {@code layer}, a nested
 * model's {@code layers}. So {@code layers/lstm/cell/vars/0..2},
 * {@code layers/bidirectional/forward_layer/cell/vars/…}, {@code layers/time_distributed/layer/vars/…}.
 *
 * <p>Keras 2.13–2.15 ({@code tf.keras}) wrote the same tree except that the model's layers come
 * first through the {@code _layer_checkpoint_dependencies} property (it sorts before
 * {@code layers} in {@code dir()}), so the folder is {@code _layer_checkpoint_dependencies/…};
 * Keras 3 reads such files by replacing {@code "layers"} in each path
 * ({@code H5IOStore.get}), and so does {@link KerasWeightsH5Reader}. Those versions named classes
 * with {@code generic_utils.to_snake_case}, which differs slightly from Keras 3's.
 *
 * <p>The legacy order of a layer's weights is {@code layer.trainable_weights +
 * layer.non_trainable_weights}: the layer's variables in walk order (own, then sub-layers), trainable
 * ones first (all of them when the layer is frozen, in walk order). Which variables are not trainable
 * is known by name (BatchNormalization's moving statistics) or from a {@code "trainable": false}
 * sub-layer.
 */
final class WeightPaths {
    /** Keras 3's folder for a model's layers. */
    static final String LAYERS = "layers";
    /** Keras 2.13–2.15's folder for a model's layers. */
    static final String LEGACY_LAYERS = "_layer_checkpoint_dependencies";

    /**
     * One object's own variables: the group {@code path + "/vars"}, the short names of its variables
     * when the class is known (null: positional names {@code "0", "1", …}), which of them are not
     * trainable, and whether the object sits under a frozen ({@code trainable: false}) layer.
     */
    record VarGroup(String path, List<String> names, Set<String> nonTrainable, boolean frozen) {}

    /** A layer of {@code model.layers}: the user's name, its class and its groups in walk order. */
    record LayerVars(String name, String className, List<VarGroup> groups, boolean trainable) {}

    private static final Set<String> RNN_LAYERS = Set.of("SimpleRNN", "LSTM", "GRU", "ConvLSTM1D", "ConvLSTM2D",
            "ConvLSTM3D");
    private static final Map<String, String> CELL_OF = Map.of(
            "SimpleRNN", "SimpleRNNCell", "LSTM", "LSTMCell", "GRU", "GRUCell",
            "ConvLSTM1D", "ConvLSTMCell", "ConvLSTM2D", "ConvLSTMCell", "ConvLSTM3D", "ConvLSTMCell");
    private static final Set<String> MODELS = Set.of("Sequential", "Functional", "Model");
    private static final Set<String> KERNEL_BIAS = Set.of("Dense", "EinsumDense", "Conv1D", "Conv2D", "Conv3D",
            "Conv1DTranspose", "Conv2DTranspose", "Conv3DTranspose", "DepthwiseConv1D", "DepthwiseConv2D");

    private WeightPaths() {}

    /** The layers of a model config ({@code {"class_name": "Sequential"|"Functional", "config": …}}). */
    static List<LayerVars> layers(JsonNode model, boolean keras3Naming, String label) {
        String cls = className(model);
        if (cls == null || !MODELS.contains(cls)) {
            throw new ModelFormatException(label, null, null, "the model config's class is '" + cls
                    + "'; weights saved by Keras' object walker are mapped for Sequential and Functional models", null);
        }
        List<LayerVars> out = new ArrayList<>();
        Map<String, Integer> used = new HashMap<>();
        for (JsonNode l : modelLayers(cls, model.get("config"))) {
            if (isOperation(l)) continue; // not in model.layers: no variables, no name taken
            String lcls = className(l);
            String name = layerName(l);
            if (lcls == null || name == null) {
                throw new ModelFormatException(label, name, null, "a layer entry has no class_name or name", null);
            }
            String path = LAYERS + "/" + unique(snake(lcls, keras3Naming), used);
            List<VarGroup> groups = new ArrayList<>();
            collect(l, path, false, keras3Naming, groups);
            out.add(new LayerVars(name, lcls, groups, trainable(l)));
        }
        return out;
    }

    /**
     * A Keras 3 operation recorded in a functional graph ({@code NotEqual}, {@code Any}, the
     * {@code Concatenate} of {@code keras.ops}, …): {@code Functional.layers} holds only layers, so
     * saving_lib neither saves these nor counts them when naming folders. The {@code .keras} config
     * gives their module ({@code keras.src.ops…}); the legacy HDF5 config has none, but an
     * operation's config, unlike every layer's but InputLayer's, has no {@code trainable}.
     */
    static boolean isOperation(JsonNode l) {
        JsonNode m = l.get("module");
        if (m != null && m.isTextual()) return m.asText().startsWith("keras.src.ops");
        JsonNode cfg = l.get("config");
        return l.has("inbound_nodes") && cfg != null && cfg.isObject() && !cfg.has("trainable")
                && !"InputLayer".equals(className(l));
    }

    /** Keras 3 {@code naming.to_snake_case}, or Keras 2's {@code generic_utils.to_snake_case}. */
    static String snake(String className, boolean keras3) {
        String s = className;
        if (keras3) {
            s = s.replaceAll("\\W+", "");
            s = s.replaceAll("(.)([A-Z][a-z]+)", "$1_$2");
            return s.replaceAll("([a-z])([A-Z])", "$1_$2").toLowerCase(java.util.Locale.ROOT);
        }
        s = s.replaceAll("(.)([A-Z][a-z0-9]+)", "$1_$2");
        s = s.replaceAll("([a-z])([A-Z])", "$1_$2").toLowerCase(java.util.Locale.ROOT);
        return s.startsWith("_") ? "private" + s : s;
    }

    /** {@code saving_lib._get_unique_name}. */
    static String unique(String name, Map<String, Integer> used) {
        Integer n = used.get(name);
        if (n == null) {
            used.put(name, 0);
            return name;
        }
        used.put(name, n + 1);
        return name + "_" + (n + 1);
    }

    private static final Pattern REGISTERED = Pattern.compile(".*>");

    /** The Python class name: a registered name {@code package>Class} gives {@code Class}. */
    static String className(JsonNode l) {
        JsonNode c = l == null ? null : l.get("class_name");
        if (c == null || !c.isTextual()) return null;
        return REGISTERED.matcher(c.asText()).replaceFirst("");
    }

    private static String layerName(JsonNode l) {
        JsonNode n = l.get("name");
        if (n == null || !n.isTextual()) n = l.path("config").get("name");
        return n != null && n.isTextual() ? n.asText() : null;
    }

    private static boolean trainable(JsonNode l) {
        JsonNode t = l.path("config").get("trainable");
        return t == null || !t.isBoolean() || t.asBoolean();
    }

    /** {@code model.layers}: a Sequential's without its leading InputLayer. */
    private static List<JsonNode> modelLayers(String cls, JsonNode config) {
        JsonNode list = config == null ? null : config.isArray() ? config : config.get("layers");
        List<JsonNode> out = new ArrayList<>();
        if (list == null || !list.isArray()) return out;
        list.forEach(out::add);
        if ("Sequential".equals(cls) && !out.isEmpty() && "InputLayer".equals(className(out.get(0)))) out.remove(0);
        return out;
    }

    private static void collect(JsonNode l, String path, boolean frozen, boolean k3, List<VarGroup> out) {
        String cls = className(l);
        JsonNode cfg = l.path("config");
        boolean fz = frozen || !trainable(l);
        if (cls == null) {
            out.add(new VarGroup(path, null, Set.of(), fz));
            return;
        }
        if (MODELS.contains(cls)) {
            out.add(new VarGroup(path, List.of(), Set.of(), fz));
            Map<String, Integer> used = new HashMap<>();
            for (JsonNode sub : modelLayers(cls, cfg)) {
                String sc = className(sub);
                if (sc == null || isOperation(sub)) continue;
                collect(sub, path + "/" + LAYERS + "/" + unique(snake(sc, k3), used), fz, k3, out);
            }
        } else if (RNN_LAYERS.contains(cls)) {
            out.add(new VarGroup(path, List.of(), Set.of(), fz));
            out.add(new VarGroup(path + "/cell", ownNames(CELL_OF.get(cls), cfg), Set.of(), fz));
        } else if ("RNN".equals(cls)) {
            out.add(new VarGroup(path, List.of(), Set.of(), fz));
            JsonNode cell = cfg.get("cell");
            if (cell != null && cell.isArray()) {
                // Keras 2 may serialise a list of cells directly; the layer wraps them in StackedRNNCells.
                out.add(new VarGroup(path + "/cell", List.of(), Set.of(), fz));
                cells(cell, path + "/cell/cells", fz, k3, out);
            } else if (cell != null && cell.isObject()) {
                collect(cell, path + "/cell", fz, k3, out);
            }
        } else if ("StackedRNNCells".equals(cls)) {
            out.add(new VarGroup(path, List.of(), Set.of(), fz));
            cells(cfg.get("cells"), path + "/cells", fz, k3, out);
        } else if ("Bidirectional".equals(cls)) {
            out.add(new VarGroup(path, List.of(), Set.of(), fz));
            JsonNode fwd = cfg.get("layer");
            JsonNode bwd = cfg.has("backward_layer") && cfg.get("backward_layer").isObject()
                    ? cfg.get("backward_layer") : fwd;
            if (fwd != null && fwd.isObject()) collect(fwd, path + "/forward_layer", fz, k3, out);
            if (bwd != null && bwd.isObject()) collect(bwd, path + "/backward_layer", fz, k3, out);
        } else if ("TimeDistributed".equals(cls)) {
            out.add(new VarGroup(path, List.of(), Set.of(), fz));
            JsonNode inner = cfg.get("layer");
            if (inner != null && inner.isObject()) collect(inner, path + "/layer", fz, k3, out);
        } else if ("MultiHeadAttention".equals(cls)) {
            // multi_head_attention.py: four EinsumDense sublayers, tracked as query_dense, key_dense, ...
            out.add(new VarGroup(path, List.of(), Set.of(), fz));
            List<String> kb = bool(cfg, "use_bias", true) ? List.of("kernel", "bias") : List.of("kernel");
            // with use_gate the gate EinsumDense is built after the key one and tracked as _gate_dense
            List<String> dense = new ArrayList<>(List.of("query_dense", "key_dense", "value_dense", "output_dense"));
            if (bool(cfg, "use_gate", false)) dense.add(2, "_gate_dense");
            for (String d : dense) out.add(new VarGroup(path + "/" + d, kb, Set.of(), fz));
        } else {
            List<String> names = ownNames(cls, cfg);
            Set<String> nonTrainable = "BatchNormalization".equals(cls) ? Set.of("moving_mean", "moving_variance")
                    : Set.of();
            out.add(new VarGroup(path, names, nonTrainable, fz));
        }
    }

    private static void cells(JsonNode cells, String path, boolean frozen, boolean k3, List<VarGroup> out) {
        if (cells == null || !cells.isArray()) return;
        Map<String, Integer> used = new HashMap<>();
        for (JsonNode c : cells) {
            String cc = className(c);
            if (cc == null) continue;
            collect(c, path + "/" + unique(snake(cc, k3), used), frozen, k3, out);
        }
    }

    /** The names of a class's own variables in creation order, or null when the class is not known. */
    static List<String> ownNames(String cls, JsonNode cfg) {
        if (cls == null) return null;
        boolean useBias = bool(cfg, "use_bias", true);
        switch (cls) {
            case "SimpleRNNCell":
            case "LSTMCell":
            case "GRUCell":
            case "ConvLSTMCell":
                return useBias ? List.of("kernel", "recurrent_kernel", "bias") : List.of("kernel", "recurrent_kernel");
            case "Embedding":
                return List.of("embeddings");
            case "BatchNormalization": {
                List<String> n = new ArrayList<>();
                if (bool(cfg, "scale", true)) n.add("gamma");
                if (bool(cfg, "center", true)) n.add("beta");
                n.add("moving_mean");
                n.add("moving_variance");
                return n;
            }
            case "LayerNormalization": {
                List<String> n = new ArrayList<>();
                if (bool(cfg, "scale", true) || bool(cfg, "rms_scaling", false)) n.add("gamma");
                if (bool(cfg, "center", true) && !bool(cfg, "rms_scaling", false)) n.add("beta");
                return n;
            }
            case "PReLU":
                return List.of("alpha");
            case "SeparableConv1D":
            case "SeparableConv2D":
                return useBias ? List.of("depthwise_kernel", "pointwise_kernel", "bias")
                        : List.of("depthwise_kernel", "pointwise_kernel");
            default:
                if (KERNEL_BIAS.contains(cls)) return useBias ? List.of("kernel", "bias") : List.of("kernel");
                return null;
        }
    }

    private static boolean bool(JsonNode cfg, String key, boolean dflt) {
        JsonNode v = cfg == null ? null : cfg.get(key);
        return v != null && v.isBoolean() ? v.asBoolean() : dflt;
    }
}

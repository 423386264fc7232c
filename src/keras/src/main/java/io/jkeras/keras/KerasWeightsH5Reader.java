package io.jkeras.keras;

import io.jkeras.model.LoadOptions;
import com.fasterxml.jackson.databind.JsonNode;
import io.jhdf.HdfFile;
import io.jhdf.api.Attribute;
import io.jhdf.api.Dataset;
import io.jhdf.api.Group;
import io.jhdf.api.Node;
import io.jkeras.exceptions.ModelFormatException;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Reads the weights file Keras' object-walking saver writes ({@code model.weights.h5} inside a
 * {@code .keras} archive, or {@code model.save_weights("m.weights.h5")}): groups
 * {@code layers/<snake_case class>[_k]/…/vars} holding datasets {@code "0", "1", …} (Keras 3), or
 * the same under {@code _layer_checkpoint_dependencies/} (Keras 2.13–2.15). The folder of each layer
 * follows from the model config ({@link WeightPaths}); the result is what {@link KerasH5Reader}
 * gives for a legacy file: per user layer name, the arrays in the legacy order
 * ({@code trainable_weights + non_trainable_weights}), with short names.
 */
public final class KerasWeightsH5Reader {
    /** Which saver wrote the file. */
    public enum Layout {
        /** Keras 3: {@code layers/…}. */
        KERAS3,
        /** Keras 2.13–2.15 ({@code tf.keras}): {@code _layer_checkpoint_dependencies/…}. */
        KERAS2_13
    }

    /** The arrays per user layer name and the layout they were found in. */
    public record Contents(Layout layout, Map<String, List<WeightArray>> weights) {}

    private KerasWeightsH5Reader() {}

    /**
     * The layout of an HDF5 file written by the object-walking saver, or null when it is not one
     * (a legacy file has a {@code layer_names} attribute or {@code model_weights} group instead).
     */
    public static Layout layout(HdfFile f, String label) {
        // A legacy file lists its layers in an attribute (and may have a layer named "layers").
        if (H5.strings(f, "layer_names", label) != null || H5.string(f, "model_config", label) != null) return null;
        Map<String, Node> root = H5.children(f, label);
        if (root.containsKey("model_weights")) return null;
        if (root.get(WeightPaths.LAYERS) instanceof Group) return Layout.KERAS3;
        if (root.get(WeightPaths.LEGACY_LAYERS) instanceof Group) return Layout.KERAS2_13;
        if (root.get("vars") instanceof Group) return Layout.KERAS3; // a model without layers: only its own vars
        return null;
    }

    /**
     * Reads every layer of {@code modelConfig} ({@code {"class_name": …, "config": …}}, as in
     * {@code config.json}) from {@code f}.
     */
    public static Contents read(HdfFile f, JsonNode modelConfig, String label, LoadOptions options) {
        Layout layout = layout(f, label);
        if (layout == null) {
            throw new ModelFormatException(label, null, null,
                    "not a Keras weights file of the .keras layout: the root has no"
                    + " 'layers' group (Keras 3) or '_layer_checkpoint_dependencies' group (Keras 2.13-2.15); found "
                    + H5.children(f, label).keySet(), null);
        }
        boolean keras3 = layout == Layout.KERAS3;
        Map<String, List<WeightArray>> out = new LinkedHashMap<>();
        for (WeightPaths.LayerVars l : WeightPaths.layers(modelConfig, keras3, label)) {
            List<WeightArray> trainable = new ArrayList<>();
            List<WeightArray> frozen = new ArrayList<>();
            for (WeightPaths.VarGroup g : l.groups()) {
                for (WeightArray w : group(f, l.name(), g, label, options)) {
                    boolean nonTrainable = g.frozen() || g.nonTrainable().contains(w.name());
                    (nonTrainable ? frozen : trainable).add(w);
                }
            }
            trainable.addAll(frozen);
            if (out.put(l.name(), trainable) != null) {
                throw new ModelFormatException(label, l.name(), null, "two layers of the model config share this name",
                        null);
            }
        }
        return new Contents(layout, out);
    }

    /** The datasets {@code 0..n-1} of {@code <path>/vars}, found as Keras' {@code H5IOStore.get} does. */
    private static List<WeightArray> group(HdfFile f, String layer, WeightPaths.VarGroup g, String label,
            LoadOptions options) {
        String path = g.path();
        Node vars = vars(f, path, label);
        if (vars == null && H5.children(f, label).get(WeightPaths.LEGACY_LAYERS) instanceof Group) {
            // "Fix for 2.13 compatibility" in Keras 3's H5IOStore.get: every "layers" in the path is replaced.
            path = path.replace(WeightPaths.LAYERS, WeightPaths.LEGACY_LAYERS);
            vars = vars(f, path, label);
        }
        List<WeightArray> out = new ArrayList<>();
        if (vars == null) return out; // Keras reads an absent group as no variables
        TreeMap<Integer, Node> byIndex = new TreeMap<>();
        for (Map.Entry<String, Node> e : H5.children(vars, label).entrySet()) {
            String key = e.getKey();
            if (!key.matches("0|[1-9][0-9]{0,8}")) {
                throw new ModelFormatException(label, layer, null, "group " + path + "/vars holds '" + key
                        + "'; Keras names a layer's variables 0, 1, 2, ...", null);
            }
            byIndex.put(Integer.parseInt(key), e.getValue());
        }
        if (!byIndex.isEmpty() && byIndex.lastKey() != byIndex.size() - 1) {
            throw new ModelFormatException(label, layer, null, "group " + path + "/vars holds variables "
                    + byIndex.keySet()
                    + "; Keras reads 0.." + (byIndex.size() - 1) + " and needs every index", null);
        }
        List<String> names = g.names() != null && g.names().size() == byIndex.size() ? g.names() : null;
        for (Map.Entry<Integer, Node> e : byIndex.entrySet()) {
            int i = e.getKey();
            String shortName = names != null ? names.get(i) : String.valueOf(i);
            String full = path + "/vars/" + i;
            if (!(e.getValue() instanceof Dataset ds)) {
                throw new ModelFormatException(label, layer, shortName, full + " is a group, not a dataset", null);
            }
            if (isBfloat16(ds, label)) {
                throw new io.jkeras.exceptions.UnsupportedModelException(label, layer, shortName, full
                        + " is stored as bfloat16; jkeras reads float32 and float64 weights", null);
            }
            out.add(H5.weight(ds, layer, shortName, full, label, options));
        }
        return out;
    }

    private static Node vars(HdfFile f, String path, String label) {
        Node n = H5.child(f, path, label);
        if (!(n instanceof Group)) return null;
        Node v = H5.children(n, label).get("vars");
        return v instanceof Group ? v : null;
    }

    /** Keras marks bfloat16 datasets with a {@code dtype} attribute (H5IOStore.__setitem__). */
    private static boolean isBfloat16(Dataset ds, String label) {
        try {
            Attribute a = ds.getAttributes().get("dtype");
            if (a == null) return false;
            Object d = a.getData();
            return "bfloat16".equals(d instanceof byte[] b ? new String(b, java.nio.charset.StandardCharsets.UTF_8)
                    : String.valueOf(d));
        } catch (RuntimeException e) {
            return false;
        }
    }
}

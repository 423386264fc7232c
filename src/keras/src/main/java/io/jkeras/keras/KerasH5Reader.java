package io.jkeras.keras;

import io.jkeras.model.LoadOptions;
import io.jhdf.HdfFile;
import io.jhdf.api.Dataset;
import io.jhdf.api.Group;
import io.jhdf.api.Node;
import io.jkeras.exceptions.ModelFormatException;
import io.jkeras.exceptions.WeightException;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads a legacy Keras HDF5 file, full model ({@code model.save("m.h5")}) or weights only
 * ({@code save_weights}): root attributes {@code model_config}, {@code keras_version},
 * {@code backend}; layer groups under {@code model_weights} (or at the root) listed by the
 * {@code layer_names} attribute; each layer's arrays in the order of its {@code weight_names}
 * attribute, never HDF5's alphabetical order.
 */
public final class KerasH5Reader {
    /** What a legacy HDF5 file holds. {@code config} is null for weights-only files. */
    public record Contents(String modelConfig, KerasVersion version, String backend,
                           Map<String, List<WeightArray>> weights) {}

    private KerasH5Reader() {}

    public static Contents read(HdfFile f, String label, LoadOptions options) {
        String config = H5.string(f, "model_config", label);
        Node mw = H5.child(f, "model_weights", label);
        Group wg = mw instanceof Group g ? g : f;
        String version = H5.string(f, "keras_version", label);
        if (version == null) version = H5.string(wg, "keras_version", label);
        String backend = H5.string(f, "backend", label);
        if (backend == null) backend = H5.string(wg, "backend", label);
        List<String> layerNames = H5.strings(wg, "layer_names", label);
        if (layerNames == null) {
            throw new ModelFormatException(label, null, null, (mw == null && config == null
                    ? "not a Keras file: no 'model_config' or 'layer_names' attribute at the root"
                    : "weights group '" + wg.getPath() + "' has no 'layer_names' attribute"), null);
        }
        Map<String, List<WeightArray>> weights = new LinkedHashMap<>();
        for (String layer : layerNames) {
            Node n = H5.child(wg, layer, label);
            if (!(n instanceof Group g)) {
                throw new WeightException(label, layer, null, "layer is listed in layer_names but has no group in "
                        + wg.getPath(), null);
            }
            List<String> names = H5.strings(g, "weight_names", label);
            List<WeightArray> arrays = new ArrayList<>();
            if (names != null) {
                for (String wn : names) {
                    try {
                        arrays.add(weight(g, layer, wn, label, options));
                    } catch (io.jkeras.exceptions.JKerasException e) {
                        throw e.in(label, layer);
                    }
                }
            }
            weights.put(layer, arrays);
        }
        return new Contents(config, KerasVersion.parse(version), backend, weights);
    }

    private static WeightArray weight(Group g, String layer, String path, String label, LoadOptions options) {
        String shortName = shortName(layer, path);
        Node n = H5.child(g, path, label);
        if (!(n instanceof Dataset ds)) {
            throw new WeightException(label, layer, shortName, "listed in weight_names as '" + path
                    + "' but no such dataset in " + g.getPath(), null);
        }
        return H5.weight(ds, layer, shortName, path, label, options);
    }

    /**
     * {@code lstm/lstm_cell/kernel:0} → {@code kernel}; Keras 1 {@code lstm_1_W_i} (layer lstm_1)
     * → {@code W_i}.
     */
    private static final java.util.regex.Pattern KERAS1_GATE = java.util.regex.Pattern.compile(".+_([WUb]_[a-z])");

    static String shortName(String layer, String path) {
        String s = path;
        int colon = s.lastIndexOf(':');
        if (colon > 0 && s.substring(colon + 1).chars().allMatch(Character::isDigit)) s = s.substring(0, colon);
        int slash = s.lastIndexOf('/');
        if (slash >= 0) s = s.substring(slash + 1);
        if (s.startsWith(layer + "_") && s.length() > layer.length() + 1) return s.substring(layer.length() + 1);
        if (slash < 0) {
            // Keras 1 names a wrapped layer's arrays after the inner layer (forward_lstm_1_W_i inside
            // bidirectional_1): keep the per-gate suffix
            java.util.regex.Matcher m = KERAS1_GATE.matcher(s);
            if (m.matches()) return m.group(1);
        }
        return s;
    }
}

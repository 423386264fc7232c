package io.jkeras.zoo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The keras-zoo collection (read-only): {@code manifest.json} (one record per file) and
 * {@code derived-references-numpy/index.json}. Turns the manifest into the list of things to run:
 * full-model HDF5 files, Keras 3 {@code .keras} zips, config JSON + weights pairs, and the keras-js
 * layer-test cases (each synthesised into a config + weights pair, see {@link KerasJsCases}).
 */
public final class Zoo {
    static final ObjectMapper JSON = new ObjectMapper();
    public static final String DEFAULT_LOCATION = "../shared/keras-zoo";

    private final Path root;
    private final JsonNode manifest;
    private final JsonNode numpyIndex;

    private Zoo(Path root) {
        this.root = root;
        try {
            this.manifest = JSON.readTree(root.resolve("manifest.json").toFile());
            Path ix = root.resolve("derived-references-numpy/index.json");
            this.numpyIndex = Files.isRegularFile(ix) ? JSON.readTree(ix.toFile()) : JSON.createObjectNode();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The zoo from system property {@code jkeras.zoo}, else {@code ../shared/keras-zoo}; empty when absent. */
    public static Optional<Path> locate() {
        String prop = System.getProperty("jkeras.zoo");
        Path p = (prop != null && !prop.isBlank() ? Path.of(prop) : Path.of(DEFAULT_LOCATION)).toAbsolutePath()
                .normalize();
        return Files.isRegularFile(p.resolve("manifest.json")) ? Optional.of(p) : Optional.empty();
    }

    public static Zoo open(Path root) { return new Zoo(root); }

    public Path root() { return root; }

    public Path resolve(String rel) { return root.resolve(rel); }

    public JsonNode numpyIndex(String file) { return numpyIndex.path(file); }

    /** What a sweep entry is. */
    public enum Type {
        /** legacy HDF5 full model */ H5_MODEL,
        /** Keras 3 .keras zip */ KERAS_ZIP,
        /** weights-only HDF5 run together with its *_config.json */ CONFIG_WEIGHTS,
        /** weights-only HDF5 with no architecture in the zoo: must be refused as such */ WEIGHTS_ONLY,
        /** architecture JSON whose weights are not in the zoo: nothing to run */ CONFIG_ONLY,
        /** one keras-js layer test case, synthesised into config + weights */ KERAS_JS
    }

    /**
     * One thing the sweep runs. {@code file} is the zoo-relative path (keras-js cases:
     * {@code path#caseId}); {@code config} is set for {@link Type#CONFIG_WEIGHTS}.
     */
    public record Entry(String file, Type type, Path model, Path config, String version, String backend,
                        List<String> manifestLayers, List<String> references, JsonNode record, String caseId) {
        public String displayName() { return file; }
        @Override public String toString() { return file; }
    }

    /** Every entry, in manifest order; config JSONs that pair with a weights file are folded into it. */
    public List<Entry> entries() {
        Map<String, JsonNode> byFile = new HashMap<>();
        for (JsonNode r : manifest.path("files")) byFile.put(r.path("file").asText(), r);
        Set<String> pairedConfigs = new HashSet<>();
        List<Entry> out = new ArrayList<>();
        for (JsonNode r : manifest.path("files")) {
            String file = r.path("file").asText();
            String kind = r.path("kind").asText("");
            if (kind.startsWith("weights only")) {
                String cfg = pairedConfig(file);
                if (cfg != null && byFile.containsKey(cfg)) pairedConfigs.add(cfg);
            }
        }
        for (JsonNode r : manifest.path("files")) {
            String file = r.path("file").asText();
            String kind = r.path("kind").asText("");
            Path p = root.resolve(file);
            String version = r.path("keras_version").isTextual() ? r.path("keras_version").asText() : null;
            String backend = r.path("backend").isTextual() ? r.path("backend").asText() : null;
            List<String> layers = texts(r.path("layers"));
            List<String> refs = texts(r.path("references"));
            if (kind.startsWith("full model")) {
                out.add(new Entry(file, Type.H5_MODEL, p, null, version, backend, layers, refs, r, null));
            } else if (kind.startsWith("Keras 3 .keras")) {
                out.add(new Entry(file, Type.KERAS_ZIP, p, null, version, backend, layers, refs, r, null));
            } else if (kind.startsWith("weights only")) {
                String cfg = pairedConfig(file);
                if (cfg != null && byFile.containsKey(cfg)) {
                    JsonNode cr = byFile.get(cfg);
                    List<String> clayers = texts(cr.path("layers"));
                    String v = version != null ? version
                            : (cr.path("keras_version").isTextual() ? cr.path("keras_version").asText() : null);
                    String b = backend != null ? backend
                            : (cr.path("backend").isTextual() ? cr.path("backend").asText() : null);
                    out.add(new Entry(cfg + " + " + p.getFileName(), Type.CONFIG_WEIGHTS, p, root.resolve(cfg), v, b,
                            clayers.isEmpty() ? layers : clayers, refs, r, null));
                } else {
                    out.add(new Entry(file, Type.WEIGHTS_ONLY, p, null, version, backend, layers, refs, r, null));
                }
            } else if (kind.startsWith("model config JSON")) {
                if (!pairedConfigs.contains(file)) {
                    out.add(new Entry(file, Type.CONFIG_ONLY, null, p, version, backend, layers, refs, r, null));
                }
            } else if (kind.startsWith("keras-js layer test cases")) {
                for (String id : KerasJsCases.caseIds(p)) {
                    out.add(new Entry(file + "#" + id, Type.KERAS_JS, p, null, version, backend,
                            List.of(id), refs, r, id));
                }
            }
        }
        return out;
    }

    /** {@code X_weights.h5} pairs with {@code X_config.json} in the same folder (DL4J naming). */
    static String pairedConfig(String weightsFile) {
        for (String suffix : new String[]{"_weights.h5", "_weights.hdf5"}) {
            if (weightsFile.endsWith(suffix)) {
                return weightsFile.substring(0, weightsFile.length() - suffix.length()) + "_config.json";
            }
        }
        return null;
    }

    static List<String> texts(JsonNode arr) {
        List<String> out = new ArrayList<>();
        if (arr != null && arr.isArray()) for (JsonNode n : arr) out.add(n.asText());
        return out;
    }
}

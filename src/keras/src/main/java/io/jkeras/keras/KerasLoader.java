package io.jkeras.keras;

import io.jkeras.model.LoadOptions;
import com.fasterxml.jackson.databind.JsonNode;
import io.jhdf.HdfFile;
import io.jkeras.exceptions.JKerasException;
import io.jkeras.exceptions.ModelFileException;
import io.jkeras.exceptions.ModelFormatException;
import io.jkeras.exceptions.UnsupportedModelException;
import io.jkeras.format.Jkm;
import io.jkeras.format.JkmReader;
import io.jkeras.model.Model;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads Keras files (parse), maps their layers (map) and returns the engine's model. The format is
 * told by the file's first bytes, never by its name: the HDF5 signature is a legacy file
 * ({@code model.save("m.h5")}), a zip local header ({@code PK\3\4}) a {@code .keras} archive.
 */
public final class KerasLoader {
    static final String CONFIG = "config.json";
    static final String METADATA = "metadata.json";
    static final String WEIGHTS = "model.weights.h5";

    /**
     * Model metadata keys under which the loader keeps what saving back needs ({@link KerasWriter}):
     * the model config JSON as the file held it, and for legacy HDF5 files the {@code layer_names}
     * attribute and each layer's {@code weight_names} (JSON lists).
     */
    public static final String META_MODEL_CONFIG = "keras.model_config";
    public static final String META_LAYER_NAMES = "keras.layer_names";
    public static final String META_WEIGHT_NAMES = "keras.weight_names.";

    private KerasLoader() {}

    /** Loads a full-model file: legacy HDF5 or a {@code .keras} archive (told by its first bytes). */
    public static Model load(Path path, LoadOptions options) {
        String label = path.toString();
        try {
            if (KerasZipReader.isZip(H5.head(path, 4, label))) {
                return loadArchive(H5.mapFile(path, options.maxStreamBytes(), label), null, label, options);
            }
            try (HdfFile f = KerasFiles.openHdf5(path, label)) {
                return loadHdf5(f, label, options);
            }
        } catch (JKerasException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new ModelFileException(label, null, null, "cannot read model (" + e + ")", e);
        }
    }

    /**
     * Loads a full-model file from a stream, told by its first bytes: legacy HDF5, a {@code .keras}
     * archive or a jkeras native file ({@code .jkm}); at most {@link LoadOptions#maxStreamBytes} are
     * read. {@code name} labels errors.
     */
    public static Model load(InputStream in, String name, LoadOptions options) {
        try {
            byte[] bytes = H5.readAll(in, options.maxStreamBytes(), name);
            if (Jkm.isJkm(bytes)) return Jkm.load(bytes, name, JkmReader.Options.DEFAULT.withLoadOptions(options));
            if (KerasZipReader.isZip(bytes)) return loadArchive(ByteBuffer.wrap(bytes), null, name, options);
            try (HdfFile f = H5.open(bytes, name)) {
                return loadHdf5(f, name, options);
            }
        } catch (JKerasException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new ModelFileException(name, null, null, "cannot read model (" + e + ")", e);
        }
    }

    /**
     * Loads an architecture JSON ({@code model.to_json()}, or a {@code .keras} archive's
     * {@code config.json}) with its weights: a legacy weights-only HDF5 file
     * ({@code save_weights("w.h5")} before Keras 3), a Keras 3 {@code .weights.h5}, or a
     * {@code .keras} archive (whose own config is then ignored). The weights file's layout is
     * detected from its content.
     */
    public static Model load(Path architectureJson, Path weights, LoadOptions options) {
        String json = readText(architectureJson, options);
        String jsonLabel = architectureJson.toString();
        try {
            // the architecture is checked first, so that its errors name the JSON file, not the weights
            new ConfigParser(jsonLabel, options).parse(ConfigParser.parseJson(json, jsonLabel, options));
        } catch (JKerasException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new ModelFormatException(jsonLabel, null, null, "cannot read model config (" + e + ")", e);
        }
        String label = weights.toString();
        try {
            if (KerasZipReader.isZip(H5.head(weights, 4, label))) {
                return loadArchive(H5.mapFile(weights, options.maxStreamBytes(), label), json, label, options);
            }
            try (HdfFile f = KerasFiles.openHdf5(weights, label)) {
                if (KerasWeightsH5Reader.layout(f, label) != null) {
                    return fromWeightsH5(f, json, null, label, label, "keras-weights-h5", options);
                }
                return build(KerasH5Reader.read(f, label, options), json, label, options);
            }
        } catch (JKerasException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new ModelFileException(label, null, null, "cannot read model (" + e + ")", e);
        }
    }

    private static String readText(Path architectureJson, LoadOptions options) {
        H5.requireRegularFile(architectureJson, architectureJson.toString());
        try {
            long size = Files.size(architectureJson);
            if (size > options.maxConfigBytes()) {
                // refused from its size alone, before reading: a config of 10^9 layers is never read
                throw new ModelFileException(architectureJson.toString(), null, null, "architecture JSON holds " + size
                        + " bytes, more than the limit of " + options.maxConfigBytes()
                                + " (LoadOptions.maxConfigBytes)", null);
            }
            return Files.readString(architectureJson);
        } catch (CharacterCodingException e) {
            throw new ModelFileException(architectureJson.toString(), null, null, "architecture JSON is not UTF-8 text",
                    e);
        } catch (IOException e) {
            throw new ModelFileException(architectureJson.toString(), null, null, "cannot read: " + e, e);
        }
    }

    private static Model loadHdf5(HdfFile f, String label, LoadOptions options) {
        if (KerasWeightsH5Reader.layout(f, label) != null) {
            throw new ModelFormatException(label, null, null,
                    "this is a Keras 3 weights-only file (.weights.h5, written by"
                    + " save_weights): it holds no architecture; load it together with its config JSON"
                            + " (model.to_json())", null);
        }
        return build(KerasH5Reader.read(f, label, options), null, label, options);
    }

    /**
     * A {@code .keras} archive: {@code config.json} (the architecture, unless {@code externalJson}
     * replaces it), {@code metadata.json} (the Keras version) and {@code model.weights.h5}.
     */
    private static Model loadArchive(ByteBuffer zip, String externalJson, String label, LoadOptions options) {
        KerasZipReader.Archive a = KerasZipReader.read(zip, label, options, Set.of(CONFIG, METADATA, WEIGHTS));
        if (externalJson == null && !a.has(CONFIG)) {
            throw new ModelFormatException(label, null, null, "the .keras archive has no " + CONFIG
                    + " (the model architecture);"
                    + " it holds " + a.names() + "; Keras writes " + CONFIG + ", " + METADATA + " and " + WEIGHTS,
                            null);
        }
        if (!a.has(WEIGHTS)) {
            if (a.has("model.weights.npz")) {
                throw new UnsupportedModelException(label, null, null,
                        "the .keras archive stores its weights as model.weights.npz"
                        + " (weights_format='npz'); jkeras reads " + WEIGHTS
                                + ", Keras' default: re-save with model.save(path)", null);
            }
            throw new ModelFormatException(label, null, null, "the .keras archive has no " + WEIGHTS
                    + " (the weights); it holds "
                    + a.names() + "; Keras writes " + CONFIG + ", " + METADATA + " and " + WEIGHTS, null);
        }
        String configText = externalJson != null ? externalJson : utf8(a.get(CONFIG), CONFIG, label);
        KerasVersion version = null;
        if (a.has(METADATA)) {
            JsonNode meta = ConfigParser.parseJson(utf8(a.get(METADATA), METADATA, label), label + "!/" + METADATA,
                    options);
            version = KerasVersion.parse(ConfigParser.text(meta, "keras_version", null));
        }
        String weightsLabel = label + "!/" + WEIGHTS;
        try (HdfFile f = H5.open(a.get(WEIGHTS), weightsLabel)) {
            return fromWeightsH5(f, configText, version, label, weightsLabel, "keras-zip", options);
        }
    }

    /** Weights in the object-walking layout, with their config: parse the config, read, map. */
    private static Model fromWeightsH5(HdfFile f, String configText, KerasVersion version, String label,
            String weightsLabel,
                                       String format, LoadOptions options) {
        JsonNode json = ConfigParser.parseJson(configText, label, options);
        ModelSpec spec = new ConfigParser(label, options).parse(json);
        KerasWeightsH5Reader.Contents c = KerasWeightsH5Reader.read(f, json, weightsLabel, options);
        if (version == null) version = KerasVersion.parse(ConfigParser.text(json, "keras_version", null));
        if (version == null) {
            // Only Keras 3 writes `layers/`; `_layer_checkpoint_dependencies/` is Keras 2.13-2.15 (tf.keras).
            version = c.layout() == KerasWeightsH5Reader.Layout.KERAS3
                    ? new KerasVersion(3, 0, 0, "3 (inferred from the weights layout)")
                    : new KerasVersion(2, 13, 0, "2.13 (inferred from the weights layout)");
        }
        String backend = ConfigParser.text(json, "backend", null);
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("source", label);
        meta.put("format", format);
        meta.put("keras_version", version.raw());
        if (backend != null) meta.put("backend", backend);
        meta.put(META_MODEL_CONFIG, configText);
        return ModelAssembler.assemble(spec, c.weights(), new MapContext(label, version, backend, options), meta);
    }

    private static String utf8(byte[] b, String entry, String label) {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(b)).toString();
        } catch (CharacterCodingException e) {
            throw new ModelFormatException(label, null, null, entry + " in the .keras archive is not UTF-8 text", e);
        }
    }

    private static Model build(KerasH5Reader.Contents c, String externalJson, String label, LoadOptions options) {
        String configText = externalJson != null ? externalJson : c.modelConfig();
        if (configText == null) {
            throw new ModelFormatException(label, null, null,
                    "no 'model_config' attribute: this is a weights-only file; "
                    + "load it together with its architecture JSON", null);
        }
        var json = ConfigParser.parseJson(configText, label, options);
        KerasVersion version = c.version();
        if (version == null && externalJson != null) version = KerasVersion.parse(
                ConfigParser.text(json, "keras_version", null));
        if (version == null) version = looksLikeKeras1(configText) ? KerasVersion.UNKNOWN_1 : KerasVersion.UNKNOWN_2;
        String backend = c.backend();
        if (backend == null && externalJson != null) backend = ConfigParser.text(json, "backend", null);
        ModelSpec spec = new ConfigParser(label, options).parse(json);
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("source", label);
        meta.put("format", "keras-hdf5");
        meta.put("keras_version", version.raw());
        if (backend != null) meta.put("backend", backend);
        meta.put(META_MODEL_CONFIG, configText);
        meta.put(META_LAYER_NAMES, jsonList(c.weights().keySet()));
        for (Map.Entry<String, List<WeightArray>> e : c.weights().entrySet()) {
            List<String> names = new java.util.ArrayList<>();
            for (WeightArray w : e.getValue()) names.add(w.path());
            meta.put(META_WEIGHT_NAMES + e.getKey(), jsonList(names));
        }
        return ModelAssembler.assemble(spec, c.weights(), new MapContext(label, version, backend, options), meta);
    }

    /** A JSON list of strings, as metadata keeps the original layer and weight names. */
    static String jsonList(java.util.Collection<String> items) {
        com.fasterxml.jackson.databind.node.ArrayNode a
                = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.arrayNode();
        for (String s : items) a.add(s);
        return a.toString();
    }

    private static boolean looksLikeKeras1(String config) {
        return config.contains("\"output_dim\"") || config.contains("\"inner_activation\"");
    }

    /** The weights a {@code .keras} archive holds, per user layer name, as mappers receive them. */
    public static Map<String, List<WeightArray>> archiveWeights(Path path, LoadOptions options) {
        String label = path.toString();
        KerasZipReader.Archive a = KerasZipReader.read(H5.mapFile(path, options.maxStreamBytes(), label), label,
                options,
                Set.of(CONFIG, WEIGHTS));
        if (!a.has(CONFIG) || !a.has(WEIGHTS)) {
            throw new ModelFormatException(label, null, null, "the .keras archive needs " + CONFIG + " and " + WEIGHTS
                    + "; it holds " + a.names(), null);
        }
        JsonNode json = ConfigParser.parseJson(utf8(a.get(CONFIG), CONFIG, label), label, options);
        try (HdfFile f = H5.open(a.get(WEIGHTS), label + "!/" + WEIGHTS)) {
            return KerasWeightsH5Reader.read(f, json, label + "!/" + WEIGHTS, options).weights();
        }
    }
}

package io.jkeras.keras;

import io.jhdf.HdfFile;
import io.jkeras.JKerasException;
import io.jkeras.ModelFileException;
import io.jkeras.ModelFormatException;
import io.jkeras.model.Model;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** Reads Keras files (parse), maps their layers (map) and returns the engine's model. */
public final class KerasLoader {
    private KerasLoader() {}

    /** Loads a legacy Keras HDF5 full-model file ({@code model.save("m.h5")}). */
    public static Model load(Path path) {
        return load(path, LoadOptions.DEFAULT);
    }

    public static Model load(Path path, LoadOptions options) {
        String label = path.toString();
        try (HdfFile f = KerasFiles.openHdf5(path, label)) {
            return build(KerasH5Reader.read(f, label, options), null, label);
        } catch (JKerasException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new ModelFileException(label, null, null, "cannot read model (" + e + ")", e);
        }
    }

    /** Loads a legacy Keras HDF5 full-model file from a stream; {@code name} labels errors. */
    public static Model load(InputStream in, String name) {
        return load(in, name, LoadOptions.DEFAULT);
    }

    public static Model load(InputStream in, String name, LoadOptions options) {
        try (HdfFile f = KerasFiles.openHdf5(in, name, options)) {
            return build(KerasH5Reader.read(f, name, options), null, name);
        } catch (JKerasException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new ModelFileException(name, null, null, "cannot read model (" + e + ")", e);
        }
    }

    /**
     * Loads an architecture JSON ({@code model.to_json()}) with a weights-only HDF5 file
     * ({@code model.save_weights("w.h5")}).
     */
    public static Model load(Path architectureJson, Path weights) {
        return load(architectureJson, weights, LoadOptions.DEFAULT);
    }

    public static Model load(Path architectureJson, Path weights, LoadOptions options) {
        String json;
        if (!Files.isRegularFile(architectureJson)) {
            throw new ModelFileException(architectureJson.toString(), null, null,
                    Files.exists(architectureJson) ? "not a regular file" : "no such file", null);
        }
        try {
            json = Files.readString(architectureJson);
        } catch (java.nio.charset.CharacterCodingException e) {
            throw new ModelFileException(architectureJson.toString(), null, null, "architecture JSON is not UTF-8 text", e);
        } catch (IOException e) {
            throw new ModelFileException(architectureJson.toString(), null, null, "cannot read: " + e, e);
        }
        String label = weights.toString();
        try (HdfFile f = KerasFiles.openHdf5(weights, label)) {
            return build(KerasH5Reader.read(f, label, options), json, label);
        } catch (JKerasException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new ModelFileException(label, null, null, "cannot read model (" + e + ")", e);
        }
    }

    private static Model build(KerasH5Reader.Contents c, String externalJson, String label) {
        String configText = externalJson != null ? externalJson : c.modelConfig();
        if (configText == null) {
            throw new ModelFormatException(label, null, null, "no 'model_config' attribute: this is a weights-only file; "
                    + "load it together with its architecture JSON", null);
        }
        var json = ConfigParser.parseJson(configText, label);
        KerasVersion version = c.version();
        if (version == null && externalJson != null) version = KerasVersion.parse(ConfigParser.text(json, "keras_version", null));
        if (version == null) version = looksLikeKeras1(configText) ? KerasVersion.UNKNOWN_1 : KerasVersion.UNKNOWN_2;
        String backend = c.backend();
        if (backend == null && externalJson != null) backend = ConfigParser.text(json, "backend", null);
        ModelSpec spec = new ConfigParser(label).parse(json);
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("source", label);
        meta.put("format", "keras-hdf5");
        meta.put("keras_version", version.raw());
        if (backend != null) meta.put("backend", backend);
        return ModelAssembler.assemble(spec, c.weights(), new MapContext(label, version, backend), meta);
    }

    private static boolean looksLikeKeras1(String config) {
        return config.contains("\"output_dim\"") || config.contains("\"inner_activation\"");
    }

}

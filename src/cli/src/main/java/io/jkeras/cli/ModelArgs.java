package io.jkeras.cli;

import io.jkeras.JKeras;
import io.jkeras.model.LoadOptions;
import io.jkeras.model.Model;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Files;
import java.nio.file.Path;

/** The model argument shared by every command: a file, or a weights file with --config. */
final class ModelArgs {
    @Parameters(index = "0", paramLabel = "MODEL",
            description = "Keras model file (.h5 or .keras); or a weights-only file (.h5, .weights.h5) together with"
                    + " --config; or a directory holding one of these.")
    Path model;

    @Option(names = "--config", paramLabel = "JSON",
            description = "Architecture JSON (model.to_json()) for a weights-only MODEL.")
    Path config;

    @Option(names = "--allow-non-finite-weights",
            description = "Load weights holding NaN or Inf instead of refusing the file.")
    boolean allowNonFinite;

    /**
     * The file whose optimizer state training may resume from: the model file (or the one a
     * directory holds); with --config the weights file (a .keras archive may hold one); null for
     * a directory holding a config with weights.
     */
    Path stateSource() {
        if (config != null) return model;
        if (Files.isDirectory(model)) {
            for (String f : new String[]{"model.h5", "model.keras", "model.jkm"}) {
                if (Files.exists(model.resolve(f))) return model.resolve(f);
            }
            return null;
        }
        return model;
    }

    /**
     * The files the model is read from (MODEL, --config, or the files a directory holds), which no
     * output of a command may replace.
     */
    java.util.List<Path> inputFiles() {
        java.util.List<Path> l = new java.util.ArrayList<>();
        l.add(model);
        if (config != null) l.add(config);
        if (Files.isDirectory(model)) {
            for (String f : new String[]{"model.h5", "model.keras", "model.jkm", "config.json", "weights.h5",
                    "model.weights.h5"}) {
                l.add(model.resolve(f));
            }
        }
        return l;
    }

    Model load() {
        LoadOptions o = LoadOptions.DEFAULT.withAllowNonFiniteWeights(allowNonFinite);
        if (config != null) return JKeras.load(config, model, o);
        if (Files.isDirectory(model)) {
            for (String f : new String[]{"model.h5", "model.keras", "model.jkm"}) {
                if (Files.exists(model.resolve(f))) return JKeras.load(model.resolve(f), o);
            }
            for (String w : new String[]{"weights.h5", "model.weights.h5"}) {
                if (Files.exists(model.resolve("config.json")) && Files.exists(model.resolve(w))) {
                    return JKeras.load(model.resolve("config.json"), model.resolve(w), o);
                }
            }
            throw new io.jkeras.exceptions.ModelFileException(model.toString(), null, null,
                    "is a directory without model.h5, model.keras, model.jkm, or config.json with weights.h5 or"
                            + " model.weights.h5", null);
        }
        return JKeras.load(model, o);
    }
}

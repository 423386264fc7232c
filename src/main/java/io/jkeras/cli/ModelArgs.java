package io.jkeras.cli;

import io.jkeras.JKeras;
import io.jkeras.keras.LoadOptions;
import io.jkeras.model.Model;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Files;
import java.nio.file.Path;

/** The model argument shared by every command: a file, or a weights file with --config. */
final class ModelArgs {
    @Parameters(index = "0", paramLabel = "MODEL",
            description = "Keras model file (.h5); or a weights-only .h5 together with --config; or a directory holding model.h5 or config.json + weights.h5.")
    Path model;

    @Option(names = "--config", paramLabel = "JSON", description = "Architecture JSON (model.to_json()) for a weights-only MODEL.")
    Path config;

    @Option(names = "--allow-non-finite-weights", description = "Load weights holding NaN or Inf instead of refusing the file.")
    boolean allowNonFinite;

    Model load() {
        LoadOptions o = LoadOptions.DEFAULT.withAllowNonFiniteWeights(allowNonFinite);
        if (config != null) return JKeras.load(config, model, o);
        if (Files.isDirectory(model)) {
            if (Files.exists(model.resolve("model.h5"))) return JKeras.load(model.resolve("model.h5"), o);
            if (Files.exists(model.resolve("config.json")) && Files.exists(model.resolve("weights.h5"))) {
                return JKeras.load(model.resolve("config.json"), model.resolve("weights.h5"), o);
            }
            throw new io.jkeras.ModelFileException(model.toString(), null, null,
                    "is a directory without model.h5 or config.json + weights.h5", null);
        }
        return JKeras.load(model, o);
    }
}

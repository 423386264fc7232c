package io.jkeras;

import io.jkeras.keras.KerasLoader;
import io.jkeras.keras.LoadOptions;
import io.jkeras.model.Model;

import java.io.InputStream;
import java.nio.file.Path;

/**
 * Entry point: loads Keras model files into immutable, thread-safe {@link Model}s.
 *
 * <pre>{@code
 * Model m = JKeras.load(Path.of("model.h5"));
 * Tensor y = m.predict(new float[][][]{...});
 * }</pre>
 *
 * Every failure is a {@link JKerasException} subtype naming the file, layer and weight.
 */
public final class JKeras {
    private JKeras() {}

    /**
     * Loads a full-model file: a Keras 3 (or Keras 2.13-2.15) {@code .keras} archive
     * ({@code model.save("m.keras")}) or a legacy HDF5 file ({@code model.save("m.h5")}), told apart
     * by their first bytes, not their names.
     */
    public static Model load(Path path) { return load(path, LoadOptions.DEFAULT); }

    /** As {@link #load(Path)}; a jkeras native file ({@code .jkm}, told by its magic bytes) loads through {@link io.jkeras.format.Jkm}. */
    public static Model load(Path path, LoadOptions options) {
        if (io.jkeras.format.Jkm.isJkm(path)) return io.jkeras.format.Jkm.load(path, options);
        return KerasLoader.load(path, options);
    }

    /** Loads a {@code .keras} archive or a legacy HDF5 full-model file from a stream; {@code name} labels errors. */
    public static Model load(InputStream in, String name) { return KerasLoader.load(in, name, LoadOptions.DEFAULT); }

    public static Model load(InputStream in, String name, LoadOptions options) { return KerasLoader.load(in, name, options); }

    /**
     * Loads an architecture JSON ({@code model.to_json()}, or the {@code config.json} of a
     * {@code .keras} archive) with its weights: a Keras 3 {@code .weights.h5}
     * ({@code model.save_weights("m.weights.h5")}), a legacy weights-only HDF5 file (Keras 1/2
     * {@code save_weights("w.h5")}), or a {@code .keras} archive; the layout is detected from the
     * file's content.
     */
    public static Model load(Path architectureJson, Path weights) {
        return KerasLoader.load(architectureJson, weights, LoadOptions.DEFAULT);
    }

    public static Model load(Path architectureJson, Path weights, LoadOptions options) {
        return KerasLoader.load(architectureJson, weights, options);
    }

    /**
     * Saves a model (e.g. fine-tuned) with its current weights so that Keras 3 loads it: a path
     * ending in {@code .keras} gets a Keras 3 archive, any other a legacy HDF5 file
     * ({@code model.save("m.h5")} layout). The model config and layer names are those of the file
     * the model was loaded from; see {@link io.jkeras.keras.KerasWriter} for what is refused
     * (Keras 1 files among others). Written atomically.
     */
    public static void save(Model model, Path path) { io.jkeras.keras.KerasWriter.save(model, path); }
}

package io.jkeras;

import io.jkeras.exceptions.InputException;
import io.jkeras.exceptions.UnsupportedModelException;
import io.jkeras.keras.KerasLoader;
import io.jkeras.model.LoadOptions;
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
     * ({@code model.save("m.keras")}), a legacy HDF5 file ({@code model.save("m.h5")}) or a jkeras
     * native file ({@code .jkm}), told apart by their first bytes, not their names.
     */
    public static Model load(Path path) { return load(path, LoadOptions.DEFAULT); }

    /**
     * As {@link #load(Path)}; a jkeras native file ({@code .jkm}, told by its magic bytes) loads through {@link
     * io.jkeras.format.Jkm}.
     */
    public static Model load(Path path, LoadOptions options) {
        if (io.jkeras.format.Jkm.isJkm(path)) return io.jkeras.format.Jkm.load(path, options);
        return KerasLoader.load(path, options);
    }

    /**
     * Loads a model file from a stream: a {@code .keras} archive, a legacy HDF5 full-model file or a
     * jkeras native file ({@code .jkm}), told by its first bytes. The stream is read into memory up to
     * {@link LoadOptions#maxStreamBytes} (a longer one is refused) and not closed; {@code name} labels errors.
     */
    public static Model load(InputStream in, String name) { return KerasLoader.load(in, name, LoadOptions.DEFAULT); }

    public static Model load(InputStream in, String name,
            LoadOptions options) { return KerasLoader.load(in, name, options); }

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

    /** The file name extensions {@link #save(Model, Path)} writes, each naming its format. */
    public static final java.util.List<String> SAVE_EXTENSIONS = java.util.List.of(".jkm", ".keras", ".h5", ".hdf5");

    /**
     * Saves a model (e.g. fine-tuned) with its current weights, in the format its path's extension
     * names: {@code .jkm} the jkeras native format ({@link io.jkeras.format.Jkm}); {@code .keras} a
     * Keras 3 archive; {@code .h5} or {@code .hdf5} a legacy HDF5 file ({@code model.save("m.h5")}
     * layout; Keras 3 picks the legacy format for the same two, keras/src/saving/saving_api.py
     * {@code save_model}). Any other extension is refused with an {@link InputException} naming the
     * allowed ones. For the Keras formats the model config and layer names are those of the file the
     * model was loaded from; see {@link io.jkeras.keras.KerasWriter} for what is refused (Keras 1
     * files among others). Written atomically: {@code path} is either untouched or the whole new file.
     */
    public static void save(Model model, Path path) {
        if (".jkm".equals(saveExtension(path))) {
            io.jkeras.format.Jkm.save(model, path);
        } else {
            io.jkeras.keras.KerasWriter.save(model, path);
        }
    }

    /**
     * Converts a model file to the format {@code out}'s extension names ({@link #save(Model, Path)}):
     * loads {@code in} (any format, told by its bytes) and writes {@code out} atomically. The
     * extension is checked before {@code in} is read. {@code in} and {@code out} may be the same file.
     */
    public static void convert(Path in, Path out) { convert(in, out, LoadOptions.DEFAULT); }

    /** As {@link #convert(Path, Path)}, loading {@code in} with {@code options}. */
    public static void convert(Path in, Path out, LoadOptions options) {
        saveExtension(out);
        save(load(in, options), out);
    }

    /** The lower-case extension of {@code path} among {@link #SAVE_EXTENSIONS}, or an InputException. */
    private static String saveExtension(Path path) {
        String name = path.getFileName() == null ? "" : path.getFileName().toString()
                .toLowerCase(java.util.Locale.ROOT);
        for (String e : SAVE_EXTENSIONS) {
            if (name.endsWith(e)) return e;
        }
        throw new InputException(path.toString(), null, null,
                "cannot tell the format to write from the file name: it must end in "
                + String.join(", ", SAVE_EXTENSIONS) + " (native, Keras 3 archive, legacy HDF5)");
    }

    /**
     * Saves a model with its optimizer's state, so that Keras 3 and {@link #loadTrainingState} go on
     * training where it stopped: a {@code .keras} archive whose {@code compile_config} holds the
     * optimizer's Keras config and {@code loss}, and whose weights file holds {@code iterations},
     * the learning rate and every slot ({@code optimizer/vars}) in Keras' order.
     *
     * <p>A legacy HDF5 path is refused: Keras 3 (3.15.1) does not restore an optimizer from one.
     * Its {@code load_model} builds the optimizer on {@code model._trainable_variables}, which is
     * empty for a Sequential or Functional model, so only {@code iteration} and {@code learning_rate}
     * are set, the slots are dropped, and the next {@code fit} fails ("Unknown variable"); a
     * {@code training_config} whose loss is {@code "mse"} does not even load. Save the model
     * without its optimizer ({@link #save(Model, Path)}) or as {@code .keras}.
     *
     * @param loss the loss for the compile config: a Keras loss name
     *             ({@code LossConfig.name("mean_squared_error")}), a serialized loss
     *             ({@code LossConfig.serialized("BinaryCrossentropy", config)}) or a list of them, as
     *             {@link io.jkeras.train.TrainingState#loss} gives it; null for none
     */
    public static void save(Model model, Path path, io.jkeras.train.KerasOptimizer optimizer,
                            io.jkeras.train.LossConfig loss) {
        if (optimizer == null) {
            save(model, path);
            return;
        }
        String name = path.getFileName() == null ? "" : path.getFileName().toString()
                .toLowerCase(java.util.Locale.ROOT);
        if (!name.endsWith(".keras")) {
            throw new UnsupportedModelException(path.toString(), null, null,
                    "an optimizer state is saved in .keras archives only:"
                    + " Keras 3 does not restore an optimizer from a legacy HDF5 file (its slots are dropped and fit"
                            + " then fails);"
                    + " save as .keras, or save the model alone", null);
        }
        io.jkeras.keras.KerasWriter.saveKeras(model, path,
                io.jkeras.keras.KerasOptimizerReader.forSaving(model, optimizer, loss));
    }

    /**
     * The training state a saved model holds, for going on training it: the optimizer of its
     * compile config ({@code .keras}) or {@code training_config} (legacy HDF5 written by Keras 3),
     * with the saved {@code iterations} and slot variables imported for {@code model}'s trainable
     * weights, and its loss config. {@code model} is the model loaded from {@code path} (or one with
     * the same architecture). Empty when the file names no optimizer. See
     * {@link io.jkeras.keras.KerasOptimizerReader}.
     *
     * <pre>{@code
     * Model m = JKeras.load(p);
     * TrainingState s = JKeras.loadTrainingState(p, m).orElseThrow();
     * FitResult r = Trainer.fit(m, x, y, s.fitOptions().epochs(1).batchSize(8).shuffle(false));
     * JKeras.save(r.model(), out, s.optimizer(), s.loss());
     * }</pre>
     */
    public static java.util.Optional<io.jkeras.train.TrainingState> loadTrainingState(Path path, Model model) {
        return io.jkeras.keras.KerasOptimizerReader.read(path, model);
    }

    public static java.util.Optional<io.jkeras.train.TrainingState> loadTrainingState(Path path, Model model,
            LoadOptions options) {
        return io.jkeras.keras.KerasOptimizerReader.read(path, model, options);
    }
}

package io.jkeras.keras;

import io.jkeras.model.LoadOptions;
import io.jkeras.model.Model;
import io.jkeras.model.ModelLoader;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The Keras readers as a {@link ModelLoader}: a legacy HDF5 file (told by the HDF5 signature) or a
 * {@code .keras} archive (a zip). A weights-only file named {@code weights.h5} or
 * {@code model.weights.h5} with a {@code config.json} beside it (a golden case's layout) loads
 * with that architecture.
 */
public final class KerasModelLoader implements ModelLoader {
    @Override
    public String formats() {
        return "Keras HDF5 (.h5; weights.h5 or model.weights.h5 beside a config.json), Keras archive (.keras)";
    }

    @Override
    public boolean accepts(byte[] head) { return H5.isHdf5(head) || KerasZipReader.isZip(head); }

    @Override
    public Model load(Path path, LoadOptions options) {
        Path name = path.getFileName();
        Path config = path.resolveSibling("config.json");
        if (name != null && (name.toString().equals("weights.h5") || name.toString().equals("model.weights.h5"))
                && Files.isRegularFile(config)) {
            return KerasLoader.load(config, path, options);
        }
        return KerasLoader.load(path, options);
    }
}

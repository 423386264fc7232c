package io.jkeras.keras;

import io.jkeras.model.LoadOptions;
import io.jhdf.HdfFile;

import java.io.InputStream;
import java.nio.file.Path;

/** Opening Keras files; the public face of the package-private HDF5 helpers. */
public final class KerasFiles {
    private KerasFiles() {}

    public static HdfFile openHdf5(Path path, String label) {
        return H5.open(path, label);
    }

    public static HdfFile openHdf5(InputStream in, String label, LoadOptions options) {
        return H5.open(H5.readAll(in, options.maxStreamBytes(), label), label);
    }
}

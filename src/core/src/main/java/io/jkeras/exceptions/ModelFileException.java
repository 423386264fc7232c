package io.jkeras.exceptions;

/**
 * The file cannot be read as a model at all: it is missing, unreadable, not HDF5/zip, or truncated. Check the path and
 * that the file was copied whole.
 */
public class ModelFileException extends JKerasException {
    public ModelFileException(String file, String layer, String weight, String detail, Throwable cause) {
        super(file, layer, weight, detail, cause);
    }

    public ModelFileException(String file, String layer, String weight, String detail) {
        super(file, layer, weight, detail, null);
    }

    public ModelFileException(String detail) {
        super(null, null, null, detail, null);
    }
}

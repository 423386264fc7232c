package io.jkeras.exceptions;

/**
 * The file is readable but its Keras content is malformed or inconsistent (missing model_config, a graph that
 * references an unknown layer, an attribute of the wrong type). The file was not written by a Keras version jkeras
 * knows, or it was edited.
 */
public class ModelFormatException extends JKerasException {
    public ModelFormatException(String file, String layer, String weight, String detail, Throwable cause) {
        super(file, layer, weight, detail, cause);
    }

    public ModelFormatException(String file, String layer, String weight, String detail) {
        super(file, layer, weight, detail, null);
    }

    public ModelFormatException(String detail) {
        super(null, null, null, detail, null);
    }
}

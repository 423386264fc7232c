package io.jkeras.exceptions;

/**
 * The model uses a layer class or an option jkeras does not run (yet). The message names the layer, its class and the
 * option; nothing is computed with a wrong meaning.
 */
public class UnsupportedModelException extends JKerasException {
    public UnsupportedModelException(String file, String layer, String weight, String detail, Throwable cause) {
        super(file, layer, weight, detail, cause);
    }

    public UnsupportedModelException(String file, String layer, String weight, String detail) {
        super(file, layer, weight, detail, null);
    }

    public UnsupportedModelException(String detail) {
        super(null, null, null, detail, null);
    }
}

package io.jkeras.exceptions;

/**
 * An input handed to predict (array or .npy) has the wrong shape, dtype or count for the model. The message says what
 * the model expects.
 */
public class InputException extends JKerasException {
    public InputException(String file, String layer, String weight, String detail, Throwable cause) {
        super(file, layer, weight, detail, cause);
    }

    public InputException(String file, String layer, String weight, String detail) {
        super(file, layer, weight, detail, null);
    }

    public InputException(String detail) {
        super(null, null, null, detail, null);
    }
}

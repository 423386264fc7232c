package io.jkeras.exceptions;

/**
 * A {@link io.jkeras.model.Model#checked() checked} model produced a NaN or infinite output from
 * finite inputs: the message names the output (index and layer), the value, its flat index and its
 * position. The weights or the inputs drive the model out of float32 range; Keras would return
 * the same values silently.
 */
public class NumericException extends JKerasException {
    public NumericException(String file, String layer, String weight, String detail, Throwable cause) {
        super(file, layer, weight, detail, cause);
    }
}

package io.jkeras.exceptions;

/**
 * A weight is missing, has the wrong shape, or holds NaN/Inf. The message names the layer and weight, the shape found
 * and the shape expected, or the first bad index.
 */
public class WeightException extends JKerasException {
    public WeightException(String file, String layer, String weight, String detail, Throwable cause) {
        super(file, layer, weight, detail, cause);
    }

    public WeightException(String file, String layer, String weight, String detail) {
        super(file, layer, weight, detail, null);
    }

    public WeightException(String detail) {
        super(null, null, null, detail, null);
    }
}

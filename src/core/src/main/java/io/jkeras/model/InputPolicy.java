package io.jkeras.model;

/**
 * What {@link Model#predict} does with NaN and Inf input values ({@link Model#withInputPolicy}).
 */
public enum InputPolicy {
    /**
     * The default: an input holding NaN or ±Inf is refused with an {@link io.jkeras.exceptions.InputException}
     * naming the input (index and layer), the value, its flat index and its position. Non-finite
     * inputs are almost always an upstream bug (a division by zero in preprocessing, a missing value
     * read as NaN) that would otherwise surface as NaN outputs far away.
     */
    REJECT,
    /**
     * Inputs are used as given, as Keras does: NaN and Inf propagate through the arithmetic exactly
     * as in Keras (an Embedding still refuses a non-integer id, as Keras does).
     */
    PASS_THROUGH
}

package io.jkeras.model;

/** The element type a model input or output holds, as Keras declares it. */
public enum DType {
    /** 32-bit floats: every output, and every input that is not integer. */
    FLOAT32,
    /**
     * 32-bit integer ids: an input declared with an integer dtype (Keras {@code Input(dtype="int32")})
     * or one that feeds an Embedding directly. jkeras still takes its values as floats holding whole
     * numbers.
     */
    INT32
}

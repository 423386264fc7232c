package io.jkeras.keras;

/**
 * One weight as stored in a Keras file: its short name ({@code kernel}, {@code W_i}, …), the
 * path it was read from, its shape and values in row-major order.
 */
public record WeightArray(String name, String path, int[] shape, float[] data) {
    public String shapeString() { return io.jkeras.tensor.Tensor.shapeString(shape); }
}

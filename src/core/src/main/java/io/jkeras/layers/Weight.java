package io.jkeras.layers;

import io.jkeras.tensor.Tensor;

/**
 * A weight in its logical layout: the short name ({@code kernel}, {@code recurrent_kernel},
 * {@code bias}), its shape and its values in row-major order.
 */
public record Weight(String name, int[] shape, float[] values) {
    public long size() {
        long n = 1;
        for (int d : shape) n *= d;
        return n;
    }

    public String shapeString() { return Tensor.shapeString(shape); }
}

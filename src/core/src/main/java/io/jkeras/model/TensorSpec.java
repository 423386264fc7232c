package io.jkeras.model;

import java.util.Arrays;
import java.util.Objects;

/**
 * The description of one model input or output: its name, shape and element type.
 *
 * @param name  the name of the input layer, or of the layer producing the output (Keras'
 *              {@code model.input_names} / the layer names of {@code model.outputs})
 * @param shape the full shape, batch first; -1 for a dimension that is not fixed (the batch, unless
 *              the model declares one, and e.g. a variable time axis). Copied in and out.
 * @param dtype {@link DType#INT32} for integer ids, else {@link DType#FLOAT32}
 */
public record TensorSpec(String name, int[] shape, DType dtype) {
    public TensorSpec {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(dtype, "dtype");
        shape = shape.clone();
        for (int d : shape) {
            if (d < -1) {
                throw new IllegalArgumentException("dimension " + d + " in " + Arrays.toString(shape) + " of " + name);
            }
        }
    }

    /** A copy of the shape, batch first; -1 for a dimension that is not fixed. */
    @Override
    public int[] shape() { return shape.clone(); }

    /** The rank, batch included. */
    public int rank() { return shape.length; }

    @Override
    public boolean equals(Object o) {
        return o instanceof TensorSpec t && name.equals(t.name) && Arrays.equals(shape, t.shape) && dtype == t.dtype;
    }

    @Override
    public int hashCode() { return Objects.hash(name, Arrays.hashCode(shape), dtype); }

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder(name).append(" (");
        for (int i = 0; i < shape.length; i++) b.append(i == 0 ? "" : ", ").append(shape[i] < 0 ? "None" : shape[i]);
        b.append(shape.length == 1 ? ",) " : ") ");
        return b.append(dtype.name().toLowerCase(java.util.Locale.ROOT)).toString();
    }
}

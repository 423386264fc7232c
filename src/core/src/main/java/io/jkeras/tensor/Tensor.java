package io.jkeras.tensor;

import io.jkeras.exceptions.InputException;

import java.util.Arrays;

/**
 * A dense float32 array in row-major (C) order; dimension 0 is the batch. Tensors handed to and
 * returned by the engine are never modified after construction by the engine; callers that keep
 * the data array must not mutate it while a prediction reads it.
 */
public final class Tensor {
    private final int[] shape;
    private final float[] data;
    private final boolean[] mask;

    public Tensor(int[] shape, float[] data) {
        this(shape, data, null);
    }

    /**
     * @param mask null, or Keras' timestep mask: batch·timesteps flags (dimensions 0 and 1), false
     *             where a timestep is to be skipped
     */
    public Tensor(int[] shape, float[] data, boolean[] mask) {
        this.shape = shape.clone();
        long n = 1;
        for (int d : shape) {
            if (d < 0) throw new IllegalArgumentException("negative dimension in " + Arrays.toString(shape));
            n *= d;
        }
        if (n != data.length) {
            throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " needs " + n
                    + " values, got " + data.length);
        }
        this.data = data;
        if (mask != null && (shape.length < 2 || mask.length != shape[0] * shape[1])) {
            throw new IllegalArgumentException("a mask needs batch·timesteps flags for shape " + Arrays.toString(shape)
                    + ", got " + mask.length);
        }
        this.mask = mask;
    }

    public static Tensor zeros(int... shape) {
        long n = 1;
        for (int d : shape) n *= d;
        if (n > Integer.MAX_VALUE) throw new IllegalArgumentException("tensor too large: " + Arrays.toString(shape));
        return new Tensor(shape, new float[(int) n]);
    }

    /** Copies a (batch, timesteps, features) array; every row must have the same length. */
    public static Tensor of(float[][][] x) {
        int b = x.length;
        int t = b == 0 ? 0 : x[0].length;
        int f = t == 0 ? 0 : x[0][0].length;
        float[] d = new float[b * t * f];
        for (int i = 0; i < b; i++) {
            if (x[i].length != t) throw new InputException("ragged input: sample " + i + " has " + x[i].length
                    + " timesteps, sample 0 has " + t);
            for (int j = 0; j < t; j++) {
                if (x[i][j].length != f) throw new InputException("ragged input: sample " + i + " timestep " + j
                        + " has " + x[i][j].length + " features, expected " + f);
                System.arraycopy(x[i][j], 0, d, (i * t + j) * f, f);
            }
        }
        return new Tensor(new int[]{b, t, f}, d);
    }

    /** Copies a (batch, features) array. */
    public static Tensor of(float[][] x) {
        int b = x.length;
        int f = b == 0 ? 0 : x[0].length;
        float[] d = new float[b * f];
        for (int i = 0; i < b; i++) {
            if (x[i].length != f) throw new InputException("ragged input: sample " + i + " has " + x[i].length
                    + " values, sample 0 has " + f);
            System.arraycopy(x[i], 0, d, i * f, f);
        }
        return new Tensor(new int[]{b, f}, d);
    }

    public int[] shape() { return shape.clone(); }

    public int rank() { return shape.length; }

    public int dim(int i) { return shape[i < 0 ? shape.length + i : i]; }

    /** Whether this tensor has the shape of {@code other} (masks aside); copies nothing. */
    public boolean sameShape(Tensor other) { return Arrays.equals(shape, other.shape); }

    /** Whether this tensor has shape {@code s}; copies nothing. */
    public boolean hasShape(int[] s) { return Arrays.equals(shape, s); }

    /** The backing array (not copied). */
    public float[] data() { return data; }

    public int size() { return data.length; }

    /** A reshaped view of the same data, without a mask. */
    public Tensor reshape(int... newShape) { return new Tensor(newShape, data); }

    /** The timestep mask (batch·timesteps, true = keep), or null when every step counts. */
    public boolean[] mask() { return mask; }

    /** The same data with another mask (null removes it). */
    public Tensor withMask(boolean[] m) { return m == mask ? this : new Tensor(shape, data, m); }

    public float[][][] toArray3() {
        if (shape.length != 3) throw new IllegalStateException("rank " + shape.length + " tensor " + shapeString(shape)
                + " is not rank 3");
        float[][][] r = new float[shape[0]][shape[1]][shape[2]];
        for (int i = 0; i < shape[0]; i++)
            for (int j = 0; j < shape[1]; j++)
                System.arraycopy(data, (i * shape[1] + j) * shape[2], r[i][j], 0, shape[2]);
        return r;
    }

    public float[][] toArray2() {
        if (shape.length != 2) throw new IllegalStateException("rank " + shape.length + " tensor " + shapeString(shape)
                + " is not rank 2");
        float[][] r = new float[shape[0]][shape[1]];
        for (int i = 0; i < shape[0]; i++) System.arraycopy(data, i * shape[1], r[i], 0, shape[1]);
        return r;
    }

    /** Formats a shape as Keras prints it, e.g. {@code (None, 5, 3)} for -1 entries. */
    public static String shapeString(int[] shape) {
        StringBuilder sb = new StringBuilder("(");
        for (int i = 0; i < shape.length; i++) {
            if (i > 0) sb.append(", ");
            sb.append(shape[i] < 0 ? "None" : Integer.toString(shape[i]));
        }
        if (shape.length == 1) sb.append(',');
        return sb.append(')').toString();
    }

    @Override
    public String toString() { return "Tensor" + shapeString(shape); }
}

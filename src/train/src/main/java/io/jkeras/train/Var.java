package io.jkeras.train;

import java.util.Arrays;

/**
 * A value in a training computation: a row-major double array with a shape (dimension 0 is the
 * batch, or the first dimension of a weight), its gradient once {@link Tape#backward} has run, and
 * an optional timestep mask (batch·timesteps flags) carried as Keras carries masks.
 */
public final class Var {
    final int[] shape;
    final double[] value;
    double[] grad;
    final boolean needsGrad;
    final boolean[] mask;

    Var(int[] shape, double[] value, boolean needsGrad, boolean[] mask) {
        long n = 1;
        for (int d : shape) n *= d;
        if (n != value.length) throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " needs " + n
                + " values, got " + value.length);
        this.shape = shape.clone();
        this.value = value;
        this.needsGrad = needsGrad;
        this.mask = mask;
    }

    /** A constant (no gradient). */
    public static Var constant(int[] shape, double[] value) { return new Var(shape, value, false, null); }

    public static Var constant(int[] shape, double[] value, boolean[] mask) { return new Var(shape, value, false, mask);
            }

    /** A leaf whose gradient is wanted (a parameter, or an input in a gradient check). */
    public static Var leaf(int[] shape, double[] value) { return new Var(shape, value, true, null); }

    public int[] shape() { return shape.clone(); }

    public int rank() { return shape.length; }

    public int dim(int i) { return shape[i < 0 ? shape.length + i : i]; }

    public int size() { return value.length; }

    /** The values (not copied). */
    public double[] value() { return value; }

    /** The gradient after backward, or null when none flowed here. */
    public double[] grad() { return grad; }

    public boolean[] mask() { return mask; }

    public boolean needsGrad() { return needsGrad; }

    /** The same value with another mask; gradients flow through unchanged. */
    public Var withMask(Tape t, boolean[] m) {
        if (m == mask) return this;
        Var out = new Var(shape, value, needsGrad, m);
        if (needsGrad) t.record(() -> { if (out.grad != null) accumulate(this, out.grad); });
        return out;
    }

    double[] gradBuffer() {
        if (grad == null) grad = new double[value.length];
        return grad;
    }

    static void accumulate(Var v, double[] g) {
        if (!v.needsGrad) return;
        double[] b = v.gradBuffer();
        for (int i = 0; i < g.length; i++) b[i] += g[i];
    }

    @Override public String toString() { return "Var" + Arrays.toString(shape); }
}

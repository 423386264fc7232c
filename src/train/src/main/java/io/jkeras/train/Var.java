package io.jkeras.train;

import io.jkeras.tensor.Tensor;

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

    /** The values rounded to float32, as the engine's layers take them. */
    public float[] floats() { return narrow(value); }

    /** Doubles rounded to float32. */
    static float[] narrow(double[] values) {
        float[] f = new float[values.length];
        for (int i = 0; i < f.length; i++) f[i] = (float) values[i];
        return f;
    }

    /** This value as an engine tensor (float32, same shape and mask), e.g. to run an engine layer on it. */
    public Tensor toTensor() { return new Tensor(shape, floats(), mask); }

    /** float32 values widened to double, as a tape holds them. */
    static double[] widen(float[] values) {
        double[] d = new double[values.length];
        for (int i = 0; i < d.length; i++) d[i] = values[i];
        return d;
    }

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

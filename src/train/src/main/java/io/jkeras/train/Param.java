package io.jkeras.train;

import io.jkeras.layers.TrainingConfig;

/**
 * A weight being trained: the owning layer's name, the weight's Keras short name and its value as
 * a leaf {@link Var} in Keras' logical layout (updated in place by optimizers). Keras keeps
 * weights in float32, so after every update the value is rounded to float32 ({@link #roundToFloat}).
 */
public final class Param {
    private final String layer;
    private final String name;
    private final Var var;
    private final boolean trainable;
    private final TrainingConfig.Regularizer regularizer;
    private final TrainingConfig.Constraint constraint;

    public Param(String layer, String name, int[] shape, float[] values, boolean trainable,
                 TrainingConfig.Regularizer regularizer, TrainingConfig.Constraint constraint) {
        this.layer = layer;
        this.name = name;
        this.var = new Var(shape, Var.widen(values), trainable, null);
        this.trainable = trainable;
        this.regularizer = regularizer;
        this.constraint = constraint;
    }

    public String layer() { return layer; }

    public String name() { return name; }

    /** {@code layer/name}, e.g. {@code lstm/kernel}. */
    public String fullName() { return layer + "/" + name; }

    public Var var() { return var; }

    public int[] shape() { return var.shape(); }

    public boolean trainable() { return trainable; }

    public TrainingConfig.Regularizer regularizer() { return regularizer; }

    public TrainingConfig.Constraint constraint() { return constraint; }

    /** The current value as float32. */
    public float[] toFloats() { return var.floats(); }

    public void zeroGrad() { var.grad = null; }

    public void roundToFloat() {
        double[] v = var.value;
        for (int i = 0; i < v.length; i++) v[i] = (float) v[i];
    }
}

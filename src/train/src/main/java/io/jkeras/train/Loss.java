package io.jkeras.train;

/**
 * A Keras loss: the per-batch scalar Keras reports and differentiates, i.e. the mean over the batch
 * of the per-sample loss (each sample's loss itself a mean over its last axis where Keras defines
 * it so), built from differentiable pieces or with its own backward step.
 */
public interface Loss {
    /** Keras' name, e.g. {@code mse}. */
    String name();

    /** The scalar loss of predictions {@code yPred} against targets {@code yTrue} (a constant). */
    Var compute(Tape t, Var yTrue, Var yPred);
}

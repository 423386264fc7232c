package io.jkeras.layers;

import java.util.Map;

/**
 * What a layer does only while training, as its Keras config says: whether its weights train,
 * dropout rates (a Dropout layer's rate is {@code dropout}), weight and activity regularizers and
 * weight constraints, keyed by weight short name ({@code kernel}, {@code recurrent_kernel},
 * {@code bias}, {@code embeddings}, …). Inference ignores all of it.
 */
public record TrainingConfig(boolean trainable, double dropout, double recurrentDropout,
                             Map<String, Regularizer> regularizers, Regularizer activityRegularizer,
                             Map<String, Constraint> constraints) {
    public static final TrainingConfig DEFAULT = new TrainingConfig(true, 0, 0, Map.of(), null, Map.of());

    public TrainingConfig {
        regularizers = Map.copyOf(regularizers);
        constraints = Map.copyOf(constraints);
    }

    public TrainingConfig withTrainable(boolean t) {
        return new TrainingConfig(t, dropout, recurrentDropout, regularizers, activityRegularizer, constraints);
    }

    /** Keras' L1/L2 penalty: {@code l1·Σ|w| + l2·Σw²} added to the loss. */
    public record Regularizer(double l1, double l2) {}

    /** Keras weight constraints, applied to a weight after each update. */
    public sealed interface Constraint {
        /** Rescales slices along {@code axis} whose L2 norm exceeds {@code maxValue}. */
        record MaxNorm(double maxValue, int[] axis) implements Constraint {}

        /** Clips negative values to zero. */
        record NonNeg() implements Constraint {}

        /** Rescales slices along {@code axis} to unit L2 norm. */
        record UnitNorm(int[] axis) implements Constraint {}

        /** Rescales slice norms into [minValue, maxValue], moved by {@code rate}. */
        record MinMaxNorm(double minValue, double maxValue, double rate, int[] axis) implements Constraint {}
    }
}

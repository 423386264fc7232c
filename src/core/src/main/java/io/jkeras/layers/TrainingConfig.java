package io.jkeras.layers;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a layer does only while training, as its Keras config says: whether its weights train,
 * dropout rates (a Dropout layer's rate is {@code dropout}, a GaussianNoise layer's stddev too), weight and
 * activity regularizers,
 * weight constraints and the initializer of each weight, keyed by weight short name
 * ({@code kernel}, {@code recurrent_kernel}, {@code bias}, {@code embeddings}, …; inside a
 * Bidirectional {@code forward_lstm/kernel}, as {@link Layer#weights()} names them). Inference
 * ignores all of it.
 */
public record TrainingConfig(boolean trainable, double dropout, double recurrentDropout,
                             Map<String, Regularizer> regularizers, Regularizer activityRegularizer,
                             Map<String, Constraint> constraints, Map<String, Initializer> initializers) {
    public static final TrainingConfig DEFAULT = new TrainingConfig(true, 0, 0, Map.of(), null, Map.of(), Map.of());

    public TrainingConfig {
        regularizers = Map.copyOf(regularizers);
        constraints = Map.copyOf(constraints);
        initializers = Map.copyOf(initializers);
    }

    /** Without initializers (as before they were recorded). */
    public TrainingConfig(boolean trainable, double dropout, double recurrentDropout,
                          Map<String, Regularizer> regularizers, Regularizer activityRegularizer,
                          Map<String, Constraint> constraints) {
        this(trainable, dropout, recurrentDropout, regularizers, activityRegularizer, constraints, Map.of());
    }

    public TrainingConfig withTrainable(boolean t) {
        return new TrainingConfig(t, dropout, recurrentDropout, regularizers, activityRegularizer, constraints,
                initializers);
    }

    public TrainingConfig withInitializers(Map<String, Initializer> init) {
        return new TrainingConfig(trainable, dropout, recurrentDropout, regularizers, activityRegularizer, constraints,
                init);
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

    /**
     * A weight's initializer as its Keras config names it, in Keras 3 spelling: the class name
     * ({@code GlorotUniform}, {@code Orthogonal}, {@code Zeros}, {@code VarianceScaling}, …) and its
     * parameters ({@code seed}, {@code gain}, {@code minval}, {@code scale}, {@code mode}, …: Numbers,
     * Strings or Booleans; absent or null ones are left out). An LSTM bias with
     * {@code unit_forget_bias} has the parameter {@code unit_forget_bias = true}.
     */
    public record Initializer(String className, Map<String, Object> params) {
        public Initializer {
            params = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(params));
        }

        public static Initializer of(String className) { return new Initializer(className, Map.of()); }

        /** A numeric parameter, or {@code dflt} when absent. */
        public double number(String key, double dflt) {
            Object v = params.get(key);
            return v instanceof Number n ? n.doubleValue() : dflt;
        }

        /** A text parameter, or {@code dflt} when absent. */
        public String text(String key, String dflt) {
            Object v = params.get(key);
            return v instanceof String s ? s : dflt;
        }

        public boolean flag(String key) { return Boolean.TRUE.equals(params.get(key)); }
    }
}

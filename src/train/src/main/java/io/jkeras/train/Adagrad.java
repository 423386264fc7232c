package io.jkeras.train;

import java.util.List;
import java.util.Map;

/**
 * Keras 3 Adagrad (keras/src/optimizers/adagrad.py {@code update_step}): {@code acc += g²},
 * {@code w -= lr·g / sqrt(acc + ε)}, the accumulator starting at {@code initial_accumulator_value}.
 * Defaults: lr 0.001, initial_accumulator_value 0.1, ε 1e-7.
 */
public final class Adagrad extends KerasOptimizer {
    private final double initialAccumulator, epsilon;

    public Adagrad(Options o, double initialAccumulatorValue, double epsilon) {
        super(o);
        this.initialAccumulator = initialAccumulatorValue;
        this.epsilon = epsilon;
    }

    public Adagrad(double learningRate) { this(new Options(learningRate), 0.1, 1e-7); }

    @Override public String name() { return "Adagrad"; }

    @Override protected List<String> slotNames() { return List.of("accumulator"); }

    @Override protected String defaultConfigName() { return "adagrad"; }

    @Override
    protected void putConfig(Map<String, Object> c) {
        c.put("initial_accumulator_value", initialAccumulator);
        c.put("epsilon", epsilon);
    }

    @Override protected double initialSlotValue(String slot) { return initialAccumulator; }

    @Override
    protected void updateStep(double[] w, double[] g, Map<String, double[]> s, double lr, long iteration) {
        double eps = (float) epsilon;
        double[] acc = s.get("accumulator");
        for (int i = 0; i < w.length; i++) {
            acc[i] = (float) (acc[i] + (double) (float) (g[i] * g[i]));
            double inc = (float) ((float) (lr * g[i]) / (double) (float) Math.sqrt((float) (acc[i] + eps)));
            w[i] = (float) (w[i] - inc);
        }
    }
}

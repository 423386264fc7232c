package io.jkeras.train;

import io.jkeras.exceptions.InputException;
import io.jkeras.exceptions.UnsupportedModelException;

import java.util.Map;

/**
 * Keras 3's learning-rate schedules (keras/src/optimizers/schedules/learning_rate_schedule.py),
 * evaluated in double and rounded to float32 as Keras' float32 arithmetic returns them.
 */
public final class LearningRateSchedules {
    private LearningRateSchedules() {}

    /** A constant rate (a float learning rate is a float32 variable in Keras). */
    public static LearningRateSchedule constant(double lr) {
        float f = (float) lr;
        return new LearningRateSchedule() {
            @Override public double at(long step) { return f; }

            @Override public String toString() { return Float.toString(f); }
        };
    }

    /**
     * {@code initial · rate^(step / decaySteps)}, the exponent floored when {@code staircase}
     * (learning_rate_schedule.py:162).
     */
    public static LearningRateSchedule exponentialDecay(double initial, long decaySteps, double decayRate,
            boolean staircase) {
        if (decaySteps <= 0) throw new InputException("ExponentialDecay needs decay_steps > 0, got " + decaySteps);
        float init = (float) initial, ds = (float) decaySteps, dr = (float) decayRate;
        return step -> {
            double p = (float) ((float) step / ds);
            if (staircase) p = Math.floor(p);
            return (float) (init * (double) (float) Math.pow(dr, p));
        };
    }

    /**
     * Cosine decay with optional linear warmup (learning_rate_schedule.py:712): with no warmup
     * target, {@code initial · ((1-α)·0.5·(1 + cos(π·min(step, d)/d)) + α)}; with one, a linear ramp
     * from {@code initial} to the target over {@code warmupSteps}, then the cosine decay from the
     * target over {@code decaySteps}.
     */
    public static LearningRateSchedule cosineDecay(double initial, long decaySteps, double alpha, Double warmupTarget,
            long warmupSteps) {
        if (decaySteps <= 0) throw new InputException("CosineDecay needs decay_steps > 0, got " + decaySteps);
        float init = (float) initial, ds = (float) decaySteps, a = (float) alpha;
        return step -> {
            double s = (float) step;
            if (warmupTarget == null) {
                s = Math.min(s, ds);
                return decay(s, ds, init, a);
            }
            float wt = warmupTarget.floatValue(), ws = (float) warmupSteps;
            s = Math.min(s, ds + ws);
            if (s < ws) return (float) ((wt - init) * (double) (float) (s / ws) + init);
            return decay(s - ws, ds, wt, a);
        };
    }

    private static double decay(double step, double decaySteps, double from, double alpha) {
        double completed = (float) (step / decaySteps);
        double cos = (float) (0.5 * (1.0 + (float) Math.cos((float) (Math.PI * completed))));
        double decayed = (float) ((1 - alpha) * cos + alpha);
        return (float) (from * decayed);
    }

    /**
     * A learning rate from a Keras optimizer config's {@code learning_rate} as plain values (see
     * {@link Optimizers#fromConfig}): a number, or a serialized schedule
     * {@code {"class_name": "ExponentialDecay", "config": {...}}} as a map.
     */
    public static LearningRateSchedule fromConfig(Object node, double defaultRate) {
        if (node == null) return constant(defaultRate);
        if (node instanceof Number n) return constant(n.doubleValue());
        Map<String, Object> m = ConfigValues.map(node);
        if (m == null) throw new InputException("learning_rate must be a number or a schedule, got " + node);
        String cls = ConfigValues.text(m, "class_name", "");
        Map<String, Object> c = ConfigValues.map(m.get("config"));
        switch (cls) {
            case "ExponentialDecay":
                return exponentialDecay(ConfigValues.dbl(c, "initial_learning_rate", 0.0),
                        ConfigValues.lng(c, "decay_steps", 0),
                        ConfigValues.dbl(c, "decay_rate", 0.0), ConfigValues.bool(c, "staircase", false));
            case "CosineDecay": {
                Object wt = ConfigValues.get(c, "warmup_target");
                return cosineDecay(ConfigValues.dbl(c, "initial_learning_rate", 0.0),
                        ConfigValues.lng(c, "decay_steps", 0),
                        ConfigValues.dbl(c, "alpha", 0.0), wt instanceof Number n ? n.doubleValue() : null,
                        ConfigValues.lng(c, "warmup_steps", 0));
            }
            default:
                throw new UnsupportedModelException(null, null, null, "learning-rate schedule '" + cls
                        + "' is not supported (ExponentialDecay, CosineDecay)");
        }
    }
}

package io.jkeras.train;

import com.fasterxml.jackson.databind.JsonNode;
import io.jkeras.exceptions.InputException;
import io.jkeras.exceptions.UnsupportedModelException;

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
    public static LearningRateSchedule exponentialDecay(double initial, long decaySteps, double decayRate, boolean staircase) {
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
    public static LearningRateSchedule cosineDecay(double initial, long decaySteps, double alpha, Double warmupTarget, long warmupSteps) {
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
     * A learning rate from a Keras optimizer config's {@code learning_rate}: a number, or a
     * serialized schedule {@code {"class_name": "ExponentialDecay", "config": {...}}}.
     */
    public static LearningRateSchedule fromConfig(JsonNode node, double defaultRate) {
        if (node == null || node.isNull() || node.isMissingNode()) return constant(defaultRate);
        if (node.isNumber()) return constant(node.asDouble());
        if (!node.isObject()) throw new InputException("learning_rate must be a number or a schedule, got " + node);
        String cls = node.path("class_name").asText("");
        JsonNode c = node.path("config");
        switch (cls) {
            case "ExponentialDecay":
                return exponentialDecay(c.path("initial_learning_rate").asDouble(), c.path("decay_steps").asLong(),
                        c.path("decay_rate").asDouble(), c.path("staircase").asBoolean(false));
            case "CosineDecay": {
                JsonNode wt = c.path("warmup_target");
                return cosineDecay(c.path("initial_learning_rate").asDouble(), c.path("decay_steps").asLong(),
                        c.path("alpha").asDouble(0.0), wt.isNumber() ? wt.asDouble() : null, c.path("warmup_steps").asLong(0));
            }
            default:
                throw new UnsupportedModelException(null, null, null, "learning-rate schedule '" + cls + "' is not supported (ExponentialDecay, CosineDecay)");
        }
    }
}

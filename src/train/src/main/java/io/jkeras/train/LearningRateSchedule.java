package io.jkeras.train;

/**
 * A learning rate as a function of the optimizer's {@code iterations} counter, as Keras evaluates
 * it: at the value of {@code iterations} before the update (keras/src/optimizers/base_optimizer.py:781
 * {@code self._learning_rate(self._iterations)}; the counter is incremented after the update,
 * :533). Values are float32, as Keras computes them.
 */
@FunctionalInterface
public interface LearningRateSchedule {
    /** The learning rate for the update made when {@code iterations == step}. */
    double at(long step);
}

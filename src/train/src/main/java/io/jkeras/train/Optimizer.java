package io.jkeras.train;

import java.util.List;

/**
 * A Keras optimizer: updates parameters in place from their gradients, keeping its own slots
 * (momenta, accumulators) per parameter. {@link #step} is one Keras {@code apply_gradients} call;
 * {@code iteration} counts them from 0 as Keras' {@code optimizer.iterations} does.
 */
public interface Optimizer {
    String name();

    /** Applies one update to every parameter in {@code params} whose gradient is not null. */
    void step(List<Param> params, long iteration);
}

package io.jkeras.train;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An optimizer's state, for saving and resuming: Keras' {@code iterations} counter and every slot
 * variable as float32, keyed {@code layer/weight/slot} (e.g. {@code lstm/kernel/momentum}), with
 * Keras' slot names ({@code momentum}, {@code velocity}, {@code velocity_hat},
 * {@code average_gradient}, {@code accumulator}).
 */
public record OptimizerState(long iterations, Map<String, float[]> slots) {
    public OptimizerState {
        slots = Collections.unmodifiableMap(new LinkedHashMap<>(slots));
    }
}

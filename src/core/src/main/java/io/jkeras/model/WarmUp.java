package io.jkeras.model;

import io.jkeras.tensor.Tensor;
import java.time.Duration;

/**
 * What {@link Model#warmUp} did: how many predictions it made, the time it spent, and how long the
 * first and the last of them took.
 *
 * <p>Why a model needs warming: a fresh JVM runs jkeras' kernels interpreted until its JIT has
 * compiled them, and the Vector API kernels are especially slow before that (measured on W1, an
 * LSTM(128) at batch 1 on JDK 25: 320 ms for the first prediction, 8.4 ms for the tenth, against a
 * steady 0.2 ms; README, "First predictions"). A service that calls {@link Model#warmUp} at startup serves its first
 * requests at full
 * speed. The predictions themselves are unaffected: a model keeps no state between predictions.
 */
public record WarmUp(int calls, Duration elapsed, Duration firstCall, Duration lastCall) {
    /**
     * Predicts {@code inputs} until {@code budget} is spent (at least once). Spending the budget
     * rather than stopping when calls look settled: the JIT compiles in tiers, and the first tier's
     * plateau lasts long enough (W1 on JDK 17: some 30 calls at 1.8 ms, then 0.5 ms) to look final.
     */
    static WarmUp run(Model model, Tensor[] inputs, Duration budget) {
        long start = System.nanoTime();
        long deadline = start + Math.max(0, budget.toNanos());
        long first = 0, last;
        int n = 0;
        do {
            long t0 = System.nanoTime();
            model.predict(inputs);
            last = System.nanoTime() - t0;
            if (n++ == 0) first = last;
        } while (System.nanoTime() - deadline < 0 && n < Integer.MAX_VALUE);
        return new WarmUp(n, Duration.ofNanos(System.nanoTime() - start), Duration.ofNanos(first),
                Duration.ofNanos(last));
    }
}

package io.jkeras.train;

import java.util.ArrayList;
import java.util.List;

/**
 * The double-precision tape: reverse-mode differentiation, where each operation that produces a
 * value needing a gradient records how to push its output's gradient to its inputs, and
 * {@link #backward} replays them in reverse. One tape per forward pass; not thread-safe.
 *
 * <p>Two roles: the training path of every model the fused float32 step ({@link FusedRecurrentFit})
 * does not run, and the <b>gradient oracle</b> of the tests: the training forms' gradients on it are
 * checked against finite differences ({@code RecurrentGradientTest}), and the fused step's gradients
 * and trained weights against it ({@code FusedRecurrentFitTest.oracleGradients}).
 */
public final class Tape {
    private final List<Runnable> steps = new ArrayList<>();

    void record(Runnable backward) { steps.add(backward); }

    /** Seeds {@code loss} (a scalar) with gradient 1 and propagates to every leaf. */
    public void backward(Var loss) {
        if (loss.size() != 1) throw new IllegalArgumentException("backward needs a scalar loss, got " + loss);
        loss.gradBuffer()[0] = 1.0;
        for (int i = steps.size() - 1; i >= 0; i--) steps.get(i).run();
        steps.clear();
    }

    public int size() { return steps.size(); }
}

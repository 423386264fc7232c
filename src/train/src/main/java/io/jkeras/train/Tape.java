package io.jkeras.train;

import java.util.ArrayList;
import java.util.List;

/**
 * Reverse-mode differentiation: each operation that produces a value needing a gradient records
 * how to push its output's gradient to its inputs; {@link #backward} replays them in reverse.
 * One tape per forward pass; not thread-safe.
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

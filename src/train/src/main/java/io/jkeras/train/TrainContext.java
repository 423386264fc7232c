package io.jkeras.train;

import java.util.SplittableRandom;

/** Per-step settings shared by every layer of a forward pass: training or not, and the seeded RNG for dropout. */
public final class TrainContext {
    private final boolean training;
    private final SplittableRandom rng;

    public TrainContext(boolean training, SplittableRandom rng) {
        this.training = training;
        this.rng = rng;
    }

    public boolean training() { return training; }

    /** A standard normal sample (Box–Muller) from the context's generator. */
    public double gaussian() {
        double u1 = rng.nextDouble(), u2 = rng.nextDouble();
        return Math.sqrt(-2 * Math.log(1 - u1)) * Math.cos(2 * Math.PI * u2);
    }

    /**
     * An inverted-dropout mask of {@code n} values: 0 with probability {@code rate}, else
     * {@code 1/(1-rate)}, as Keras scales kept units. All ones when not training or rate is 0.
     */
    public double[] dropoutMask(int n, double rate) {
        double[] m = new double[n];
        if (!training || rate <= 0) {
            java.util.Arrays.fill(m, 1.0);
            return m;
        }
        double keep = 1.0 / (1.0 - rate);
        for (int i = 0; i < n; i++) m[i] = rng.nextDouble() < rate ? 0.0 : keep;
        return m;
    }
}

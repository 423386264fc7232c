package io.jkeras.train;

import java.util.ArrayList;

import java.util.List;
import java.util.Map;

/**
 * Keras 3 RMSprop (keras/src/optimizers/rmsprop.py {@code update_step}):
 * {@code v = ρ·v + (1-ρ)·g²}; centered: {@code a = ρ·a + (1-ρ)·g} and denominator
 * {@code v - a² + ε}, else {@code v + ε}; {@code inc = lr·g / sqrt(denominator)}; with momentum
 * {@code mom = momentum·mom + inc, w -= mom}, else {@code w -= inc}. Defaults: lr 0.001, ρ 0.9,
 * momentum 0, ε 1e-7, centered false.
 */
public final class RmsProp extends KerasOptimizer {
    private final double rho, momentum, epsilon;
    private final boolean centered;

    public RmsProp(Options o, double rho, double momentum, double epsilon, boolean centered) {
        super(o);
        this.rho = rho;
        this.momentum = momentum;
        this.epsilon = epsilon;
        this.centered = centered;
    }

    public RmsProp(double learningRate) { this(new Options(learningRate), 0.9, 0.0, 1e-7, false); }

    @Override public String name() { return "RMSprop"; }

    @Override protected String defaultConfigName() { return "rm_sprop"; }

    @Override
    protected void putConfig(Map<String, Object> c) {
        c.put("rho", rho);
        c.put("momentum", momentum);
        c.put("epsilon", epsilon);
        c.put("centered", centered);
    }

    @Override
    protected List<String> slotNames() {
        List<String> s = new ArrayList<>(List.of("velocity"));
        if (momentum > 0) s.add("momentum");
        if (centered) s.add("average_gradient");
        return s;
    }

    @Override
    protected void updateStep(double[] w, double[] g, Map<String, double[]> s, double lr, long iteration) {
        double r = (float) rho, r1 = (float) (1 - rho), eps = (float) epsilon, mo = (float) momentum;
        double[] v = s.get("velocity"), mom = s.get("momentum"), avg = s.get("average_gradient");
        for (int i = 0; i < w.length; i++) {
            v[i] = (float) ((float) (r * v[i]) + (double) (float) (r1 * (float) (g[i] * g[i])));
            double den;
            if (centered) {
                avg[i] = (float) ((float) (r * avg[i]) + (double) (float) (r1 * g[i]));
                den = (float) ((float) (v[i] - (double) (float) (avg[i] * avg[i])) + eps);
            } else {
                den = (float) (v[i] + eps);
            }
            double inc = (float) ((float) (lr * g[i]) / (double) (float) Math.sqrt(den));
            if (momentum > 0) {
                mom[i] = (float) ((float) (mo * mom[i]) + inc);
                w[i] = (float) (w[i] - mom[i]);
            } else {
                w[i] = (float) (w[i] - inc);
            }
        }
    }
}

package io.jkeras.train;

import java.util.List;
import java.util.Map;

/**
 * Keras 3 SGD (keras/src/optimizers/sgd.py): without momentum {@code w -= lr·g}; with momentum
 * {@code m = momentum·m - lr·g}, then {@code w += m}, or with Nesterov
 * {@code w += momentum·m - lr·g} (using the new m). Defaults: lr 0.01, momentum 0, nesterov false.
 */
public final class Sgd extends KerasOptimizer {
    private final double momentum, momentumConfig;
    private final boolean nesterov;

    public Sgd(Options o, double momentum, boolean nesterov) {
        super(o);
        if (momentum < 0 || momentum > 1) throw new io.jkeras.exceptions.InputException(
                "SGD momentum must be in [0, 1], got " + momentum);
        this.momentum = (float) momentum;
        this.momentumConfig = momentum;
        this.nesterov = nesterov;
    }

    public Sgd(double learningRate) { this(new Options(learningRate), 0.0, false); }

    @Override public String name() { return "SGD"; }

    @Override protected String defaultConfigName() { return "sgd"; }

    @Override
    protected void putConfig(Map<String, Object> c) {
        c.put("momentum", momentumConfig);
        c.put("nesterov", nesterov);
    }

    @Override protected List<String> slotNames() { return momentum != 0 ? List.of("momentum") : List.of(); }

    @Override
    protected void updateStep(double[] w, double[] g, Map<String, double[]> s, double lr, long iteration) {
        if (momentum == 0) {
            for (int i = 0; i < w.length; i++) w[i] = (float) (w[i] - (double) (float) (g[i] * lr));
            return;
        }
        double[] m = s.get("momentum");
        for (int i = 0; i < w.length; i++) {
            double gl = (float) (g[i] * lr);
            m[i] = (float) ((float) (m[i] * momentum) - gl);
            if (nesterov) w[i] = (float) (w[i] + (double) (float) ((float) (m[i] * momentum) - gl));
            else w[i] = (float) (w[i] + m[i]);
        }
    }
}

package io.jkeras.train;

import java.util.List;
import java.util.Map;

/**
 * Keras 3 Adam (keras/src/optimizers/adam.py {@code update_step}): with {@code t = iterations + 1},
 * {@code α = lr·sqrt(1 - β2^t) / (1 - β1^t)}, {@code m += (g - m)(1 - β1)}, {@code v += (g² - v)(1 - β2)},
 * with amsgrad {@code v̂ = max(v̂, v)} used in place of v, and {@code w -= m·α / (sqrt(v) + ε)}.
 * Defaults: lr 0.001, β1 0.9, β2 0.999, ε 1e-7, amsgrad false.
 */
public class Adam extends KerasOptimizer {
    private final double beta1, beta2, epsilon;
    private final boolean amsgrad;

    public Adam(Options o, double beta1, double beta2, double epsilon, boolean amsgrad) {
        super(o);
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.epsilon = epsilon;
        this.amsgrad = amsgrad;
    }

    public Adam(double learningRate) { this(new Options(learningRate), 0.9, 0.999, 1e-7, false); }

    @Override public String name() { return "Adam"; }

    @Override protected String defaultConfigName() { return "adam"; }

    @Override
    protected void putConfig(Map<String, Object> c) {
        c.put("beta_1", beta1);
        c.put("beta_2", beta2);
        c.put("epsilon", epsilon);
        c.put("amsgrad", amsgrad);
    }

    @Override
    protected List<String> slotNames() {
        return amsgrad ? List.of("momentum", "velocity", "velocity_hat") : List.of("momentum", "velocity");
    }

    @Override
    protected void updateStep(double[] w, double[] g, Map<String, double[]> s, double lr, long iteration) {
        double b1 = (float) beta1, b2 = (float) beta2;
        double step = (float) (iteration + 1);
        double b1p = (float) Math.pow(b1, step), b2p = (float) Math.pow(b2, step);
        double alpha = (float) (lr * (double) (float) Math.sqrt((float) (1 - b2p)) / (float) (1 - b1p));
        double c1 = (float) (1 - beta1), c2 = (float) (1 - beta2), eps = (float) epsilon;
        double[] m = s.get("momentum"), v = s.get("velocity"), vh = amsgrad ? s.get("velocity_hat") : null;
        for (int i = 0; i < w.length; i++) {
            m[i] = (float) (m[i] + (double) (float) ((float) (g[i] - m[i]) * c1));
            v[i] = (float) (v[i] + (double) (float) ((float) ((float) (g[i] * g[i]) - v[i]) * c2));
            double vi = v[i];
            if (vh != null) {
                vh[i] = Math.max(vh[i], v[i]);
                vi = vh[i];
            }
            double num = (float) (m[i] * alpha), den = (float) ((float) Math.sqrt(vi) + eps);
            w[i] = (float) (w[i] - (double) (float) (num / den));
        }
    }
}

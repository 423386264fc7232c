package io.jkeras.train;

import java.util.List;

/**
 * Keras 3's gradient clipping (keras/src/optimizers/base_optimizer.py:870 {@code _clip_gradients}):
 * at most one of {@code clipnorm} (each gradient by its own L2 norm, TF's {@code clip_by_norm}:
 * {@code g·c / max(‖g‖, c)}), {@code global_clipnorm} (all gradients by their joint norm,
 * {@code clip_by_global_norm} :1179) and {@code clipvalue} (element-wise to [-v, v]), tried in
 * that order. Gradients are modified in place.
 */
public final class GradientClipping {
    private GradientClipping() {}

    /** Applies the configured clipping (a null or non-positive value means not set). */
    public static void apply(List<double[]> grads, Double clipnorm, Double globalClipnorm, Double clipvalue) {
        if (clipnorm != null && clipnorm > 0) {
            double c = (float) clipnorm.doubleValue();
            for (double[] g : grads) byNorm(g, c);
        } else if (globalClipnorm != null && globalClipnorm > 0) {
            byGlobalNorm(grads, (float) globalClipnorm.doubleValue());
        } else if (clipvalue != null && clipvalue > 0) {
            double v = (float) clipvalue.doubleValue();
            for (double[] g : grads) for (int i = 0; i < g.length; i++) g[i] = Math.min(Math.max(g[i], -v), v);
        }
    }

    /** {@code g·c / max(‖g‖, c)} (an all-zero gradient stays zero). */
    public static void byNorm(double[] g, double c) {
        double s = 0;
        for (double v : g) s += v * v;
        double norm = s > 0 ? Math.sqrt(s) : s;
        double d = Math.max(norm, c);
        for (int i = 0; i < g.length; i++) g[i] = g[i] * c / d;
    }

    /** {@code g · c·min(1/‖G‖, 1/c)} for the global norm ‖G‖ (NaN when the norm is not finite, as Keras). */
    public static void byGlobalNorm(List<double[]> grads, double c) {
        double s = 0;
        for (double[] g : grads) for (double v : g) s += v * v;
        double norm = Math.sqrt(s);
        double scale = c * Math.min(1.0 / norm, 1.0 / c) + (norm - norm);
        for (double[] g : grads) for (int i = 0; i < g.length; i++) g[i] *= scale;
    }
}

package io.jkeras.train;

import io.jkeras.layers.TrainingConfig;

/**
 * Keras 3's weight constraints (keras/src/constraints/constraints.py), applied to a weight after
 * each optimizer update (keras/src/optimizers/base_optimizer.py:528, only for the variables that
 * were updated). Norms are L2 norms over {@code axis} (kept as size-1 dimensions and broadcast
 * back), with Keras' {@code epsilon} (1e-7) in the denominator exactly as Keras writes it:
 * <ul>
 * <li>max_norm: {@code w · clip(n, 0, max) / (eps + n)} (:109)</li>
 * <li>non_neg: {@code max(w, 0)} (:125)</li>
 * <li>unit_norm: {@code w / (eps + n)} (:151)</li>
 * <li>min_max_norm: {@code w · (rate·clip(n, min, max) + (1-rate)·n) / (eps + n)} (:198)</li>
 * </ul>
 */
public final class Constraints {
    private Constraints() {}

    static final double EPS = (float) 1e-7;

    /** Applies the param's constraint (if any) to its value in place, then rounds to float32. */
    public static void apply(Param p) {
        if (p.constraint() == null) return;
        apply(p.constraint(), p.var().value(), p.shape());
        p.roundToFloat();
    }

    /** Applies a constraint to {@code w} (row-major, {@code shape}) in place. */
    public static void apply(TrainingConfig.Constraint c, double[] w, int[] shape) {
        if (c instanceof TrainingConfig.Constraint.NonNeg) {
            for (int i = 0; i < w.length; i++) w[i] = Math.max(w[i], 0);
            return;
        }
        int[] axis;
        if (c instanceof TrainingConfig.Constraint.MaxNorm m) axis = m.axis();
        else if (c instanceof TrainingConfig.Constraint.UnitNorm u) axis = u.axis();
        else if (c instanceof TrainingConfig.Constraint.MinMaxNorm mm) axis = mm.axis();
        else throw new IllegalArgumentException("unknown constraint " + c);
        double[] norms = norms(w, shape, axis);
        int[] group = groupIndex(shape, axis);
        double[] factor = new double[norms.length];
        for (int k = 0; k < norms.length; k++) {
            double n = norms[k];
            if (c instanceof TrainingConfig.Constraint.MaxNorm m) {
                double desired = Math.min(Math.max(n, 0), (float) m.maxValue());
                factor[k] = desired / (EPS + n);
            } else if (c instanceof TrainingConfig.Constraint.UnitNorm) {
                factor[k] = 1.0 / (EPS + n);
            } else {
                TrainingConfig.Constraint.MinMaxNorm mm = (TrainingConfig.Constraint.MinMaxNorm) c;
                double rate = (float) mm.rate();
                double desired = rate * Math.min(Math.max(n, (float) mm.minValue()), (float) mm.maxValue())
                        + (1 - rate) * n;
                factor[k] = desired / (EPS + n);
            }
        }
        for (int i = 0; i < w.length; i++) w[i] *= factor[group[i]];
    }

    /** L2 norms over the reduced axes, one per combination of the kept axes (row-major over them). */
    static double[] norms(double[] w, int[] shape, int[] axis) {
        int[] group = groupIndex(shape, axis);
        int groups = 0;
        for (int g : group) groups = Math.max(groups, g + 1);
        double[] s = new double[Math.max(groups, 1)];
        for (int i = 0; i < w.length; i++) s[group[i]] += w[i] * w[i];
        for (int k = 0; k < s.length; k++) s[k] = Math.sqrt(s[k]);
        return s;
    }

    /** For each flat index, the index of its slice (the position over the kept, non-reduced axes). */
    static int[] groupIndex(int[] shape, int[] axis) {
        int r = shape.length;
        boolean[] reduced = new boolean[r];
        if (axis == null) java.util.Arrays.fill(reduced, true);
        else for (int a : axis) {
            int k = a < 0 ? r + a : a;
            if (k < 0 || k >= r) throw new IllegalArgumentException("constraint axis " + a + " for a weight of rank "
                    + r);
            reduced[k] = true;
        }
        int n = 1;
        for (int d : shape) n *= d;
        int[] out = new int[n];
        int[] idx = new int[r];
        for (int i = 0; i < n; i++) {
            int g = 0;
            for (int k = 0; k < r; k++) if (!reduced[k]) g = g * shape[k] + idx[k];
            out[i] = g;
            for (int k = r - 1; k >= 0; k--) {
                if (++idx[k] < shape[k]) break;
                idx[k] = 0;
            }
        }
        return out;
    }
}

package io.jkeras.train;

import java.util.List;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Finite-difference gradient check in double precision: for every element of every leaf, the
 * central difference of the loss equals the gradient the tape computed, to a relative error of
 * {@code tol} (measured as |a - n| / max(|a| + |n|, 1e-8)).
 */
public final class GradCheck {
    private GradCheck() {}

    /** Runs {@code lossOf} (which must build a fresh tape each call) and checks all {@code leaves}. */
    public static double check(List<Var> leaves, Function<Tape, Var> lossOf, double tol) {
        for (Var v : leaves) v.grad = null;
        Tape t = new Tape();
        Var loss = lossOf.apply(t);
        t.backward(loss);
        double worst = 0;
        double h = 1e-6;
        for (Var v : leaves) {
            double[] analytic = v.grad == null ? new double[v.size()] : v.grad.clone();
            for (int i = 0; i < v.size(); i++) {
                double keep = v.value[i];
                v.value[i] = keep + h;
                double up = lossOf.apply(new Tape()).value[0];
                v.value[i] = keep - h;
                double down = lossOf.apply(new Tape()).value[0];
                v.value[i] = keep;
                double numeric = (up - down) / (2 * h);
                double rel = Math.abs(analytic[i] - numeric) / Math.max(Math.abs(analytic[i]) + Math.abs(numeric),
                        1e-8);
                if (Math.abs(analytic[i] - numeric) < 1e-9) rel = 0; // both ~0
                worst = Math.max(worst, rel);
                assertThat(rel).as("%s element %d: analytic %s, numeric %s", v, i, analytic[i], numeric)
                        .isLessThanOrEqualTo(tol);
            }
        }
        return worst;
    }
}

package io.jkeras.train;

import java.util.List;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Finite-difference gradient check in double precision: for every element of every leaf, the
 * central difference of the loss equals the gradient the tape computed, to a relative error of
 * {@code tol} (measured as |a - n| / max(|a| + |n|, 1e-8)).
 *
 * <p>A difference below what the central difference can resolve passes: the loss itself carries a
 * rounding error of a few ulps (it sums dozens of outputs, each the end of a chain of operations),
 * and {@code (up - down) / 2h} magnifies that by {@code 1 / 2h}. The floor is {@link #ROUNDING_ULPS}
 * ulps of the loss over {@code 2h}, and never below 1e-9. Example: a loss of 2.53 (one ulp 4.4e-16)
 * with h = 1e-6 cannot resolve differences under about 2.2e-10 per ulp of error; a ConvLSTM case
 * on JDK 25 differed by 1.0e-9 (4.5 ulps of the loss) on a gradient of 4.3e-4.
 */
public final class GradCheck {
    /** How many ulps of rounding error the loss may carry before a difference counts. */
    static final int ROUNDING_ULPS = 16;

    private GradCheck() {}

    /** The smallest |analytic - numeric| a central difference of step {@code h} resolves. */
    static double resolution(double up, double down, double h) {
        return Math.max(1e-9, ROUNDING_ULPS * Math.ulp(Math.max(Math.abs(up), Math.abs(down))) / (2 * h));
    }

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
                if (Math.abs(analytic[i] - numeric) < resolution(up, down, h)) rel = 0; // below round-off
                worst = Math.max(worst, rel);
                assertThat(rel).as("%s element %d: analytic %s, numeric %s", v, i, analytic[i], numeric)
                        .isLessThanOrEqualTo(tol);
            }
        }
        return worst;
    }
}

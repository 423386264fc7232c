package io.jkeras.train.fit;

import io.jkeras.layers.TrainingConfig.Constraint;
import io.jkeras.train.Constraints;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** Keras 3 constraints (keras/src/constraints/constraints.py) against their formulas, epsilon 1e-7 included. */
class ConstraintsTest {
    static final double EPS = (float) 1e-7;
    // a (2, 3) kernel; axis 0 norms are per column: (3,4)->5, (0,0)->0, (1,0)->1
    static final int[] SHAPE = {2, 3};

    static double[] w() { return new double[]{3, 0, 1, 4, 0, 0}; }

    @Test
    void maxNorm() {
        double[] w = w();
        Constraints.apply(new Constraint.MaxNorm(2.0, new int[]{0}), w, SHAPE);
        assertThat(w).containsExactly(new double[]{3 * 2 / (EPS + 5), 0, 1 * 1 / (EPS + 1), 4 * 2 / (EPS + 5), 0, 0},
                within(1e-12));
        double[] rows = w();
        Constraints.apply(new Constraint.MaxNorm(1.0, new int[]{1}), rows, SHAPE); // row norms sqrt(10), 4
        double n0 = Math.sqrt(10);
        assertThat(rows[0]).isCloseTo(3 / (EPS + n0), within(1e-12));
        assertThat(rows[3]).isCloseTo(4 / (EPS + 4), within(1e-12));
    }

    @Test
    void nonNegUnitAndMinMax() {
        double[] w = {-1, 2, -0.5, 0};
        Constraints.apply(new Constraint.NonNeg(), w, new int[]{4});
        assertThat(w).containsExactly(0, 2, 0, 0);
        double[] u = w();
        Constraints.apply(new Constraint.UnitNorm(new int[]{0}), u, SHAPE);
        assertThat(u[0]).isCloseTo(3 / (EPS + 5), within(1e-12));
        assertThat(u[1]).isEqualTo(0);
        assertThat(u[2]).isCloseTo(1 / (EPS + 1), within(1e-12));
        double[] m = w();
        Constraints.apply(new Constraint.MinMaxNorm(2.0, 4.0, 0.5, new int[]{0}), m, SHAPE);
        double d0 = 0.5 * 4 + 0.5 * 5, d2 = 0.5 * 2 + 0.5 * 1;
        assertThat(m[0]).isCloseTo(3 * d0 / (EPS + 5), within(1e-12));
        assertThat(m[2]).isCloseTo(1 * d2 / (EPS + 1), within(1e-12));
    }
}

package io.jkeras.train;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The round-off floor of {@link GradCheck} forgives rounding, not a wrong gradient. */
class GradCheckTest {
    @Test
    void resolutionCoversTheLossRoundingButNotAOneInAHundredThousandError() {
        double loss = -2.5346050248481866;
        double floor = GradCheck.resolution(loss, loss, 1e-6);
        // central difference of a loss that carries 4.5 ulps of rounding: (4.5 * ulp) / 2h
        assertThat(floor).isGreaterThan(4.5 * Math.ulp(loss) / 2e-6);
        // a gradient of 1e-3 wrong by a relative 1e-5 still fails the check
        assertThat(floor).isLessThan(1e-3 * 1e-5);
    }

    @Test
    void resolutionNeverDropsBelowTheAbsoluteFloor() {
        assertThat(GradCheck.resolution(0, 0, 1e-6)).isEqualTo(1e-9);
        assertThat(GradCheck.resolution(1e-3, -1e-3, 1e-6)).isEqualTo(1e-9);
    }

    @Test
    void resolutionGrowsWithTheLossMagnitude() {
        assertThat(GradCheck.resolution(1000, 999, 1e-6)).isGreaterThan(GradCheck.resolution(10, 9, 1e-6));
    }
}

package io.jkeras.testing;

import io.jkeras.model.Model;

/**
 * AssertJ entry point for jkeras models in JUnit 5 tests:
 *
 * <pre>{@code
 * import static io.jkeras.testing.JKerasAssertions.assertThat;
 *
 * @ParameterizedTest
 * @GoldenCases("src/test/golden")
 * void predictionsDoNotChange(GoldenCase golden) {
 *     assertThat(JKeras.load(Path.of("model.h5"))).on(golden).matchesWithin(1e-5);
 * }
 * }</pre>
 *
 * A failure is an {@link AssertionError} carrying, per output, the statistics {@code jkeras verify}
 * prints: largest absolute and relative error, where the worst element is (batch, timestep, unit),
 * and how many elements are out of tolerance.
 *
 * <p>Needs {@code org.assertj:assertj-core} and {@code org.junit.jupiter:junit-jupiter-params} on
 * the test classpath (jkeras declares them optional).
 */
public final class JKerasAssertions {
    private JKerasAssertions() {}

    public static ModelAssert assertThat(Model actual) { return new ModelAssert(actual); }
}

package io.jkeras.testing;

import io.jkeras.golden.Comparison;
import io.jkeras.golden.GoldenCase;
import io.jkeras.golden.GoldenRunner;
import io.jkeras.golden.HtmlReport;
import io.jkeras.golden.Tolerance;
import io.jkeras.model.Model;
import org.assertj.core.api.AbstractAssert;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;

/**
 * A model's outputs against one golden case: runs the case's batches in one session (a stateful
 * model carries its state) and fails, with {@code verify}'s statistics per output, when an output
 * is out of tolerance ({@code |got − want| ≤ atol + rtol·|want|}; NaN matches only NaN). A
 * tolerance is finite, {@code ≥ 0} and at most {@link Tolerance#MAX}; a larger one (given, or the
 * case's own) needs {@link #allowingLooseTolerance()}, and is named in the failure message.
 */
public final class GoldenAssert extends AbstractAssert<GoldenAssert, Model> {
    private final GoldenCase golden;
    private Path report;
    private boolean allowLoose;

    GoldenAssert(Model actual, GoldenCase golden, String description) {
        super(actual, GoldenAssert.class);
        this.golden = golden;
        if (description != null && !description.isEmpty()) as(description);
    }

    /** Also writes an HTML report (error over timesteps per output) to {@code html}, pass or fail. */
    public GoldenAssert withReport(Path html) {
        this.report = html;
        return this;
    }

    /** Allows a tolerance above {@link Tolerance#MAX} (as {@code verify --allow-loose-tolerance}). */
    public GoldenAssert allowingLooseTolerance() {
        this.allowLoose = true;
        return this;
    }

    /** Every output within absolute tolerance {@code atol} (no relative tolerance). */
    public GoldenAssert matchesWithin(double atol) { return matchesWithin(atol, 0); }

    /** Every output within {@code atol + rtol·|expected|}. */
    public GoldenAssert matchesWithin(double atol, double rtol) {
        return matches(Tolerance.of(atol, rtol, "given", allowLoose));
    }

    private GoldenAssert matches(Tolerance tol) {
        List<GoldenRunner.Outcome> outcomes = GoldenRunner.runDetailed(actual, golden, tol);
        if (report != null) {
            try {
                HtmlReport.write(report, String.valueOf(actual.metadata().getOrDefault("source", actual.name())),
                        golden, outcomes);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        List<Comparison> failed = outcomes.stream().map(GoldenRunner.Outcome::comparison).filter(c -> !c.passed())
                .toList();
        if (!failed.isEmpty()) {
            StringBuilder sb = new StringBuilder();
            sb.append("Expected model '").append(actual.name()).append("' (")
                    .append(actual.metadata().getOrDefault("source", "?"))
                    .append(") to match golden case ").append(golden.dir()).append(" within ").append(tol.describe())
                    .append(", but ").append(failed.size()).append(" of ").append(outcomes.size())
                    .append(" output(s) differ:");
            for (GoldenRunner.Outcome o : outcomes) sb.append(System.lineSeparator()).append("  ")
                    .append(o.comparison().describe());
            if (report != null) sb.append(System.lineSeparator()).append("  report: ").append(report);
            failWithMessage("%s", sb.toString());
        }
        return this;
    }

    /** Within the case's own tolerance ({@code golden.json} or {@code case.json}), else atol 1e-5, rtol 0. */
    public GoldenAssert matchesCaseTolerance() {
        return matches(Tolerance.resolve(null, null, null, null, golden, allowLoose));
    }

    /** Every output equal to the expected one bit for bit (NaN matching NaN). */
    public GoldenAssert matchesExactly() { return matchesWithin(0, 0); }
}

package io.jkeras.cli;

import io.jkeras.exceptions.InputException;
import io.jkeras.golden.Tolerance;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

import java.util.List;

/**
 * The declared range of each numeric option of a command, checked first thing in its
 * {@code run}/{@code call}, before the model loads or anything is read or written. A value out of
 * range is an {@link InputException} (exit 2, one line {@code jkeras: error: ...}) naming the option,
 * the value as typed and the allowed range. Options not given (null) are skipped; defaults are in range by
 * construction.
 *
 * <pre>{@code
 * new OptionRanges(spec).ints("--callers", callers, 1, 4096).positive("--learning-rate", lr);
 * }</pre>
 */
final class OptionRanges {
    private final CommandSpec spec;

    OptionRanges(CommandSpec spec) {
        this.spec = spec;
    }

    /** An integer option in {@code [min, max]}. */
    OptionRanges ints(String option, Number value, long min, long max) {
        if (value != null && (value.longValue() < min || value.longValue() > max)) {
            throw fail(option, value, max == Integer.MAX_VALUE || max == Long.MAX_VALUE
                    ? "an integer >= " + min : "an integer from " + min + " to " + max);
        }
        return this;
    }

    /** A finite number {@code > 0}. */
    OptionRanges positive(String option, Double value) {
        if (value != null && !(Double.isFinite(value) && value > 0)) throw fail(option, value, "a finite number > 0");
        return this;
    }

    /** A finite number {@code >= 0}. */
    OptionRanges nonNegative(String option, Double value) {
        if (value != null && !(Double.isFinite(value) && value >= 0)) throw fail(option, value, "a finite number >= 0");
        return this;
    }

    /** A number in {@code [min, max]}, or in {@code [min, max)} when {@code maxExclusive}. */
    OptionRanges between(String option, Double value, double min, double max, boolean maxExclusive) {
        if (value != null && !(value >= min && (maxExclusive ? value < max : value <= max))) {
            throw fail(option, value, "a number in [" + num(min) + ", " + num(max) + (maxExclusive ? ")" : "]"));
        }
        return this;
    }

    /** A golden tolerance: finite, {@code >= 0}, at most {@link Tolerance#MAX} unless {@code allowLoose}. */
    OptionRanges tolerance(String option, Double value, boolean allowLoose) {
        return tolerance(option, value, allowLoose, true);
    }

    /** A tolerance where no loosening exists ({@code convert}'s embedded checks): at most {@link Tolerance#MAX}. */
    OptionRanges strictTolerance(String option, Double value) {
        return tolerance(option, value, false, false);
    }

    private OptionRanges tolerance(String option, Double value, boolean allowLoose, boolean looseOffered) {
        if (value != null) {
            String problem = looseOffered ? Tolerance.problem(value, allowLoose) : Tolerance.strictProblem(value);
            if (problem != null) throw new InputException(option + " " + typed(option, value) + ": " + problem);
        }
        return this;
    }

    private InputException fail(String option, Object value, String allowed) {
        return new InputException(option + " " + typed(option, value) + " is out of range: allowed is " + allowed);
    }

    /** The value as the user typed it (the last occurrence), else as parsed. */
    private String typed(String option, Object value) {
        CommandLine.ParseResult pr = spec.commandLine().getParseResult();
        OptionSpec o = pr == null ? null : pr.matchedOption(option);
        List<String> typed = o == null ? List.of() : o.stringValues();
        return typed.isEmpty() ? String.valueOf(value) : typed.get(typed.size() - 1);
    }

    private static String num(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : Double.toString(v);
    }
}

package io.jkeras.golden;

import io.jkeras.exceptions.InputException;

import java.util.Locale;

/**
 * The tolerance of a golden comparison, {@code |got − want| ≤ atol + rtol·|want|}, and where each
 * of its two values came from ({@code --atol}, {@code golden.json}, {@code default}, …).
 *
 * <p>A tolerance is a finite number {@code ≥ 0} and at most {@link #MAX} (1e-2): a check with a
 * larger one passes outputs that are plainly wrong, so a green result would mean nothing. Going
 * past {@link #MAX} needs the caller's explicit consent ({@code --allow-loose-tolerance} on the
 * command line, {@code allowingLooseTolerance()} in the test assertions), and is then reported as
 * loose; NaN, infinities and negative values are never accepted.
 */
public record Tolerance(double atol, String atolSource, double rtol, String rtolSource, boolean allowLoose) {
    /** The largest tolerance accepted without {@link #LOOSE_FLAG}. */
    public static final double MAX = 1e-2;
    /** The absolute tolerance when neither the caller nor the case gives one. */
    public static final double DEFAULT_ATOL = 1e-5;
    /** The relative tolerance when neither the caller nor the case gives one. */
    public static final double DEFAULT_RTOL = 0;
    /** The command-line flag that allows a tolerance above {@link #MAX}. */
    public static final String LOOSE_FLAG = "--allow-loose-tolerance";

    /** The rule, for messages and help texts. */
    public static final String RULE = "a tolerance is a finite number >= 0 and at most " + MAX;

    public Tolerance {
        String a = problem(atol, allowLoose), r = problem(rtol, allowLoose);
        if (a != null) throw new InputException("atol " + atol + " (" + atolSource + "): " + a);
        if (r != null) throw new InputException("rtol " + rtol + " (" + rtolSource + "): " + r);
    }

    /** atol and rtol given by the caller ({@code source} says how, e.g. {@code matchesWithin}). */
    public static Tolerance of(double atol, double rtol, String source, boolean allowLoose) {
        return new Tolerance(atol, source, rtol, source, allowLoose);
    }

    /**
     * What is wrong with {@code v} as a tolerance, or null when it is acceptable: NaN, infinite and
     * negative values never are; values above {@link #MAX} only when {@code allowLoose}.
     */
    public static String problem(double v, boolean allowLoose) {
        if (Double.isNaN(v) || Double.isInfinite(v) || v < 0) {
            return RULE + (allowLoose ? " (or, with " + LOOSE_FLAG + ", any finite number >= 0)" : "");
        }
        if (v > MAX && !allowLoose) return RULE + "; pass " + LOOSE_FLAG + " to allow a looser check";
        return null;
    }

    /** As {@link #problem} where no loosening exists (embedded checks of native files): {@link #RULE} or null. */
    public static String strictProblem(double v) {
        return problem(v, false) == null ? null : RULE;
    }

    /**
     * The tolerance a run uses: each value from the caller when given (a non-null {@code flagAtol}
     * / {@code flagRtol}, named by {@code flagAtolName} / {@code flagRtolName}), else the case's own
     * (from its {@code golden.json} or {@code case.json}), else the default.
     */
    public static Tolerance resolve(Double flagAtol, String flagAtolName, Double flagRtol, String flagRtolName,
                                    GoldenCase c, boolean allowLoose) {
        return resolve(flagAtol, flagAtolName, flagRtol, flagRtolName, c, allowLoose, true);
    }

    /** As {@link #resolve} where no loosening exists (embedded checks): every value at most {@link #MAX}. */
    public static Tolerance resolveStrict(Double flagAtol, String flagAtolName, Double flagRtol, String flagRtolName,
            GoldenCase c) {
        return resolve(flagAtol, flagAtolName, flagRtol, flagRtolName, c, false, false);
    }

    private static Tolerance resolve(Double flagAtol, String flagAtolName, Double flagRtol, String flagRtolName,
                                     GoldenCase c, boolean allowLoose, boolean looseOffered) {
        String file = c == null ? null : c.toleranceFile();
        double a = DEFAULT_ATOL, r = DEFAULT_RTOL;
        String as = "default", rs = "default";
        if (flagAtol != null) {
            a = flagAtol;
            as = flagAtolName;
        } else if (c != null && c.atol() != null) {
            a = c.atol();
            as = file;
            // the case's values were checked for type, sign and finiteness when it was opened
            if (a > MAX && !allowLoose) throw caseTooLoose(c, "atol", a, looseOffered);
        }
        if (flagRtol != null) {
            r = flagRtol;
            rs = flagRtolName;
        } else if (c != null && c.rtol() != null) {
            r = c.rtol();
            rs = file;
            if (r > MAX && !allowLoose) throw caseTooLoose(c, "rtol", r, looseOffered);
        }
        return new Tolerance(a, as, r, rs, allowLoose);
    }

    private static InputException caseTooLoose(GoldenCase c, String key, double v, boolean looseOffered) {
        return new InputException(c.dir().resolve(c.toleranceFile()).toString(), null, null,
                "'" + key + "' is " + v + ": " + (looseOffered ? problem(v, false) : strictProblem(v)));
    }

    /** Whether a value is above {@link #MAX} (possible only with {@link #allowLoose}). */
    public boolean loose() { return atol > MAX || rtol > MAX; }

    /** E.g. {@code atol 1e-05 (golden.json), rtol 0 (default)}. */
    public String describe() {
        return "atol " + format(atol) + " (" + atolSource + "), rtol " + format(rtol) + " (" + rtolSource + ")"
                + (loose() ? ", looser than the maximum " + MAX + " (" + LOOSE_FLAG + ")" : "");
    }

    static String format(double v) {
        return v == 0 ? "0" : String.format(Locale.ROOT, "%.6g", v).replaceAll("\\.?0+(e|$)", "$1");
    }
}

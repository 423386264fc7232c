package io.jkeras.golden;

import io.jkeras.tensor.Tensor;
import io.jkeras.text.Printable;

/**
 * How one output compares with its expected value: the largest absolute and relative errors, where
 * the worst element is (as an index per dimension: batch, timestep, unit), and how many elements
 * are outside {@code |got - want| <= atol + rtol·|want|}. NaN on either side counts as out of
 * tolerance unless both are NaN.
 */
public record Comparison(String label, int[] shape, double maxAbs, double maxRel, int[] worstIndex,
                         float worstGot, float worstWant, long outOfTolerance, long total,
                         double atol, double rtol, boolean shapeMismatch, int[] expectedShape) {

    public static Comparison of(String label, Tensor got, Tensor want, double atol, double rtol) {
        if (!java.util.Arrays.equals(got.shape(), want.shape())) {
            return new Comparison(label, got.shape(), Double.POSITIVE_INFINITY, Double.POSITIVE_INFINITY, new int[0],
                    Float.NaN, Float.NaN, Math.max(got.size(), want.size()), Math.max(got.size(), want.size()), atol,
                            rtol, true, want.shape());
        }
        float[] g = got.data(), w = want.data();
        double maxAbs = 0, maxRel = 0;
        int worst = g.length > 0 ? 0 : -1;
        long bad = 0;
        for (int i = 0; i < g.length; i++) {
            double d;
            if (Float.isNaN(g[i]) || Float.isNaN(w[i])) d = Float.isNaN(g[i]) && Float.isNaN(w[i]) ? 0
                    : Double.POSITIVE_INFINITY;
            else if (g[i] == w[i]) d = 0; // equal infinities
            else d = Math.abs((double) g[i] - w[i]);
            double rel = d == 0 ? 0 : d / Math.abs((double) w[i]);
            if (d > maxAbs || (d == maxAbs && d == Double.POSITIVE_INFINITY && worst < 0)) {
                maxAbs = d;
                worst = i;
            }
            if (rel > maxRel) maxRel = rel;
            if (!(d <= atol + rtol * Math.abs((double) w[i]))) bad++;
        }
        int[] idx = unravel(worst, got.shape());
        return new Comparison(label, got.shape(), maxAbs, maxRel, idx, worst >= 0 ? g[worst] : Float.NaN,
                worst >= 0 ? w[worst] : Float.NaN, bad, g.length, atol, rtol, false, want.shape());
    }

    static int[] unravel(int flat, int[] shape) {
        if (flat < 0) return new int[0];
        int[] idx = new int[shape.length];
        for (int d = shape.length - 1; d >= 0; d--) {
            idx[d] = shape[d] == 0 ? 0 : flat % shape[d];
            flat = shape[d] == 0 ? 0 : flat / shape[d];
        }
        return idx;
    }

    public boolean passed() { return !shapeMismatch && outOfTolerance == 0; }

    /** One line a person reads: the statistics and where the worst element is. */
    public String describe() {
        if (shapeMismatch) {
            return Printable.escape(label) + ": shape " + Tensor.shapeString(shape) + " but expected "
                    + Tensor.shapeString(expectedShape) + "  FAIL";
        }
        StringBuilder sb = new StringBuilder();
        sb.append(Printable.escape(label)).append(": max abs err ").append(String.format("%.3g", maxAbs))
                .append(", max rel err ").append(String.format("%.3g", maxRel));
        if (worstIndex.length > 0) {
            sb.append(", worst at ").append(indexString(worstIndex, shape.length))
                    .append(" (got ").append(worstGot).append(", expected ").append(worstWant).append(")");
        }
        sb.append(", ").append(outOfTolerance).append(" of ").append(total).append(" outside atol ")
                .append(atol).append(" + rtol ").append(rtol).append("·|expected|");
        sb.append(passed() ? "  ok" : "  FAIL");
        return sb.toString();
    }

    private static String indexString(int[] idx, int rank) {
        String[] names = rank == 3 ? new String[]{"batch", "timestep", "unit"} : rank == 2
                ? new String[]{"batch", "unit"} : null;
        StringBuilder sb = new StringBuilder("(");
        for (int i = 0; i < idx.length; i++) {
            if (i > 0) sb.append(", ");
            if (names != null) sb.append(names[i]).append(' ');
            sb.append(idx[i]);
        }
        return sb.append(')').toString();
    }
}

package io.jkeras.golden;

import io.jkeras.tensor.Tensor;
import io.jkeras.util.AtomicFiles;
import io.jkeras.text.Printable;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A self-contained HTML page (no scripts, no external files) showing how a model's outputs compare
 * with a golden case: the statistics {@code verify} prints, and per output a plot of the absolute
 * error over timesteps (inline SVG, logarithmic scale): the largest and the mean error at each
 * timestep, the tolerance as a dashed line, and timesteps with values out of tolerance marked in
 * red. Outputs without a time axis ((batch, units)) are plotted over the batch's samples instead.
 */
public final class HtmlReport {
    private static final int W = 760, H = 300, ML = 78, MR = 22, MT = 32, MB = 46;
    private static final double FLOOR_MIN = 1e-12;

    private HtmlReport() {}

    /** Writes the report atomically. */
    public static void write(Path out, String model, GoldenCase c,
            List<GoldenRunner.Outcome> outcomes) throws IOException {
        byte[] html = render(model, c, outcomes).getBytes(StandardCharsets.UTF_8);
        AtomicFiles.write(out, o -> o.write(html));
    }

    /** Per-position series of one output: x labels and the largest and mean |error| at each. */
    record Series(String axis, int n, double[] max, double[] mean, long[] bad, boolean[] nonFinite) {}

    /** Errors of {@code got} against {@code want} over axis 1 (timesteps) for rank ≥ 3, else axis 0 (samples). */
    static Series series(Tensor got, Tensor want, double atol, double rtol) {
        int[] s = got.shape();
        boolean time = s.length >= 3;
        int n = s.length == 0 ? 1 : time ? s[1] : s[0];
        double[] max = new double[n], sum = new double[n];
        long[] cnt = new long[n], bad = new long[n];
        boolean[] nonFinite = new boolean[n];
        float[] g = got.data(), w = want.data();
        int inner = 1;
        for (int d = time ? 2 : 1; d < s.length; d++) inner *= s[d];
        for (int i = 0; i < g.length; i++) {
            int pos = n == 0 ? 0 : (i / inner) % n;
            double d;
            if (Float.isNaN(g[i]) || Float.isNaN(w[i])) d = Float.isNaN(g[i]) && Float.isNaN(w[i]) ? 0
                    : Double.POSITIVE_INFINITY;
            else if (g[i] == w[i]) d = 0;
            else d = Math.abs((double) g[i] - w[i]);
            if (Double.isInfinite(d)) nonFinite[pos] = true;
            else {
                max[pos] = Math.max(max[pos], d);
                sum[pos] += d;
                cnt[pos]++;
            }
            if (!(d <= atol + rtol * Math.abs((double) w[i]))) bad[pos]++;
        }
        double[] mean = new double[n];
        for (int i = 0; i < n; i++) mean[i] = cnt[i] == 0 ? 0 : sum[i] / cnt[i];
        return new Series(time ? "timestep" : "sample (batch index)", n, max, mean, bad, nonFinite);
    }

    public static String render(String model, GoldenCase c, List<GoldenRunner.Outcome> outcomes) {
        boolean ok = outcomes.stream().allMatch(o -> o.comparison().passed());
        long failed = outcomes.stream().filter(o -> !o.comparison().passed()).count();
        StringBuilder sb = new StringBuilder(16384);
        sb.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>jkeras verify: ")
                .append(esc(c.name())).append(ok ? " PASS" : " FAIL").append("</title>\n<style>\n")
                .append("body{font-family:system-ui,-apple-system,'Segoe"
                + " UI',Roboto,Helvetica,Arial,sans-serif;margin:24px"
                        + " auto;max-width:820px;color:#1f2328;line-height:1.4}\n")
                .append("h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 6px}\n")
                .append(".badge{display:inline-block;padding:2px"
                + " 10px;border-radius:12px;font-weight:600;color:#fff;font-size:14px;vertical-align:middle}\n")
                .append(".pass{background:#1a7f37}.fail{background:#cf222e}\n")
                .append("table{border-collapse:collapse;font-size:14px;margin:8px 0}td,th{padding:3px"
                + " 10px;border-bottom:1px solid #d0d7de;text-align:left}\n")
                .append("th{color:#57606a;font-weight:600}code,.mono{font-family:ui-monospace,SFMono-Regular,Menlo,C"
                + "onsolas,monospace;font-size:13px}\n")
                .append(".stat{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:13px;backg"
                + "round:#f6f8fa;padding:8px 10px;border-radius:6px;white-space:pre-wrap}\n")
                .append("svg{display:block;margin:6px 0 0}.note{color:#57606a;font-size:13px}\n")
                .append("</style></head><body>\n");
        sb.append("<h1>jkeras verify <span class=\"badge ").append(ok ? "pass\">PASS" : "fail\">FAIL")
                .append("</span></h1>\n");
        sb.append("<table>\n<tr><th>model</th><td class=\"mono\">").append(esc(model)).append("</td></tr>\n")
                .append("<tr><th>golden case</th><td class=\"mono\">").append(esc(c.dir().toString()))
                .append("</td></tr>\n")
                .append("<tr><th>outputs</th><td>").append(outcomes.size()).append(" compared, ").append(failed)
                .append(" out of tolerance</td></tr>\n");
        if (!outcomes.isEmpty()) {
            Comparison f = outcomes.get(0).comparison();
            sb.append("<tr><th>tolerance</th><td>|jkeras − expected| ≤ ").append(num(f.atol())).append(" + ")
                    .append(num(f.rtol()))
                    .append(" · |expected|</td></tr>\n");
        }
        sb.append("<tr><th>jkeras</th><td>").append(esc(io.jkeras.util.Version.jkeras())).append(", Java ")
                .append(esc(System.getProperty("java.version")))
                .append("</td></tr>\n<tr><th>date</th><td>").append(Instant.now().truncatedTo(ChronoUnit.SECONDS))
                .append("</td></tr>\n</table>\n");
        for (GoldenRunner.Outcome o : outcomes) section(sb, o);
        sb.append("<p class=\"note\">Each plot shows, at every timestep (or sample), the largest absolute error over"
                + " the other axes (solid)")
                .append(" and the mean absolute error (light); the dashed line is the absolute tolerance. Exact"
                + " matches are drawn on the bottom")
                .append(" line labelled 0; red dots mark positions holding values out of tolerance; NaN or infinite"
                + " differences are drawn at the top.</p>\n");
        sb.append("</body></html>\n");
        return sb.toString();
    }

    private static void section(StringBuilder sb, GoldenRunner.Outcome o) {
        Comparison c = o.comparison();
        sb.append("<h2>").append(esc(c.label())).append(" <span class=\"badge ")
                .append(c.passed() ? "pass\">ok" : "fail\">FAIL").append("</span></h2>\n");
        sb.append("<div class=\"stat\">").append(esc(c.describe())).append("</div>\n");
        if (c.shapeMismatch()) {
            sb.append("<p>No plot: jkeras' output has shape ").append(Tensor.shapeString(c.shape()))
                    .append(", the expected output ")
                    .append(Tensor.shapeString(c.expectedShape())).append(".</p>\n");
            return;
        }
        Series s = series(o.got(), o.want(), c.atol(), c.rtol());
        sb.append(svg(s, c));
        worst(sb, o);
    }

    /** The largest errors, with their positions. */
    private static void worst(StringBuilder sb, GoldenRunner.Outcome o) {
        float[] g = o.got().data(), w = o.want().data();
        int k = Math.min(5, g.length);
        if (k == 0) return;
        List<Integer> top = new ArrayList<>();
        double[] err = new double[g.length];
        for (int i = 0; i < g.length; i++) {
            err[i] = Float.isNaN(g[i]) || Float.isNaN(w[i])
                    ? (Float.isNaN(g[i]) && Float.isNaN(w[i]) ? 0 : Double.POSITIVE_INFINITY)
                    : g[i] == w[i] ? 0 : Math.abs((double) g[i] - w[i]);
        }
        for (int i = 0; i < g.length; i++) {
            if (err[i] == 0) continue;
            int pos = top.size();
            while (pos > 0 && err[top.get(pos - 1)] < err[i]) pos--;
            if (pos < k) {
                top.add(pos, i);
                if (top.size() > k) top.remove(k);
            }
        }
        if (top.isEmpty()) {
            sb.append("<p class=\"note\">Every value equals the expected value exactly.</p>\n");
            return;
        }
        int[] shape = o.got().shape();
        sb.append("<table><tr><th>position ").append(axes(shape.length))
                .append("</th><th>jkeras</th><th>expected</th><th>|error|</th></tr>\n");
        for (int i : top) {
            sb.append("<tr><td class=\"mono\">").append(index(i, shape)).append("</td><td class=\"mono\">").append(g[i])
                    .append("</td><td class=\"mono\">").append(w[i]).append("</td><td class=\"mono\">")
                    .append(num(err[i])).append("</td></tr>\n");
        }
        sb.append("</table>\n");
    }

    private static String axes(int rank) {
        return rank == 3 ? "(batch, timestep, unit)" : rank == 2 ? "(batch, unit)" : "";
    }

    private static String index(int flat, int[] shape) {
        int[] idx = Comparison.unravel(flat, shape);
        StringBuilder sb = new StringBuilder("(");
        for (int i = 0; i < idx.length; i++) sb.append(i > 0 ? ", " : "").append(idx[i]);
        return sb.append(')').toString();
    }

    static String svg(Series s, Comparison c) {
        double atol = c.atol();
        double lo = Double.POSITIVE_INFINITY, hi = 0;
        for (int i = 0; i < s.n(); i++) {
            if (s.max()[i] > 0) lo = Math.min(lo, s.max()[i]);
            if (s.mean()[i] > 0) lo = Math.min(lo, s.mean()[i]);
            hi = Math.max(hi, s.max()[i]);
        }
        if (atol > 0) {
            lo = Math.min(lo, atol);
            hi = Math.max(hi, atol);
        }
        if (!(lo < Double.POSITIVE_INFINITY)) lo = 1e-8;
        if (hi <= 0) hi = 1e-5;
        int dLo = (int) Math.floor(Math.log10(Math.max(lo, FLOOR_MIN))) - 1;
        int dHi = (int) Math.ceil(Math.log10(hi) + 1e-9);
        if (dHi <= dLo) dHi = dLo + 1;
        if (dHi - dLo > 14) dLo = dHi - 14;
        final int decLo = dLo, decHi = dHi;
        double pw = W - ML - MR, ph = H - MT - MB;
        // a band below the lowest decade holds exact (zero) errors; one above the top holds NaN/Inf
        double zeroY = MT + ph, topY = MT;
        double y0 = MT + ph - 26, y1 = MT + 14;
        java.util.function.DoubleUnaryOperator yOf = v -> {
            if (v <= 0) return zeroY;
            if (Double.isInfinite(v)) return topY;
            double l = Math.max(decLo, Math.min(decHi, Math.log10(v)));
            return y0 - (l - decLo) / (decHi - decLo) * (y0 - y1);
        };
        int n = Math.max(1, s.n());
        java.util.function.IntToDoubleFunction xOf = i -> n == 1 ? ML + pw / 2 : ML + i * pw / (n - 1);

        StringBuilder sb = new StringBuilder(4096);
        sb.append(String.format(Locale.ROOT,
                "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" "
                + "role=\"img\" aria-label=\"absolute error over %s\""
                        + " font-family=\"system-ui,Helvetica,Arial,sans-serif\" font-size=\"12\">\n", W, H, W, H,
                                s.axis()));
        sb.append(String.format(Locale.ROOT,
                "<rect x=\"%d\" y=\"%d\" width=\"%.1f\" height=\"%.1f\" fill=\"#ffffff\" stroke=\"#8c959f\"/>\n", ML,
                        MT, pw, ph));
        // y grid: decades
        int step = decHi - decLo > 7 ? 2 : 1;
        for (int d = decLo; d <= decHi; d += step) {
            double y = yOf.applyAsDouble(Math.pow(10, d));
            sb.append(String.format(Locale.ROOT,
                    "<line x1=\"%d\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#eaeef2\"/>\n", ML, ML + pw, y, y));
            sb.append(String.format(Locale.ROOT,
                    "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\" fill=\"#57606a\">1e%d</text>\n", ML - 6, y + 4, d));
        }
        sb.append(String.format(Locale.ROOT,
                "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\" fill=\"#57606a\">0</text>\n", ML - 6, zeroY - 2));
        // the axis is broken between the lowest decade and the line of exact matches
        sb.append(String.format(Locale.ROOT,
                "<line x1=\"%d\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#d0d7de\" stroke-dasharray=\"2 3\"/>\n",
                ML, ML + pw, (y0 + zeroY) / 2, (y0 + zeroY) / 2));
        // x ticks
        int tickStep = niceStep(n);
        for (int i = 0; i < n; i += tickStep) {
            double x = xOf.applyAsDouble(i);
            sb.append(String.format(Locale.ROOT,
                    "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#8c959f\"/>\n", x, x, MT + ph, MT
                            + ph + 4));
            sb.append(String.format(Locale.ROOT,
                    "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" fill=\"#57606a\">%d</text>\n", x, MT + ph + 17,
                            i));
        }
        sb.append(String.format(Locale.ROOT,
                "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\" fill=\"#1f2328\">%s</text>\n", ML + pw / 2, H - 8,
                        s.axis()));
        sb.append(String.format(Locale.ROOT,
                "<text transform=\"translate(16 %.1f) rotate(-90)\" text-anchor=\"middle\" fill=\"#1f2328\">|jkeras"
                        + " − expected|</text>\n", MT + ph / 2));
        // tolerance
        if (atol > 0) {
            double y = yOf.applyAsDouble(atol);
            sb.append(String.format(Locale.ROOT,
                    "<line x1=\"%d\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#bf8700\" stroke-width=\"1.5\""
                            + " stroke-dasharray=\"6 4\"/>\n", ML, ML + pw, y, y));
            sb.append(String.format(Locale.ROOT,
                    "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\" fill=\"#9a6700\">atol %s</text>\n", ML + pw - 4,
                            y - 4, num(atol)));
        }
        // series
        sb.append(polyline(s.mean(), s.nonFinite(), n, xOf, yOf, "#8fb8f0", 1.5));
        sb.append(polyline(s.max(), s.nonFinite(), n, xOf, yOf, "#0550ae", 2));
        for (int i = 0; i < s.n(); i++) {
            double x = xOf.applyAsDouble(i);
            double y = s.nonFinite()[i] ? topY : yOf.applyAsDouble(s.max()[i]);
            boolean bad = s.bad()[i] > 0;
            sb.append(String.format(Locale.ROOT,
                    "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"%s\" fill=\"%s\"><title>%s %d: max |err| %s, mean %s, %d"
                            + " out of tolerance</title></circle>\n",
                    x, y, bad ? "4" : "2.2", bad ? "#cf222e" : "#0550ae", s.axis(), i, s.nonFinite()[i] ? "NaN/Inf"
                            : num(s.max()[i]), num(s.mean()[i]), s.bad()[i]));
        }
        // legend
        double lx = ML + 2, ly = 6; // above the plot, never over the data
        sb.append(String.format(Locale.ROOT,
                "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#0550ae\" stroke-width=\"2\"/>"
                + "<text x=\"%.1f\" y=\"%.1f\" fill=\"#1f2328\">max</text>\n", lx, lx + 18, ly + 8, ly + 8, lx + 22, ly
                        + 12));
        sb.append(String.format(Locale.ROOT,
                "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#8fb8f0\" stroke-width=\"2\"/>"
                + "<text x=\"%.1f\" y=\"%.1f\" fill=\"#1f2328\">mean</text>\n", lx + 56, lx + 74, ly + 8, ly + 8, lx
                        + 78, ly + 12));
        sb.append(String.format(Locale.ROOT,
                "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"4\" fill=\"#cf222e\"/><text x=\"%.1f\" y=\"%.1f\""
                        + " fill=\"#1f2328\">out of tolerance</text>\n",
                lx + 124, ly + 8, lx + 132, ly + 12));
        sb.append("</svg>\n");
        return sb.toString();
    }

    private static String polyline(double[] v, boolean[] nonFinite, int n, java.util.function.IntToDoubleFunction xOf,
                                   java.util.function.DoubleUnaryOperator yOf, String color, double width) {
        StringBuilder pts = new StringBuilder();
        for (int i = 0; i < v.length; i++) {
            pts.append(String.format(Locale.ROOT, "%.1f,%.1f ", xOf.applyAsDouble(i), nonFinite[i]
                    ? yOf.applyAsDouble(Double.POSITIVE_INFINITY) : yOf.applyAsDouble(v[i])));
        }
        return String.format(Locale.ROOT,
                "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"%.1f\" stroke-linejoin=\"round\""
                        + " points=\"%s\"/>\n",
                color, width, pts.toString().trim());
    }

    private static int niceStep(int n) {
        int[] steps = {1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 5000, 10000};
        for (int s : steps) if (n / s <= 12) return s;
        return Math.max(1, n / 10);
    }

    private static String num(double v) {
        if (v == 0) return "0";
        if (Double.isInfinite(v)) return "inf";
        return String.format(Locale.ROOT, "%.3g", v);
    }

    /** {@code s} for HTML text and attribute values: control characters escaped ({@link Printable}), then markup. */
    static String esc(String s) {
        if (s == null) return "";
        StringBuilder sb = new StringBuilder(s.length());
        for (char ch : Printable.escape(s).toCharArray()) {
            switch (ch) {
                case '<' -> sb.append("&lt;");
                case '>' -> sb.append("&gt;");
                case '&' -> sb.append("&amp;");
                case '"' -> sb.append("&quot;");
                case '\'' -> sb.append("&#39;");
                default -> sb.append(ch);
            }
        }
        return sb.toString();
    }
}

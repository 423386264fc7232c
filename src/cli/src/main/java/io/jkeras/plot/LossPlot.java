package io.jkeras.plot;

import io.jkeras.exceptions.JKerasException;
import io.jkeras.util.AtomicFiles;

import javax.imageio.ImageIO;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Path2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A line chart of per-epoch metrics (Keras' {@code History.history}: {@code loss},
 * {@code val_loss}, …) against the epoch, with axes, ticks, grid, axis labels, a legend and a
 * title; written as PNG (rendered headless with Java2D) or SVG (plain XML), chosen by the file's
 * extension. Epochs are numbered from 1 as Keras prints them. Non-finite values (a diverged run)
 * are left out and break the line.
 */
public final class LossPlot {
    public static final int DEFAULT_WIDTH = 800;
    public static final int DEFAULT_HEIGHT = 500;

    /** The output formats, by file extension. */
    public enum Format { PNG, SVG }

    static {
        // Rendering must never need a display (servers, CI); only takes effect before AWT starts.
        if (System.getProperty("java.awt.headless") == null) System.setProperty("java.awt.headless", "true");
    }

    /** Series styles in order: colour (RGB) and dashed or not. Blue solid, orange dashed, … */
    private static final int[] COLORS = {0x1f77b4, 0xff7f0e, 0x2ca02c, 0xd62728, 0x9467bd, 0x8c564b};
    private static final int BACKGROUND = 0xffffff;
    private static final int AXIS = 0x222222;
    private static final int GRID = 0xdddddd;
    private static final String FONT = "DejaVu Sans, Helvetica, Arial, sans-serif";

    private LossPlot() {}

    /** The format a file name asks for ({@code .png} or {@code .svg}, any case), or null. */
    public static Format formatOf(Path file) {
        String n = file.getFileName() == null ? "" : file.getFileName().toString().toLowerCase(Locale.ROOT);
        if (n.endsWith(".png")) return Format.PNG;
        if (n.endsWith(".svg")) return Format.SVG;
        return null;
    }

    /** Writes the chart at the default size; the format follows the extension. */
    public static void write(Path file, Map<String, List<Double>> series, String title) {
        write(file, series, title, DEFAULT_WIDTH, DEFAULT_HEIGHT);
    }

    /**
     * Writes the chart, atomically (a reader sees the old file or the whole new one).
     *
     * @throws JKerasException when the extension is neither .png nor .svg, the size is too small,
     *                         or the file cannot be written
     */
    public static void write(Path file, Map<String, List<Double>> series, String title, int width, int height) {
        byte[] b = encode(file, series, title, width, height);
        try {
            AtomicFiles.write(file, out -> out.write(b));
        } catch (IOException e) {
            throw new JKerasException(file.toString(), null, null, "cannot write plot: " + e.getMessage(), e);
        }
    }

    /**
     * The bytes {@link #write} would write, in the format {@code file}'s extension asks for; lets a
     * caller render first and write later (so a rendering failure writes nothing).
     */
    public static byte[] encode(Path file, Map<String, List<Double>> series, String title, int width, int height) {
        Format f = formatOf(file);
        if (f == null) throw new JKerasException(file.toString(), null, null, "plot file must end in .png or .svg",
                null);
        if (f == Format.SVG) return svg(series, title, width, height).getBytes(StandardCharsets.UTF_8);
        BufferedImage img = png(series, title, width, height);
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream(64 * 1024);
        try {
            if (!ImageIO.write(img, "png", bytes)) throw new IOException("no PNG writer in this Java runtime");
        } catch (IOException e) {
            throw new JKerasException(file.toString(), null, null, "cannot encode PNG: " + e.getMessage(), e);
        }
        return bytes.toByteArray();
    }

    // ---------------------------------------------------------------------------------- layout

    /** Where everything goes; shared by both renderers so PNG and SVG look alike. */
    static final class Layout {
        final int width, height;
        final double left, right, top, bottom;   // plot area in pixels
        final double xMin, xMax, yMin, yMax;     // data range
        final double[] xTicks, yTicks;
        final String[] xLabels, yLabels;
        final float font, titleFont;
        final Map<String, List<Double>> series;

        Layout(Map<String, List<Double>> series, int width, int height) {
            if (width < 200 || height < 150) {
                throw new JKerasException("plot size " + width + "x" + height + " is too small: at least 200x150");
            }
            this.series = new LinkedHashMap<>(series);
            this.width = width;
            this.height = height;
            double scale = Math.min(width / 800.0, height / 500.0);
            this.font = (float) Math.max(12, 15 * Math.sqrt(scale));
            this.titleFont = font * 1.3f;

            int epochs = 0;
            double lo = Double.POSITIVE_INFINITY, hi = Double.NEGATIVE_INFINITY;
            for (List<Double> s : series.values()) {
                epochs = Math.max(epochs, s.size());
                for (Double v : s) {
                    if (v != null && Double.isFinite(v)) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
                }
            }
            if (lo > hi) { lo = 0; hi = 1; }                      // nothing finite to show
            if (hi - lo < Math.max(Math.abs(hi), 1e-12) * 1e-9) { // flat line: give it room
                double d = Math.abs(hi) > 0 ? Math.abs(hi) * 0.1 : 1;
                lo -= d;
                hi += d;
            }
            double ystep = niceStep((hi - lo) / 5);
            double yMin0 = Math.floor(lo / ystep) * ystep, yMax0 = Math.ceil(hi / ystep) * ystep;
            if (lo >= 0 && yMin0 < 0) yMin0 = 0;                  // losses are non-negative: no axis below 0
            this.yMin = yMin0;
            this.yMax = yMax0;
            this.yTicks = ticks(yMin, yMax, ystep);
            int decimals = decimals(ystep);
            this.yLabels = new String[yTicks.length];
            boolean sci = Math.max(Math.abs(yMin), Math.abs(yMax)) >= 1e6 || ystep < 1e-5;
            for (int i = 0; i < yTicks.length; i++) {
                yLabels[i] = sci ? String.format(Locale.ROOT, "%.3g", yTicks[i])
                        : String.format(Locale.ROOT, "%." + decimals + "f", yTicks[i] == 0 ? 0.0 : yTicks[i]);
            }

            int lastEpoch = Math.max(1, epochs);
            // keep the first and last points off the frame; a single epoch sits in the middle
            double xpad = lastEpoch == 1 ? 0.5 : Math.max(0.15, (lastEpoch - 1) * 0.025);
            this.xMin = 1 - xpad;
            this.xMax = lastEpoch + xpad;
            double xstep = Math.max(1, Math.ceil(niceStep((lastEpoch - 1) / 8.0)));
            List<Double> xt = new ArrayList<>();
            // ticks at multiples of the step, and at epoch 1 when that does not crowd them (1, 5, 10, …)
            if (xstep == 1 || xstep >= 4) xt.add(1.0);
            for (double x = xstep; x <= lastEpoch + 1e-9; x += xstep) if (x > 1 + 1e-9) xt.add(x);
            this.xTicks = xt.stream().mapToDouble(Double::doubleValue).toArray();
            this.xLabels = new String[xTicks.length];
            for (int i = 0; i < xTicks.length; i++) xLabels[i] = Long.toString(Math.round(xTicks[i]));

            int longestY = 0;
            for (String s : yLabels) longestY = Math.max(longestY, s.length());
            this.left = Math.round(font * (2.2 + 0.62 * longestY) + 12);
            this.right = width - Math.round(font * 1.5);
            this.top = Math.round(titleFont * 2.4);
            this.bottom = height - Math.round(font * 3.6);
        }

        double px(double x) { return left + (x - xMin) / (xMax - xMin) * (right - left); }

        double py(double y) { return bottom - (y - yMin) / (yMax - yMin) * (bottom - top); }

        boolean markers() {
            return xMax <= 61 && (right - left) / xMax >= 8;
        }
    }

    /** Decimals that print every multiple of {@code step} exactly (0.25 → 2, 0.2 → 1, 5 → 0). */
    static int decimals(double step) {
        int d = Math.max(0, (int) -Math.floor(Math.log10(step) + 1e-9));
        while (d < 10) {
            double scaled = step * Math.pow(10, d);
            if (Math.abs(scaled - Math.rint(scaled)) < 1e-6 * Math.max(1, scaled)) break;
            d++;
        }
        return d;
    }

    /** 1, 2, 2.5 or 5 times a power of ten, at least {@code raw}. */
    static double niceStep(double raw) {
        if (!(raw > 0) || !Double.isFinite(raw)) return 1;
        double p = Math.pow(10, Math.floor(Math.log10(raw)));
        double f = raw / p;
        double n = f <= 1 ? 1 : f <= 2 ? 2 : f <= 2.5 ? 2.5 : f <= 5 ? 5 : 10;
        return n * p;
    }

    private static double[] ticks(double lo, double hi, double step) {
        int n = (int) Math.round((hi - lo) / step);
        double[] t = new double[n + 1];
        for (int i = 0; i <= n; i++) t[i] = lo + i * step;
        return t;
    }

    /** The runs of consecutive finite points of a series, as (epoch, value) pairs. */
    static List<List<double[]>> segments(List<Double> s) {
        List<List<double[]>> out = new ArrayList<>();
        List<double[]> cur = null;
        for (int i = 0; i < s.size(); i++) {
            Double v = s.get(i);
            if (v == null || !Double.isFinite(v)) { cur = null; continue; }
            if (cur == null) { cur = new ArrayList<>(); out.add(cur); }
            cur.add(new double[]{i + 1, v});
        }
        return out;
    }

    private static boolean dashed(int i) { return i % 2 == 1; }

    // ---------------------------------------------------------------------------------- SVG

    /** The chart as a standalone SVG document. */
    public static String svg(Map<String, List<Double>> series, String title, int width, int height) {
        Layout l = new Layout(series, width, height);
        StringBuilder sb = new StringBuilder(4096);
        sb.append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        sb.append(String.format(Locale.ROOT,
                "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\""
                        + " font-family=\"%s\" font-size=\"%.1f\">\n",
                width, height, width, height, FONT, l.font));
        sb.append("<title>").append(esc(title)).append("</title>\n");
        sb.append(String.format(Locale.ROOT, "<rect x=\"0\" y=\"0\" width=\"%d\" height=\"%d\" fill=\"%s\"/>\n", width,
                height, hex(BACKGROUND)));

        // grid and ticks
        sb.append("<g stroke=\"").append(hex(GRID)).append("\" stroke-width=\"1\">\n");
        for (double y : l.yTicks) line(sb, l.left, l.py(y), l.right, l.py(y));
        for (double x : l.xTicks) line(sb, l.px(x), l.top, l.px(x), l.bottom);
        sb.append("</g>\n");
        sb.append("<g stroke=\"").append(hex(AXIS)).append("\" stroke-width=\"1\">\n");
        for (double y : l.yTicks) line(sb, l.left - 5, l.py(y), l.left, l.py(y));
        for (double x : l.xTicks) line(sb, l.px(x), l.bottom, l.px(x), l.bottom + 5);
        sb.append(String.format(Locale.ROOT,
                "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"none\"/>\n",
                l.left, l.top, l.right - l.left, l.bottom - l.top));
        sb.append("</g>\n");

        // tick labels, axis labels, title
        sb.append("<g fill=\"").append(hex(AXIS)).append("\">\n");
        for (int i = 0; i < l.yTicks.length; i++) {
            text(sb, l.left - 8, l.py(l.yTicks[i]) + l.font * 0.35, "end", 0, l.yLabels[i]);
        }
        for (int i = 0; i < l.xTicks.length; i++) {
            text(sb, l.px(l.xTicks[i]), l.bottom + 8 + l.font, "middle", 0, l.xLabels[i]);
        }
        text(sb, (l.left + l.right) / 2, l.height - l.font * 0.8, "middle", 0, "epoch");
        text(sb, l.font * 1.2, (l.top + l.bottom) / 2, "middle", -90, "loss");
        sb.append(String.format(Locale.ROOT,
                "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" font-size=\"%.1f\""
                        + " font-weight=\"bold\">%s</text>\n",
                (l.left + l.right) / 2, l.titleFont * 1.5, l.titleFont, esc(title)));
        sb.append("</g>\n");

        // the series
        int si = 0;
        for (Map.Entry<String, List<Double>> e : l.series.entrySet()) {
            String color = hex(COLORS[si % COLORS.length]);
            String dash = dashed(si) ? " stroke-dasharray=\"8 5\"" : "";
            for (List<double[]> seg : segments(e.getValue())) {
                sb.append("<polyline class=\"series\" data-name=\"").append(esc(e.getKey()))
                        .append("\" fill=\"none\" stroke=\"")
                        .append(color).append("\" stroke-width=\"2.5\" stroke-linejoin=\"round\"").append(dash)
                        .append(" points=\"");
                for (int i = 0; i < seg.size(); i++) {
                    if (i > 0) sb.append(' ');
                    sb.append(String.format(Locale.ROOT, "%.2f,%.2f", l.px(seg.get(i)[0]), l.py(seg.get(i)[1])));
                }
                sb.append("\"/>\n");
                if (l.markers() || seg.size() == 1) {
                    for (double[] p : seg) {
                        sb.append(String.format(Locale.ROOT,
                                "<circle cx=\"%.2f\" cy=\"%.2f\" r=\"3.5\" fill=\"%s\"/>\n", l.px(p[0]), l.py(p[1]),
                                        color));
                    }
                }
            }
            si++;
        }

        // legend, top right inside the plot area
        double lw = legendWidth(l, name -> name.length() * l.font * 0.6);
        double lx = l.right - lw - 10, ly = l.top + 10, rowH = l.font * 1.5;
        sb.append(String.format(Locale.ROOT,
                "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"#ffffff\" fill-opacity=\"0.9\""
                        + " stroke=\"#999999\"/>\n",
                lx, ly, lw, rowH * l.series.size() + l.font * 0.5));
        si = 0;
        for (String name : l.series.keySet()) {
            double cy = ly + l.font * 0.25 + rowH * (si + 0.5);
            String color = hex(COLORS[si % COLORS.length]);
            sb.append(String.format(Locale.ROOT,
                    "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" stroke-width=\"2.5\"%s/>\n",
                    lx + 8, cy, lx + 8 + l.font * 2.2, cy, color, dashed(si) ? " stroke-dasharray=\"8 5\"" : ""));
            sb.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%.1f\" fill=\"%s\">%s</text>\n",
                    lx + 14 + l.font * 2.2, cy + l.font * 0.35, hex(AXIS), esc(name)));
            si++;
        }
        sb.append("</svg>\n");
        return sb.toString();
    }

    private static double legendWidth(Layout l, java.util.function.ToDoubleFunction<String> textWidth) {
        double w = 0;
        for (String name : l.series.keySet()) w = Math.max(w, textWidth.applyAsDouble(name));
        return w + l.font * 2.2 + 24;
    }

    private static void line(StringBuilder sb, double x1, double y1, double x2, double y2) {
        sb.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>\n", x1, y1, x2,
                y2));
    }

    private static void text(StringBuilder sb, double x, double y, String anchor, int rotate, String s) {
        sb.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\"", x, y, anchor));
        if (rotate != 0) sb.append(String.format(Locale.ROOT, " transform=\"rotate(%d %.1f %.1f)\"", rotate, x, y));
        sb.append('>').append(esc(s)).append("</text>\n");
    }

    private static String hex(int rgb) { return String.format("#%06x", rgb & 0xffffff); }

    /** XML text and attribute escaping; drops characters XML 1.0 cannot hold. */
    static String esc(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '<' -> sb.append("&lt;");
                case '>' -> sb.append("&gt;");
                case '&' -> sb.append("&amp;");
                case '"' -> sb.append("&quot;");
                case '\'' -> sb.append("&apos;");
                default -> {
                    if (c >= 0x20 || c == '\t' || c == '\n' || c == '\r') {
                        if (!(c >= 0xfffe)) sb.append(c);
                    }
                }
            }
        }
        return sb.toString();
    }

    // ---------------------------------------------------------------------------------- PNG

    /** The chart as an RGB image (rendered without a display). */
    public static BufferedImage png(Map<String, List<Double>> series, String title, int width, int height) {
        Layout l = new Layout(series, width, height);
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setRenderingHint(RenderingHints.KEY_STROKE_CONTROL, RenderingHints.VALUE_STROKE_PURE);
            g.setColor(new Color(BACKGROUND));
            g.fillRect(0, 0, width, height);
            drawPng(g, l, title);
        } catch (InternalError | UnsatisfiedLinkError | NullPointerException e) {
            // headless JREs without fontconfig or any font fail inside the font system
            throw new JKerasException("cannot draw text in a PNG on this Java runtime (" + e
                    + "); install a font (e.g. fonts-dejavu) or write the plot as .svg");
        } finally {
            g.dispose();
        }
        return img;
    }

    private static void drawPng(Graphics2D g, Layout l, String title) {
        Font font = new Font(Font.SANS_SERIF, Font.PLAIN, Math.round(l.font));
        Font titleFont = new Font(Font.SANS_SERIF, Font.BOLD, Math.round(l.titleFont));
        g.setFont(font);
        FontMetrics fm = g.getFontMetrics();

        // grid
        g.setColor(new Color(GRID));
        g.setStroke(new BasicStroke(1f));
        for (double y : l.yTicks) g.drawLine((int) l.left, iy(l.py(y)), (int) l.right, iy(l.py(y)));
        for (double x : l.xTicks) g.drawLine(ix(l.px(x)), (int) l.top, ix(l.px(x)), (int) l.bottom);

        // axes box and ticks
        g.setColor(new Color(AXIS));
        g.drawRect((int) l.left, (int) l.top, (int) (l.right - l.left), (int) (l.bottom - l.top));
        for (int i = 0; i < l.yTicks.length; i++) {
            int y = iy(l.py(l.yTicks[i]));
            g.drawLine((int) l.left - 5, y, (int) l.left, y);
            String s = l.yLabels[i];
            g.drawString(s, (int) l.left - 8 - fm.stringWidth(s), y + fm.getAscent() / 2 - 1);
        }
        for (int i = 0; i < l.xTicks.length; i++) {
            int x = ix(l.px(l.xTicks[i]));
            g.drawLine(x, (int) l.bottom, x, (int) l.bottom + 5);
            String s = l.xLabels[i];
            g.drawString(s, x - fm.stringWidth(s) / 2, (int) l.bottom + 8 + fm.getAscent());
        }

        // axis labels
        String xl = "epoch";
        g.drawString(xl, (int) ((l.left + l.right) / 2 - fm.stringWidth(xl) / 2.0), (int) (l.height - l.font * 0.8));
        String yl = "loss";
        Graphics2D r = (Graphics2D) g.create();
        r.translate(l.font * 1.2 + fm.getAscent() / 2.0, (l.top + l.bottom) / 2);
        r.rotate(-Math.PI / 2);
        r.drawString(yl, -fm.stringWidth(yl) / 2, 0);
        r.dispose();

        // title
        g.setFont(titleFont);
        FontMetrics tfm = g.getFontMetrics();
        g.drawString(title, (int) ((l.left + l.right) / 2 - tfm.stringWidth(title) / 2.0), (int) (l.titleFont * 1.5));
        g.setFont(font);

        // series, clipped to the plot area
        Graphics2D c = (Graphics2D) g.create();
        c.clipRect((int) l.left - 4, (int) l.top - 4, (int) (l.right - l.left) + 8, (int) (l.bottom - l.top) + 8);
        int si = 0;
        for (List<Double> s : l.series.values()) {
            c.setColor(new Color(COLORS[si % COLORS.length]));
            c.setStroke(stroke(si));
            for (List<double[]> seg : segments(s)) {
                Path2D.Double p = new Path2D.Double();
                for (int i = 0; i < seg.size(); i++) {
                    double x = l.px(seg.get(i)[0]), y = l.py(seg.get(i)[1]);
                    if (i == 0) p.moveTo(x, y); else p.lineTo(x, y);
                }
                c.draw(p);
                if (l.markers() || seg.size() == 1) {
                    for (double[] pt : seg) c.fill(new Ellipse2D.Double(l.px(pt[0]) - 3.5, l.py(pt[1]) - 3.5, 7, 7));
                }
            }
            si++;
        }
        c.dispose();

        // legend
        double lw = legendWidth(l, fm::stringWidth);
        double rowH = l.font * 1.5;
        int lx = (int) (l.right - lw - 10), ly = (int) (l.top + 10);
        int lh = (int) (rowH * l.series.size() + l.font * 0.5);
        g.setColor(new Color(255, 255, 255, 230));
        g.fillRect(lx, ly, (int) lw, lh);
        g.setColor(new Color(0x999999));
        g.setStroke(new BasicStroke(1f));
        g.drawRect(lx, ly, (int) lw, lh);
        si = 0;
        for (String name : l.series.keySet()) {
            int cy = (int) (ly + l.font * 0.25 + rowH * (si + 0.5));
            g.setColor(new Color(COLORS[si % COLORS.length]));
            g.setStroke(stroke(si));
            g.drawLine(lx + 8, cy, (int) (lx + 8 + l.font * 2.2), cy);
            g.setColor(new Color(AXIS));
            g.drawString(name, (int) (lx + 14 + l.font * 2.2), cy + fm.getAscent() / 2 - 1);
            si++;
        }
    }

    private static BasicStroke stroke(int si) {
        return dashed(si)
                ? new BasicStroke(2.5f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_ROUND, 10f, new float[]{8f, 5f}, 0f)
                : new BasicStroke(2.5f, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND);
    }

    private static int ix(double x) { return (int) Math.round(x); }

    private static int iy(double y) { return (int) Math.round(y); }
}

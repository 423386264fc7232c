package io.jkeras.cli;

import io.jkeras.train.ProgressListener;

import java.io.PrintWriter;
import java.util.Locale;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * Training progress for the {@code train} command. On a terminal: one line per epoch, redrawn in
 * place with {@code \r} after each batch, e.g.
 * {@code Epoch 2/5  [=======>      ] 12/20  loss 0.1234  ETA 3s}, and left showing the epoch's
 * metrics and time when it ends. Elsewhere (piped, CI): one plain line per epoch,
 * {@code epoch 2/5 loss 0.123400 val_loss 0.130000 time 1.2s}. The terminal flag and the clock
 * are injected so both forms can be tested without a terminal or real time.
 */
final class ProgressBar implements ProgressListener {
    /** Characters of the bar between the brackets. */
    static final int BAR_WIDTH = 30;
    /** Minimum time between two redraws of the same line (the last batch is always drawn). */
    static final long REDRAW_NANOS = 50_000_000L;

    private final PrintWriter out;
    private final boolean terminal;
    private final LongSupplier nanoClock;

    private long epochStart;
    private long lastDraw;
    private boolean drawn;
    private int lastLength;
    private int epochs;
    private int batches;

    /**
     * @param out       where progress goes (the command's standard output)
     * @param terminal  true to draw the in-place bar, false for one plain line per epoch
     * @param nanoClock a monotonic clock in nanoseconds ({@code System::nanoTime})
     */
    ProgressBar(PrintWriter out, boolean terminal, LongSupplier nanoClock) {
        this.out = out;
        this.terminal = terminal;
        this.nanoClock = nanoClock;
    }

    /** True when standard output is an interactive terminal and not a CI job. */
    static boolean isInteractiveTerminal() {
        if (System.console() == null) return false;
        String ci = System.getenv("CI");
        if (ci != null && !ci.isEmpty() && !ci.equalsIgnoreCase("false") && !ci.equals("0")) return false;
        String term = System.getenv("TERM");
        return term == null || !term.equals("dumb");
    }

    @Override
    public void onEpochStart(int epoch, int epochs, int batches) {
        this.epochs = epochs;
        this.batches = batches;
        this.epochStart = nanoClock.getAsLong();
        this.drawn = false;
        this.lastLength = 0;
        if (terminal) {
            draw(line(epoch, 0, Double.NaN, -1));
            lastDraw = epochStart;
        }
    }

    @Override
    public void onBatchEnd(int epoch, int batch, int batches, double meanLoss) {
        if (!terminal) return;
        this.batches = batches;
        long now = nanoClock.getAsLong();
        int done = batch + 1;
        if (drawn && done < batches && now - lastDraw < REDRAW_NANOS) return;
        long elapsed = now - epochStart;
        double eta = done >= batches ? 0 : elapsed / 1e9 / done * (batches - done);
        draw(line(epoch, done, meanLoss, eta));
        lastDraw = now;
    }

    @Override
    public void onEpochEnd(int epoch, Map<String, Double> metrics) {
        double seconds = (nanoClock.getAsLong() - epochStart) / 1e9;
        if (terminal) {
            StringBuilder sb = new StringBuilder(head(epoch)).append(bar(batches, batches))
                    .append("  ").append(batches).append('/').append(batches);
            metrics.forEach((k, v) -> sb.append("  ").append(k).append(' ').append(fmt4(v)));
            sb.append("  ").append(duration(seconds));
            draw(sb.toString());
            out.println();
            lastLength = 0;
        } else {
            StringBuilder sb = new StringBuilder("epoch ").append(epoch + 1).append('/').append(epochs);
            metrics.forEach((k, v) -> sb.append(' ').append(k).append(' ').append(fmt6(v)));
            sb.append(" time ").append(String.format(Locale.ROOT, "%.1fs", seconds));
            out.println(sb);
        }
        out.flush();
    }

    private String head(int epoch) {
        return "Epoch " + (epoch + 1) + "/" + epochs + "  ";
    }

    private String line(int epoch, int done, double meanLoss, double etaSeconds) {
        StringBuilder sb = new StringBuilder(head(epoch)).append(bar(done, batches))
                .append("  ").append(done).append('/').append(batches);
        if (!Double.isNaN(meanLoss) || done > 0) sb.append("  loss ").append(fmt4(meanLoss));
        if (etaSeconds >= 0) sb.append("  ETA ").append(duration(etaSeconds));
        return sb.toString();
    }

    /** {@code [=======>      ]}: done/total of the width, an arrow at the head while unfinished. */
    static String bar(int done, int total) {
        int filled = total <= 0 ? BAR_WIDTH : (int) ((long) done * BAR_WIDTH / total);
        filled = Math.max(0, Math.min(BAR_WIDTH, filled));
        StringBuilder sb = new StringBuilder(BAR_WIDTH + 2).append('[');
        if (filled >= BAR_WIDTH || total <= 0) {
            sb.append("=".repeat(BAR_WIDTH));
        } else {
            sb.append("=".repeat(filled)).append('>').append(" ".repeat(BAR_WIDTH - filled - 1));
        }
        return sb.append(']').toString();
    }

    /** Keras' ETA style: {@code 7s}, {@code 2:05}, {@code 1:02:05}. */
    static String duration(double seconds) {
        if (Double.isNaN(seconds) || seconds < 0) return "?";
        if (seconds < 10) return String.format(Locale.ROOT, seconds < 1 && seconds > 0 ? "%.1fs" : "%.0fs", seconds);
        long s = Math.round(seconds);
        if (s < 60) return s + "s";
        if (s < 3600) return String.format(Locale.ROOT, "%d:%02d", s / 60, s % 60);
        return String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, (s / 60) % 60, s % 60);
    }

    static String fmt4(double v) { return String.format(Locale.ROOT, "%.4f", v); }

    static String fmt6(double v) { return String.format(Locale.ROOT, "%.6f", v); }

    /** Ends a bar line left unfinished (training failed mid-epoch), so an error message starts on its own line. */
    void finishLine() {
        if (terminal && lastLength > 0) {
            out.println();
            out.flush();
            lastLength = 0;
        }
    }

    /** Redraws the current line, blanking what a longer previous line left behind. */
    private void draw(String s) {
        int pad = Math.max(0, lastLength - s.length());
        out.print('\r');
        out.print(s);
        if (pad > 0) out.print(" ".repeat(pad));
        out.flush();
        lastLength = s.length();
        drawn = true;
    }
}

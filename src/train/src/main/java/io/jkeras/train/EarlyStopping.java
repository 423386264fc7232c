package io.jkeras.train;

import java.util.Map;

/**
 * Keras 3's {@code EarlyStopping} callback (keras/src/callbacks/early_stopping.py and
 * monitor_callback.py): after each epoch the monitored value improves when
 * {@code value - minDelta < best} (mode min; {@code value + minDelta > best} in mode max; auto is max
 * for metrics whose name contains "acc" or "auc", else min); {@code wait} counts epochs since the
 * last improvement (reset only when the value also beats {@code baseline}, if set), and training
 * stops when {@code wait >= patience} at an epoch after the first. With
 * {@code restoreBestWeights}, the weights of the best epoch are restored at the end of training
 * whenever a best epoch was recorded, whether or not training stopped early (as Keras 3 does).
 * Epochs before {@code startFromEpoch} are ignored. The state is reset at the start of each fit.
 */
public final class EarlyStopping {
    public enum Mode { AUTO, MIN, MAX }

    private final String monitor;
    private final double minDelta;
    private final int patience;
    private final Mode mode;
    private final Double baseline;
    private final boolean restoreBestWeights;
    private final int startFromEpoch;

    private int wait;
    private int stoppedEpoch;
    private Double best;
    private int bestEpoch;
    private Map<String, float[]> bestWeights;

    public EarlyStopping(String monitor, double minDelta, int patience, Mode mode, Double baseline,
            boolean restoreBestWeights, int startFromEpoch) {
        this.monitor = monitor;
        this.minDelta = Math.abs(minDelta);
        this.patience = patience;
        this.mode = mode;
        this.baseline = baseline;
        this.restoreBestWeights = restoreBestWeights;
        this.startFromEpoch = startFromEpoch;
    }

    /** Keras' defaults for the rest: mode auto, no baseline, start from epoch 0. */
    public EarlyStopping(String monitor, double minDelta, int patience, boolean restoreBestWeights) {
        this(monitor, minDelta, patience, Mode.AUTO, null, restoreBestWeights, 0);
    }

    public String monitor() { return monitor; }

    public boolean restoreBestWeights() { return restoreBestWeights; }

    private boolean maximize() {
        if (mode == Mode.MAX) return true;
        if (mode == Mode.MIN) return false;
        String m = monitor.startsWith("val_") ? monitor.substring(4) : monitor;
        return m.contains("acc") || m.contains("auc");
    }

    private boolean improves(double value, Double reference) {
        if (reference == null) return true;
        return maximize() ? value + minDelta > reference : value - minDelta < reference;
    }

    void onTrainBegin() {
        wait = 0;
        stoppedEpoch = 0;
        best = null;
        bestEpoch = 0;
        bestWeights = null;
    }

    /** Returns true when training should stop; {@code weights} gives the current weights when needed. */
    boolean onEpochEnd(int epoch, Map<String, Double> logs, java.util.function.Supplier<Map<String, float[]>> weights) {
        Double current = logs.get(monitor);
        if (current == null || epoch < startFromEpoch) return false;
        if (restoreBestWeights && bestWeights == null) {
            bestWeights = weights.get();
            bestEpoch = epoch;
        }
        wait++;
        if (improves(current, best)) {
            best = current;
            bestEpoch = epoch;
            if (restoreBestWeights) bestWeights = weights.get();
            if (baseline == null || improves(current, baseline)) wait = 0;
            return false;
        }
        if (wait >= patience && epoch > 0) {
            stoppedEpoch = epoch;
            return true;
        }
        return false;
    }

    /** The weights to restore at the end of training, or null. */
    Map<String, float[]> weightsToRestore() { return restoreBestWeights ? bestWeights : null; }

    /** The epoch (0-based) at which training stopped, or 0 when it ran to the end. */
    public int stoppedEpoch() { return stoppedEpoch; }

    /** The best epoch (0-based) seen by the last fit. */
    public int bestEpoch() { return bestEpoch; }

    /** The best monitored value of the last fit, or null. */
    public Double best() { return best; }
}

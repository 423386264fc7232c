package io.jkeras.train;

/** Receives training progress from {@code Trainer.fit}; all methods default to doing nothing. */
public interface ProgressListener {
    /** Before epoch {@code epoch} (0-based) of {@code epochs}, which has {@code batches} batches. */
    default void onEpochStart(int epoch, int epochs, int batches) {}

    /**
     * After batch {@code batch} (0-based): the running mean loss of the epoch so far, as Keras' progress bar shows it.
     */
    default void onBatchEnd(int epoch, int batch, int batches, double meanLoss) {}

    /** After an epoch: its metrics ({@code loss}, and {@code val_loss} when there is validation data). */
    default void onEpochEnd(int epoch, java.util.Map<String, Double> metrics) {}
}

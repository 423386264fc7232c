package io.jkeras.train;

import io.jkeras.exceptions.JKerasException;
import io.jkeras.model.Model;

/**
 * Training stopped because a value became NaN or infinite: the loss, a gradient or an updated
 * weight. The message names the epoch and step (both 0-based, as Keras counts them in callbacks),
 * and the layer and weight where one is to blame. {@link #lastGoodModel} holds the weights from
 * before the failing step, so the work up to it is not lost.
 */
public class TrainingException extends JKerasException {
    private final int epoch;
    private final int step;
    private final transient Model lastGoodModel;

    public TrainingException(int epoch, int step, String layer, String weight, String detail, Model lastGoodModel) {
        super(null, layer, weight, "epoch " + epoch + ", step " + step + ": " + detail, null);
        this.epoch = epoch;
        this.step = step;
        this.lastGoodModel = lastGoodModel;
    }

    /** The epoch (0-based) of the failing step. */
    public int epoch() { return epoch; }

    /** The step (batch, 0-based within the epoch) that failed. */
    public int step() { return step; }

    /** The model with the weights from before the failing step. */
    public Model lastGoodModel() { return lastGoodModel; }
}

package io.jkeras.train;

import io.jkeras.exceptions.UnsupportedModelException;

import java.util.List;

/**
 * What a saved Keras model holds for going on training it ({@code io.jkeras.JKeras#loadTrainingState}):
 * the optimizer of its compile config with the saved optimizer variables imported, and the loss.
 *
 * @param optimizer   the optimizer built from the file's optimizer config; when {@code restored},
 *                    its {@code iterations} and slots are the saved ones, else it is fresh
 * @param restored    whether the file held the optimizer's variables (else only its config)
 * @param loss        the compile config's {@code loss} (null when the file names none);
 *                    {@code io.jkeras.JKeras#save} takes it back
 * @param lossWeights the compile config's {@code loss_weights}, one per output (null when none or
 *                    when not a list)
 * @param format      where it was read from: {@code keras-zip} (compile_config + {@code optimizer/vars})
 *                    or {@code keras-hdf5} (training_config + {@code optimizer_weights})
 */
public record TrainingState(KerasOptimizer optimizer, boolean restored, LossConfig loss, List<Double> lossWeights,
        String format) {
    public TrainingState {
        lossWeights = lossWeights == null ? null : List.copyOf(lossWeights);
    }

    /** Keras' {@code optimizer.iterations} of the restored optimizer (0 when fresh). */
    public long iterations() { return optimizer.iterations(); }

    /** Whether the compile config names a loss. */
    public boolean hasLoss() { return loss != null; }

    /**
     * The compile config's loss(es) as jkeras losses: one for a single name or serialized loss,
     * one per output for a list. Keras 3's {@code Huber.get_config()} does not keep {@code delta},
     * so a saved Huber loss comes back with delta 1.0, as it does in Keras.
     *
     * @throws UnsupportedModelException when the file names no loss, a loss jkeras does not
     *                                   implement, or losses keyed by output name
     */
    public List<Loss> losses() {
        if (!hasLoss()) throw new UnsupportedModelException(null, null, null,
                "the model file's compile config names no loss");
        return loss.losses();
    }

    /** Fit options continuing this training: the restored optimizer, the loss(es) and loss weights. */
    public FitOptions fitOptions() {
        FitOptions o = new FitOptions().optimizer(optimizer);
        List<Loss> ls = losses();
        if (ls.size() == 1) o.loss(ls.get(0));
        else o.losses(ls);
        if (lossWeights != null) {
            double[] w = new double[lossWeights.size()];
            for (int i = 0; i < w.length; i++) w[i] = lossWeights.get(i);
            o.lossWeights(w);
        }
        return o;
    }
}

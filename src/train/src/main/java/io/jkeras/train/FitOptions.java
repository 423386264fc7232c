package io.jkeras.train;

import io.jkeras.tensor.Tensor;

import java.util.ArrayList;
import java.util.List;

/**
 * The arguments of {@link Trainer#fit}, with Keras' {@code compile}/{@code fit} defaults: batch
 * size 32, 1 epoch, shuffle on (seeded; Keras' own shuffle order cannot be reproduced, so parity
 * with Keras needs shuffle off), no validation. A loss and an optimizer are required. Mutable
 * builder: each setter returns this.
 */
public final class FitOptions {
    Loss loss;
    List<Loss> losses;
    double[] lossWeights;
    Optimizer optimizer;
    int batchSize = 32;
    int epochs = 1;
    boolean shuffle = true;
    long seed = 0;
    Tensor[] validationX, validationY;
    double validationSplit;
    Integer validationBatchSize;
    EarlyStopping earlyStopping;
    final List<ProgressListener> listeners = new ArrayList<>();
    FusedRecurrentFit.Mode trainPath = FusedRecurrentFit.defaultMode();

    /** One loss for every output (Keras sums the outputs' losses). */
    public FitOptions loss(Loss l) { loss = l; losses = null; return this; }

    /** One loss per output, in output order. */
    public FitOptions losses(List<Loss> ls) { losses = List.copyOf(ls); loss = null; return this; }

    /** Keras' {@code loss_weights}: each output's loss is multiplied by its weight before summing. */
    public FitOptions lossWeights(double... w) { lossWeights = w.clone(); return this; }

    public FitOptions optimizer(Optimizer o) { optimizer = o; return this; }

    public FitOptions batchSize(int b) {
        if (b <= 0) throw new IllegalArgumentException("batch size must be positive, got " + b);
        batchSize = b;
        return this;
    }

    public FitOptions epochs(int e) {
        if (e < 0) throw new IllegalArgumentException("epochs must be >= 0, got " + e);
        epochs = e;
        return this;
    }

    /** Shuffle the training samples each epoch (seeded by {@link #seed}); off keeps Keras' order. */
    public FitOptions shuffle(boolean s) { shuffle = s; return this; }

    /** Seed for shuffling and dropout masks. */
    public FitOptions seed(long s) { seed = s; return this; }

    /** Keras' {@code validation_data}. */
    public FitOptions validationData(Tensor[] x, Tensor[] y) { validationX = x; validationY = y; return this; }

    /** Keras' {@code validation_split}: the last fraction of the samples (before shuffling) is held out. */
    public FitOptions validationSplit(double f) {
        if (!(f >= 0 && f < 1)) throw new IllegalArgumentException("validation_split must be in [0, 1), got " + f);
        validationSplit = f;
        return this;
    }

    public FitOptions validationBatchSize(int b) {
        if (b <= 0) throw new IllegalArgumentException("validation batch size must be positive, got " + b);
        validationBatchSize = b;
        return this;
    }

    public FitOptions earlyStopping(EarlyStopping e) { earlyStopping = e; return this; }

    public FitOptions listener(ProgressListener l) { listeners.add(l); return this; }

    /**
     * Which path trains: {@code AUTO} (the fused float32 step when the model qualifies, else the tape),
     * {@code TAPE}, or {@code FUSED} (fit fails when the model does not qualify). Default: the system
     * property {@code jkeras.train.path}, else {@code AUTO}. The threads and kernels are the model's
     * ({@code Model.withEngine}, {@code Model.withThreads}).
     */
    public FitOptions trainPath(FusedRecurrentFit.Mode m) {
        trainPath = java.util.Objects.requireNonNull(m, "trainPath");
        return this;
    }

    public FusedRecurrentFit.Mode trainPath() { return trainPath; }

    public int batchSize() { return batchSize; }

    public int epochs() { return epochs; }
}

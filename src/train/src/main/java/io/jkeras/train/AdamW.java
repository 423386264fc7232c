package io.jkeras.train;

/**
 * Keras 3 AdamW (keras/src/optimizers/adamw.py): Adam with the base optimizer's decoupled weight
 * decay {@code w -= w·wd·lr} before each update (base_optimizer.py:952). Defaults: lr 0.001,
 * weight_decay 0.004, β1 0.9, β2 0.999, ε 1e-7, amsgrad false.
 */
public final class AdamW extends Adam {
    public AdamW(Options o, double beta1, double beta2, double epsilon, boolean amsgrad) {
        super(requireDecay(o), beta1, beta2, epsilon, amsgrad);
    }

    public AdamW(double learningRate, double weightDecay) {
        this(new Options(learningRate).weightDecay(weightDecay), 0.9, 0.999, 1e-7, false);
    }

    private static Options requireDecay(Options o) {
        if (o.weightDecay == null) throw new io.jkeras.exceptions.InputException(
                "AdamW needs a weight_decay (Keras' default is 0.004)");
        return o;
    }

    @Override public String name() { return "AdamW"; }

    @Override protected String defaultConfigName() { return "adam_w"; }
}

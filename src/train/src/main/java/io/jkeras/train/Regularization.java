package io.jkeras.train;

import io.jkeras.layers.TrainingConfig;

import java.util.List;

/**
 * Regularization losses as Keras adds them to the loss it reports and differentiates
 * (keras/src/trainers/trainer.py:385 {@code compute_loss}: the compiled loss plus
 * {@code sum(model.losses)}): weight penalties {@code l1·Σ|w| + l2·Σw²}
 * (keras/src/regularizers/regularizers.py:198) for every <em>trainable</em> weight with a
 * regularizer (layers/layer.py:1296 iterates {@code trainable_weights}), and activity penalties on
 * a layer's outputs divided by the batch size (layers/layer.py:1018).
 */
public final class Regularization {
    private Regularization() {}

    /** The sum of the weight penalties of the trainable params, as a differentiable scalar, or null when none. */
    public static Var weightPenalty(Tape t, List<Param> params) {
        Var total = null;
        for (Param p : params) {
            if (!p.trainable() || p.regularizer() == null) continue;
            Var r = penalty(t, p.var(), p.regularizer(), 1.0);
            total = total == null ? r : Ops.add(t, total, r);
        }
        return total;
    }

    /** An activity penalty on one output: {@code reg(output) / batch} (no division for a scalar output). */
    public static Var activityPenalty(Tape t, Var output, TrainingConfig.Regularizer reg) {
        double div = output.rank() > 0 && output.dim(0) > 0 ? output.dim(0) : 1;
        return penalty(t, output, reg, 1.0 / div);
    }

    /** {@code scale·(l1·Σ|x| + l2·Σx²)}; the gradient of |0| is 0, as TF's. */
    public static Var penalty(Tape t, Var x, TrainingConfig.Regularizer reg, double scale) {
        double l1 = (float) reg.l1(), l2 = (float) reg.l2();
        double a = 0, s = 0;
        for (double v : x.value) {
            a += Math.abs(v);
            s += v * v;
        }
        double value = scale * ((l1 != 0 ? l1 * a : 0) + (l2 != 0 ? l2 * s : 0));
        Var out = Ops.result(t, new int[0], new double[]{value}, x.needsGrad, null);
        if (out.needsGrad) t.record(() -> {
            if (out.grad == null) return;
            double go = out.grad[0] * scale;
            double[] gx = x.gradBuffer();
            for (int i = 0; i < gx.length; i++) gx[i] += go * (l1 * Math.signum(x.value[i]) + 2 * l2 * x.value[i]);
        });
        return out;
    }
}

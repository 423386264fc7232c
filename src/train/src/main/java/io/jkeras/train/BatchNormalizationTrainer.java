package io.jkeras.train;

import io.jkeras.exceptions.InputException;
import io.jkeras.exceptions.UnsupportedModelException;
import io.jkeras.layers.BatchNormalization;
import io.jkeras.layers.Layer;
import io.jkeras.layers.TrainingConfig;
import io.jkeras.layers.Weight;
import io.jkeras.tensor.Tensor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * BatchNormalization in training form, as Keras 3's BatchNormalization.call
 * (keras/src/layers/normalization/batch_normalization.py:337-405):
 * <ul>
 * <li>training and the layer trainable: the batch mean and biased variance over every axis but
 * the normalised ones ({@code tf.nn.moments}; with a mask, Keras' masked moments, lines 434-472:
 * {@code Σ w·x / (Σ w + 1e-7)} and {@code Σ w·(x − mean)² / (Σ w + 1e-7)}, the (batch, timesteps)
 * mask broadcast over the last axis); output {@code (x − mean)·gamma/sqrt(var + ε) + beta}, with
 * gradients through the batch statistics (tf.nn.moments stops the gradient of the mean inside
 * the variance; the masked path does not); and the moving statistics updated in place
 * (lines 385-391): {@code moving = moving·momentum + batch·(1 − momentum)}, the variance being
 * the biased batch variance, rounded to float32 as Keras stores it;
 * <li>otherwise (inference, or a frozen layer: Keras runs a non-trainable BatchNormalization in
 * inference mode): the moving statistics, which receive no gradient.
 * </ul>
 * gamma is 1 without scale, beta 0 without center. ε is rounded to float32 as TensorFlow uses it.
 * The moving statistics (and renorm's statistics) are non-trainable parameters, so
 * {@link #rebuild} carries their current values. Training a renorm layer in training mode is refused.
 */
final class BatchNormalizationTrainer implements TrainableLayer {
    private static final double MASK_EPSILON = (float) 1e-7; // keras.backend.epsilon()

    private final BatchNormalization layer;
    private final boolean trainable;
    private final Param gamma, beta, mean, variance;
    private final List<Param> extra = new ArrayList<>();
    private final int size;

    BatchNormalizationTrainer(Layer l, TrainingConfig c) {
        this.layer = (BatchNormalization) l;
        this.trainable = c.trainable();
        Param g = null, b = null, m = null, v = null;
        for (Weight w : layer.weights()) {
            switch (w.name()) {
                case "gamma" -> g = TrainableLayers.param(layer, w, c);
                case "beta" -> b = TrainableLayers.param(layer, w, c);
                case "moving_mean" -> m = fixed(w);
                case "moving_variance" -> v = fixed(w);
                default -> extra.add(fixed(w));
            }
        }
        this.gamma = g;
        this.beta = b;
        this.mean = m;
        this.variance = v;
        this.size = mean.var().size();
    }

    private Param fixed(Weight w) {
        return new Param(layer.name(), w.name(), w.shape(), w.values(), false, null, null);
    }

    @Override public Layer layer() { return layer; }

    @Override
    public List<Param> params() {
        List<Param> p = new ArrayList<>();
        if (gamma != null) p.add(gamma);
        if (beta != null) p.add(beta);
        p.add(mean);
        p.add(variance);
        p.addAll(extra);
        return p;
    }

    /** The statistic index of every element of an input of shape s. */
    private int[] groups(int[] s) {
        int rank = layer.rank();
        int[] axes = layer.axes();
        long n = 1;
        if (s.length == rank) for (int ax : axes) n *= s[ax];
        if (s.length != rank || n != size) {
            throw new InputException(null, layer.name(), null, "expects rank " + rank + " input with " + size
                    + " values on axis "
                    + Arrays.toString(axes) + ", got " + Tensor.shapeString(s));
        }
        int total = 1;
        for (int d : s) total *= d;
        int[] stride = new int[rank];
        stride[rank - 1] = 1;
        for (int i = rank - 2; i >= 0; i--) stride[i] = stride[i + 1] * s[i + 1];
        int[] p = new int[total];
        for (int i = 0; i < total; i++) {
            int q = 0;
            for (int ax : axes) q = q * s[ax] + (i / stride[ax]) % s[ax];
            p[i] = q;
        }
        return p;
    }

    @Override
    public Var[] forward(Tape t, Var[] in, TrainContext ctx, double[][] state) {
        Var x = in[0];
        int[] grp = groups(x.shape());
        boolean batchStats = ctx.training() && trainable;
        if (batchStats && !extra.isEmpty()) {
            throw new UnsupportedModelException(null, layer.name(), null,
                    "training a BatchNormalization with renorm is not supported");
        }
        double[] xv = x.value();
        int n = xv.length;
        double eps = (float) layer.epsilon();
        double[] mu = new double[size], var = new double[size];
        double[] w = null;      // element weights (masked moments), or null
        double[] denom = new double[size];
        if (batchStats) {
            boolean[] mask = x.mask();
            if (mask != null) {
                int last = x.dim(-1);
                if (mask.length * last != n) {
                    throw new UnsupportedModelException(null, layer.name(), null, "received a mask of " + mask.length
                            + " flags for input " + Tensor.shapeString(x.shape())
                                    + "; the mask must have one dimension less than the input");
                }
                w = new double[n];
                for (int i = 0; i < n; i++) w[i] = mask[i / last] ? 1 : 0;
            }
            for (int i = 0; i < n; i++) {
                double wi = w == null ? 1 : w[i];
                mu[grp[i]] += wi * xv[i];
                denom[grp[i]] += wi;
            }
            if (w != null) for (int p = 0; p < size; p++) denom[p] += MASK_EPSILON;
            for (int p = 0; p < size; p++) mu[p] /= denom[p];
            for (int i = 0; i < n; i++) {
                double d = xv[i] - mu[grp[i]];
                var[grp[i]] += (w == null ? 1 : w[i]) * d * d;
            }
            for (int p = 0; p < size; p++) var[p] /= denom[p];
            double mom = layer.momentum();
            double[] mm = mean.var().value(), mv = variance.var().value();
            for (int p = 0; p < size; p++) {
                mm[p] = (float) (mm[p] * mom + mu[p] * (1.0 - mom));
                mv[p] = (float) (mv[p] * mom + var[p] * (1.0 - mom));
            }
        } else {
            System.arraycopy(mean.var().value(), 0, mu, 0, size);
            System.arraycopy(variance.var().value(), 0, var, 0, size);
        }
        double[] inv = new double[size];
        for (int p = 0; p < size; p++) inv[p] = 1.0 / Math.sqrt(var[p] + eps);
        double[] gv = gamma == null ? null : gamma.var().value(), bv = beta == null ? null : beta.var().value();
        double[] y = new double[n];
        for (int i = 0; i < n; i++) {
            int p = grp[i];
            y[i] = (xv[i] - mu[p]) * inv[p] * (gv == null ? 1 : gv[p]) + (bv == null ? 0 : bv[p]);
        }
        boolean needs = x.needsGrad() || (gamma != null && gamma.var().needsGrad())
                || (beta != null && beta.var().needsGrad());
        Var out = Ops.result(t, x.shape(), y, needs, x.mask());
        if (!needs) return new Var[]{out};
        double[] wv = w;
        t.record(() -> {
            double[] g = out.grad;
            if (g == null) return;
            if (beta != null && beta.var().needsGrad()) {
                double[] gb = beta.var().gradBuffer();
                for (int i = 0; i < n; i++) gb[grp[i]] += g[i];
            }
            if (gamma != null && gamma.var().needsGrad()) {
                double[] gg = gamma.var().gradBuffer();
                for (int i = 0; i < n; i++) gg[grp[i]] += g[i] * (xv[i] - mu[grp[i]]) * inv[grp[i]];
            }
            if (!x.needsGrad()) return;
            double[] gx = x.gradBuffer();
            if (!batchStats) {
                for (int i = 0; i < n; i++) gx[i] += g[i] * inv[grp[i]] * (gv == null ? 1 : gv[grp[i]]);
                return;
            }
            // y = gamma·s·(x − mu) + beta, s = (var + eps)^-1/2
            double[] sumG = new double[size], sumGd = new double[size], sumWd = new double[size];
            for (int i = 0; i < n; i++) {
                int p = grp[i];
                double d = xv[i] - mu[p];
                sumG[p] += g[i];
                sumGd[p] += g[i] * d;
                if (wv != null) sumWd[p] += wv[i] * d;
            }
            double[] dVar = new double[size], dMu = new double[size];
            for (int p = 0; p < size; p++) {
                double gam = gv == null ? 1 : gv[p];
                dVar[p] = gam * sumGd[p] * -0.5 * inv[p] * inv[p] * inv[p];
                dMu[p] = -gam * inv[p] * sumG[p];
                if (wv != null) dMu[p] += dVar[p] * -2 * sumWd[p] / denom[p];
            }
            for (int i = 0; i < n; i++) {
                int p = grp[i];
                double gam = gv == null ? 1 : gv[p];
                double wi = wv == null ? 1 : wv[i];
                gx[i] += gam * inv[p] * g[i] + dVar[p] * 2 * wi * (xv[i] - mu[p]) / denom[p] + dMu[p] * wi / denom[p];
            }
        });
        return new Var[]{out};
    }

    @Override
    public Layer rebuild() {
        List<Weight> ex = new ArrayList<>();
        for (Param p : extra) ex.add(new Weight(p.name(), p.shape(), p.toFloats()));
        return new BatchNormalization(layer.name(), layer.rank(), layer.axes(), layer.paramShape(), layer.epsilon(),
                layer.momentum(),
                gamma == null ? null : gamma.toFloats(), beta == null ? null : beta.toFloats(), mean.toFloats(),
                        variance.toFloats(), ex);
    }
}

package io.jkeras.train;

import io.jkeras.exceptions.InputException;
import io.jkeras.exceptions.UnsupportedModelException;

import java.util.Locale;
import java.util.Map;

/**
 * Keras 3's losses as the TensorFlow backend computes them (keras/src/losses/losses.py,
 * keras/src/backend/tensorflow/nn.py). Each is a per-element loss averaged over the last axis
 * (a "row"), then reduced as Keras' {@code Loss.__call__} does (keras/src/losses/loss.py
 * {@code reduce_weighted_values}): with the default reduction {@code sum_over_batch_size} the sum
 * over rows divided by the number of rows; a timestep mask on the prediction weights valid rows
 * by {@code total/valid} and masked rows by 0 ({@code apply_mask}), i.e. the mean over valid rows.
 *
 * <p>Crossentropies follow the TF backend exactly: probabilities are clipped to
 * {@code [1e-7, 1 - 1e-7]} (as float32) when not from logits (categorical after normalising each
 * row by its sum; sparse categorical then applies a softmax crossentropy to the log of the
 * clipped probabilities, so {@code log Σp} enters); and, as in Keras, when the prediction is the
 * direct output of a sigmoid or softmax activation the loss is computed from that activation's
 * logits ({@link Ops#logitsOf}, nn.py:1262 {@code _get_logits}). Gradients are those TF uses
 * (softmax crossentropy's gradient is {@code softmax - labels}, as TF's kernel computes it).
 */
public final class Losses {
    private Losses() {}

    /** Keras' {@code backend.epsilon()} (1e-7) as the float32 constant TF clips with. */
    static final double EPS = (float) 1e-7;
    /** {@code 1 - epsilon} as float32. */
    static final double ONE_MINUS_EPS = (float) (1.0 - 1e-7);

    /** How per-row losses become the scalar (keras/src/losses/loss.py {@code reduce_values}). */
    public enum Reduction {
        /** Sum over rows divided by the number of rows (Keras' default; {@code mean} is the same). */
        SUM_OVER_BATCH_SIZE,
        /** Sum over rows. */
        SUM
    }

    public static Loss meanSquaredError() { return new Mse(Reduction.SUM_OVER_BATCH_SIZE); }

    public static Loss meanAbsoluteError() { return new Mae(Reduction.SUM_OVER_BATCH_SIZE); }

    public static Loss huber(double delta) { return new Huber(delta, Reduction.SUM_OVER_BATCH_SIZE); }

    public static Loss binaryCrossentropy(boolean fromLogits, double labelSmoothing) {
        return new Bce(fromLogits, labelSmoothing, Reduction.SUM_OVER_BATCH_SIZE);
    }

    public static Loss categoricalCrossentropy(boolean fromLogits, double labelSmoothing) {
        return new Cce(fromLogits, labelSmoothing, Reduction.SUM_OVER_BATCH_SIZE);
    }

    public static Loss sparseCategoricalCrossentropy(boolean fromLogits) {
        return new SparseCce(fromLogits, Reduction.SUM_OVER_BATCH_SIZE);
    }

    /**
     * A loss by a Keras name: the function names and aliases ({@code mse}, {@code mean_squared_error},
     * {@code mae}, {@code huber}, {@code binary_crossentropy}, {@code categorical_crossentropy},
     * {@code sparse_categorical_crossentropy}) and the class names ({@code MeanSquaredError}, …),
     * with Keras' defaults. A config in JSON is read by {@code io.jkeras.keras.KerasLosses#byName}.
     */
    public static Loss byName(String name) {
        if (name == null) throw new InputException("no loss given");
        return build(name.trim(), null);
    }

    /**
     * A loss from a Keras config in plain values: a name string, or a serialized loss object as a
     * map {@code {"class_name": "BinaryCrossentropy", "config": {"from_logits": true, ...}}} (the
     * {@code config} may also be given flat, with {@code class_name} beside its keys), as
     * {@code io.jkeras.keras.KerasLosses} reads it from JSON.
     */
    public static Loss fromConfig(Object node) {
        if (node == null) throw new InputException("no loss given");
        if (node instanceof String s) return build(s, null);
        Map<String, Object> m = ConfigValues.map(node);
        if (m == null) throw new InputException("a loss config is a name or an object, got " + node);
        String cls = ConfigValues.text(m, "class_name", null);
        if (cls == null) cls = ConfigValues.text(m, "name", null);
        if (cls == null) throw new InputException("loss config without class_name: " + node);
        Map<String, Object> cfg = ConfigValues.map(m.get("config"));
        return build(cls, cfg != null ? cfg : m);
    }

    private static String canonical(String name) {
        String n = name.replace("keras.losses.", "");
        String lower = n.toLowerCase(Locale.ROOT);
        return switch (lower) {
            case "mse", "mean_squared_error", "meansquarederror" -> "mse";
            case "mae", "mean_absolute_error", "meanabsoluteerror" -> "mae";
            case "huber", "huber_loss", "huberloss" -> "huber";
            case "binary_crossentropy", "binarycrossentropy", "bce" -> "bce";
            case "categorical_crossentropy", "categoricalcrossentropy", "cce" -> "cce";
            case "sparse_categorical_crossentropy", "sparsecategoricalcrossentropy" -> "scce";
            default -> null;
        };
    }

    private static Loss build(String name, Map<String, Object> cfg) {
        String c = canonical(name);
        if (c == null) {
            throw new UnsupportedModelException(null, null, null, "loss '" + name
                    + "' is not supported; use one of mse, mae, huber, "
                    + "binary_crossentropy, categorical_crossentropy, sparse_categorical_crossentropy");
        }
        Reduction r = reduction(cfg);
        boolean logits = ConfigValues.bool(cfg, "from_logits", false);
        double ls = ConfigValues.dbl(cfg, "label_smoothing", 0);
        if (ConfigValues.has(cfg, "axis") && ConfigValues.lng(cfg, "axis", 0) != -1) {
            throw new UnsupportedModelException(null, null, null, "loss '" + name + "' with axis " + cfg.get("axis")
                    + ": only axis -1 is supported");
        }
        if (ConfigValues.has(cfg, "ignore_class")) {
            throw new UnsupportedModelException(null, null, null, "loss '" + name
                    + "' with ignore_class is not supported");
        }
        return switch (c) {
            case "mse" -> new Mse(r);
            case "mae" -> new Mae(r);
            case "huber" -> new Huber(ConfigValues.dbl(cfg, "delta", 1.0), r);
            case "bce" -> new Bce(logits, ls, r);
            case "cce" -> new Cce(logits, ls, r);
            default -> new SparseCce(logits, r);
        };
    }

    private static Reduction reduction(Map<String, Object> cfg) {
        if (!ConfigValues.has(cfg, "reduction")) return Reduction.SUM_OVER_BATCH_SIZE;
        String r = ConfigValues.text(cfg, "reduction", "");
        return switch (r) {
            case "sum_over_batch_size", "mean", "auto" -> Reduction.SUM_OVER_BATCH_SIZE;
            case "sum" -> Reduction.SUM;
            default -> throw new UnsupportedModelException(null, null, null, "loss reduction '" + r
                    + "' is not supported (sum_over_batch_size, mean, sum)");
        };
    }

    /** Loss as a function of whole rows: fills the row's loss and its gradient. */
    abstract static class RowLoss implements Loss {
        private final String name;
        final Reduction reduction;

        RowLoss(String name, Reduction reduction) {
            this.name = name;
            this.reduction = reduction;
        }

        @Override public String name() { return name; }

        /** Whether this loss takes the logits of a sigmoid/softmax output (Keras' TF crossentropies). */
        boolean usesKerasLogits() { return false; }

        /** Targets per row: 1 for sparse losses, else the row width. */
        int targetsPerRow(int width) { return width; }

        /**
         * The loss of one row {@code x[xo, xo+n)} against targets {@code y[yo, …)}; writes
         * d(loss)/dx into {@code g[xo, xo+n)}. {@code logits} says x are logits.
         */
        abstract double row(double[] y, int yo, double[] x, int xo, int n, double[] g, boolean logits);

        abstract boolean fromLogits();

        @Override
        public Var compute(Tape t, Var yTrue, Var yPred) {
            Var in = yPred;
            boolean logits = fromLogits();
            if (usesKerasLogits()) {
                Var l = Ops.logitsOf(yPred);
                if (l != null) {
                    in = l;
                    logits = true;
                }
            }
            int n = yPred.rank() == 0 ? 1 : yPred.dim(-1);
            int rows = n == 0 ? 0 : yPred.size() / n;
            int tpr = targetsPerRow(n);
            if ((long) rows * tpr != yTrue.size()) {
                throw new InputException(null, null, null, "loss " + name + ": targets of shape "
                        + java.util.Arrays.toString(yTrue.shape)
                        + " do not match predictions of shape " + java.util.Arrays.toString(yPred.shape), null);
            }
            double[] x = in.value, y = yTrue.value;
            double[] g = new double[x.length];
            double[] rowLoss = new double[rows];
            for (int r = 0; r < rows; r++) rowLoss[r] = row(y, r * tpr, x, r * n, n, g, logits);
            double[] w = rowWeights(yPred.mask, rows);
            double total = 0;
            for (int r = 0; r < rows; r++) total += w[r] * rowLoss[r];
            double div = reduction == Reduction.SUM ? 1.0 : rows;
            double value = rows == 0 ? 0 : total / div;
            Var src = in;
            Var out = Ops.result(t, new int[0], new double[]{value}, src.needsGrad, null);
            if (out.needsGrad && rows > 0) t.record(() -> {
                if (out.grad == null) return;
                double[] gs = src.gradBuffer();
                double go = out.grad[0] / div;
                for (int r = 0; r < rows; r++) {
                    double f = go * w[r];
                    if (f == 0) continue;
                    for (int j = 0; j < n; j++) gs[r * n + j] += f * g[r * n + j];
                }
            });
            return out;
        }

        /** Row weights from the prediction's mask as {@code apply_mask} computes them. */
        private double[] rowWeights(boolean[] mask, int rows) {
            double[] w = new double[rows];
            if (mask == null || mask.length != rows) {
                java.util.Arrays.fill(w, 1.0);
                return w;
            }
            int valid = 0;
            for (boolean b : mask) if (b) valid++;
            double mw = reduction == Reduction.SUM ? 1.0 : valid == 0 ? 0 : (double) rows / valid;
            for (int r = 0; r < rows; r++) w[r] = mask[r] ? mw : 0;
            return w;
        }

        @Override public String toString() { return name; }
    }

    /** {@code mean((y - x)², axis=-1)} (losses.py:1763). */
    static final class Mse extends RowLoss {
        Mse(Reduction r) { super("mean_squared_error", r); }

        @Override boolean fromLogits() { return false; }

        @Override
        double row(double[] y, int yo, double[] x, int xo, int n, double[] g, boolean logits) {
            double s = 0;
            for (int j = 0; j < n; j++) {
                double d = x[xo + j] - y[yo + j];
                s += d * d;
                g[xo + j] = 2 * d / n;
            }
            return s / n;
        }
    }

    /** {@code mean(|y - x|, axis=-1)} (losses.py:1802); the gradient of |0| is 0 as in TF. */
    static final class Mae extends RowLoss {
        Mae(Reduction r) { super("mean_absolute_error", r); }

        @Override boolean fromLogits() { return false; }

        @Override
        double row(double[] y, int yo, double[] x, int xo, int n, double[] g, boolean logits) {
            double s = 0;
            for (int j = 0; j < n; j++) {
                double d = x[xo + j] - y[yo + j];
                s += Math.abs(d);
                g[xo + j] = Math.signum(d) / n;
            }
            return s / n;
        }
    }

    /**
     * Huber (losses.py:1962): {@code 0.5e²} where {@code |e| <= δ}, else {@code δ|e| - 0.5δ²}; mean over the last axis.
     */
    static final class Huber extends RowLoss {
        private final double delta;

        Huber(double delta, Reduction r) {
            super("huber_loss", r);
            this.delta = (float) delta;
        }

        @Override boolean fromLogits() { return false; }

        @Override
        double row(double[] y, int yo, double[] x, int xo, int n, double[] g, boolean logits) {
            double s = 0;
            for (int j = 0; j < n; j++) {
                double e = x[xo + j] - y[yo + j], a = Math.abs(e);
                if (a <= delta) {
                    s += 0.5 * e * e;
                    g[xo + j] = e / n;
                } else {
                    s += delta * a - 0.5 * delta * delta;
                    g[xo + j] = delta * Math.signum(e) / n;
                }
            }
            return s / n;
        }
    }

    /**
     * Binary crossentropy (losses.py:2380, nn.py:1444), labels smoothed towards 0.5; mean over the
     * last axis. From logits: TF's {@code sigmoid_cross_entropy_with_logits}
     * {@code max(x,0) - x·z + log(1 + e^-|x|)}; else on probabilities clipped to [eps, 1-eps].
     */
    static final class Bce extends RowLoss {
        private final boolean fromLogits;
        private final double smoothing;

        Bce(boolean fromLogits, double smoothing, Reduction r) {
            super("binary_crossentropy", r);
            this.fromLogits = fromLogits;
            this.smoothing = smoothing;
        }

        @Override boolean fromLogits() { return fromLogits; }

        @Override boolean usesKerasLogits() { return true; }

        @Override
        double row(double[] y, int yo, double[] x, int xo, int n, double[] g, boolean logits) {
            double s = 0;
            for (int j = 0; j < n; j++) {
                double z = y[yo + j];
                if (smoothing != 0) z = z * (1.0 - smoothing) + 0.5 * smoothing;
                double v = x[xo + j];
                if (logits) {
                    s += Math.max(v, 0) - v * z + Math.log1p(Math.exp(-Math.abs(v)));
                    g[xo + j] = (sigmoid(v) - z) / n;
                } else {
                    boolean inside = v >= EPS && v <= ONE_MINUS_EPS;
                    double p = Math.min(Math.max(v, EPS), ONE_MINUS_EPS);
                    s += -(z * Math.log(p) + (1 - z) * Math.log(1 - p));
                    g[xo + j] = inside ? (-z / p + (1 - z) / (1 - p)) / n : 0;
                }
            }
            return s / n;
        }
    }

    /**
     * Categorical crossentropy (losses.py:2154, nn.py:1298), labels smoothed by
     * {@code y(1-ls) + ls/classes}. From logits: {@code -Σ y·log_softmax(x)} with TF's gradient
     * {@code softmax - y}; else each row is divided by its sum, clipped to [eps, 1-eps], and
     * {@code -Σ y·log p}.
     */
    static final class Cce extends RowLoss {
        private final boolean fromLogits;
        private final double smoothing;

        Cce(boolean fromLogits, double smoothing, Reduction r) {
            super("categorical_crossentropy", r);
            this.fromLogits = fromLogits;
            this.smoothing = smoothing;
        }

        @Override boolean fromLogits() { return fromLogits; }

        @Override boolean usesKerasLogits() { return true; }

        @Override
        double row(double[] y, int yo, double[] x, int xo, int n, double[] g, boolean logits) {
            double[] z = new double[n];
            for (int j = 0; j < n; j++) {
                z[j] = y[yo + j];
                if (smoothing != 0) z[j] = z[j] * (1.0 - smoothing) + smoothing / n;
            }
            if (logits) {
                double max = Double.NEGATIVE_INFINITY;
                for (int j = 0; j < n; j++) max = Math.max(max, x[xo + j]);
                double se = 0;
                for (int j = 0; j < n; j++) se += Math.exp(x[xo + j] - max);
                double lse = max + Math.log(se);
                double s = 0;
                for (int j = 0; j < n; j++) {
                    s += z[j] * (lse - x[xo + j]);
                    g[xo + j] = Math.exp(x[xo + j] - lse) - z[j];
                }
                return s;
            }
            double sum = 0;
            for (int j = 0; j < n; j++) sum += x[xo + j];
            double s = 0, dot = 0;
            double[] dq = new double[n];
            for (int j = 0; j < n; j++) {
                double q = x[xo + j] / sum;
                boolean inside = q >= EPS && q <= ONE_MINUS_EPS;
                double p = Math.min(Math.max(q, EPS), ONE_MINUS_EPS);
                s -= z[j] * Math.log(p);
                dq[j] = inside ? -z[j] / p : 0;
                dot += dq[j] * x[xo + j];
            }
            for (int j = 0; j < n; j++) g[xo + j] = dq[j] / sum - dot / (sum * sum);
            return s;
        }
    }

    /**
     * Sparse categorical crossentropy (losses.py:2313, nn.py:1381): integer targets, one per row.
     * From logits: {@code logsumexp(x) - x[k]}; else TF takes {@code log} of the probabilities
     * clipped to [eps, 1-eps] and applies the softmax crossentropy to them, i.e.
     * {@code log Σp - log p[k]}.
     */
    static final class SparseCce extends RowLoss {
        private final boolean fromLogits;

        SparseCce(boolean fromLogits, Reduction r) {
            super("sparse_categorical_crossentropy", r);
            this.fromLogits = fromLogits;
        }

        @Override boolean fromLogits() { return fromLogits; }

        @Override boolean usesKerasLogits() { return true; }

        @Override int targetsPerRow(int width) { return 1; }

        @Override
        double row(double[] y, int yo, double[] x, int xo, int n, double[] g, boolean logits) {
            double yt = y[yo];
            int k = (int) yt;
            if (k != yt || k < 0 || k >= n) {
                throw new InputException(null, null, null, "sparse_categorical_crossentropy: target " + yt
                        + " is not a class id in [0, " + n + ")", null);
            }
            if (logits) {
                double max = Double.NEGATIVE_INFINITY;
                for (int j = 0; j < n; j++) max = Math.max(max, x[xo + j]);
                double se = 0;
                for (int j = 0; j < n; j++) se += Math.exp(x[xo + j] - max);
                double lse = max + Math.log(se);
                for (int j = 0; j < n; j++) g[xo + j] = Math.exp(x[xo + j] - lse) - (j == k ? 1 : 0);
                return lse - x[xo + k];
            }
            double sp = 0;
            double[] p = new double[n];
            for (int j = 0; j < n; j++) {
                p[j] = Math.min(Math.max(x[xo + j], EPS), ONE_MINUS_EPS);
                sp += p[j];
            }
            for (int j = 0; j < n; j++) {
                double v = x[xo + j];
                boolean inside = v >= EPS && v <= ONE_MINUS_EPS;
                // d/dz_j of the softmax crossentropy on z = log p is p_j/Σp - [j==k]; dz/dp = 1/p.
                g[xo + j] = inside ? (1.0 / sp - (j == k ? 1.0 / p[j] : 0)) : 0;
            }
            return Math.log(sp) - Math.log(p[k]);
        }
    }

    static double sigmoid(double v) {
        return v >= 0 ? 1 / (1 + Math.exp(-v)) : Math.exp(v) / (1 + Math.exp(v));
    }
}

package io.jkeras.train;

import io.jkeras.exceptions.UnsupportedModelException;
import io.jkeras.layers.BatchNormalization;
import io.jkeras.layers.Bidirectional;
import io.jkeras.layers.Identity;
import io.jkeras.layers.Layer;
import io.jkeras.layers.Lstm;
import io.jkeras.layers.TimeDistributed;
import io.jkeras.layers.TrainingConfig;
import io.jkeras.layers.TrainingConfig.Initializer;
import io.jkeras.layers.Weight;
import io.jkeras.model.Model;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Keras 3's weight initializers ({@code keras/src/initializers}), computed as Keras computes them:
 * the same fans ({@code compute_fans}), scales, bounds, truncation (at two standard deviations,
 * with the 0.8796… correction of {@code VarianceScaling}), Orthogonal's QR with the sign of R's
 * diagonal, Identity's {@code gain·eye(rows, cols)} and the LSTM {@code unit_forget_bias} layout
 * {@code [init(units), ones(units), init(2·units)]}. The random numbers come from a seeded
 * {@link SplittableRandom}: Keras' generators cannot be reproduced in Java, so values match Keras'
 * in distribution and shape, not bit for bit. A spec's own {@code seed} is ignored; the seed passed
 * here decides.
 */
public final class Initializers {
    /** Keras' {@code VarianceScaling} correction: stddev of a unit normal truncated at ±2. */
    static final double TRUNCATED_STDDEV = 0.87962566103423978;

    private Initializers() {}

    /**
     * Values of {@code shape} (row-major, float32) drawn by {@code spec}. Unknown class names throw
     * {@link UnsupportedModelException}.
     */
    public static float[] sample(Initializer spec, int[] shape, long seed) {
        return sample(spec, shape, new SplittableRandom(seed));
    }

    public static float[] sample(Initializer spec, int[] shape, SplittableRandom rng) {
        int n = size(shape);
        if (spec.flag("unit_forget_bias")) {
            if (shape.length != 1 || shape[0] % 4 != 0) {
                throw new UnsupportedModelException(null, null, null,
                        "unit_forget_bias needs an LSTM bias of shape (4·units,), got "
                        + io.jkeras.tensor.Tensor.shapeString(shape));
            }
            int u = shape[0] / 4;
            Initializer base = withoutFlag(spec);
            float[] out = new float[n];
            System.arraycopy(sample(base, new int[]{u}, rng), 0, out, 0, u);
            java.util.Arrays.fill(out, u, 2 * u, 1f);
            System.arraycopy(sample(base, new int[]{2 * u}, rng), 0, out, 2 * u, 2 * u);
            return out;
        }
        switch (spec.className()) {
            case "Zeros":
                return new float[n];
            case "Ones":
                return constant(n, 1);
            case "Constant":
                return constant(n, spec.number("value", 0));
            case "RandomUniform":
                return uniform(n, spec.number("minval", -0.05), spec.number("maxval", 0.05), rng);
            case "RandomNormal":
                return normal(n, spec.number("mean", 0), spec.number("stddev", 0.05), rng);
            case "TruncatedNormal":
                return truncated(n, spec.number("mean", 0), spec.number("stddev", 0.05), rng);
            case "GlorotUniform":
                return varianceScaling(shape, 1, "fan_avg", "uniform", rng);
            case "GlorotNormal":
                return varianceScaling(shape, 1, "fan_avg", "truncated_normal", rng);
            case "HeUniform":
                return varianceScaling(shape, 2, "fan_in", "uniform", rng);
            case "HeNormal":
                return varianceScaling(shape, 2, "fan_in", "truncated_normal", rng);
            case "LecunUniform":
                return varianceScaling(shape, 1, "fan_in", "uniform", rng);
            case "LecunNormal":
                return varianceScaling(shape, 1, "fan_in", "truncated_normal", rng);
            case "VarianceScaling":
                return varianceScaling(shape, spec.number("scale", 1), spec.text("mode", "fan_in"),
                        spec.text("distribution", "truncated_normal"), rng);
            case "Orthogonal":
                return orthogonal(shape, spec.number("gain", 1), rng);
            case "Identity":
                return identity(shape, spec.number("gain", 1));
            default:
                throw new UnsupportedModelException(null, null, null, "initializer '" + spec.className()
                        + "' is not implemented; "
                        + "allowed: Zeros, Ones, Constant, RandomUniform, RandomNormal, TruncatedNormal,"
                                + " GlorotUniform, GlorotNormal, "
                        + "HeUniform, HeNormal, LecunUniform, LecunNormal, VarianceScaling, Orthogonal, Identity");
        }
    }

    private static Initializer withoutFlag(Initializer spec) {
        Map<String, Object> p = new java.util.LinkedHashMap<>(spec.params());
        p.remove("unit_forget_bias");
        return new Initializer(spec.className(), p);
    }

    /** Keras {@code compute_fans}: (fan_in, fan_out). */
    public static long[] fans(int[] shape) {
        if (shape.length < 1) return new long[]{1, 1};
        if (shape.length == 1) return new long[]{shape[0], shape[0]};
        if (shape.length == 2) return new long[]{shape[0], shape[1]};
        long receptive = 1;
        for (int i = 0; i < shape.length - 2; i++) receptive *= shape[i];
        return new long[]{shape[shape.length - 2] * receptive, shape[shape.length - 1] * receptive};
    }

    static float[] varianceScaling(int[] shape, double scale, String mode, String distribution, SplittableRandom rng) {
        long[] f = fans(shape);
        double s = scale;
        switch (mode) {
            case "fan_in" -> s /= Math.max(1.0, f[0]);
            case "fan_out" -> s /= Math.max(1.0, f[1]);
            case "fan_avg" -> s /= Math.max(1.0, (f[0] + f[1]) / 2.0);
            default -> throw new UnsupportedModelException(null, null, null, "VarianceScaling mode '" + mode
                    + "' is not one of fan_in, fan_out, fan_avg");
        }
        int n = size(shape);
        return switch (distribution) {
            case "truncated_normal" -> truncated(n, 0, Math.sqrt(s) / TRUNCATED_STDDEV, rng);
            case "untruncated_normal" -> normal(n, 0, Math.sqrt(s), rng);
            case "uniform" -> {
                double limit = Math.sqrt(3.0 * s);
                yield uniform(n, -limit, limit, rng);
            }
            default -> throw new UnsupportedModelException(null, null, null, "VarianceScaling distribution '"
                    + distribution
                    + "' is not one of truncated_normal, untruncated_normal, uniform");
        };
    }

    /** U[min, max): max is excluded, as in Keras. */
    static float[] uniform(int n, double min, double max, SplittableRandom rng) {
        float[] out = new float[n];
        float hi = (float) max;
        for (int i = 0; i < n; i++) {
            float v = (float) (min + (max - min) * rng.nextDouble());
            if (v >= hi && max > min) v = Math.nextDown(hi);
            out[i] = v;
        }
        return out;
    }

    static float[] normal(int n, double mean, double stddev, SplittableRandom rng) {
        float[] out = new float[n];
        for (int i = 0; i < n; i++) out[i] = (float) (mean + stddev * rng.nextGaussian());
        return out;
    }

    /** Normal values, those more than two standard deviations from the mean drawn again. */
    static float[] truncated(int n, double mean, double stddev, SplittableRandom rng) {
        float[] out = new float[n];
        for (int i = 0; i < n; i++) {
            double z;
            do { z = rng.nextGaussian(); } while (Math.abs(z) > 2.0);
            out[i] = (float) (mean + stddev * z);
        }
        return out;
    }

    private static float[] constant(int n, double v) {
        float[] out = new float[n];
        java.util.Arrays.fill(out, (float) v);
        return out;
    }

    /** {@code gain · eye(rows, cols)}; 2-D only, as in Keras. */
    static float[] identity(int[] shape, double gain) {
        if (shape.length != 2) {
            throw new UnsupportedModelException(null, null, null, "the Identity initializer needs a 2-D weight, got "
                    + io.jkeras.tensor.Tensor.shapeString(shape));
        }
        float[] out = new float[shape[0] * shape[1]];
        for (int i = 0; i < Math.min(shape[0], shape[1]); i++) out[i * shape[1] + i] = (float) gain;
        return out;
    }

    /**
     * Keras {@code Orthogonal}: a (max(r, c), min(r, c)) standard normal matrix, its QR
     * decomposition's Q with columns multiplied by the signs of R's diagonal, transposed when
     * r &lt; c, times the gain; r is the product of all dimensions but the last, c the last.
     */
    static float[] orthogonal(int[] shape, double gain, SplittableRandom rng) {
        if (shape.length < 2) {
            throw new UnsupportedModelException(null, null, null,
                    "the Orthogonal initializer needs a weight of rank >= 2, got "
                    + io.jkeras.tensor.Tensor.shapeString(shape));
        }
        int rows = 1;
        for (int i = 0; i < shape.length - 1; i++) rows *= shape[i];
        int cols = shape[shape.length - 1];
        int m = Math.max(rows, cols), k = Math.min(rows, cols);
        double[][] a = new double[k][m]; // column j of the (m, k) matrix as a[j]
        for (int i = 0; i < m; i++) for (int j = 0; j < k; j++) a[j][i] = rng.nextGaussian();
        // modified Gram-Schmidt, applied twice: Q's columns with R's diagonal positive (= Q·sign(diag R))
        for (int j = 0; j < k; j++) {
            for (int pass = 0; pass < 2; pass++) {
                for (int p = 0; p < j; p++) {
                    double dot = 0;
                    for (int i = 0; i < m; i++) dot += a[p][i] * a[j][i];
                    for (int i = 0; i < m; i++) a[j][i] -= dot * a[p][i];
                }
            }
            double norm = 0;
            for (int i = 0; i < m; i++) norm += a[j][i] * a[j][i];
            norm = Math.sqrt(norm);
            for (int i = 0; i < m; i++) a[j][i] /= norm;
        }
        float[] out = new float[rows * cols];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                double v = rows >= cols ? a[c][r] : a[r][c]; // q is (m, k); transposed when rows < cols
                out[r * cols + c] = (float) (gain * v);
            }
        }
        return out;
    }

    /**
     * Keras' default initializer of a weight by its short name, for layers whose config names none:
     * kernels GlorotUniform, recurrent kernels Orthogonal, biases Zeros, embeddings
     * RandomUniform(−0.05, 0.05), BatchNormalization gamma/moving_variance Ones, beta/moving_mean Zeros.
     */
    public static Initializer defaultFor(String weightName) {
        String n = weightName.substring(weightName.lastIndexOf('/') + 1);
        return switch (n) {
            case "kernel", "depthwise_kernel", "pointwise_kernel" -> Initializer.of("GlorotUniform");
            case "recurrent_kernel" -> Initializer.of("Orthogonal");
            case "bias", "beta", "moving_mean" -> Initializer.of("Zeros");
            case "gamma", "moving_variance" -> Initializer.of("Ones");
            case "embeddings" -> new Initializer("RandomUniform", Map.of("minval", -0.05, "maxval", 0.05));
            default -> throw new UnsupportedModelException(null, null, weightName,
                    "no default initializer is known for this weight");
        };
    }

    /**
     * The model with layer {@code layerName}'s weights drawn afresh from their initializers (as its
     * {@link TrainingConfig#initializers()} records them, else Keras' defaults), every other weight
     * unchanged. Weight i of the layer uses the generator {@code new SplittableRandom(seed)} split i
     * times, so a seed gives the same values every time.
     */
    public static Model reinitialize(Model model, String layerName, long seed) {
        Layer target = null;
        for (Layer l : model.layers()) if (l.name().equals(layerName)) target = l;
        if (target == null) {
            throw new io.jkeras.exceptions.InputException(null, layerName, null, "model '" + model.name()
                    + "' has no layer of this name");
        }
        TrainingConfig tc = model.trainingConfig(layerName);
        SplittableRandom root = new SplittableRandom(seed);
        List<float[]> values = new ArrayList<>();
        for (Weight w : target.weights()) {
            Initializer spec = tc.initializers().get(w.name());
            if (spec == null) spec = defaultFor(w.name());
            boolean lstmBias = w.name().endsWith("bias") && isLstmBias(target, w.name());
            if (lstmBias && !tc.initializers().containsKey(w.name())) {
                spec = new Initializer("Zeros", Map.of("unit_forget_bias", true));
            }
            try {
                values.add(sample(spec, w.shape(), root.split()));
            } catch (io.jkeras.exceptions.JKerasException e) {
                throw e.in(null, layerName);
            }
        }
        Layer rebuilt = withWeights(target, values);
        return model.withLayers(Map.of(target, rebuilt));
    }

    private static boolean isLstmBias(Layer l, String weightName) {
        if (l instanceof Lstm) return true;
        if (l instanceof TimeDistributed td) return isLstmBias(td.inner(), weightName);
        if (l instanceof Bidirectional b) {
            return weightName.startsWith(b.forwardLayer().name() + "/") ? b.forwardLayer() instanceof Lstm
                    : b.backwardLayer() instanceof Lstm;
        }
        return false;
    }

    /** A copy of {@code l} holding {@code values} (in {@link Layer#weights()} order and shapes). */
    static Layer withWeights(Layer l, List<float[]> values) {
        List<Weight> w = l.weights();
        if (w.size() != values.size()) throw new IllegalArgumentException(l.name() + " has " + w.size()
                + " weights, got " + values.size());
        return l.withWeights(values);
    }

    private static int size(int[] shape) {
        long n = 1;
        for (int d : shape) n *= d;
        if (n > Integer.MAX_VALUE - 8) throw new UnsupportedModelException(null, null, null, "weight of " + n
                + " values is too large");
        return (int) n;
    }
}

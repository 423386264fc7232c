package io.jkeras.layers;

import io.jkeras.exceptions.UnsupportedModelException;
import io.jkeras.kernels.NormalizationKernels;
import io.jkeras.tensor.Tensor;

import java.util.ArrayList;
import java.util.List;

/**
 * Keras 3 LayerNormalization and RMSNormalization over a run of adjacent axes of each sample
 * (keras/src/layers/normalization/layer_normalization.py, rms_normalization.py). {@link Kind#LAYER}:
 * {@code (x − mean)·rsqrt(var + ε)·γ + β} ({@link NormalizationKernels#layerNorm}); {@link Kind#RMS_SCALING}
 * (LayerNormalization's {@code rms_scaling=True}): {@code x·rsqrt(var + ε)·γ}, the variance and not the mean
 * square, as Keras 3 computes it; {@link Kind#RMS} (RMSNormalization): {@code x·rsqrt(mean(x²) + ε)·scale}
 * (keras/src/ops/nn.py {@code _rms_normalization}). γ and β have Keras' shape (the input's sizes on the axes) and
 * are absent without {@code scale} / {@code center}. The mask passes through.
 */
public final class LayerNormalization implements Layer {
    @Override public <R> R accept(Visitor<R> v) { return v.visit(this); }

    /** Which normalisation. */
    public enum Kind { LAYER, RMS_SCALING, RMS }

    private final String name;
    private final Kind kind;
    private final int rank;
    private final int[] axes;
    private final int[] paramShape;
    private final float epsilon;
    private final float[] gamma; // or null
    private final float[] beta;  // or null (always for RMS kinds)

    /**
     * @param rank       the input's rank including the batch dimension
     * @param axes       the normalised axes (negatives from the end)
     * @param paramShape Keras' shape of gamma and beta (the input's sizes on the axes)
     */
    public LayerNormalization(String name, Kind kind, int rank, int[] axes, int[] paramShape, float epsilon,
                              float[] gamma, float[] beta) {
        this.name = name;
        this.kind = kind;
        this.rank = rank;
        this.axes = NormAxes.resolve(name, rank, axes);
        this.paramShape = paramShape.clone();
        if (!(epsilon >= 0) || Float.isInfinite(epsilon)) {
            throw new UnsupportedModelException(null, name, null, "epsilon must be a finite non-negative number, got "
                    + epsilon);
        }
        if (kind != Kind.LAYER && beta != null) {
            throw new UnsupportedModelException(null, name, null, kind + " normalisation has no beta (center)");
        }
        this.epsilon = epsilon;
        if (gamma != null) Recurrent.checkShape(name, gammaName(), gamma, paramShape);
        if (beta != null) Recurrent.checkShape(name, "beta", beta, paramShape);
        this.gamma = gamma == null ? null : gamma.clone();
        this.beta = beta == null ? null : beta.clone();
    }

    private String gammaName() { return kind == Kind.RMS ? "scale" : "gamma"; }

    @Override public String name() { return name; }

    @Override public String typeName() { return kind == Kind.RMS ? "RMSNormalization" : "LayerNormalization"; }

    public Kind kind() { return kind; }

    /** The input rank the layer was built for, counting the batch. */
    public int rank() { return rank; }

    /** The normalised axes, sorted (batch = 0). */
    public int[] axes() { return axes.clone(); }

    public float epsilon() { return epsilon; }

    /** Gamma (RMSNormalization's scale), or null. */
    public float[] gamma() { return gamma == null ? null : gamma.clone(); }

    /** Beta, or null. */
    public float[] beta() { return beta == null ? null : beta.clone(); }

    private int size() {
        long n = 1;
        for (int d : paramShape) n *= d;
        return (int) n;
    }

    @Override
    public int[][] outputShapes(int[][] in) {
        Shapes.expectInputs(name, in, 1, 1);
        int n = NormAxes.size(name, rank, axes, in[0]);
        if ((gamma != null || beta != null) && n != size()) {
            throw new UnsupportedModelException(null, name, null, "weights of shape " + Tensor.shapeString(paramShape)
                    + " do not fit the normalised axes of input (None, " + Shapes.inner(in[0]) + ")");
        }
        return new int[][]{in[0].clone()};
    }

    /**
     * The permutation (output axis i reads input axis {@code p[i]}) that moves the normalised axes to the end, the
     * other axes keeping their order; null when the axes are one run of adjacent axes (normalised in place).
     */
    public int[] axesToEnd() { return NormAxes.toEnd(rank, axes); }

    @Override
    public Tensor[] forward(Tensor[] inputs, float[][] state) {
        Tensor x = inputs[0];
        int[] s = x.shape();
        NormAxes.view(name, rank, axes, s); // checks the rank
        int[] perm = NormAxes.toEnd(rank, axes);
        int[] ps = perm == null ? s : NormAxes.permuted(s, perm);
        float[] xd = perm == null ? x.data() : NormAxes.permute(x.data(), s, perm);
        int[] v = NormAxes.view(name, rank, perm == null ? axes : NormAxes.last(rank, axes.length), ps);
        if ((gamma != null || beta != null) && v[1] != size()) {
            throw new io.jkeras.exceptions.InputException(null, name, null, "expects " + size()
                    + " values on the normalised axes, got " + Tensor.shapeString(s));
        }
        float[] y = new float[x.size()];
        if (kind == Kind.RMS) {
            rms(v[0], v[1], v[2], xd, gamma, epsilon, y);
        } else {
            NormalizationKernels.layerNorm(v[0], v[1], v[2], xd, 0, gamma, beta, epsilon,
                    kind == Kind.RMS_SCALING, y, 0);
        }
        if (perm != null) y = NormAxes.permute(y, ps, NormAxes.inverse(perm));
        return new Tensor[]{new Tensor(s, y, x.mask())};
    }

    /** RMSNormalization in float, in Keras' order: {@code x·rsqrt(mean(x²) + ε)}, then {@code ·scale}. */
    private static void rms(int outer, int n, int inner, float[] x, float[] scale, float eps, float[] y) {
        for (int a = 0; a < outer; a++) {
            for (int b = 0; b < inner; b++) {
                int base = a * n * inner + b;
                float sq = 0f;
                for (int i = 0; i < n; i++) sq += x[base + i * inner] * x[base + i * inner];
                float r = (float) (1.0 / Math.sqrt(sq / n + eps));
                for (int i = 0; i < n; i++) {
                    float o = x[base + i * inner] * r;
                    y[base + i * inner] = scale == null ? o : o * scale[i];
                }
            }
        }
    }

    @Override
    public List<Weight> weights() {
        List<Weight> w = new ArrayList<>();
        if (gamma != null) w.add(new Weight(gammaName(), paramShape.clone(), gamma.clone()));
        if (beta != null) w.add(new Weight("beta", paramShape.clone(), beta.clone()));
        return w;
    }

    @Override
    public void encode(LayerEncoder e) {
        e.put("kind", kind.name());
        e.put("rank", rank);
        e.put("axes", axes);
        e.put("param_shape", paramShape);
        e.putFloat("epsilon", epsilon);
        e.weights(weights());
    }

    static Layer decode(LayerDecoder d) {
        Kind kind = d.enumValue("kind", Kind.values());
        int[] ps = d.ints("param_shape");
        Weight g = d.optionalWeight(kind == Kind.RMS ? "scale" : "gamma"), b = d.optionalWeight("beta");
        d.expectNoOtherWeights("gamma", "scale", "beta");
        for (Weight w : new Weight[]{g, b}) if (w != null) d.expectShape(w, ps);
        return new LayerNormalization(d.name(), kind, d.integer("rank"), d.ints("axes"), ps, d.floatValue("epsilon"),
                g == null ? null : g.values(), b == null ? null : b.values());
    }

    @Override public long flops(int[][] in, int[][] out) { return 0; }

    @Override public int vocabulary() { return 0; }

    @Override
    public Layer withWeights(List<float[]> values) {
        float[][] v = NormAxes.optionalPair(values, gamma, beta);
        return new LayerNormalization(name, kind, rank, axes, paramShape, epsilon, v[0], v[1]);
    }
}

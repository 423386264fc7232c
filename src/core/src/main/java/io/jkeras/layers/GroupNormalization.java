package io.jkeras.layers;

import io.jkeras.exceptions.InputException;
import io.jkeras.exceptions.UnsupportedModelException;
import io.jkeras.kernels.NormalizationKernels;
import io.jkeras.tensor.Tensor;

import java.util.ArrayList;
import java.util.List;

/**
 * Keras 3 GroupNormalization (keras/src/layers/normalization/group_normalization.py): the channels on
 * {@code axis} split into {@code groups} groups, each normalised with the mean and variance of its channels over
 * every other non-batch position of the sample, then {@code ·γ[c] + β[c]} ({@link NormalizationKernels#groupNorm}).
 * A channel axis other than the last (channels_first) is moved last for the kernel and back. γ and β have shape
 * {@code (channels)} and are absent without {@code scale} / {@code center}. The mask passes through.
 */
public final class GroupNormalization implements Layer {
    @Override public <R> R accept(Visitor<R> v) { return v.visit(this); }

    private final String name;
    private final int rank;
    private final int axis; // in [1, rank)
    private final int groups;
    private final int channels;
    private final float epsilon;
    private final float[] gamma; // or null
    private final float[] beta;  // or null

    /**
     * @param rank the input's rank including the batch dimension
     * @param axis the channel axis (negative from the end)
     */
    public GroupNormalization(String name, int rank, int axis, int groups, int channels, float epsilon,
                              float[] gamma, float[] beta) {
        this.name = name;
        this.rank = rank;
        int a = axis < 0 ? axis + rank : axis;
        if (a < 1 || a >= rank) {
            throw new UnsupportedModelException(null, name, null, "axis " + axis + " is not a non-batch axis of a rank-"
                    + rank + " input; allowed: 1.." + (rank - 1) + " or their negatives");
        }
        if (groups < 1 || channels < 1 || channels % groups != 0) {
            throw new UnsupportedModelException(null, name, null, "groups=" + groups + " must divide the "
                    + channels + " channels");
        }
        if (!(epsilon >= 0) || Float.isInfinite(epsilon)) {
            throw new UnsupportedModelException(null, name, null, "epsilon must be a finite non-negative number, got "
                    + epsilon);
        }
        this.axis = a;
        this.groups = groups;
        this.channels = channels;
        this.epsilon = epsilon;
        if (gamma != null) Recurrent.checkShape(name, "gamma", gamma, channels);
        if (beta != null) Recurrent.checkShape(name, "beta", beta, channels);
        this.gamma = gamma == null ? null : gamma.clone();
        this.beta = beta == null ? null : beta.clone();
    }

    @Override public String name() { return name; }

    @Override public String typeName() { return "GroupNormalization"; }

    public int rank() { return rank; }

    /** The channel axis (batch = 0). */
    public int axis() { return axis; }

    public int groups() { return groups; }

    public int channels() { return channels; }

    public float epsilon() { return epsilon; }

    public float[] gamma() { return gamma == null ? null : gamma.clone(); }

    public float[] beta() { return beta == null ? null : beta.clone(); }

    @Override
    public int[][] outputShapes(int[][] in) {
        Shapes.expectInputs(name, in, 1, 1);
        Shapes.expectRank(name, in[0], rank - 1);
        if (in[0][axis - 1] != channels) {
            throw new UnsupportedModelException(null, name, null, "was built for " + channels + " channels on axis "
                    + axis + ", got input (None, " + Shapes.inner(in[0]) + ")");
        }
        return new int[][]{in[0].clone()};
    }

    /** {@code (batch, before, channels, after)} of the input shape s (with batch). */
    private int[] view(int[] s) {
        if (s.length != rank || s[axis] != channels) {
            throw new InputException(null, name, null, "expects rank " + rank + " input with " + channels
                    + " channels on axis " + axis + ", got " + Tensor.shapeString(s));
        }
        int before = 1, after = 1;
        for (int i = 1; i < axis; i++) before *= s[i];
        for (int i = axis + 1; i < rank; i++) after *= s[i];
        return new int[]{s[0], before, channels, after};
    }

    @Override
    public Tensor[] forward(Tensor[] inputs, float[][] state) {
        Tensor x = inputs[0];
        int[] v = view(x.shape());
        int batch = v[0], positions = v[1] * v[3];
        float[] y = new float[x.size()];
        if (v[3] == 1) {
            NormalizationKernels.groupNorm(batch, positions, channels, groups, x.data(), 0, gamma, beta, epsilon, y, 0);
        } else {
            float[] t = moveChannels(x.data(), v, true);
            float[] u = new float[t.length];
            NormalizationKernels.groupNorm(batch, positions, channels, groups, t, 0, gamma, beta, epsilon, u, 0);
            y = moveChannels(u, v, false);
        }
        return new Tensor[]{new Tensor(x.shape(), y, x.mask())};
    }

    /**
     * Between {@code (B·before, C, after)} and {@code (B·before, after, C)}: {@code last} moves the channels last.
     * Public for the training form.
     */
    public static float[] moveChannels(float[] x, int[] view, boolean last) {
        int outer = view[0] * view[1], c = view[2], after = view[3];
        float[] y = new float[x.length];
        for (int o = 0; o < outer; o++) {
            int base = o * c * after;
            for (int ch = 0; ch < c; ch++) {
                for (int p = 0; p < after; p++) {
                    int first = base + ch * after + p, lastAt = base + p * c + ch;
                    if (last) y[lastAt] = x[first];
                    else y[first] = x[lastAt];
                }
            }
        }
        return y;
    }

    @Override
    public List<Weight> weights() {
        List<Weight> w = new ArrayList<>();
        if (gamma != null) w.add(new Weight("gamma", new int[]{channels}, gamma.clone()));
        if (beta != null) w.add(new Weight("beta", new int[]{channels}, beta.clone()));
        return w;
    }

    @Override
    public void encode(LayerEncoder e) {
        e.put("rank", rank);
        e.put("axis", axis);
        e.put("groups", groups);
        e.put("channels", channels);
        e.putFloat("epsilon", epsilon);
        e.weights(weights());
    }

    static Layer decode(LayerDecoder d) {
        int c = d.integer("channels");
        Weight g = d.optionalWeight("gamma"), b = d.optionalWeight("beta");
        d.expectNoOtherWeights("gamma", "beta");
        for (Weight w : new Weight[]{g, b}) if (w != null) d.expectShape(w, c);
        return new GroupNormalization(d.name(), d.integer("rank"), d.integer("axis"), d.integer("groups"), c,
                d.floatValue("epsilon"), g == null ? null : g.values(), b == null ? null : b.values());
    }

    @Override public long flops(int[][] in, int[][] out) { return 0; }

    @Override public int vocabulary() { return 0; }

    @Override
    public Layer withWeights(List<float[]> values) {
        float[][] v = NormAxes.optionalPair(values, gamma, beta);
        return new GroupNormalization(name, rank, axis, groups, channels, epsilon, v[0], v[1]);
    }
}

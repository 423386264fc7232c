package io.jkeras.layers;

import io.jkeras.kernels.NormalizationKernels;
import io.jkeras.tensor.Tensor;

import java.util.List;

/**
 * Keras UnitNormalization: {@code x / max(‖x‖₂, 1e-12)} over a run of adjacent axes of each sample
 * (keras/src/layers/normalization/unit_normalization.py, {@link NormalizationKernels#unitNorm}). No weights; the
 * mask passes through.
 */
public final class UnitNormalization implements Layer {
    @Override public <R> R accept(Visitor<R> v) { return v.visit(this); }

    private final String name;
    private final int rank;
    private final int[] axes;

    /**
     * @param rank the input's rank including the batch dimension
     * @param axes the normalised axes (negatives from the end)
     */
    public UnitNormalization(String name, int rank, int[] axes) {
        this.name = name;
        this.rank = rank;
        this.axes = NormAxes.resolve(name, rank, axes);
    }

    @Override public String name() { return name; }

    @Override public String typeName() { return "UnitNormalization"; }

    /** The input rank the layer was built for, counting the batch. */
    public int rank() { return rank; }

    /** The normalised axes, sorted (batch = 0). */
    public int[] axes() { return axes.clone(); }

    @Override
    public int[][] outputShapes(int[][] in) {
        Shapes.expectInputs(name, in, 1, 1);
        NormAxes.size(name, rank, axes, in[0]);
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
        int[] v = NormAxes.view(name, rank, perm == null ? axes : NormAxes.last(rank, axes.length), ps);
        float[] y = new float[x.size()];
        NormalizationKernels.unitNorm(v[0], v[1], v[2], perm == null ? x.data() : NormAxes.permute(x.data(), s, perm),
                0, y, 0);
        if (perm != null) y = NormAxes.permute(y, ps, NormAxes.inverse(perm));
        return new Tensor[]{new Tensor(s, y, x.mask())};
    }

    @Override public List<Weight> weights() { return List.of(); }

    @Override
    public void encode(LayerEncoder e) {
        e.put("rank", rank);
        e.put("axes", axes);
    }

    static Layer decode(LayerDecoder d) { return new UnitNormalization(d.name(), d.integer("rank"), d.ints("axes")); }

    @Override public long flops(int[][] in, int[][] out) { return 0; }

    @Override public int vocabulary() { return 0; }

    @Override public Layer withWeights(List<float[]> values) { return this; }
}

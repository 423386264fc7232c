package io.jkeras.layers;

import io.jkeras.exceptions.InputException;
import io.jkeras.kernels.PoolingKernels;
import io.jkeras.tensor.Tensor;

import java.util.Arrays;
import java.util.List;

/**
 * Keras GlobalMaxPooling1D/2D/3D and GlobalAveragePooling1D/2D/3D: the maximum or mean over every spatial
 * position, per channel; {@code keepdims} keeps the spatial axes with size 1. Masks as Keras 3 applies them:
 * GlobalAveragePooling1D averages over the unmasked steps only (keras/src/layers/pooling/
 * global_average_pooling1d.py:70-83; an all-masked sample is 0/0 = NaN, as in Keras), while GlobalMaxPooling1D
 * and the 2D/3D layers take no mask (their {@code call} has no mask argument). The output carries no mask.
 * The math is {@link PoolingKernels}' {@code globalMax} and {@code globalAverage}.
 */
public final class GlobalPooling implements Layer {
    @Override public <R> R accept(Visitor<R> v) { return v.visit(this); }

    private final String name;
    private final Pooling.Kind kind;
    private final int rank;
    private final boolean keepDims;
    private final boolean channelsFirst;

    public GlobalPooling(String name, Pooling.Kind kind, int rank, boolean keepDims, boolean channelsFirst) {
        this.name = name;
        this.kind = kind;
        this.rank = Spatial.checkRank(name, rank);
        this.keepDims = keepDims;
        this.channelsFirst = channelsFirst;
    }

    @Override public String name() { return name; }

    @Override
    public String typeName() {
        return (kind == Pooling.Kind.MAX ? "GlobalMaxPooling" : "GlobalAveragePooling") + rank + "D";
    }

    public Pooling.Kind kind() { return kind; }

    public int rank() { return rank; }

    public boolean keepDims() { return keepDims; }

    public boolean channelsFirst() { return channelsFirst; }

    /** True when the layer averages over the unmasked steps of its input's mask (GlobalAveragePooling1D). */
    public boolean usesMask() { return kind == Pooling.Kind.AVERAGE && rank == 1; }

    private int[] outputSample(int channels) {
        if (!keepDims) return new int[]{channels};
        int[] ones = new int[rank];
        Arrays.fill(ones, 1);
        return Spatial.shape(ones, channels, channelsFirst);
    }

    @Override
    public int[][] outputShapes(int[][] in) {
        Spatial.expect(name, in, rank, channelsFirst);
        return new int[][]{outputSample(Spatial.channels(in[0], channelsFirst))};
    }

    /**
     * The mask GlobalAveragePooling1D applies, one flag per (sample, step), or null: the input's mask, which
     * Keras broadcasts over the channels (a mask of another length is refused).
     */
    public boolean[] stepMask(boolean[] mask, int batch, int steps) {
        if (!usesMask() || mask == null) return null;
        if (mask.length != batch * steps) {
            throw new InputException(null, name, null, "mask of " + mask.length + " flags for " + batch
                    + " samples of " + steps + " steps");
        }
        return mask;
    }

    @Override
    public Tensor[] forward(Tensor[] inputs, float[][] state) {
        Tensor x = inputs[0];
        int[] sample = Spatial.expect(name, x, rank, channelsFirst);
        int b = x.dim(0), c = Spatial.channels(sample, channelsFirst);
        int p = Shapes.product(name, Spatial.sizes(sample, channelsFirst), 0);
        boolean[] mask = stepMask(x.mask(), b, p);
        int[] ones = new int[rank];
        Arrays.fill(ones, 1);
        Tensor y = Spatial.apply(name, x, channelsFirst, ones, (xl, yl) -> {
            if (kind == Pooling.Kind.MAX) PoolingKernels.globalMax(b, p, c, xl, 0, yl, 0);
            else PoolingKernels.globalAverage(b, p, c, xl, 0, mask, 0, yl, 0);
        });
        int[] os = outputSample(c);
        int[] shape = new int[os.length + 1];
        shape[0] = b;
        System.arraycopy(os, 0, shape, 1, os.length);
        return new Tensor[]{y.reshape(shape)};
    }

    @Override public List<Weight> weights() { return List.of(); }

    @Override
    public void encode(LayerEncoder e) {
        e.put("kind", kind.name());
        e.put("rank", rank);
        e.put("keepdims", keepDims);
        e.put("channels_first", channelsFirst);
    }

    static Layer decode(LayerDecoder d) {
        d.expectNoOtherWeights();
        return new GlobalPooling(d.name(), d.enumValue("kind", Pooling.Kind.values()), d.integer("rank"),
                d.bool("keepdims"), d.bool("channels_first"));
    }

    /** No matrix products. */
    @Override public long flops(int[][] in, int[][] out) { return 0; }

    @Override public int vocabulary() { return 0; }

    @Override public Layer withWeights(List<float[]> values) { return this; }
}

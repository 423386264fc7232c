package io.jkeras.layers;

import io.jkeras.exceptions.InputException;
import io.jkeras.exceptions.UnsupportedModelException;
import io.jkeras.kernels.PoolingKernels;
import io.jkeras.kernels.WindowGeometry;
import io.jkeras.tensor.Tensor;

import java.util.Arrays;
import java.util.List;

/**
 * Keras MaxPooling1D/2D/3D and AveragePooling1D/2D/3D: a window of {@code pool_size} sliding by {@code strides}
 * over 1 to 3 spatial dimensions, padding {@code valid} or {@code same} (as TensorFlow pads, the extra one
 * after), channels_last or channels_first. Keras 3 calls {@code ops.max_pool}/{@code ops.average_pool}
 * (keras/src/layers/pooling/base_pooling.py:40-56); the average divides by the number of in-range elements, as
 * {@code tf.nn.avg_pool} does. The math is {@link PoolingKernels}'; Keras' pooling layers do not support masking,
 * so the output carries no mask.
 */
public final class Pooling implements Layer {
    @Override public <R> R accept(Visitor<R> v) { return v.visit(this); }

    /** Which reduction the window applies. */
    public enum Kind { MAX, AVERAGE }

    private final String name;
    private final Kind kind;
    private final int[] poolSize;
    private final int[] strides;
    private final boolean same;
    private final boolean channelsFirst;

    public Pooling(String name, Kind kind, int[] poolSize, int[] strides, boolean same, boolean channelsFirst) {
        this.name = name;
        this.kind = kind;
        int rank = Spatial.checkRank(name, poolSize == null ? 0 : poolSize.length);
        this.poolSize = Spatial.check(name, "pool_size", poolSize, rank, 1);
        this.strides = Spatial.check(name, "strides", strides, rank, 1);
        this.same = same;
        this.channelsFirst = channelsFirst;
    }

    @Override public String name() { return name; }

    @Override public String typeName() { return (kind == Kind.MAX ? "MaxPooling" : "AveragePooling") + rank() + "D"; }

    public Kind kind() { return kind; }

    /** Number of spatial dimensions (1 to 3). */
    public int rank() { return poolSize.length; }

    public int[] poolSize() { return poolSize.clone(); }

    public int[] strides() { return strides.clone(); }

    /** Padding {@code same} (else {@code valid}). */
    public boolean same() { return same; }

    public boolean channelsFirst() { return channelsFirst; }

    /** The window over spatial sizes {@code sizes} (all known). */
    public WindowGeometry geometry(int[] sizes) {
        int[] ones = new int[sizes.length];
        Arrays.fill(ones, 1);
        return WindowGeometry.of(sizes, poolSize, strides, ones,
                same ? WindowGeometry.Padding.SAME : WindowGeometry.Padding.VALID);
    }

    /** The output size of spatial dimension {@code d} for input size {@code n}, -1 when unknown. */
    private int outputSize(int d, int n) {
        if (n < 0) return -1;
        return geometryOf(d, n).outputShape()[0];
    }

    private WindowGeometry geometryOf(int d, int n) {
        return WindowGeometry.of(new int[]{n}, new int[]{poolSize[d]}, new int[]{strides[d]}, new int[]{1},
                same ? WindowGeometry.Padding.SAME : WindowGeometry.Padding.VALID);
    }

    @Override
    public int[][] outputShapes(int[][] in) {
        Spatial.expect(name, in, rank(), channelsFirst);
        int[] sizes = Spatial.sizes(in[0], channelsFirst);
        int[] out = new int[sizes.length];
        for (int d = 0; d < sizes.length; d++) {
            out[d] = outputSize(d, sizes[d]);
            if (out[d] == 0) {
                throw new UnsupportedModelException(null, name, null, "input " + Tensor.shapeString(in[0])
                        + " is smaller than pool_size " + Arrays.toString(poolSize)
                        + " with padding 'valid': the output would be empty");
            }
        }
        return new int[][]{Spatial.resized(in[0], out, channelsFirst)};
    }

    @Override
    public Tensor[] forward(Tensor[] inputs, float[][] state) {
        Tensor x = inputs[0];
        int[] sample = Spatial.expect(name, x, rank(), channelsFirst);
        int c = Spatial.channels(sample, channelsFirst), b = x.dim(0);
        WindowGeometry g = geometry(Spatial.sizes(sample, channelsFirst));
        if (g.outputPositions() == 0) {
            throw new InputException(null, name, null, "input " + Tensor.shapeString(x.shape())
                    + " is smaller than pool_size " + Arrays.toString(poolSize) + " with padding 'valid'");
        }
        return new Tensor[]{Spatial.apply(name, x, channelsFirst, g.outputShape(), (xl, y) -> {
            if (kind == Kind.MAX) PoolingKernels.max(g, b, c, xl, 0, y, 0);
            else PoolingKernels.average(g, b, c, xl, 0, y, 0);
        })};
    }

    @Override public List<Weight> weights() { return List.of(); }

    @Override
    public void encode(LayerEncoder e) {
        e.put("kind", kind.name());
        e.put("pool_size", poolSize);
        e.put("strides", strides);
        e.put("padding", same ? "same" : "valid");
        e.put("channels_first", channelsFirst);
    }

    static Layer decode(LayerDecoder d) {
        d.expectNoOtherWeights();
        String padding = d.string("padding");
        if (!padding.equals("same") && !padding.equals("valid")) throw d.error("padding '" + padding
                + "'; allowed: same, valid");
        return new Pooling(d.name(), d.enumValue("kind", Kind.values()), d.ints("pool_size"), d.ints("strides"),
                padding.equals("same"), d.bool("channels_first"));
    }

    /** No matrix products. */
    @Override public long flops(int[][] in, int[][] out) { return 0; }

    @Override public int vocabulary() { return 0; }

    @Override public Layer withWeights(List<float[]> values) { return this; }
}

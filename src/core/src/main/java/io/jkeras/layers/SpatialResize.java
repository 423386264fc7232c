package io.jkeras.layers;

import io.jkeras.exceptions.InputException;
import io.jkeras.exceptions.UnsupportedModelException;
import io.jkeras.kernels.ShapeKernels;
import io.jkeras.tensor.Tensor;

import java.util.Arrays;
import java.util.List;

/**
 * Keras ZeroPadding1D/2D/3D, Cropping1D/2D/3D and UpSampling1D/2D/3D, which change the spatial sizes of a
 * sample without weights, channels_last or channels_first:
 * <ul>
 *   <li>{@link Kind#ZERO_PADDING}: {@code before} and {@code after} zeros per spatial dimension
 *       (keras/src/layers/reshaping/zero_padding2d.py, {@code ops.pad});</li>
 *   <li>{@link Kind#CROPPING}: {@code before} and {@code after} positions removed per spatial dimension
 *       (keras/src/layers/reshaping/cropping2d.py);</li>
 *   <li>{@link Kind#UPSAMPLING}: each position repeated {@code size} times per spatial dimension, or, for
 *       UpSampling2D's {@code interpolation="bilinear"}, TensorFlow's half-pixel bilinear resize
 *       (keras/src/layers/reshaping/up_sampling2d.py:150-170).</li>
 * </ul>
 * The math is {@link ShapeKernels}'. None of these Keras layers supports masking, so the output carries no mask.
 */
public final class SpatialResize implements Layer {
    @Override public <R> R accept(Visitor<R> v) { return v.visit(this); }

    /** What the layer does to the spatial sizes. */
    public enum Kind { ZERO_PADDING, CROPPING, UPSAMPLING }

    private static final String[] TYPE = {"ZeroPadding", "Cropping", "UpSampling"};

    private final String name;
    private final Kind kind;
    private final int[] before;  // ZERO_PADDING, CROPPING; the size for UPSAMPLING
    private final int[] after;   // ZERO_PADDING, CROPPING; null for UPSAMPLING
    private final boolean bilinear;
    private final boolean channelsFirst;

    private SpatialResize(String name, Kind kind, int[] before, int[] after, boolean bilinear, boolean channelsFirst) {
        this.name = name;
        this.kind = kind;
        int rank = Spatial.checkRank(name, before == null ? 0 : before.length);
        String what = kind == Kind.UPSAMPLING ? "size" : kind == Kind.CROPPING ? "cropping" : "padding";
        this.before = Spatial.check(name, what, before, rank, kind == Kind.UPSAMPLING ? 1 : 0);
        this.after = after == null ? null : Spatial.check(name, what, after, rank, 0);
        if (bilinear && rank != 2) throw new UnsupportedModelException(null, name, null,
                "bilinear interpolation needs 2 spatial dimensions (UpSampling2D), got " + rank);
        this.bilinear = bilinear;
        this.channelsFirst = channelsFirst;
    }

    /** ZeroPadding1D/2D/3D. */
    public static SpatialResize zeroPadding(String name, int[] before, int[] after, boolean channelsFirst) {
        return new SpatialResize(name, Kind.ZERO_PADDING, before, after, false, channelsFirst);
    }

    /** Cropping1D/2D/3D. */
    public static SpatialResize cropping(String name, int[] before, int[] after, boolean channelsFirst) {
        return new SpatialResize(name, Kind.CROPPING, before, after, false, channelsFirst);
    }

    /** UpSampling1D/2D/3D, nearest unless {@code bilinear} (2D only). */
    public static SpatialResize upSampling(String name, int[] size, boolean bilinear, boolean channelsFirst) {
        return new SpatialResize(name, Kind.UPSAMPLING, size, null, bilinear, channelsFirst);
    }

    @Override public String name() { return name; }

    @Override public String typeName() { return TYPE[kind.ordinal()] + rank() + "D"; }

    public Kind kind() { return kind; }

    public int rank() { return before.length; }

    /** Zeros or cropped positions before, per spatial dimension (padding, cropping). */
    public int[] before() { return kind == Kind.UPSAMPLING ? null : before.clone(); }

    /** Zeros or cropped positions after, per spatial dimension (padding, cropping). */
    public int[] after() { return after == null ? null : after.clone(); }

    /** Repeats per spatial dimension (upsampling). */
    public int[] size() { return kind == Kind.UPSAMPLING ? before.clone() : null; }

    public boolean bilinear() { return bilinear; }

    public boolean channelsFirst() { return channelsFirst; }

    /** Output spatial sizes for input sizes {@code in} (-1 stays unknown), refused where empty or too large. */
    private int[] outputSizes(int[] in, boolean runTime) {
        int[] out = new int[in.length];
        for (int d = 0; d < in.length; d++) {
            if (in[d] < 0) {
                out[d] = -1;
                continue;
            }
            long o = switch (kind) {
                case ZERO_PADDING -> (long) in[d] + before[d] + after[d];
                case CROPPING -> (long) in[d] - before[d] - after[d];
                case UPSAMPLING -> (long) in[d] * before[d];
            };
            if (o <= 0 && in[d] > 0) {
                String msg = "cropping " + Arrays.toString(before) + " / " + Arrays.toString(after)
                        + " leaves nothing of spatial sizes " + Arrays.toString(in);
                if (runTime) throw new InputException(null, name, null, msg);
                throw new UnsupportedModelException(null, name, null, msg);
            }
            if (o > Integer.MAX_VALUE) throw new UnsupportedModelException(null, name, null, "output size " + o
                    + " of spatial sizes " + Arrays.toString(in) + " exceeds " + Integer.MAX_VALUE);
            out[d] = (int) Math.max(o, 0);
        }
        return out;
    }

    @Override
    public int[][] outputShapes(int[][] in) {
        Spatial.expect(name, in, rank(), channelsFirst);
        int[] out = outputSizes(Spatial.sizes(in[0], channelsFirst), false);
        return new int[][]{Spatial.resized(in[0], out, channelsFirst)};
    }

    @Override
    public Tensor[] forward(Tensor[] inputs, float[][] state) {
        Tensor x = inputs[0];
        int[] sample = Spatial.expect(name, x, rank(), channelsFirst);
        int[] in = Spatial.sizes(sample, channelsFirst);
        int b = x.dim(0), c = Spatial.channels(sample, channelsFirst);
        int[] out = outputSizes(in, true);
        return new Tensor[]{Spatial.apply(name, x, channelsFirst, out, (xl, y) -> {
            switch (kind) {
                case ZERO_PADDING -> ShapeKernels.zeroPad(b, in, c, before, after, xl, 0, y, 0);
                case CROPPING -> ShapeKernels.crop(b, in, c, before, after, xl, 0, y, 0);
                default -> {
                    if (bilinear) ShapeKernels.upsampleBilinear(b, in[0], in[1], c, before[0], before[1], xl, 0, y, 0);
                    else ShapeKernels.upsampleNearest(b, in, c, before, xl, 0, y, 0);
                }
            }
        })};
    }

    @Override public List<Weight> weights() { return List.of(); }

    @Override
    public void encode(LayerEncoder e) {
        e.put("kind", kind.name());
        if (kind == Kind.UPSAMPLING) {
            e.put("size", before);
            e.put("interpolation", bilinear ? "bilinear" : "nearest");
        } else {
            e.put("before", before);
            e.put("after", after);
        }
        e.put("channels_first", channelsFirst);
    }

    static Layer decode(LayerDecoder d) {
        d.expectNoOtherWeights();
        Kind kind = d.enumValue("kind", Kind.values());
        boolean cf = d.bool("channels_first");
        if (kind != Kind.UPSAMPLING) {
            int[] b = d.ints("before"), a = d.ints("after");
            if (b.length != a.length) throw d.error("before " + Arrays.toString(b) + " and after "
                    + Arrays.toString(a) + " differ in length");
            return new SpatialResize(d.name(), kind, b, a, false, cf);
        }
        String interpolation = d.string("interpolation");
        if (!interpolation.equals("nearest") && !interpolation.equals("bilinear")) {
            throw d.error("interpolation '" + interpolation + "'; allowed: nearest, bilinear");
        }
        return upSampling(d.name(), d.ints("size"), interpolation.equals("bilinear"), cf);
    }

    /** No matrix products. */
    @Override public long flops(int[][] in, int[][] out) { return 0; }

    @Override public int vocabulary() { return 0; }

    @Override public Layer withWeights(List<float[]> values) { return this; }
}

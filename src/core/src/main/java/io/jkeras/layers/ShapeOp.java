package io.jkeras.layers;

import io.jkeras.exceptions.InputException;
import io.jkeras.exceptions.UnsupportedModelException;
import io.jkeras.tensor.Tensor;

import java.util.Arrays;
import java.util.List;

/**
 * Single-input Keras operations recorded as layers in Keras 3 graphs (mostly to carry masks):
 * any/all reductions, expand_dims, squeeze, zeros_like/ones_like, logical_not and cast. Axes count
 * the batch as axis 0, as Keras does; negative axes count from the end.
 */
public final class ShapeOp implements Layer {
    @Override public <R> R accept(Visitor<R> v) { return v.visit(this); }

    /** The operation. */
    public enum Op { ANY, ALL, EXPAND_DIMS, SQUEEZE, ZEROS_LIKE, ONES_LIKE, LOGICAL_NOT, CAST_FLOAT, CAST_INT,
            CAST_BOOL }

    private final String name;
    private final String typeName;
    private final Op op;
    private final int[] axes;      // null: all axes (reductions) / every size-1 axis (squeeze)
    private final boolean keepDims;

    public ShapeOp(String name, String typeName, Op op, int[] axes, boolean keepDims) {
        this.name = name;
        this.typeName = typeName;
        this.op = op;
        this.axes = axes == null ? null : axes.clone();
        this.keepDims = keepDims;
    }

    @Override public String name() { return name; }

    @Override public String typeName() { return typeName; }

    public Op op() { return op; }

    /** The configured axes, or null (all axes / every size-1 axis). */
    public int[] axes() { return axes == null ? null : axes.clone(); }

    public boolean keepDims() { return keepDims; }

    @Override
    public int[][] outputShapes(int[][] in) {
        Shapes.expectInputs(name, in, 1, 1);
        int[] s = new int[in[0].length + 1];
        s[0] = -1;
        System.arraycopy(in[0], 0, s, 1, in[0].length);
        int[] o = outShape(s, true);
        return new int[][]{Arrays.copyOfRange(o, 1, o.length)};
    }

    private int[] norm(int axis, int rank) {
        int a = axis < 0 ? axis + rank : axis;
        if (a < 0 || a >= rank) throw new UnsupportedModelException(null, name, null, "axis " + axis
                + " is out of range for rank " + rank);
        if (a == 0 && op != Op.EXPAND_DIMS) throw new UnsupportedModelException(null, name, null,
                "operations over the batch axis are not supported");
        return new int[]{a};
    }

    /**
     * The axes an any/all reduction of an input of {@code rank} (the batch counted) reduces: the configured
     * ones, normalized, or every axis but the batch.
     */
    public boolean[] reduced(int rank) {
        boolean[] r = new boolean[rank];
        if (axes == null) {
            for (int i = 1; i < rank; i++) r[i] = true;
        } else {
            for (int a : axes) r[norm(a, rank)[0]] = true;
        }
        return r;
    }

    private int[] outShape(int[] s, boolean symbolic) {
        switch (op) {
            case ANY:
            case ALL: {
                boolean[] r = reduced(s.length);
                int[] o = new int[s.length];
                int n = 0;
                for (int i = 0; i < s.length; i++) {
                    if (!r[i]) o[n++] = s[i];
                    else if (keepDims) o[n++] = 1;
                }
                return Arrays.copyOf(o, n);
            }
            case EXPAND_DIMS: {
                int a = axes[0] < 0 ? axes[0] + s.length + 1 : axes[0];
                if (a <= 0 || a > s.length) throw new UnsupportedModelException(null, name, null, "expand_dims axis "
                        + axes[0] + " is out of range");
                int[] o = new int[s.length + 1];
                for (int i = 0, j = 0; i < o.length; i++) o[i] = i == a ? 1 : s[j++];
                return o;
            }
            case SQUEEZE: {
                boolean[] r = new boolean[s.length];
                if (axes == null) {
                    for (int i = 1; i < s.length; i++) r[i] = s[i] == 1;
                } else {
                    for (int a : axes) {
                        int x = norm(a, s.length)[0];
                        if (s[x] != 1 && (s[x] != -1 || !symbolic)) {
                            throw new UnsupportedModelException(null, name, null, "cannot squeeze axis " + a
                                    + " of size " + s[x]);
                        }
                        r[x] = true;
                    }
                }
                int[] o = new int[s.length];
                int n = 0;
                for (int i = 0; i < s.length; i++) if (!r[i]) o[n++] = s[i];
                return Arrays.copyOf(o, n);
            }
            default:
                return s.clone();
        }
    }

    @Override
    public Tensor[] forward(Tensor[] inputs, float[][] state) {
        Tensor x = inputs[0];
        int[] s = x.shape();
        float[] d = x.data();
        switch (op) {
            case ANY:
            case ALL:
                return new Tensor[]{new Tensor(outShape(s, false), reduce(d, s, reduced(s.length), op == Op.ANY))};
            case EXPAND_DIMS:
            case SQUEEZE:
                return new Tensor[]{new Tensor(outShape(s, false), d)};
            case ZEROS_LIKE:
                return new Tensor[]{new Tensor(s, new float[d.length])};
            case ONES_LIKE: {
                float[] r = new float[d.length];
                Arrays.fill(r, 1f);
                return new Tensor[]{new Tensor(s, r)};
            }
            case LOGICAL_NOT:
            case CAST_BOOL: {
                float[] r = new float[d.length];
                for (int i = 0; i < d.length; i++) r[i] = (d[i] != 0f) == (op == Op.CAST_BOOL) ? 1f : 0f;
                return new Tensor[]{new Tensor(s, r)};
            }
            case CAST_INT: {
                float[] r = new float[d.length];
                for (int i = 0; i < d.length; i++) {
                    if (!Float.isFinite(d[i])) throw new InputException(null, name, null, "cannot cast " + d[i]
                            + " to an integer");
                    r[i] = (float) (long) d[i];
                }
                return new Tensor[]{new Tensor(s, r)};
            }
            default:
                return new Tensor[]{x.withMask(null)};
        }
    }

    private static float[] reduce(float[] d, int[] s, boolean[] r, boolean any) {
        int[] os = new int[s.length];
        for (int i = 0; i < s.length; i++) os[i] = r[i] ? 1 : s[i];
        int total = 1;
        for (int v : os) total *= v;
        float[] out = new float[total];
        if (!any) Arrays.fill(out, 1f);
        int[] idx = new int[s.length];
        for (int k = 0; k < d.length; k++) {
            int o = 0;
            for (int i = 0; i < s.length; i++) o = o * os[i] + (r[i] ? 0 : idx[i]);
            boolean v = d[k] != 0f;
            if (any && v) out[o] = 1f;
            if (!any && !v) out[o] = 0f;
            for (int i = s.length - 1; i >= 0; i--) {
                if (++idx[i] < s[i]) break;
                idx[i] = 0;
            }
        }
        return out;
    }

    @Override public List<Weight> weights() { return List.of(); }

    @Override
    public void encode(LayerEncoder e) {
        e.put("type_name", typeName);
        e.put("op", op.name());
        if (axes == null) e.putNull("axes");
        else e.put("axes", axes);
        e.put("keep_dims", keepDims);
    }

    static Layer decode(LayerDecoder d) {
        int[] axes = d.isNull("axes") ? null : d.ints("axes");
        return new ShapeOp(d.name(), d.string("type_name"), d.enumValue("op", Op.values()), axes,
                d.bool("keep_dims"));
    }

    @Override public long flops(int[][] in, int[][] out) { return 0; }

    @Override public int vocabulary() { return 0; }

    @Override public Layer withWeights(List<float[]> values) { return this; }
}

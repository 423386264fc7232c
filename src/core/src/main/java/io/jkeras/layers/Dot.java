package io.jkeras.layers;

import io.jkeras.exceptions.InputException;
import io.jkeras.exceptions.UnsupportedModelException;
import io.jkeras.kernels.NormalizationKernels;
import io.jkeras.tensor.Tensor;

import java.util.List;

/**
 * Keras' Dot layer (keras/src/layers/merging/dot.py): the batchwise dot product of two inputs over one axis of
 * each ({@code batch_dot}): the output has the first input's other axes, then the second's; a result of rank 1
 * becomes {@code (batch, 1)}. With {@code normalize} each input is first L2-normalised along its dot axis
 * ({@code x·min(rsqrt(Σx²), 1e12)}, dot.py {@code l2_normalize}, {@link NormalizationKernels#unitNorm}). Axes
 * count the batch as 0; negative axes count from the end (Python's {@code %} of the rank). No output mask
 * ({@code compute_mask} returns None).
 */
public final class Dot implements Layer {
    @Override public <R> R accept(Visitor<R> v) { return v.visit(this); }

    private final String name;
    private final int[] axes; // as configured, two entries, possibly negative
    private final boolean normalize;

    public Dot(String name, int[] axes, boolean normalize) {
        if (axes.length != 2) throw new UnsupportedModelException(null, name, null, "axes must be one or two integers");
        this.name = name;
        this.axes = axes.clone();
        this.normalize = normalize;
    }

    @Override public String name() { return name; }

    @Override public String typeName() { return "Dot"; }

    /** The configured axes (possibly negative). */
    public int[] axes() { return axes.clone(); }

    public boolean normalize() { return normalize; }

    /** Axis i resolved for an input of rank r (with batch). Public for the training form. */
    public int axis(int i, int r) {
        int a = axes[i] < 0 ? Math.floorMod(axes[i], r) : axes[i];
        if (a < 1 || a >= r) {
            throw new UnsupportedModelException(null, name, null, "axis " + axes[i] + " is not a non-batch axis of"
                    + " input " + (i + 1) + " (rank " + r + " with batch)");
        }
        return a;
    }

    @Override
    public int[][] outputShapes(int[][] in) {
        Shapes.expectInputs(name, in, 2, 2);
        int a0 = axis(0, in[0].length + 1), a1 = axis(1, in[1].length + 1);
        int d0 = in[0][a0 - 1], d1 = in[1][a1 - 1];
        if (d0 >= 0 && d1 >= 0 && d0 != d1) {
            throw new UnsupportedModelException(null, name, null, "inputs (None, " + Shapes.inner(in[0])
                    + ") and (None, "
                    + Shapes.inner(in[1]) + ") differ on the dot axes " + a0 + " and " + a1 + " (" + d0 + " != " + d1
                    + ")");
        }
        return new int[][]{outShape(in[0], in[1], a0 - 1, a1 - 1)};
    }

    /** The output shape of shapes a, b (same convention, with or without batch) contracted on axes i, j. */
    private static int[] outShape(int[] a, int[] b, int i, int j) {
        int n = a.length + b.length - 2;
        if (n == 0) return new int[]{1};
        int[] o = new int[n];
        int k = 0;
        for (int x = 0; x < a.length; x++) if (x != i) o[k++] = a[x];
        for (int x = 0; x < b.length; x++) if (x != j) o[k++] = b[x];
        return o;
    }

    @Override
    public Tensor[] forward(Tensor[] inputs, float[][] state) {
        int[] s0 = inputs[0].shape(), s1 = inputs[1].shape();
        int a0 = axis(0, s0.length), a1 = axis(1, s1.length);
        if (s0[0] != s1[0] || s0[a0] != s1[a1]) {
            throw new InputException(null, name, null, "inputs " + Tensor.shapeString(s0) + " and "
                    + Tensor.shapeString(s1) + " differ in batch or on the dot axes " + a0 + " and " + a1);
        }
        float[] x = inputs[0].data(), y = inputs[1].data();
        if (normalize) {
            x = l2(x, s0, a0);
            y = l2(y, s1, a1);
        }
        int batch = s0[0], n = s0[a0];
        int[] v0 = view(s0, a0), v1 = view(s1, a1); // (pre, n, post) per sample
        int p0 = v0[0] * v0[2], p1 = v1[0] * v1[2];
        float[] out = new float[batch * p0 * p1];
        for (int b = 0; b < batch; b++) {
            int xb = b * p0 * n, yb = b * p1 * n;
            for (int i = 0; i < p0; i++) {
                int xi = xb + (i / v0[2]) * n * v0[2] + i % v0[2];
                for (int j = 0; j < p1; j++) {
                    int yj = yb + (j / v1[2]) * n * v1[2] + j % v1[2];
                    float sum = 0f;
                    for (int k = 0; k < n; k++) sum += x[xi + k * v0[2]] * y[yj + k * v1[2]];
                    out[(b * p0 + i) * p1 + j] = sum;
                }
            }
        }
        int[] inner = outShape(java.util.Arrays.copyOfRange(s0, 1, s0.length),
                java.util.Arrays.copyOfRange(s1, 1, s1.length), a0 - 1, a1 - 1);
        int[] shape = new int[1 + inner.length];
        shape[0] = batch;
        System.arraycopy(inner, 0, shape, 1, inner.length);
        return new Tensor[]{new Tensor(shape, out)};
    }

    /** {@code (pre, n, post)} of one sample of shape s (with batch) around axis a. Public for the training form. */
    public static int[] view(int[] s, int a) {
        int pre = 1, post = 1;
        for (int i = 1; i < a; i++) pre *= s[i];
        for (int i = a + 1; i < s.length; i++) post *= s[i];
        return new int[]{pre, s[a], post};
    }

    private static float[] l2(float[] x, int[] s, int a) {
        int[] v = view(s, a);
        float[] y = new float[x.length];
        NormalizationKernels.unitNorm(s[0] * v[0], v[1], v[2], x, 0, y, 0);
        return y;
    }

    @Override public List<Weight> weights() { return List.of(); }

    @Override
    public void encode(LayerEncoder e) {
        e.put("axes", axes);
        e.put("normalize", normalize);
    }

    static Layer decode(LayerDecoder d) { return new Dot(d.name(), d.ints("axes"), d.bool("normalize")); }

    @Override
    public long flops(int[][] in, int[][] out) {
        long n = 1;
        for (int d : out[0]) n *= d;
        int a0 = axis(0, in[0].length + 1);
        return 2 * n * in[0][a0 - 1];
    }

    @Override public int vocabulary() { return 0; }

    @Override public Layer withWeights(List<float[]> values) { return this; }
}

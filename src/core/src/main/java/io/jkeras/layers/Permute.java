package io.jkeras.layers;

import io.jkeras.exceptions.InputException;
import io.jkeras.exceptions.UnsupportedModelException;
import io.jkeras.tensor.Tensor;

import java.util.Arrays;
import java.util.List;

/**
 * Keras Permute: output axis i (1-based, batch excluded) is input axis {@code dims[i−1]}. Keras'
 * Permute does not support masking: the output carries no mask.
 */
public final class Permute implements Layer {
    @Override public <R> R accept(Visitor<R> v) { return v.visit(this); }

    private final String name;
    private final int[] dims; // 1-based

    public Permute(String name, int[] dims) {
        this.name = name;
        int[] sorted = dims.clone();
        Arrays.sort(sorted);
        for (int i = 0; i < sorted.length; i++) {
            if (sorted[i] != i + 1) {
                throw new UnsupportedModelException(null, name, null, "dims " + Arrays.toString(dims)
                        + " is not a permutation of 1.." + dims.length + " (1-based, batch excluded)");
            }
        }
        this.dims = dims.clone();
    }

    @Override public String name() { return name; }

    @Override public String typeName() { return "Permute"; }

    public int[] dims() { return dims.clone(); }

    @Override
    public int[][] outputShapes(int[][] in) {
        Shapes.expectInputs(name, in, 1, 1);
        if (in[0].length != dims.length) {
            throw new UnsupportedModelException(null, name, null, "dims " + Arrays.toString(dims)
                    + " need an input of rank "
                    + (dims.length + 1) + " (with batch), got (None, " + Shapes.inner(in[0]) + ")");
        }
        int[] out = new int[dims.length];
        for (int i = 0; i < dims.length; i++) out[i] = in[0][dims[i] - 1];
        return new int[][]{out};
    }

    @Override
    public Tensor[] forward(Tensor[] inputs, float[][] state) {
        Tensor x = inputs[0];
        int[] s = x.shape();
        if (s.length != dims.length + 1) {
            throw new InputException(null, name, null, "expects rank " + (dims.length + 1) + " input, got "
                    + Tensor.shapeString(s));
        }
        int r = s.length;
        int[] perm = new int[r];
        for (int i = 1; i < r; i++) perm[i] = dims[i - 1];
        int[] os = new int[r];
        for (int i = 0; i < r; i++) os[i] = s[perm[i]];
        return new Tensor[]{new Tensor(os, transpose(x.data(), s, perm))};
    }

    /** Generic transpose: output axis i is input axis perm[i]. */
    static float[] transpose(float[] d, int[] s, int[] perm) {
        int r = s.length;
        int[] inStride = new int[r];
        inStride[r - 1] = 1;
        for (int i = r - 2; i >= 0; i--) inStride[i] = inStride[i + 1] * s[i + 1];
        int[] os = new int[r];
        int[] step = new int[r]; // input stride of each output axis
        for (int i = 0; i < r; i++) {
            os[i] = s[perm[i]];
            step[i] = inStride[perm[i]];
        }
        float[] y = new float[d.length];
        if (y.length == 0) return y;
        int[] idx = new int[r];
        int src = 0;
        for (int o = 0; o < y.length; o++) {
            y[o] = d[src];
            for (int a = r - 1; a >= 0; a--) {
                idx[a]++;
                src += step[a];
                if (idx[a] < os[a]) break;
                src -= step[a] * os[a];
                idx[a] = 0;
            }
        }
        return y;
    }

    @Override public List<Weight> weights() { return List.of(); }

    @Override public void encode(LayerEncoder e) { e.put("dims", dims); }

    static Layer decode(LayerDecoder d) { return new Permute(d.name(), d.ints("dims")); }

    @Override public long flops(int[][] in, int[][] out) { return 0; }

    @Override public int vocabulary() { return 0; }

    @Override public Layer withWeights(List<float[]> values) { return this; }
}

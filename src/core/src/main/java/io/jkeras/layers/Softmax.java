package io.jkeras.layers;

import io.jkeras.exceptions.InputException;
import io.jkeras.exceptions.UnsupportedModelException;
import io.jkeras.tensor.Tensor;

import java.util.Arrays;
import java.util.List;

/**
 * Keras' Softmax layer over one or several axes (batch = axis 0; negative axes count from the
 * end): {@code exp(x − max) / Σ exp(x − max)} over each group of elements that differ only on
 * those axes, computed in double and rounded once.
 *
 * <p>Masks (Keras 3): the (batch, timesteps) mask must broadcast to the input, which for a
 * (batch, timesteps) input means element-wise; masked logits are replaced by −1e9 before the
 * softmax and masked outputs are set to 0. The mask passes through. Keras 3 rejects a
 * (batch, timesteps) mask on higher-rank inputs (it would broadcast against the trailing axes), and
 * Keras 2 releases differ in whether the mask is used at all, so those cases are refused.
 */
public final class Softmax implements Layer {
    @Override public <R> R accept(Visitor<R> v) { return v.visit(this); }

    private final String name;
    private final int[] axes; // as configured, possibly negative
    private final boolean keras3Masking;

    public Softmax(String name, int[] axes, boolean keras3Masking) {
        if (axes.length == 0) throw new UnsupportedModelException(null, name, null, "axis must name at least one axis");
        this.name = name;
        this.axes = axes.clone();
        this.keras3Masking = keras3Masking;
    }

    @Override public String name() { return name; }

    @Override public String typeName() { return "Softmax"; }

    /** Whether masks are applied as Keras 3 does (else a mask is refused). */
    public boolean keras3Masking() { return keras3Masking; }

    public int[] axes() { return axes.clone(); }

    private boolean[] reduced(int rank, boolean build) {
        boolean[] r = new boolean[rank];
        for (int a : axes) {
            int ax = a < 0 ? a + rank : a;
            if (ax < 0 || ax >= rank) {
                String msg = "axis " + a + " is out of range for an input of rank " + rank + " (with batch)";
                if (build) throw new UnsupportedModelException(null, name, null, msg);
                throw new InputException(null, name, null, msg);
            }
            r[ax] = true;
        }
        return r;
    }

    @Override
    public int[][] outputShapes(int[][] in) {
        Shapes.expectInputs(name, in, 1, 1);
        reduced(in[0].length + 1, true);
        return new int[][]{in[0].clone()};
    }

    @Override
    public Tensor[] forward(Tensor[] inputs, float[][] state) {
        Tensor x = inputs[0];
        int[] s = x.shape();
        boolean[] red = reduced(s.length, false);
        boolean[] mask = x.mask();
        if (mask != null) {
            if (!keras3Masking) {
                throw new UnsupportedModelException(null, name, null,
                        "received a timestep mask; how a Keras 1/2 Softmax layer uses a mask"
                        + " differs between releases, so masked input is supported only for files written by Keras 3");
            }
            if (s.length != 2) {
                throw new UnsupportedModelException(null, name, null, "received a (batch, timesteps) mask with input "
                        + Tensor.shapeString(s)
                        + "; Keras broadcasts the mask against the trailing axes, which is only meaningful for"
                                + " (batch, timesteps) input");
            }
        }
        float[] d = x.data();
        float[] y = new float[d.length];
        int r = s.length;
        // split the axes into the reduced ones (inner, iterated per group) and the kept ones
        int[] stride = new int[r];
        if (r > 0) stride[r - 1] = 1;
        for (int i = r - 2; i >= 0; i--) stride[i] = stride[i + 1] * s[i + 1];
        int groupSize = 1;
        for (int i = 0; i < r; i++) if (red[i]) groupSize *= s[i];
        if (groupSize == 0 || d.length == 0) return new Tensor[]{new Tensor(s, y, mask)};
        int[] offs = offsets(s, stride, red, true);   // element offsets within a group
        int[] bases = offsets(s, stride, red, false); // first element of each group
        double[] v = new double[groupSize];
        for (int base : bases) {
            double max = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < groupSize; j++) {
                int i = base + offs[j];
                double xv = mask != null && !mask[i] ? -1e9 : d[i];
                v[j] = xv;
                if (xv > max) max = xv;
            }
            double sum = 0;
            for (int j = 0; j < groupSize; j++) {
                v[j] = Math.exp(v[j] - max);
                sum += v[j];
            }
            for (int j = 0; j < groupSize; j++) {
                int i = base + offs[j];
                y[i] = mask != null && !mask[i] ? 0f : (float) (v[j] / sum);
            }
        }
        return new Tensor[]{new Tensor(s, y, mask)};
    }

    /**
     * Offsets of all index combinations over the axes where {@code red[i] == which} (row-major
     * strides {@code stride}). Shared with the training form.
     */
    public static int[] offsets(int[] s, int[] stride, boolean[] red, boolean which) {
        int n = 1;
        for (int i = 0; i < s.length; i++) if (red[i] == which) n *= s[i];
        int[] out = new int[n];
        int[] idx = new int[s.length];
        for (int k = 0; k < n; k++) {
            int off = 0;
            for (int i = 0; i < s.length; i++) if (red[i] == which) off += idx[i] * stride[i];
            out[k] = off;
            for (int i = s.length - 1; i >= 0; i--) {
                if (red[i] != which) continue;
                if (++idx[i] < s[i]) break;
                idx[i] = 0;
            }
        }
        return out;
    }

    @Override public List<Weight> weights() { return List.of(); }

    @Override public String toString() { return "Softmax" + Arrays.toString(axes); }

    @Override
    public void encode(LayerEncoder e) {
        e.put("axes", axes);
        e.put("keras3_masking", keras3Masking);
    }

    static Layer decode(LayerDecoder d) { return new Softmax(d.name(), d.ints("axes"), d.bool("keras3_masking")); }

    @Override public long flops(int[][] in, int[][] out) { return 0; }

    @Override public int vocabulary() { return 0; }

    @Override public Layer withWeights(List<float[]> values) { return this; }
}

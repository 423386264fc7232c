package io.jkeras.layers;

import io.jkeras.exceptions.InputException;
import io.jkeras.exceptions.UnsupportedModelException;
import io.jkeras.tensor.Tensor;

import java.util.List;

/**
 * Keras Concatenate along {@code axis} (batch = axis 0, which is refused; negative counts from the
 * end); all other dimensions must agree.
 *
 * <p>Masks, for (batch, timesteps, features) inputs with (batch, timesteps) masks, an unmasked input
 * counting as all-true: concatenating along the timestep axis concatenates the masks; along the
 * feature axis Keras 3 ORs them ({@code any}) while Keras 1/2 AND them ({@code all}). When no
 * input has a mask the output has none. Masks on inputs of other ranks are refused (Keras either
 * fails on them or produces a mask of another rank).
 */
public final class Concatenate implements Layer {
    @Override public <R> R accept(Visitor<R> v) { return v.visit(this); }

    private final String name;
    private final int axis; // as configured
    private final MaskRule rule;

    /** How masks combine along the feature axis. */
    public enum MaskRule { KERAS3_ANY, KERAS2_ALL }

    public Concatenate(String name, int axis, MaskRule rule) {
        this.name = name;
        this.axis = axis;
        this.rule = rule;
    }

    @Override public String name() { return name; }

    @Override public String typeName() { return "Concatenate"; }

    public MaskRule maskRule() { return rule; }

    public int axis() { return axis; }

    private int normAxis(int rank, boolean build) {
        int a = axis < 0 ? axis + rank : axis;
        if (a <= 0 || a >= rank) {
            String msg = "axis " + axis + " is " + (a == 0 ? "the batch axis" : "out of range")
                    + " for inputs of rank " + rank
                    + " (with batch); allowed: 1.." + (rank - 1) + " or -" + (rank - 1) + "..-1";
            if (build) throw new UnsupportedModelException(null, name, null, msg);
            throw new InputException(null, name, null, msg);
        }
        return a;
    }

    @Override
    public int[][] outputShapes(int[][] in) {
        Shapes.expectAtLeast(name, in, 1);
        int rank = in[0].length + 1;
        int a = normAxis(rank, true) - 1;
        int[] out = in[0].clone();
        for (int i = 1; i < in.length; i++) {
            if (in[i].length != in[0].length) throw mismatch(in);
            for (int d = 0; d < out.length; d++) {
                if (d == a) continue;
                if (out[d] < 0) out[d] = in[i][d];
                else if (in[i][d] >= 0 && in[i][d] != out[d]) throw mismatch(in);
            }
        }
        int sum = 0;
        for (int[] s : in) {
            if (s[a] < 0) { sum = -1; break; }
            sum = Shapes.add(name, "the concatenated axis", sum, s[a]);
        }
        out[a] = sum;
        return new int[][]{out};
    }

    private UnsupportedModelException mismatch(int[][] in) {
        StringBuilder sb = new StringBuilder();
        for (int[] s : in) sb.append(sb.length() > 0 ? ", " : "").append("(None, ").append(Shapes.inner(s)).append(')');
        return new UnsupportedModelException(null, name, null,
                "inputs must match on every axis except the concatenation axis "
                + axis + "; got " + sb);
    }

    @Override
    public Tensor[] forward(Tensor[] inputs, float[][] state) {
        int[] s0 = inputs[0].shape();
        int rank = s0.length;
        int a = normAxis(rank, false);
        int total = 0;
        for (Tensor t : inputs) {
            int[] s = t.shape();
            boolean ok = s.length == rank;
            for (int d = 0; ok && d < rank; d++) ok = d == a || s[d] == s0[d];
            if (!ok) throw new InputException(null, name, null, "inputs must match except on axis " + axis + "; got "
                    + Tensor.shapeString(s0) + " and " + Tensor.shapeString(s));
            total += s[a];
        }
        int outer = 1;
        for (int d = 0; d < a; d++) outer *= s0[d];
        int inner = 1;
        for (int d = a + 1; d < rank; d++) inner *= s0[d];
        float[] y = new float[outer * total * inner];
        int pos = 0;
        for (int o = 0; o < outer; o++) {
            for (Tensor t : inputs) {
                int chunk = t.dim(a) * inner;
                System.arraycopy(t.data(), o * chunk, y, pos, chunk);
                pos += chunk;
            }
        }
        int[] os = s0.clone();
        os[a] = total;
        return new Tensor[]{new Tensor(os, y, mask(inputs, a, os))};
    }

    private boolean[] mask(Tensor[] inputs, int a, int[] os) {
        boolean[][] masks = new boolean[inputs.length][];
        int[] steps = new int[inputs.length];
        for (int k = 0; k < inputs.length; k++) {
            masks[k] = inputs[k].mask();
            steps[k] = inputs[k].rank() > 1 ? inputs[k].dim(1) : 0;
        }
        return combineMasks(name, rule, masks, steps, a, os);
    }

    /**
     * The output mask of a concatenation along axis {@code a} with output shape {@code os}: along
     * time the inputs' masks are joined (an input without one counts as all kept); along another
     * axis they are combined per step by {@code rule}. Null when no input has a mask. Shared with
     * the training form.
     *
     * @param steps each input's timesteps (dimension 1)
     */
    public static boolean[] combineMasks(String layer, MaskRule rule, boolean[][] masks, int[] steps, int a, int[] os) {
        boolean any = false;
        for (boolean[] m : masks) any |= m != null;
        if (!any) return null;
        if (os.length != 3) {
            throw new UnsupportedModelException(null, layer, null, "received a timestep mask with inputs of rank "
                    + os.length
                    + "; masks are supported on (batch, timesteps, features) inputs only");
        }
        int b = os[0];
        if (a == 1) {
            boolean[] m = new boolean[b * os[1]];
            for (int i = 0; i < b; i++) {
                int p = i * os[1];
                for (int k = 0; k < masks.length; k++) {
                    int ti = steps[k];
                    if (masks[k] == null) java.util.Arrays.fill(m, p, p + ti, true);
                    else System.arraycopy(masks[k], i * ti, m, p, ti);
                    p += ti;
                }
            }
            return m;
        }
        int n = b * os[1];
        boolean[] m = new boolean[n];
        boolean all = rule == MaskRule.KERAS2_ALL;
        java.util.Arrays.fill(m, all);
        for (boolean[] mi : masks) {
            for (int i = 0; i < n; i++) {
                boolean v = mi == null || mi[i];
                m[i] = all ? m[i] && v : m[i] || v;
            }
        }
        return m;
    }

    @Override public List<Weight> weights() { return List.of(); }

    @Override
    public void encode(LayerEncoder e) {
        e.put("axis", axis);
        e.put("mask_rule", rule.name());
    }

    static Layer decode(LayerDecoder d) {
        return new Concatenate(d.name(), d.integer("axis"), d.enumValue("mask_rule", MaskRule.values()));
    }

    @Override public long flops(int[][] in, int[][] out) { return 0; }

    @Override public int vocabulary() { return 0; }

    @Override public Layer withWeights(List<float[]> values) { return this; }
}

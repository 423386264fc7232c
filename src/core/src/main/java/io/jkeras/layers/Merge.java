package io.jkeras.layers;

import io.jkeras.exceptions.InputException;
import io.jkeras.exceptions.UnsupportedModelException;
import io.jkeras.tensor.Tensor;

import java.util.Arrays;
import java.util.List;

/**
 * Keras' element-wise merge layers: Add, Subtract, Multiply, Average, Maximum, Minimum. Inputs
 * broadcast as Keras does: a lower-rank input gains axes of size 1 right after the batch axis,
 * then dimensions of size 1 stretch (numpy rules). Evaluated left to right in float32, as Keras:
 * {@code ((x0 + x1) + x2) …}, Average as that sum divided by the number of inputs.
 *
 * <p>Masks ((batch, timesteps) masks of (batch, timesteps, …) inputs):
 * <ul>
 * <li>Keras 3 ({@link MaskRule#KERAS3}): the output has a mask only when every input has one, the
 * OR of them. Multiply treats masked entries of an input as 1 and, when every input is masked,
 * zeroes the output where no input is valid; Maximum/Minimum take, at a step where one operand is
 * masked, the other operand in its place. Add, Subtract and Average ignore masks in their values.
 * <li>Keras 1/2 ({@link MaskRule#KERAS2}): values ignore masks; the output mask is the AND of the
 * masks present (none when no input has one).
 * </ul>
 * Masks together with broadcasting (inputs of different shapes) are refused. The batch axis never
 * broadcasts: inputs with different batch sizes are refused, as Keras' {@code Merge.build} refuses
 * them ("Cannot merge tensors with different batch sizes", keras/src/layers/merging/base_merge.py:115, Keras 3.15.1);
 * the other axes follow {@code _compute_elemwise_op_output_shape} (base_merge.py:60: right-aligned,
 * a 1 stretches, a lower-rank input gains axes of size 1 after the batch axis in {@code call}, :160).
 */
public final class Merge implements Layer {
    @Override public <R> R accept(Visitor<R> v) { return v.visit(this); }

    public enum Op {
        ADD("Add"), SUBTRACT("Subtract"), MULTIPLY("Multiply"), AVERAGE("Average"), MAXIMUM("Maximum"),
                MINIMUM("Minimum");

        private final String keras;

        Op(String keras) { this.keras = keras; }

        /** The Keras class name. */
        public String kerasName() { return keras; }

        float apply(float a, float b) {
            switch (this) {
                case SUBTRACT: return a - b;
                case MULTIPLY: return a * b;
                case MAXIMUM: return Math.max(a, b);
                case MINIMUM: return Math.min(a, b);
                default: return a + b;
            }
        }
    }

    public enum MaskRule { KERAS3, KERAS2 }

    private final String name;
    private final Op op;
    private final MaskRule rule;

    public Merge(String name, Op op, MaskRule rule) {
        this.name = name;
        this.op = op;
        this.rule = rule;
    }

    @Override public String name() { return name; }

    @Override public String typeName() { return op.kerasName(); }

    public MaskRule maskRule() { return rule; }

    public Op op() { return op; }

    @Override
    public int[][] outputShapes(int[][] in) {
        if (op == Op.SUBTRACT) Shapes.expectInputs(name, in, 2, 2);
        else Shapes.expectAtLeast(name, in, 1);
        int[] out = in[0].clone();
        for (int i = 1; i < in.length; i++) out = broadcast(out, in[i], in, true);
        return new int[][]{out};
    }

    /** numpy broadcasting of two shapes aligned on the right; -1 is unknown. */
    private int[] broadcast(int[] a, int[] b, Object what, boolean build) {
        if (a.length < b.length) { int[] t = a; a = b; b = t; }
        int[] out = a.clone();
        int off = a.length - b.length;
        for (int i = 0; i < b.length; i++) {
            int x = a[off + i], y = b[i];
            if (x == 1) out[off + i] = y;
            else if (y == 1) out[off + i] = x;
            else if (x < 0 || y < 0) out[off + i] = x < 0 ? y : x;
            else if (x != y) {
                String msg = "inputs cannot be broadcast together: " + describe(what);
                if (build) throw new UnsupportedModelException(null, name, null, msg);
                throw new InputException(null, name, null, msg);
            }
        }
        return out;
    }

    private static String describe(Object what) {
        StringBuilder sb = new StringBuilder();
        if (what instanceof int[][] shapes) {
            for (int[] s : shapes) sb.append(sb.length() > 0 ? ", " : "").append("(None, ").append(Shapes.inner(s))
                    .append(')');
        } else if (what instanceof Tensor[] ts) {
            for (Tensor t : ts) sb.append(sb.length() > 0 ? ", " : "").append(Tensor.shapeString(t.shape()));
        }
        return sb.toString();
    }

    @Override
    public Tensor[] forward(Tensor[] inputs, float[][] state) {
        int n = inputs.length;
        if (op == Op.SUBTRACT && n != 2) throw new InputException(null, name, null,
                "Subtract takes exactly 2 inputs, got " + n);
        checkSameBatch(name, inputs);
        boolean same = true;
        int[] s0 = inputs[0].shape();
        for (Tensor t : inputs) same &= Arrays.equals(t.shape(), s0);
        boolean anyMask = false, allMask = true;
        for (Tensor t : inputs) {
            anyMask |= t.mask() != null;
            allMask &= t.mask() != null;
        }
        if (!same) {
            if (anyMask) {
                throw new UnsupportedModelException(null, name, null,
                        "received timestep masks with inputs of different shapes ("
                        + describe(inputs) + "); masks are supported when all inputs have the same shape");
            }
            return new Tensor[]{broadcastForward(inputs)};
        }
        int size = inputs[0].size();
        float[] y = inputs[0].data().clone();
        boolean[] outMask = null;
        if (anyMask && s0.length < 2) {
            throw new UnsupportedModelException(null, name, null, "received a timestep mask with input "
                    + Tensor.shapeString(s0));
        }
        int steps = anyMask ? s0[0] * s0[1] : 0;
        int inner = anyMask && steps > 0 ? size / steps : 0;
        boolean maskedValues = rule == MaskRule.KERAS3 && anyMask
                && (op == Op.MULTIPLY || op == Op.MAXIMUM || op == Op.MINIMUM);
        if (maskedValues && s0.length != 3) {
            throw new UnsupportedModelException(null, name, null, "received a timestep mask with input "
                    + Tensor.shapeString(s0)
                    + "; Keras 3 " + op.kerasName() + " applies masks only to (batch, timesteps, features) inputs");
        }
        if (!maskedValues) {
            for (int i = 1; i < n; i++) {
                float[] d = inputs[i].data();
                switch (op) {
                    case ADD: case AVERAGE: for (int j = 0; j < size; j++) y[j] += d[j]; break;
                    case SUBTRACT: for (int j = 0; j < size; j++) y[j] -= d[j]; break;
                    case MULTIPLY: for (int j = 0; j < size; j++) y[j] *= d[j]; break;
                    case MAXIMUM: for (int j = 0; j < size; j++) y[j] = Math.max(y[j], d[j]); break;
                    default: for (int j = 0; j < size; j++) y[j] = Math.min(y[j], d[j]); break;
                }
            }
            if (anyMask) {
                if (rule == MaskRule.KERAS3) {
                    if (allMask) outMask = combine(inputs, steps, false);
                } else {
                    outMask = combine(inputs, steps, true);
                }
            }
        } else if (op == Op.MULTIPLY) {
            boolean[] om = null;
            for (int i = 0; i < n; i++) {
                boolean[] mi = inputs[i].mask();
                float[] d = inputs[i].data();
                for (int st = 0; st < steps; st++) {
                    boolean valid = mi == null || mi[st];
                    for (int f = st * inner, e = f + inner; f < e; f++) {
                        float v = valid ? d[f] : 1f;
                        y[f] = i == 0 ? v : y[f] * v;
                    }
                }
                if (allMask) {
                    if (om == null) om = mi.clone();
                    else for (int st = 0; st < steps; st++) om[st] |= mi[st];
                }
            }
            if (allMask) {
                for (int st = 0; st < steps; st++) if (!om[st]) Arrays.fill(y, st * inner, (st + 1) * inner, 0f);
                outMask = om;
            }
        } else {
            boolean[] om = inputs[0].mask() == null ? null : inputs[0].mask().clone();
            for (int i = 1; i < n; i++) {
                boolean[] mi = inputs[i].mask();
                float[] d = inputs[i].data();
                for (int st = 0; st < steps; st++) {
                    boolean xValid = mi == null || mi[st];
                    boolean outValid = om == null || om[st];
                    for (int f = st * inner, e = f + inner; f < e; f++) {
                        float xv = xValid ? d[f] : y[f];
                        float ov = outValid ? y[f] : xv;
                        y[f] = op.apply(ov, xv);
                    }
                }
                if (mi != null && om != null) for (int st = 0; st < steps; st++) om[st] |= mi[st];
                else om = null;
            }
            outMask = om;
        }
        if (op == Op.AVERAGE) {
            float div = n;
            for (int j = 0; j < size; j++) y[j] /= div;
        }
        return new Tensor[]{new Tensor(s0, y, outMask)};
    }

    /** Refuses inputs whose batch sizes (axis 0) differ: Keras never broadcasts the batch axis of a merge. */
    static void checkSameBatch(String layer, Tensor[] inputs) {
        for (Tensor t : inputs) {
            if (t.rank() == 0 || inputs[0].rank() == 0) {
                throw new InputException(null, layer, null, "received a scalar input; inputs are (batch, …)");
            }
            if (t.dim(0) != inputs[0].dim(0)) {
                throw new InputException(null, layer, null, "cannot merge inputs with different batch sizes: "
                        + describe(inputs)
                        + " (Keras refuses this too)");
            }
        }
    }

    /** AND (or OR) of the masks present. */
    private static boolean[] combine(Tensor[] inputs, int steps, boolean and) {
        boolean[] m = null;
        for (Tensor t : inputs) {
            boolean[] mi = t.mask();
            if (mi == null) continue;
            if (m == null) { m = mi.clone(); continue; }
            for (int i = 0; i < steps; i++) m[i] = and ? m[i] && mi[i] : m[i] || mi[i];
        }
        return m;
    }

    private Tensor broadcastForward(Tensor[] inputs) {
        int rank = 0;
        for (Tensor t : inputs) rank = Math.max(rank, t.rank());
        // each input: batch, then (rank - its rank) ones, then its other axes
        int[][] full = new int[inputs.length][];
        int[] out = null;
        for (int i = 0; i < inputs.length; i++) {
            int[] s = inputs[i].shape();
            int[] f = new int[rank];
            Arrays.fill(f, 1);
            f[0] = s[0];
            System.arraycopy(s, 1, f, rank - s.length + 1, s.length - 1);
            full[i] = f;
            out = out == null ? f.clone() : broadcast(out, f, inputs, false);
        }
        int size = 1;
        for (int d : out) size *= d;
        float[] y = new float[size];
        int[] idx = new int[rank];
        int[][] strides = new int[inputs.length][rank];
        for (int i = 0; i < inputs.length; i++) {
            int st = 1;
            for (int a = rank - 1; a >= 0; a--) {
                strides[i][a] = full[i][a] == 1 && out[a] != 1 ? 0 : st;
                st *= full[i][a];
            }
        }
        int[] pos = new int[inputs.length];
        for (int o = 0; o < size; o++) {
            float acc = inputs[0].data()[pos[0]];
            for (int i = 1; i < inputs.length; i++) acc = op.apply(acc, inputs[i].data()[pos[i]]);
            y[o] = op == Op.AVERAGE ? acc / (float) inputs.length : acc;
            for (int a = rank - 1; a >= 0; a--) {
                idx[a]++;
                for (int i = 0; i < inputs.length; i++) pos[i] += strides[i][a];
                if (idx[a] < out[a]) break;
                for (int i = 0; i < inputs.length; i++) pos[i] -= strides[i][a] * out[a];
                idx[a] = 0;
            }
        }
        return new Tensor(out, y);
    }

    @Override public List<Weight> weights() { return List.of(); }

    @Override
    public void encode(LayerEncoder e) {
        e.put("op", op.name());
        e.put("mask_rule", rule.name());
    }

    static Layer decode(LayerDecoder d) {
        return new Merge(d.name(), d.enumValue("op", Op.values()), d.enumValue("mask_rule", MaskRule.values()));
    }

    @Override public long flops(int[][] in, int[][] out) { return 0; }

    @Override public int vocabulary() { return 0; }

    @Override public Layer withWeights(List<float[]> values) { return this; }
}

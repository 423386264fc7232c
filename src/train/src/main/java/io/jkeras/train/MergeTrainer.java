package io.jkeras.train;

import io.jkeras.exceptions.InputException;
import io.jkeras.exceptions.UnsupportedModelException;
import io.jkeras.layers.Layer;
import io.jkeras.layers.Merge;
import io.jkeras.layers.TrainingConfig;
import io.jkeras.tensor.Tensor;

import java.util.Arrays;

import java.util.List;

/**
 * The element-wise merge layers (Add, Subtract, Multiply, Average, Maximum, Minimum) in training
 * form, evaluated left to right as Keras does (keras/src/layers/merging/*.py), Average as the sum
 * divided by the number of inputs. Inputs of different shapes broadcast as in Keras (axes of size 1
 * inserted after the batch axis, then NumPy rules; gradients summed back). Maximum/Minimum give the
 * gradient of a tie to the left operand (TensorFlow's {@code x >= y} / {@code x <= y}).
 *
 * <p>Masks as the engine layer applies them. Keras 3: Multiply replaces masked entries of an input
 * by 1 and, when every input has a mask, zeroes the output where no input is valid; Maximum and
 * Minimum substitute the other operand at masked steps (base_merge.py:23-58); the output mask is
 * the OR of the masks when every input has one. Keras 1/2: values ignore masks, the output mask
 * is the AND of the masks present.
 */
final class MergeTrainer implements TrainableLayer {
    private final Merge layer;

    MergeTrainer(Layer l, TrainingConfig c) { this.layer = (Merge) l; }

    @Override public Layer layer() { return layer; }

    @Override public List<Param> params() { return List.of(); }

    private Var apply(Tape t, Var a, Var b) {
        return switch (layer.op()) {
            case ADD, AVERAGE -> Ops.add(t, a, b);
            case SUBTRACT -> Ops.sub(t, a, b);
            case MULTIPLY -> Ops.mul(t, a, b);
            case MAXIMUM -> Ops.maximum(t, a, b);
            case MINIMUM -> Ops.minimum(t, a, b);
        };
    }

    @Override
    public Var[] forward(Tape t, Var[] in, TrainContext ctx, double[][] state) {
        int n = in.length;
        Merge.Op op = layer.op();
        if (op == Merge.Op.SUBTRACT && n != 2) throw new InputException(null, layer.name(), null,
                "Subtract takes exactly 2 inputs, got " + n);
        int[] s0 = in[0].shape();
        boolean same = true, anyMask = false, allMask = true;
        for (Var v : in) {
            same &= Arrays.equals(v.shape(), s0);
            anyMask |= v.mask() != null;
            allMask &= v.mask() != null;
        }
        if (!same) {
            if (anyMask) {
                throw new UnsupportedModelException(null, layer.name(), null,
                        "received timestep masks with inputs of different shapes; "
                        + "masks are supported when all inputs have the same shape");
            }
            return new Var[]{broadcast(t, in)};
        }
        if (anyMask && s0.length < 2) {
            throw new UnsupportedModelException(null, layer.name(), null, "received a timestep mask with input "
                    + Tensor.shapeString(s0));
        }
        boolean keras3 = layer.maskRule() == Merge.MaskRule.KERAS3;
        boolean maskedValues = keras3 && anyMask
                && (op == Merge.Op.MULTIPLY || op == Merge.Op.MAXIMUM || op == Merge.Op.MINIMUM);
        if (maskedValues && s0.length != 3) {
            throw new UnsupportedModelException(null, layer.name(), null, "received a timestep mask with input "
                    + Tensor.shapeString(s0)
                    + "; Keras 3 " + op.kerasName() + " applies masks only to (batch, timesteps, features) inputs");
        }
        int steps = anyMask ? s0[0] * s0[1] : 0;
        int size = in[0].size();
        int inner = steps > 0 ? size / steps : 0;
        Var y;
        boolean[] outMask = null;
        if (!maskedValues) {
            y = in[0];
            for (int i = 1; i < n; i++) y = apply(t, y, in[i]);
            if (anyMask) outMask = keras3 ? (allMask ? combine(in, steps, false) : null) : combine(in, steps, true);
        } else if (op == Merge.Op.MULTIPLY) {
            Var ones = constant(s0, 1.0);
            y = null;
            boolean[] om = null;
            for (Var v : in) {
                boolean[] mi = v.mask();
                Var x = mi == null ? v : Ops.where(t, expand(mi, inner), v, ones);
                y = y == null ? x : Ops.mul(t, y, x);
                if (allMask) {
                    if (om == null) om = mi.clone();
                    else for (int st = 0; st < steps; st++) om[st] |= mi[st];
                }
            }
            if (allMask) {
                y = Ops.where(t, expand(om, inner), y, constant(s0, 0.0));
                outMask = om;
            }
        } else {
            y = in[0];
            boolean[] om = in[0].mask() == null ? null : in[0].mask().clone();
            for (int i = 1; i < n; i++) {
                Var x = in[i];
                boolean[] mi = x.mask();
                if (mi != null) x = Ops.where(t, expand(mi, inner), x, y);
                if (om != null) y = Ops.where(t, expand(om, inner), y, x);
                if (mi != null && om != null) for (int st = 0; st < steps; st++) om[st] |= mi[st];
                else om = null;
                y = apply(t, y, x);
            }
            outMask = om;
        }
        if (op == Merge.Op.AVERAGE) y = Ops.scale(t, y, 1.0 / n);
        return new Var[]{y.withMask(t, outMask)};
    }

    private static Var constant(int[] shape, double v) {
        int n = 1;
        for (int d : shape) n *= d;
        double[] a = new double[n];
        Arrays.fill(a, v);
        return Var.constant(shape, a);
    }

    private static boolean[] expand(boolean[] stepMask, int inner) {
        boolean[] e = new boolean[stepMask.length * inner];
        for (int i = 0; i < e.length; i++) e[i] = stepMask[i / inner];
        return e;
    }

    /** AND (or OR) of the masks present. */
    private static boolean[] combine(Var[] in, int steps, boolean and) {
        boolean[] m = null;
        for (Var v : in) {
            boolean[] mi = v.mask();
            if (mi == null) continue;
            if (m == null) { m = mi.clone(); continue; }
            for (int i = 0; i < steps; i++) m[i] = and ? m[i] && mi[i] : m[i] || mi[i];
        }
        return m;
    }

    /**
     * Inputs of different shapes: axes of size 1 after the batch axis up to the largest rank, then NumPy broadcasting.
     */
    private Var broadcast(Tape t, Var[] in) {
        int rank = 0;
        for (Var v : in) rank = Math.max(rank, v.rank());
        int[][] full = new int[in.length][];
        int[] out = null;
        for (int i = 0; i < in.length; i++) {
            int[] s = in[i].shape();
            int[] f = new int[rank];
            Arrays.fill(f, 1);
            f[0] = s[0];
            System.arraycopy(s, 1, f, rank - s.length + 1, s.length - 1);
            full[i] = f;
            if (out == null) out = f.clone();
            else {
                for (int d = 0; d < rank; d++) {
                    if (out[d] == 1) out[d] = f[d];
                    else if (f[d] != 1 && f[d] != out[d]) {
                        throw new InputException(null, layer.name(), null, "inputs cannot be broadcast together: "
                                + Tensor.shapeString(in[0].shape()) + " and " + Tensor.shapeString(s));
                    }
                }
            }
        }
        Var y = null;
        for (int i = 0; i < in.length; i++) {
            Var x = Ops.broadcastTo(t, Ops.reshape(t, in[i], full[i], false), out);
            y = y == null ? x : apply(t, y, x);
        }
        if (layer.op() == Merge.Op.AVERAGE) y = Ops.scale(t, y, 1.0 / in.length);
        return y;
    }

    @Override public Layer rebuild() { return layer; }
}
